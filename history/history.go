// Package history reads the stored dated reports (<reports_dir>/YYYY-MM-DD.json)
// so trends can compare a value with the one a whole window earlier.
package history

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/localizevideos/posture/report"
)

var dated = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.json$`)

// History holds the metric series of every stored report dated before a day.
type History struct {
	points map[string][]report.Point
	Dates  []string
}

// Load reads every dated report in dir dated strictly before asOf's date
// (a re-run for the same date replaces that date, it does not compare with it).
// A missing folder is an empty history.
func Load(dir string, asOf time.Time) (*History, error) {
	h := &History{points: map[string][]report.Point{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return h, nil
		}
		return nil, fmt.Errorf("history: %w", err)
	}
	day := asOf.UTC().Format("2006-01-02")
	var names []string
	for _, e := range entries {
		if !e.IsDir() && dated.MatchString(e.Name()) && e.Name()[:10] < day {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		path := filepath.Join(dir, n)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		var r report.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("history: %s: %w", path, err)
		}
		if r.Schema != report.Schema {
			continue
		}
		h.Dates = append(h.Dates, n[:10])
		for _, m := range r.Metrics {
			h.points[m.ID] = append(h.points[m.ID], report.Point{AsOf: r.AsOf, Value: m.Value})
		}
	}
	return h, nil
}

// Points returns a metric's stored values, oldest first.
func (h *History) Points(id string) []report.Point { return h.points[id] }

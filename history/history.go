// Package history reads the stored dated reports (<reports_dir>/YYYY-MM-DD.json,
// kept and read through package store) so trends can compare a value with
// the one a whole window earlier.
package history

import (
	"time"

	"github.com/localizevideos/posture/report"
)

// History holds the metric series of every stored report dated before a day.
type History struct {
	points map[string][]report.Point
	Dates  []string
}

// Load reads every dated report in dir dated strictly before asOf's date
// (a re-run for the same date replaces that date, it does not compare with it).
// A missing folder is an empty history.
func Load(dir string, asOf time.Time) (*History, error) {
	day := asOf.UTC().Format("2006-01-02")
	ds, err := load(dir, func(d string) bool { return d < day })
	if err != nil {
		return nil, err
	}
	h := &History{points: map[string][]report.Point{}}
	for _, d := range ds {
		h.Dates = append(h.Dates, d.Date)
		for _, m := range d.Report.Metrics {
			h.points[m.ID] = append(h.points[m.ID], report.Point{AsOf: d.Report.AsOf, Value: m.Value})
		}
	}
	return h, nil
}

// Points returns a metric's stored values, oldest first.
func (h *History) Points(id string) []report.Point { return h.points[id] }

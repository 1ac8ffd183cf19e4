package history

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/localizevideos/posture/report"
)

// Dated is one stored report with the date of its file name.
type Dated struct {
	Date   string // YYYY-MM-DD, from the file name
	Path   string
	Report *report.Report
}

// ReportPath is where the report of a date is stored: <dir>/<date>.json.
func ReportPath(dir, date string) string { return filepath.Join(dir, date+".json") }

// Dates lists the dates of the stored reports in dir (<dir>/YYYY-MM-DD.json),
// oldest first. A missing folder has none.
func Dates(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("history: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && dated.MatchString(e.Name()) {
			out = append(out, e.Name()[:10])
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadReport reads one stored report; errors name the file.
func ReadReport(path string) (*report.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("history: %s: %w", path, err)
	}
	return &r, nil
}

// LoadRange reads the stored reports dated from..to (inclusive, YYYY-MM-DD;
// an empty bound is open), oldest first. Files of another schema are
// skipped.
func LoadRange(dir, from, to string) ([]Dated, error) {
	dates, err := Dates(dir)
	if err != nil {
		return nil, err
	}
	var out []Dated
	for _, d := range dates {
		if (from != "" && d < from) || (to != "" && d > to) {
			continue
		}
		p := ReportPath(dir, d)
		r, err := ReadReport(p)
		if err != nil {
			return nil, err
		}
		if r.Schema != report.Schema {
			continue
		}
		out = append(out, Dated{Date: d, Path: p, Report: r})
	}
	return out, nil
}

// LoadAll reads every stored report in dir, oldest first.
func LoadAll(dir string) ([]Dated, error) { return LoadRange(dir, "", "") }

// Reports returns the reports of ds, in order.
func Reports(ds []Dated) []*report.Report {
	out := make([]*report.Report, len(ds))
	for i, d := range ds {
		out[i] = d.Report
	}
	return out
}

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
	return Before(ds, asOf), nil
}

// Before is the History of the reports of ds (as LoadAll reads them, oldest
// first) dated strictly before asOf's date: Load without reading the folder
// again when its reports are loaded already.
func Before(ds []Dated, asOf time.Time) *History {
	day := asOf.UTC().Format("2006-01-02")
	h := &History{points: map[string][]report.Point{}}
	for _, d := range ds {
		if d.Date >= day {
			continue
		}
		h.Dates = append(h.Dates, d.Date)
		for _, m := range d.Report.Metrics {
			h.points[m.ID] = append(h.points[m.ID], report.Point{AsOf: d.Report.AsOf, Value: m.Value})
		}
	}
	return h
}

// Points returns a metric's stored values, oldest first.
func (h *History) Points(id string) []report.Point { return h.points[id] }

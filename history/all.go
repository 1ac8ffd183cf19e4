package history

import (
	"errors"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

// Dated is one stored report with the date of its file name.
type Dated struct {
	Date   string // YYYY-MM-DD, from the file name
	Path   string
	Report *report.Report
}

// LoadRange reads the stored reports dated from..to (inclusive, YYYY-MM-DD;
// an empty bound is open), oldest first. Files of another schema are
// skipped; a report that cannot be read is an error naming it (see
// store.LoadReport).
func LoadRange(dir, from, to string) ([]Dated, error) {
	return load(dir, func(d string) bool { return (from == "" || d >= from) && (to == "" || d <= to) })
}

// load reads the stored reports whose date keep accepts, oldest first.
func load(dir string, keep func(date string) bool) ([]Dated, error) {
	dates, err := store.ReportDates(dir)
	if err != nil {
		return nil, err
	}
	var out []Dated
	for _, d := range dates {
		if !keep(d) {
			continue
		}
		p := store.ReportPath(dir, d)
		r, err := store.LoadReport(p)
		if errors.Is(err, store.ErrOtherSchema) {
			continue
		}
		if err != nil {
			return nil, err
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

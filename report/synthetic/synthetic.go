// Package synthetic generates dated reports from value functions, with
// statuses, trends and series computed by the rules real reports follow
// (package kpi). Tests use it to build long histories; `posture demo-history` uses
// it to give the bundled example a plausible past.
package synthetic

import (
	"bytes"
	"fmt"
	"path/filepath"
	"time"

	"github.com/localizevideos/posture/kpi"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
)

// Spec is one metric of the generated reports.
type Spec struct {
	ID, Title, Category, Owner, Unit string
	Target                           report.Target
	Gate                             bool
	// Better is the desired direction (down or up); empty = derived from
	// the target (kpi.Better), as the catalogue does.
	Better string
	// Status forces a status without a value (unmeasured, error, no_data);
	// empty = computed from the value.
	Status report.Status
	// Value gives the metric's value on a day (nil = null). Values are
	// rounded for the unit.
	Value func(day time.Time) *float64
	// Note is put in the evidence (e.g. "synthetic demo history").
	Note string
}

// Options of Generate.
type Options struct {
	Project    string
	WindowDays int
	TolPct     float64
	Inputs     []report.Input     // copied into every report
	Exceptions []report.Exception // copied into every report
	// History are earlier reports (oldest first) whose values count for the
	// trends and series of the generated ones.
	History []*report.Report
}

// Generate returns one report per day, as of midnight UTC, from start for
// days days, oldest first.
func Generate(start time.Time, days int, specs []Spec, opt Options) []*report.Report {
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	series := map[string][]report.Point{}
	for _, r := range opt.History {
		for _, m := range r.Metrics {
			series[m.ID] = append(series[m.ID], report.Point{AsOf: r.AsOf, Value: m.Value})
		}
	}
	var out []*report.Report
	for i := 0; i < days; i++ {
		day := start.AddDate(0, 0, i)
		asOf := day.Format(time.RFC3339)
		r := &report.Report{Schema: report.Schema, Project: opt.Project, AsOf: asOf, WindowDays: opt.WindowDays,
			Inputs: append([]report.Input{}, opt.Inputs...), Metrics: []report.Metric{},
			Exceptions: append([]report.Exception(nil), opt.Exceptions...)}
		for _, s := range specs {
			m := report.Metric{ID: s.ID, Title: s.Title, Category: s.Category, Owner: s.Owner, Unit: s.Unit,
				Target: s.Target, Gate: s.Gate, Trend: report.Trend{Direction: report.TrendInsufficient},
				Evidence: report.Evidence{Waived: []report.Waived{}, Records: []string{}, Note: s.Note}}
			if s.Status != "" && s.Status != report.StatusPass && s.Status != report.StatusFail &&
				s.Status != report.StatusWarn && s.Status != report.StatusTracked {
				m.Status = s.Status
				if s.Status == report.StatusError {
					m.Error = "synthetic error"
				}
				r.Metrics = append(r.Metrics, m)
				continue
			}
			if s.Value != nil {
				if v := s.Value(day); v != nil {
					x := kpi.Round(*v, s.Unit)
					m.Value = &x
				}
			}
			if m.Value != nil && s.Unit == "count" {
				m.Evidence.Items = int(*m.Value)
			}
			better := kpi.Better(s.Target, s.Better)
			past := series[s.ID]
			m.Series = append(append([]report.Point{}, past...), report.Point{AsOf: asOf, Value: m.Value})
			m.Trend = kpi.Trend(better, s.Target.Trend, m.Value, past, day, opt.WindowDays, opt.TolPct)
			m.Status = kpi.Status(s.Target, m.Value, m.Trend)
			series[s.ID] = append(past, report.Point{AsOf: asOf, Value: m.Value})
			r.Metrics = append(r.Metrics, m)
		}
		r.Summarise()
		out = append(out, r)
	}
	return out
}

// WriteJSON writes each report as <dir>/<date>.json, as `posture report`
// does (no markdown, no derived files).
func WriteJSON(dir string, rs []*report.Report) error {
	for _, r := range rs {
		date, err := publish.Date(r)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := (output.JSON{}).Write(&b, r, output.Options{}); err != nil {
			return fmt.Errorf("report %s: %w", date, err)
		}
		if err := publish.WriteFileAtomic(filepath.Join(dir, date+".json"), b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// Constant returns a value function giving v every day.
func Constant(v float64) func(time.Time) *float64 {
	return func(time.Time) *float64 { return &v }
}

// ByDate returns a value function reading a date → value table (YYYY-MM-DD),
// falling back to def (nil = null) for other days.
func ByDate(values map[string]float64, def *float64) func(time.Time) *float64 {
	return func(d time.Time) *float64 {
		if v, ok := values[d.Format("2006-01-02")]; ok {
			return &v
		}
		return def
	}
}

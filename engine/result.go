package engine

import (
	"sort"
	"strings"
	"time"

	"github.com/localizevideos/posture/kpi"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

// SeriesDays is how far back a report's series reaches. Every dated report
// is kept in git; a full series in each would grow the history with the
// square of its length (a year of daily reports: hundreds of MB). The
// dashboard and the aggregates read the whole history from the dated
// reports themselves.
const SeriesDays = 90

// recentSeries keeps the points dated within SeriesDays before asOf.
func recentSeries(points []report.Point, asOf time.Time) []report.Point {
	cutoff := asOf.UTC().AddDate(0, 0, -SeriesDays).Format("2006-01-02")
	out := make([]report.Point, 0, len(points)+1)
	for _, p := range points {
		if len(p.AsOf) >= 10 && p.AsOf[:10] >= cutoff {
			out = append(out, p)
		}
	}
	return out
}

// MaxEvidenceRecords is how many evidence records (and waived findings) a
// report keeps per metric when Options.EvidenceLimit is not set (the
// config's evidence_limit; explain shows them all). The cap keeps a dated
// report, which is committed every day, the same size whatever the volume
// of data: the full records stay in the snapshot, whose digest the report
// carries.
const MaxEvidenceRecords = 25

// Resolved is a catalogue entry with the config's owner, target and gate
// applied (internal/app resolves them).
type Resolved struct {
	*Definition
	Owner  string
	Target report.Target
	Gate   bool
}

// History gives a metric's stored values, oldest first.
type History interface {
	Points(metricID string) []report.Point
}

// Options of Build.
type Options struct {
	Project    string
	Title      string // the configured title ("" = the default)
	WindowDays int
	TolPct     float64
	History    History // may be nil
	Exceptions []Exception
	// EvidenceLimit caps the evidence records and the waived findings of
	// each metric (records_total and waived_total keep the counts); 0 means
	// MaxEvidenceRecords.
	EvidenceLimit int
}

// Build turns an evaluation into the report: statuses, rounding and trends
// by the kpi rules.
func Build(ev *Evaluation, metrics []*Resolved, parts []*snapshot.Part, opt Options) *report.Report {
	asOf := ev.Input.AsOf
	r := &report.Report{
		Schema: report.Schema, Project: opt.Project, Title: opt.Title, AsOf: asOf.Format(time.RFC3339),
		WindowDays: opt.WindowDays, Inputs: []report.Input{}, Metrics: []report.Metric{},
	}
	for _, p := range parts {
		_, _ = p.Digest() // sha256 of the part as a snapshot file holds it
		r.Inputs = append(r.Inputs, report.Input{Source: p.Source, Kind: p.Kind, SHA256: p.SHA256,
			Records: p.Records(), SkippedLines: p.SkippedLines, Error: p.Error})
	}
	for _, m := range metrics {
		r.Metrics = append(r.Metrics, buildMetric(ev, m, opt, asOf))
	}
	for _, e := range opt.Exceptions {
		state := "active"
		switch {
		case e.Status == "closed":
			state = "closed"
		case !asOf.Before(e.ExpiresEnd):
			state = "expired"
		}
		r.Exceptions = append(r.Exceptions, report.Exception{ExceptionRef: report.ExceptionRef{ID: e.ID, Metric: e.Metric,
			Scope: e.Scope, Owner: e.Owner, ApprovedBy: e.ApprovedBy, Expires: e.Expires}, Status: e.Status, State: state, Origin: e.Declared})
		if state == "active" && e.ExpiresEnd.Sub(asOf) <= 14*24*time.Hour {
			r.ExpiringSoon = append(r.ExpiringSoon, e.ID)
		}
	}
	r.Summarise()
	return r
}

func buildMetric(ev *Evaluation, m *Resolved, opt Options, asOf time.Time) report.Metric {
	out := report.Metric{
		ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit,
		Target: m.Target, Gate: m.Gate, Trend: report.Trend{Direction: report.TrendInsufficient},
		Evidence: report.Evidence{Waived: []report.Waived{}, Records: []string{}},
	}
	measured, failed := feeds(m.Definition, ev.Input)
	out.Sources = measured
	raw := ev.Raw[m.ID]
	switch {
	case len(failed) > 0:
		out.Status = report.StatusError
		out.Error = "source failed: " + strings.Join(failed, ", ")
		out.Evidence.Note = out.Error
		return out
	case raw == nil:
		out.Status = report.StatusError
		out.Error = "not evaluated"
		return out
	case raw.Err != nil:
		out.Status = report.StatusError
		out.Error = raw.Err.Error()
		out.Evidence.Note = out.Error
		return out
	case len(measured) == 0 && !always(m.Definition):
		out.Status = report.StatusUnmeasured
		return out
	}
	if raw.Value != nil {
		v := kpi.Round(*raw.Value, m.Unit)
		out.Value = &v
	}
	out.Evidence.Items = raw.Items
	if raw.Items < 0 {
		out.Evidence.Items = len(raw.Records)
	}
	out.Evidence.RecordsTotal = len(raw.Records)
	limit := opt.EvidenceLimit
	if limit <= 0 {
		limit = MaxEvidenceRecords
	}
	recs := raw.Records
	if len(recs) > limit {
		recs = recs[:limit]
	}
	out.Evidence.Records = append(out.Evidence.Records, recs...)
	out.Evidence.WaivedTotal = len(raw.Waived)
	waived := raw.Waived
	if len(waived) > limit {
		waived = waived[:limit]
	}
	for _, w := range waived {
		out.Evidence.Waived = append(out.Evidence.Waived, report.Waived{Scope: w.Scope, Exception: w.Exception, Origin: w.Origin})
	}
	if opt.History != nil {
		out.Series = recentSeries(opt.History.Points(m.ID), asOf)
		out.Series = append(out.Series, report.Point{AsOf: asOf.Format(time.RFC3339), Value: out.Value})
		out.Trend = kpi.Trend(m.Better, m.Target.Trend, out.Value, opt.History.Points(m.ID), asOf, opt.WindowDays, opt.TolPct)
	}
	out.Status = kpi.Status(m.Target, out.Value, out.Trend)
	return out
}

// feeds returns the configured sources that feed the metric and those of
// them that failed.
func feeds(d *Definition, in *Input) (measured, failed []string) {
	for _, k := range d.Inputs {
		if k == InputAll {
			for _, ids := range in.Failed {
				failed = append(failed, ids...)
			}
			continue
		}
		if IsCollectionInput(k) {
			measured = append(measured, in.Collections[k]...)
			failed = append(failed, in.FailedCollections[k]...)
			continue
		}
		// A source kind or "<kind>.<part>", as inputs named them before
		// they named collections.
		measured = append(measured, in.Kinds[k]...)
		kind := k
		if i := strings.IndexByte(k, '.'); i > 0 {
			kind = k[:i] // a part of a multi-part kind fails with its source
		}
		failed = append(failed, in.Failed[kind]...)
	}
	return dedupe(measured), dedupe(failed)
}

// IsCollectionInput reports whether a metric input names a collection
// ("accounts", "events.login_failed") or a collection with a trait its
// sources must declare ("accounts:activity"), rather than a source kind.
func IsCollectionInput(input string) bool {
	name, _, _ := strings.Cut(input, ":")
	return snapshot.IsCollection(name)
}

func always(d *Definition) bool {
	for _, k := range d.Inputs {
		if k == InputAlways || k == InputAll {
			return true
		}
	}
	return false
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

package engine

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/localizevideos/posture/config"
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

// MaxEvidenceRecords is how many evidence records a report keeps per metric
// (explain shows them all).
const MaxEvidenceRecords = 25

// Resolved is a catalogue entry with the config applied.
type Resolved struct {
	*Definition
	Owner  string
	Target report.Target
	Gate   bool
}

// Resolve applies the config's owners, targets and gates to the catalogue,
// refusing metrics without an owner, unknown metric ids in metric blocks and
// exceptions naming unknown metrics.
func Resolve(cfg *config.Config, defs []*Definition) ([]*Resolved, error) {
	var diags hcl.Diagnostics
	bad := func(rng hcl.Range, summary, detail string) {
		r := rng
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r})
	}
	known := map[string]*Definition{}
	for _, d := range defs {
		known[d.ID] = d
	}
	for _, m := range cfg.Metrics {
		if known[m.ID] == nil {
			bad(m.Range, "Unknown metric", fmt.Sprintf("%q is not in the catalogue and no custom policy defines it; see `posture metrics`", m.ID))
		}
	}
	for _, e := range cfg.Exceptions {
		if known[e.Metric] == nil {
			bad(e.Range, "Unknown metric", fmt.Sprintf("exception %q waives findings of %q, which is not in the catalogue", e.ID, e.Metric))
		}
	}
	var out []*Resolved
	var unowned []string
	for _, d := range defs {
		r := &Resolved{Definition: d, Target: d.Target, Gate: d.Gate}
		if c := cfg.Category(d.Category); c != nil {
			r.Owner = c.Owner
		}
		if m := cfg.Metric(d.ID); m != nil {
			if m.Owner != nil {
				r.Owner = *m.Owner
			}
			if m.Gate != nil {
				r.Gate = *m.Gate
			}
			if m.Target != nil {
				t := report.Target{Max: m.Target.Max, Min: m.Target.Min}
				if m.Target.Trend != nil {
					t.Trend = *m.Target.Trend
				}
				if m.Target.Soft != nil {
					t.Soft = *m.Target.Soft
				}
				r.Target = t
			}
		}
		if r.Owner == "" {
			unowned = append(unowned, fmt.Sprintf("%s (category %s, %s)", d.ID, d.Category, d.Location))
		}
		out = append(out, r)
	}
	if len(unowned) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Metrics without an owner",
			Detail:  fmt.Sprintf("measuring without ownership is refused: add a category block with an owner (or a metric block naming one) for: %s", strings.Join(unowned, "; ")),
			Subject: &hcl.Range{Filename: cfg.Path, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 1, Byte: 0}}})
	}
	if diags.HasErrors() {
		return nil, &config.Error{Diags: diags}
	}
	return out, nil
}

// History gives a metric's stored values, oldest first.
type History interface {
	Points(metricID string) []report.Point
}

// Options of Build.
type Options struct {
	Project    string
	WindowDays int
	TolPct     float64
	History    History // may be nil
	Exceptions []*config.Exception
	// ConfigDir is the config's folder: exception origins are relative to
	// it, like evidence origins. Empty: they keep the file name they were
	// read under.
	ConfigDir string
}

// Build turns an evaluation into the report: statuses, rounding, trends.
func Build(ev *Evaluation, metrics []*Resolved, parts []*snapshot.Part, opt Options) *report.Report {
	asOf := ev.Input.AsOf
	r := &report.Report{
		Schema: report.Schema, Project: opt.Project, AsOf: asOf.Format(time.RFC3339),
		WindowDays: opt.WindowDays, Inputs: []report.Input{}, Metrics: []report.Metric{},
	}
	for _, p := range parts {
		_, _ = p.Digest() // sha256 of the part as a snapshot file holds it
		r.Inputs = append(r.Inputs, report.Input{Source: p.Source, Kind: p.Kind, SHA256: p.SHA256,
			Records: p.Data.Count(), SkippedLines: p.SkippedLines, Error: p.Error})
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
		r.Exceptions = append(r.Exceptions, report.Exception{ID: e.ID, Metric: e.Metric, Scope: e.Scope, Owner: e.Owner,
			ApprovedBy: e.ApprovedBy, Expires: e.Expires, Status: e.Status, State: state, Origin: exceptionOrigin(e, opt.ConfigDir)})
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
		v := Round(*raw.Value, m.Unit)
		out.Value = &v
	}
	out.Evidence.Items = raw.Items
	if raw.Items < 0 {
		out.Evidence.Items = len(raw.Records)
	}
	out.Evidence.RecordsTotal = len(raw.Records)
	recs := raw.Records
	if len(recs) > MaxEvidenceRecords {
		recs = recs[:MaxEvidenceRecords]
	}
	out.Evidence.Records = append(out.Evidence.Records, recs...)
	for _, w := range raw.Waived {
		out.Evidence.Waived = append(out.Evidence.Waived, report.Waived{Scope: w.Scope, Exception: w.Exception, Origin: w.Origin})
	}
	if opt.History != nil {
		out.Series = recentSeries(opt.History.Points(m.ID), asOf)
		out.Series = append(out.Series, report.Point{AsOf: asOf.Format(time.RFC3339), Value: out.Value})
		out.Trend = Trend(m.Better, m.Target.Trend, out.Value, opt.History.Points(m.ID), asOf, opt.WindowDays, opt.TolPct)
	}
	out.Status = Status(m.Target, out.Value, out.Trend)
	return out
}

// feeds returns the configured sources that feed the metric and those of
// them that failed.
func feeds(d *Definition, in *Input) (measured, failed []string) {
	for _, k := range d.Inputs {
		if k == InputAll {
			for kind, names := range in.Failed {
				for _, n := range names {
					failed = append(failed, n+" ("+kind+")")
				}
			}
			continue
		}
		measured = append(measured, in.Kinds[k]...)
		kind := k
		if i := strings.IndexByte(k, '.'); i > 0 {
			kind = k[:i] // a part of a multi-part kind fails with its source
		}
		for _, n := range in.Failed[kind] {
			failed = append(failed, n+" ("+kind+")")
		}
	}
	return dedupe(measured), dedupe(failed)
}

func always(d *Definition) bool {
	for _, k := range d.Inputs {
		if k == InputAlways || k == InputAll {
			return true
		}
	}
	return false
}

// Status applies a target to a value (contract §3.2).
func Status(t report.Target, v *float64, tr report.Trend) report.Status {
	if v == nil {
		return report.StatusNoData
	}
	if t.IsZero() {
		return report.StatusTracked
	}
	failing := false
	judged := false
	if t.Max != nil {
		judged = true
		failing = failing || *v > *t.Max
	}
	if t.Min != nil {
		judged = true
		failing = failing || *v < *t.Min
	}
	if t.Trend != "" && tr.Direction != report.TrendInsufficient {
		judged = true
		failing = failing || tr.Direction == report.TrendWorsening
	}
	switch {
	case !judged:
		return report.StatusTracked
	case failing && t.Soft:
		return report.StatusWarn
	case failing:
		return report.StatusFail
	}
	return report.StatusPass
}

// Round rounds by unit: hours and days to 2 decimals, percent to 1, counts to integers.
func Round(v float64, unit string) float64 {
	switch unit {
	case "count":
		return math.Round(v)
	case "percent":
		return math.Round(v*10) / 10
	default:
		return math.Round(v*100) / 100
	}
}

// Trend compares value with the latest point dated on or before
// asOf - windowDays (contract §6.2). better is the metric's desired
// direction; targetTrend "stable" worsens when the value rises.
func Trend(better, targetTrend string, value *float64, points []report.Point, asOf time.Time, windowDays int, tolPct float64) report.Trend {
	tr := report.Trend{Direction: report.TrendInsufficient}
	if value == nil {
		return tr
	}
	cutoff := asOf.UTC().AddDate(0, 0, -windowDays).Format("2006-01-02")
	var prev *report.Point
	for i := range points {
		p := &points[i]
		if len(p.AsOf) < 10 || p.AsOf[:10] > cutoff || p.Value == nil {
			continue
		}
		if prev == nil || p.AsOf > prev.AsOf {
			prev = p
		}
	}
	if prev == nil {
		return tr
	}
	pv := *prev.Value
	tr.Previous = &pv
	tr.PreviousAsOf = prev.AsOf
	v := *value
	var change float64
	rising := v > pv
	if pv == 0 {
		if v == 0 {
			change = 0
			zero := 0.0
			tr.ChangePct = &zero
		} else {
			change = math.Inf(1)
		}
	} else {
		change = 100 * (v - pv) / math.Abs(pv)
		c := math.Round(change*10) / 10
		tr.ChangePct = &c
	}
	if math.Abs(change) <= tolPct {
		tr.Direction = report.TrendStable
		return tr
	}
	// The desired direction: the target's trend when it names one (a
	// config override may reverse the catalogue's), else the metric's
	// better; "stable" targets worsen when they rise.
	up := better == "up"
	switch targetTrend {
	case "up":
		up = true
	case "down", "stable":
		up = false
	}
	if rising == up {
		tr.Direction = report.TrendImproving
	} else {
		tr.Direction = report.TrendWorsening
	}
	return tr
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

// exceptionOrigin is where an exception is declared, "file:line" (its
// exception block), the file relative to dir when given and below it.
func exceptionOrigin(e *config.Exception, dir string) string {
	file := e.Range.Filename
	if file == "" || e.Range.Start.Line < 1 {
		return ""
	}
	if dir != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if rel, err := filepath.Rel(dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				file = rel
			}
		}
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(file), e.Range.Start.Line)
}

package output

import (
	"fmt"
	"sort"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// Verdict is the gate's judgement of a report (docs/github-actions.md, "exit
// codes"): it passes only when no considered metric is in error, no input
// failed, no gated metric failed its target and every gated metric was
// measured. A gated metric that is unmeasured or no_data does not pass: a
// gate never passes on what it did not measure.
//
// Every printed format and the CLI's exit code and messages derive from the
// same Verdict, so they always agree.
type Verdict struct {
	Gated        int             // how many considered metrics the gate is on
	Failed       []report.Metric // gated, status fail
	NotMeasured  []report.Metric // gated, status unmeasured or no_data
	Errors       []report.Metric // considered metrics in status error (gated or not)
	FailedInputs []report.Input  // sources that could not be read
	// Chosen: the gate is on metrics chosen on the command line (gate
	// --metrics), not on each metric's gate flag.
	Chosen bool
}

// Judge computes the verdict over the metrics opt selects (opt.Only, all
// when empty). The gate is on opt.GateOn when set (gate --metrics), else on
// each metric's own gate flag.
func Judge(r *report.Report, opt Options) (Verdict, error) {
	r, err := selected(r, opt)
	if err != nil {
		return Verdict{}, err
	}
	return judge(r, opt), nil
}

// judge is Judge over an already selected report.
func judge(r *report.Report, opt Options) Verdict {
	v := Verdict{Chosen: len(opt.GateOn) > 0}
	for _, in := range r.Inputs {
		if in.Error != "" {
			v.FailedInputs = append(v.FailedInputs, in)
		}
	}
	for _, m := range byUrgency(r.Metrics) {
		if m.Status == report.StatusError {
			v.Errors = append(v.Errors, m)
		}
		if !opt.gated(m) {
			continue
		}
		v.Gated++
		switch m.Status {
		case report.StatusFail:
			v.Failed = append(v.Failed, m)
		case report.StatusUnmeasured, report.StatusNoData:
			v.NotMeasured = append(v.NotMeasured, m)
		}
	}
	return v
}

// Gated reports whether the gate is on m: m is in GateOn, or GateOn is
// empty and m's gate flag is set.
func (o Options) Gated(m report.Metric) bool { return o.gated(m) }

// NotMeasured reports whether m is a gated metric the gate cannot pass
// because nothing measured it (unmeasured or no_data).
func (o Options) NotMeasured(m report.Metric) bool { return o.isNotMeasured(m) }

func (o Options) gated(m report.Metric) bool {
	if len(o.GateOn) == 0 {
		return m.Gate
	}
	for _, id := range o.GateOn {
		if id == m.ID {
			return true
		}
	}
	return false
}

// isNotMeasured reports whether m is a gated metric the gate cannot pass
// because nothing measured it.
func (o Options) isNotMeasured(m report.Metric) bool {
	return o.gated(m) && (m.Status == report.StatusUnmeasured || m.Status == report.StatusNoData)
}

// Passed reports whether the gate passes (exit 0).
func (v Verdict) Passed() bool {
	return len(v.Failed) == 0 && len(v.NotMeasured) == 0 && !v.Broken()
}

// Broken reports whether an input or a metric errored (exit 2, before any
// failed or unmeasured metric).
func (v Verdict) Broken() bool { return len(v.Errors) > 0 || len(v.FailedInputs) > 0 }

// Lines are the summary lines the table footer and the CLI print:
// "gate passed: N gated metrics on target", or one "gate failed: ..." line
// per reason (errors, failed targets, metrics not measured).
func (v Verdict) Lines() []string {
	if v.Passed() {
		return []string{fmt.Sprintf("gate passed: %d gated %s on target", v.Gated, text.Plural(v.Gated, "metric", "metrics"))}
	}
	var out []string
	if n := len(v.FailedInputs); n > 0 {
		names := make([]string, n)
		for i, in := range v.FailedInputs {
			names[i] = in.Source
		}
		out = append(out, fmt.Sprintf("gate failed: %d %s could not be read: %s", n, text.Plural(n, "source", "sources"), strings.Join(names, ", ")))
	}
	if n := len(v.Errors); n > 0 {
		out = append(out, fmt.Sprintf("gate failed: %d %s in error: %s", n, text.Plural(n, "metric", "metrics"), strings.Join(ids(v.Errors), ", ")))
	}
	if line := v.FailedLine(); line != "" {
		out = append(out, line)
	}
	if line := v.NotMeasuredLine(); line != "" {
		out = append(out, line)
	}
	return out
}

// FailedLine is "gate failed: N gated metrics failed their target: a, b",
// or "" when none did.
func (v Verdict) FailedLine() string {
	n := len(v.Failed)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("gate failed: %d gated %s failed %s target: %s",
		n, text.Plural(n, "metric", "metrics"), text.Plural(n, "its", "their"), strings.Join(ids(v.Failed), ", "))
}

// NotMeasuredLine is "gate failed: N gated metrics not measured (a, b):
// <what to do>", or "" when every gated metric was measured.
func (v Verdict) NotMeasuredLine() string {
	n := len(v.NotMeasured)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("gate failed: %d gated %s not measured (%s): %s",
		n, text.Plural(n, "metric", "metrics"), strings.Join(ids(v.NotMeasured), ", "), notMeasuredFix(v.NotMeasured, v.Chosen))
}

// notMeasuredFix says how to feed the metrics or take them out of the gate.
func notMeasuredFix(ms []report.Metric, chosen bool) string {
	var unmeasured, noData []string
	for _, m := range ms {
		if m.Status == report.StatusNoData {
			noData = append(noData, m.ID)
		} else {
			unmeasured = append(unmeasured, m.ID)
		}
	}
	var fixes []string
	if len(unmeasured) > 0 {
		fixes = append(fixes, fmt.Sprintf("configure a source that feeds %s (`posture metrics` shows which kinds do)",
			text.Plural(len(unmeasured), "it", "them")))
	}
	if len(noData) > 0 {
		fixes = append(fixes, fmt.Sprintf("check that the sources of %s hold data in the window (they gave nothing to compute from)",
			strings.Join(noData, ", ")))
	}
	them := text.Plural(len(ms), "it", "them")
	off := fmt.Sprintf("set gate = false in %s metric block", text.Plural(len(ms), "its", "their"))
	if chosen {
		off = "leave " + them + " out of --metrics"
	}
	return strings.Join(fixes, ", ") + " or " + off
}

// MetricNotMeasured is the one-metric message for an annotation or a
// SARIF result: "not measured: <why>; <what to do>".
func MetricNotMeasured(m report.Metric, chosen bool) string {
	return "not measured: " + statusExplain(m, true) + "; " + notMeasuredFix([]report.Metric{m}, chosen)
}

// ids lists the metrics' ids, sorted.
func ids(ms []report.Metric) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	sort.Strings(out)
	return out
}

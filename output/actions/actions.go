// Package actions renders a report for GitHub Actions
// (docs/github-actions.md): workflow-command annotations (::error,
// ::warning) on the job's log, and the job's step summary (the Markdown
// report, and the actions of the issues step).
package actions

import (
	"fmt"
	"io"
	"strings"

	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/tracker"
)

// Annotate writes one annotation per metric that needs attention among
// those opt selects: ::error for a failing or errored metric and for a
// gated one that is not measured (it fails the gate), ::warning for a
// missed soft target or a worsening trend.
func Annotate(w io.Writer, r *report.Report, opt output.Options) {
	only := map[string]bool{}
	for _, id := range opt.Only {
		only[id] = true
	}
	for _, m := range r.Metrics {
		if len(only) > 0 && !only[m.ID] {
			continue
		}
		who := fmt.Sprintf("%s (%s, owner %s): ", m.Title, m.ID, m.Owner)
		switch {
		case m.Status == report.StatusFail || m.Status == report.StatusError:
			annotate(w, "error", "posture "+m.ID, who+text.MetricWords(m))
		case opt.NotMeasured(m):
			annotate(w, "error", "posture "+m.ID+" not measured", who+output.MetricNotMeasured(m, len(opt.GateOn) > 0))
		case m.Status == report.StatusWarn || m.Trend.Direction == report.TrendWorsening:
			annotate(w, "warning", "posture "+m.ID, who+text.MetricWords(m))
		}
	}
}

// Warning writes a ::warning annotation.
func Warning(w io.Writer, title, msg string) { annotate(w, "warning", title, msg) }

func annotate(w io.Writer, level, title, msg string) {
	fmt.Fprintf(w, "::%s title=%s::%s\n", level, title, escape(msg))
}

// escape keeps a message on the annotation's line.
func escape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// StepSummary writes the step summary of a report: the Markdown report of
// the metrics opt selects, judged with its gate.
func StepSummary(w io.Writer, r *report.Report, opt output.Options) error {
	return output.Markdown{}.Write(w, r, output.Options{Only: opt.Only, GateOn: opt.GateOn, Metrics: opt.Metrics})
}

// IssuesSummary writes the step summary of the issues step: what it did,
// one row per action, and whether it failed.
func IssuesSummary(w io.Writer, s *tracker.Summary, failed bool) error {
	var b strings.Builder
	title := "posture issues"
	if s.DryRun {
		title += " (dry run)"
	}
	fmt.Fprintf(&b, "\n### %s in %s\n\n%s\n\n", title, s.Repo, s.Line())
	if len(s.Actions) > 0 {
		fmt.Fprintln(&b, "| action | metric | issue |")
		fmt.Fprintln(&b, "|---|---|---|")
		for _, a := range s.Actions {
			issue := ""
			switch {
			case a.Number > 0 && a.URL != "":
				issue = fmt.Sprintf("[#%d](%s)", a.Number, a.URL)
			case a.Number > 0:
				issue = fmt.Sprintf("#%d", a.Number)
			}
			what := a.Metric
			if a.Kind == tracker.KindLabel {
				what = "`" + a.Title + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", a.Kind, what, issue)
		}
	}
	if failed {
		fmt.Fprintln(&b, "\n**The issues step failed**; the next run resumes without duplicates.")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

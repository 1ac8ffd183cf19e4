package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// Markdown prints the human report in GitHub-flavoured markdown, headed by
// the report's title (docs/configuration.md, "title"): summary, failing metrics first, every metric by category, evidence
// highlights, exceptions expiring soon and the unmeasured metrics.
type Markdown struct{}

// Write implements Writer.
func (Markdown) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	max := opt.maxRecords()

	fmt.Fprintf(b, "# %s — %s\n\n", text.MD(r.DisplayTitle()), text.Date(r.AsOf))
	fmt.Fprintf(b, "As of `%s`, window %d days, %d metrics.\n\n", r.AsOf, r.WindowDays, len(r.Metrics))

	cnt := counts(r.Metrics)
	var parts []string
	for _, s := range report.Statuses {
		parts = append(parts, fmt.Sprintf("%s %d %s", text.StatusEmoji(s), cnt[s], strings.ReplaceAll(string(s), "_", " ")))
	}
	fmt.Fprintf(b, "**Summary:** %s\n", strings.Join(parts, " · "))
	v := judge(r, opt)
	fmt.Fprintf(b, "\n**Gate:** %s\n", mdGate(v))

	// Failing first.
	var problems []report.Metric
	for _, m := range byUrgency(r.Metrics) {
		if isProblem(m.Status) {
			problems = append(problems, m)
		}
	}
	fmt.Fprintf(b, "\n## Failing metrics\n\n")
	if len(problems) == 0 {
		fmt.Fprintf(b, "None: no metric fails, warns or errors.\n")
	} else {
		mdTable(b, problems)
	}

	// Gated metrics nothing measured: they fail the gate too.
	fmt.Fprintf(b, "\n## Not measured (gated)\n\n")
	if len(v.NotMeasured) == 0 {
		fmt.Fprintf(b, "None: every gated metric was measured.\n")
	}
	for _, m := range v.NotMeasured {
		fmt.Fprintf(b, "- %s — %s (owner %s, %s%s): %s.\n", text.Code(m.ID), text.MD(m.Title), text.MD(orDefault(m.Owner, "none")),
			m.Status, kindsNote(opt.Metrics[m.ID]), MetricNotMeasured(m, v.Chosen))
	}

	// Every metric by category.
	fmt.Fprintf(b, "\n## Metrics by category\n")
	cats, groups := byCategory(r.Metrics)
	for _, c := range cats {
		name := c
		if name == "" {
			name = "uncategorised"
		}
		fmt.Fprintf(b, "\n### %s\n\n", text.MD(name))
		mdTable(b, groups[c])
	}

	if opt.Charts {
		writeCharts(b, r)
	}

	// Evidence for what needs attention.
	fmt.Fprintf(b, "\n## Evidence highlights\n")
	if len(problems) == 0 {
		fmt.Fprintf(b, "\nNothing to highlight.\n")
	}
	for _, m := range problems {
		fmt.Fprintf(b, "\n### %s %s — %s\n\n", text.StatusEmoji(m.Status), text.Code(m.ID), text.MD(m.Title))
		fmt.Fprintf(b, "- Value %s, target %s, owner %s.\n",
			text.MD(text.Value(m.Value, m.Unit)), text.MD(text.Target(m.Target, m.Unit)), text.MD(m.Owner))
		if m.Status == report.StatusError {
			fmt.Fprintf(b, "- Error: %s\n", text.MD(text.OneLine(orDefault(m.Error, "evaluation error"))))
		}
		e := m.Evidence
		shown, more := shownRecords(e, max)
		if m.Status != report.StatusError || e.Items > 0 || len(shown) > 0 {
			fmt.Fprintf(b, "- %d %s counted", e.Items, text.Plural(e.Items, "item", "items"))
		}
		if len(shown) > 0 {
			spans := make([]string, len(shown))
			for i, rec := range shown {
				spans[i] = text.Code(rec)
			}
			fmt.Fprintf(b, ": %s", strings.Join(spans, ", "))
			if more > 0 {
				fmt.Fprintf(b, " and %d more", more)
			}
		}
		if m.Status != report.StatusError || e.Items > 0 || len(shown) > 0 {
			fmt.Fprintf(b, "\n")
		}
		if len(e.Waived) > 0 {
			ws := e.Waived
			if len(ws) > max {
				ws = ws[:max]
			}
			spans := make([]string, len(ws))
			for i, wv := range ws {
				spans[i] = fmt.Sprintf("%s (exception %s)", text.Code(wv.Scope), text.Code(wv.Exception))
			}
			fmt.Fprintf(b, "- Waived: %s", strings.Join(spans, ", "))
			if n := e.WaivedCount() - len(ws); n > 0 {
				fmt.Fprintf(b, " and %d more", n)
			}
			fmt.Fprintf(b, "\n")
		}
		if e.Note != "" {
			fmt.Fprintf(b, "- Note: %s\n", text.MD(text.OneLine(e.Note)))
		}
	}

	// Exceptions expiring soon.
	fmt.Fprintf(b, "\n## Exceptions expiring soon\n\n")
	if len(r.ExpiringSoon) == 0 {
		fmt.Fprintf(b, "None.\n")
	} else {
		byID := make(map[string]report.Exception, len(r.Exceptions))
		for _, x := range r.Exceptions {
			byID[x.ID] = x
		}
		fmt.Fprintf(b, "| Exception | Metric | Scope | Owner | Expires |\n|---|---|---|---|---|\n")
		for _, id := range r.ExpiringSoon {
			x, ok := byID[id]
			if !ok {
				x = report.Exception{ExceptionRef: report.ExceptionRef{ID: id}}
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", text.Cell(text.Code(x.ID)), text.Cell(text.Code(x.Metric)),
				text.Cell(text.Code(x.Scope)), text.Cell(text.MD(x.Owner)), text.Cell(x.Expires))
		}
	}

	// Unmeasured, never hidden.
	fmt.Fprintf(b, "\n## Unmeasured metrics\n\n")
	var unmeasured []report.Metric
	for _, m := range byUrgency(r.Metrics) {
		if m.Status == report.StatusUnmeasured {
			unmeasured = append(unmeasured, m)
		}
	}
	if len(unmeasured) == 0 {
		fmt.Fprintf(b, "None: every metric has a configured source.\n")
	} else {
		for _, m := range unmeasured {
			fmt.Fprintf(b, "- %s — %s (owner %s, category %s): no configured source feeds it.\n",
				text.Code(m.ID), text.MD(m.Title), text.MD(m.Owner), text.MD(m.Category))
		}
	}

	if err := b.Flush(); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// mdGate is the gate's verdict in one line: "✅ passed — 3 gated metrics on
// target." or "❌ failed — 2 gated metrics failed their target, 1 gated
// metric not measured."
func mdGate(v Verdict) string {
	if v.Passed() {
		return fmt.Sprintf("✅ passed — %d gated %s on target.", v.Gated, text.Plural(v.Gated, "metric", "metrics"))
	}
	var why []string
	if n := len(v.FailedInputs); n > 0 {
		why = append(why, fmt.Sprintf("%d %s could not be read", n, text.Plural(n, "source", "sources")))
	}
	if n := len(v.Errors); n > 0 {
		why = append(why, fmt.Sprintf("%d %s in error", n, text.Plural(n, "metric", "metrics")))
	}
	if n := len(v.Failed); n > 0 {
		why = append(why, fmt.Sprintf("%d gated %s failed %s target", n, text.Plural(n, "metric", "metrics"), text.Plural(n, "its", "their")))
	}
	if n := len(v.NotMeasured); n > 0 {
		why = append(why, fmt.Sprintf("%d gated %s not measured", n, text.Plural(n, "metric", "metrics")))
	}
	return "❌ failed — " + strings.Join(why, ", ") + "."
}

// kindsNote names the source kinds that feed a metric: ", fed by source
// kinds `a`, `b`", or "" when unknown or fed by the config itself.
func kindsNote(info MetricInfo) string {
	kinds := sourceKinds(info)
	if len(kinds) == 0 {
		return ""
	}
	spans := make([]string, len(kinds))
	for i, k := range kinds {
		spans[i] = text.Code(k)
	}
	return ", fed by source " + text.Plural(len(kinds), "kind ", "kinds ") + strings.Join(spans, ", ")
}

// sourceKinds are the source kinds among a metric's inputs ("exceptions"
// and "*" are the config and the whole snapshot, not kinds).
func sourceKinds(info MetricInfo) []string {
	var out []string
	for _, k := range info.Inputs {
		if k == "exceptions" || k == "*" || k == "" {
			continue
		}
		out = append(out, k)
	}
	return out
}

// mdTable prints the metric table: Metric | Value | Target | Status | Trend | Owner.
func mdTable(w io.Writer, ms []report.Metric) {
	fmt.Fprintf(w, "| Metric | Value | Target | Status | Trend | Owner |\n|---|---:|---|---|---|---|\n")
	for _, m := range ms {
		fmt.Fprintf(w, "| %s | %s | %s | %s %s | %s | %s |\n",
			text.MetricCell(m.ID, m.Title, m.Gate), text.Cell(text.Value(m.Value, m.Unit)), text.Cell(text.Target(m.Target, m.Unit)),
			text.StatusEmoji(m.Status), m.Status, text.Cell(text.Trend(m)), text.Cell(text.MD(m.Owner)))
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

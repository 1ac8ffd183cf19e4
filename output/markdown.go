package output

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/localizevideos/posture/report"
)

// Markdown prints the human report in GitHub-flavoured markdown, headed by
// the report's title (docs/configuration.md, "title"): summary, failing metrics first, every metric by category, evidence
// highlights, exceptions expiring soon and the unmeasured metrics.
type Markdown struct{}

var statusEmoji = map[report.Status]string{
	report.StatusPass:       "✅",
	report.StatusFail:       "❌",
	report.StatusWarn:       "⚠️",
	report.StatusTracked:    "📈",
	report.StatusNoData:     "∅",
	report.StatusUnmeasured: "❔",
	report.StatusError:      "🛑",
}

// Write implements Writer.
func (Markdown) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	max := opt.maxRecords()

	fmt.Fprintf(b, "# %s — %s\n\n", mdText(r.DisplayTitle()), dateOf(r.AsOf))
	fmt.Fprintf(b, "As of `%s`, window %d days, %d metrics.\n\n", r.AsOf, r.WindowDays, len(r.Metrics))

	cnt := counts(r.Metrics)
	var parts []string
	for _, s := range report.Statuses {
		parts = append(parts, fmt.Sprintf("%s %d %s", statusEmoji[s], cnt[s], strings.ReplaceAll(string(s), "_", " ")))
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
		fmt.Fprintf(b, "- %s — %s (owner %s, %s%s): %s.\n", codeSpan(m.ID), mdText(m.Title), mdText(orDefault(m.Owner, "none")),
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
		fmt.Fprintf(b, "\n### %s\n\n", mdText(name))
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
		fmt.Fprintf(b, "\n### %s %s — %s\n\n", statusEmoji[m.Status], codeSpan(m.ID), mdText(m.Title))
		fmt.Fprintf(b, "- Value %s, target %s, owner %s.\n",
			mdText(formatValue(m.Value, m.Unit)), mdText(formatTarget(m.Target, m.Unit)), mdText(m.Owner))
		if m.Status == report.StatusError {
			fmt.Fprintf(b, "- Error: %s\n", mdText(oneLine(orDefault(m.Error, "evaluation error"))))
		}
		e := m.Evidence
		shown, more := shownRecords(e, max)
		if m.Status != report.StatusError || e.Items > 0 || len(shown) > 0 {
			fmt.Fprintf(b, "- %d %s counted", e.Items, plural(e.Items, "item", "items"))
		}
		if len(shown) > 0 {
			spans := make([]string, len(shown))
			for i, rec := range shown {
				spans[i] = codeSpan(rec)
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
				spans[i] = fmt.Sprintf("%s (exception %s)", codeSpan(wv.Scope), codeSpan(wv.Exception))
			}
			fmt.Fprintf(b, "- Waived: %s", strings.Join(spans, ", "))
			if n := len(e.Waived) - len(ws); n > 0 {
				fmt.Fprintf(b, " and %d more", n)
			}
			fmt.Fprintf(b, "\n")
		}
		if e.Note != "" {
			fmt.Fprintf(b, "- Note: %s\n", mdText(oneLine(e.Note)))
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
				x = report.Exception{ID: id}
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", cell(codeSpan(x.ID)), cell(codeSpan(x.Metric)),
				cell(codeSpan(x.Scope)), cell(mdText(x.Owner)), cell(x.Expires))
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
				codeSpan(m.ID), mdText(m.Title), mdText(m.Owner), mdText(m.Category))
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
		return fmt.Sprintf("✅ passed — %d gated %s on target.", v.Gated, plural(v.Gated, "metric", "metrics"))
	}
	var why []string
	if n := len(v.FailedInputs); n > 0 {
		why = append(why, fmt.Sprintf("%d %s could not be read", n, plural(n, "source", "sources")))
	}
	if n := len(v.Errors); n > 0 {
		why = append(why, fmt.Sprintf("%d %s in error", n, plural(n, "metric", "metrics")))
	}
	if n := len(v.Failed); n > 0 {
		why = append(why, fmt.Sprintf("%d gated %s failed %s target", n, plural(n, "metric", "metrics"), plural(n, "its", "their")))
	}
	if n := len(v.NotMeasured); n > 0 {
		why = append(why, fmt.Sprintf("%d gated %s not measured", n, plural(n, "metric", "metrics")))
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
		spans[i] = codeSpan(k)
	}
	return ", fed by source " + plural(len(kinds), "kind ", "kinds ") + strings.Join(spans, ", ")
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
		metric := codeSpan(m.ID)
		if m.Title != "" {
			metric += " " + mdText(m.Title)
		}
		if m.Gate {
			metric += " (gate)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s %s | %s | %s |\n",
			cell(metric), cell(formatValue(m.Value, m.Unit)), cell(formatTarget(m.Target, m.Unit)),
			statusEmoji[m.Status], m.Status, cell(trendText(m)), cell(mdText(m.Owner)))
	}
}

// cell makes text safe inside a table cell: one line, pipes escaped (GFM
// also honours \| inside code spans in tables).
func cell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}

// codeSpan wraps s in backticks, using a longer fence when s contains some.
func codeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText escapes the characters that would start markup in plain text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
)

func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

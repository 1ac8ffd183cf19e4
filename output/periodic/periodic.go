// Package periodic renders the periodic views of the report history in
// Markdown: the monthly aggregate (<reports_dir>/monthly/YYYY-MM.md, posture
// aggregate) and the quarterly review (<reports_dir>/quarterly/YYYY-Qn.md,
// posture review), computed by report/rollup.
package periodic

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/rollup"
	"github.com/localizevideos/posture/store"
)

func status(s report.Status) string {
	if s == "" {
		return "—"
	}
	return text.StatusEmoji(s) + " " + string(s)
}

// Monthly renders the monthly aggregate.
func Monthly(w io.Writer, m *rollup.Monthly) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s — monthly aggregate %s\n\n", text.MD(report.TitleOf(m.Title, m.Project)), m.Month)
	fmt.Fprintf(b, "%d %s from %s to %s. Month end = the latest report of the month; min, max and mean over the month's reports with a value; change against the previous month's end.\n\n",
		m.Reports, text.Plural(m.Reports, "report", "reports"), m.From, m.To)
	counts := map[report.Status]int{}
	for _, x := range m.Metrics {
		counts[x.MonthEnd.Status]++
	}
	var parts []string
	for _, s := range report.Statuses {
		parts = append(parts, fmt.Sprintf("%s %d %s", text.StatusEmoji(s), counts[s], strings.ReplaceAll(string(s), "_", " ")))
	}
	fmt.Fprintf(b, "**Status at month end:** %s\n\n", strings.Join(parts, " · "))
	fmt.Fprintf(b, "| Metric | Owner | Month end | Min | Max | Mean | Reports | Status at month end | Target | vs previous month |\n")
	fmt.Fprintf(b, "|---|---|---:|---:|---:|---:|---:|---|---|---|\n")
	for _, x := range m.Metrics {
		prev := "—"
		if x.Previous != nil {
			prev = fmt.Sprintf("%s%s from %s (%s)", text.Signed(x.Change, x.Unit), text.ParenPct(x.ChangePct),
				text.Value(x.Previous.Value, x.Unit), text.Date(x.Previous.AsOf))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n",
			text.MetricCell(x.ID, x.Title, x.Gate), text.Cell(text.MD(x.Owner)),
			text.Value(x.MonthEnd.Value, x.Unit), text.Value(x.Min, x.Unit),
			text.Value(x.Max, x.Unit), text.Value(x.Mean, x.Unit), x.Reports,
			status(x.MonthEnd.Status), text.Cell(text.Target(x.Target, x.Unit)), text.Cell(prev))
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write monthly markdown: %w", err)
	}
	return nil
}

// Quarterly renders the quarterly review.
func Quarterly(w io.Writer, q *rollup.Quarterly) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s — quarterly review %s\n\n", text.MD(report.TitleOf(q.Title, q.Project)), q.Quarter)
	fmt.Fprintf(b, "%d %s from %s to %s; quarter end = %s. Worsened = the quarter-end value against the previous quarter's end (else the quarter's first month end), by the trend rules.\n",
		q.Reports, text.Plural(q.Reports, "report", "reports"), q.From, q.To, text.Date(q.AsOf))

	byID := map[string]rollup.QuarterMetric{}
	for _, m := range q.Metrics {
		byID[m.ID] = m
	}
	issue := func(is *store.Issue) string {
		if is == nil {
			return "—"
		}
		s := fmt.Sprintf("#%d", is.Number)
		if is.URL != "" {
			s = fmt.Sprintf("[#%d](%s)", is.Number, is.URL)
		}
		if is.State != "" {
			s += " (" + text.MD(is.State) + ")"
		}
		return s
	}

	fmt.Fprintf(b, "\n## Worsened or failed\n\n")
	if len(q.Attention) == 0 {
		fmt.Fprintf(b, "None: no metric worsened, failed, warned or errored.\n")
	} else {
		fmt.Fprintf(b, "| Metric | Owner | Quarter end | Status | Change | Why | Issue |\n|---|---|---:|---|---|---|---|\n")
		for _, id := range q.Attention {
			m := byID[id]
			ch := "—"
			if m.Change != nil {
				ch = fmt.Sprintf("%s%s since %s", text.Signed(m.Change, m.Unit), text.ParenPct(m.ChangePct), text.Date(m.Baseline.AsOf))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", text.MetricCell(m.ID, m.Title, m.Gate),
				text.Cell(text.MD(m.Owner)), text.Value(m.End.Value, m.Unit), status(m.End.Status),
				text.Cell(ch), text.Cell(strings.Join(m.Reasons, ", ")), text.Cell(issue(m.Issue)))
		}
	}

	fmt.Fprintf(b, "\n## Month-end values\n\n| Metric | Owner |")
	for _, mo := range q.Months {
		fmt.Fprintf(b, " %s |", mo)
	}
	fmt.Fprintf(b, " Target | Status at quarter end | Direction |\n|---|---|---:|---:|---:|---|---|---|\n")
	for _, m := range q.Metrics {
		fmt.Fprintf(b, "| %s | %s |", text.MetricCell(m.ID, m.Title, m.Gate), text.Cell(text.MD(m.Owner)))
		for _, v := range m.Months {
			if v.AsOf == "" {
				fmt.Fprintf(b, " — |")
				continue
			}
			fmt.Fprintf(b, " %s |", text.Value(v.Value, m.Unit))
		}
		dir := strings.ReplaceAll(m.Direction, "_", " ")
		fmt.Fprintf(b, " %s | %s | %s |\n", text.Cell(text.Target(m.Target, m.Unit)), status(m.End.Status), dir)
	}

	fmt.Fprintf(b, "\n## Exceptions\n")
	exc := func(title string, rows []rollup.ExceptionRow) {
		fmt.Fprintf(b, "\n### %s\n\n", title)
		if len(rows) == 0 {
			fmt.Fprintf(b, "None.\n")
			return
		}
		fmt.Fprintf(b, "| Exception | Metric | Scope | Owner | Approved by | Expires |\n|---|---|---|---|---|---|\n")
		for _, r := range rows {
			ab := r.ApprovedBy
			if ab == "" {
				ab = "—"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", text.Cell(text.Code(r.ID)), text.Cell(text.Code(r.Metric)),
				text.Cell(text.Code(r.Scope)), text.Cell(text.MD(r.Owner)), text.Cell(text.MD(ab)), r.Expires)
		}
	}
	exc("Open", q.Exceptions.Open)
	exc("Expired", q.Exceptions.Expired)
	exc("Expiring by the end of next quarter", q.Exceptions.ExpiringNextQuarter)

	fmt.Fprintf(b, "\n## Unmeasured metrics\n\n")
	if len(q.Unmeasured) == 0 {
		fmt.Fprintf(b, "None: every metric has a configured source.\n")
	}
	for _, id := range q.Unmeasured {
		m := byID[id]
		fmt.Fprintf(b, "- %s — %s (owner %s): no configured source feeds it.\n", text.Code(id), text.MD(m.Title), text.MD(m.Owner))
	}

	fmt.Fprintf(b, "\n## Actions per owner\n")
	if len(q.Actions) == 0 {
		fmt.Fprintf(b, "\nNone.\n")
	}
	for _, oa := range q.Actions {
		fmt.Fprintf(b, "\n### %s\n\n", text.MD(oa.Owner))
		for _, it := range oa.Items {
			ref := ""
			if it.Metric != "" {
				ref = text.Code(it.Metric) + ": "
			}
			is := ""
			if it.Issue != nil {
				is = " — issue " + issue(it.Issue)
			}
			fmt.Fprintf(b, "- [ ] %s%s%s\n", ref, text.MD(it.What), is)
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write quarterly markdown: %w", err)
	}
	return nil
}

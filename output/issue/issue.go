// Package issue renders the text of a metric's GitHub issue
// (docs/github-actions.md#kpi-issues-posture-issues): its title, its body
// with the hidden marker and state lines, and the comments posted when the
// value or the status changes, when it is back on target, reopened or a
// duplicate. Package tracker syncs them with GitHub.
package issue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// Label is the label of one metric's issue: kpi:<id>.
func Label(id string) string { return "kpi:" + id }

// Marker is the hidden line that identifies a metric's issue. Issues are
// found by listing the metric's label and matching this marker in the body
// (never by title, which people edit, and never with the search API, which
// lags behind writes).
func Marker(id string) string { return "<!-- posture:metric=" + id + " -->" }

// OffTarget reports whether m is due an issue: status fail, or a worsening
// trend.
func OffTarget(m *report.Metric) bool {
	return m.Status == report.StatusFail || m.Trend.Direction == report.TrendWorsening
}

// OnTarget reports whether a measurement shows m is fine (its issue is
// closed). error, no_data and unmeasured are neither: nothing is known, so
// an open issue stays open.
func OnTarget(m *report.Metric) bool {
	if OffTarget(m) {
		return false
	}
	switch m.Status {
	case report.StatusPass, report.StatusWarn, report.StatusTracked:
		return true
	}
	return false
}

// Title is the issue title of an off-target metric.
func Title(m *report.Metric) string {
	t := m.Title
	if t == "" {
		t = m.ID
	}
	return fmt.Sprintf("%s off target (%s)", t, m.Category)
}

// State is what a run records in the issue body (a hidden line) so the next
// run can tell whether the value or the status changed.
type State struct {
	Value  string // number as formatted by fmtValue, or "null"
	Status string
	Trend  string
	Owner  string
	AsOf   string
}

var stateLine = regexp.MustCompile(`<!-- posture:state ([^>]*?) -->`)

// CurrentState is the state the body of m's issue records for report r.
func CurrentState(r *report.Report, m *report.Metric) State {
	return State{Value: rawValue(m.Value), Status: string(m.Status), Trend: m.Trend.Direction, Owner: m.Owner, AsOf: r.AsOf}
}

func (s State) line() string {
	return fmt.Sprintf("<!-- posture:state value=%s status=%s trend=%s owner=%s as_of=%s -->",
		field(s.Value), field(s.Status), field(s.Trend), field(s.Owner), field(s.AsOf))
}

// OwnerIs reports whether the state records owner as the metric's owner.
func (s State) OwnerIs(owner string) bool { return s.Owner == field(owner) }

// field keeps a state value on one token (no spaces, no '>').
func field(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer(" ", "_", ">", "_", "\n", "_", "\r", "_").Replace(s)
}

// ParseState reads the state line of an issue body; ok is false when there is
// none (an issue whose body someone rewrote).
func ParseState(body string) (State, bool) {
	m := stateLine.FindStringSubmatch(body)
	if m == nil {
		return State{}, false
	}
	var s State
	for _, kv := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(kv, "=")
		if v == "-" {
			v = ""
		}
		switch k {
		case "value":
			s.Value = v
		case "status":
			s.Status = v
		case "trend":
			s.Trend = v
		case "owner":
			s.Owner = v
		case "as_of":
			s.AsOf = v
		}
	}
	return s, true
}

func rawValue(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func valueText(m *report.Metric) string {
	if m.Value == nil {
		return "no value"
	}
	if m.Unit == "" || m.Unit == "count" {
		return text.Short(*m.Value)
	}
	if m.Unit == "percent" {
		return text.Short(*m.Value) + " %"
	}
	return text.Short(*m.Value) + " " + m.Unit
}

func stateValueText(s State, unit string) string {
	if s.Value == "null" || s.Value == "" {
		return "no value"
	}
	f, err := strconv.ParseFloat(s.Value, 64)
	if err != nil {
		return s.Value
	}
	v := f
	return valueText(&report.Metric{Value: &v, Unit: unit})
}

func trendText(t report.Trend) string {
	dir := t.Direction
	if dir == "" {
		dir = "unknown"
	}
	var parts []string
	if t.Previous != nil {
		p := "previous " + text.Short(*t.Previous)
		if t.PreviousAsOf != "" {
			p += " (" + text.Date(t.PreviousAsOf) + ")"
		}
		parts = append(parts, p)
	}
	if t.ChangePct != nil {
		parts = append(parts, fmt.Sprintf("change %+.1f %%", *t.ChangePct))
	}
	if len(parts) == 0 {
		return dir
	}
	return dir + ": " + strings.Join(parts, ", ")
}

// Link is where an issue points for the dated report: Text is shown, URL
// (optional) is the link target.
type Link struct {
	Text string
	URL  string
}

func (l Link) markdown() string {
	if l.Text == "" && l.URL == "" {
		return ""
	}
	text := l.Text
	if text == "" {
		text = l.URL
	}
	if l.URL == "" {
		return "`" + code(text) + "`"
	}
	return "[" + escapeMD(text) + "](" + l.URL + ")"
}

// code makes s safe inside a Markdown code span and unable to fake a hidden
// marker.
func code(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "<!--", "<!\u200b--")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…"
	}
	return s
}

// escapeMD neutralises Markdown and HTML in free text placed in a table cell.
func escapeMD(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;", "\n", " ", "\r", " ", "[", "\\[", "]", "\\]").Replace(s)
}

// Mentions names GitHub logins as mentions: "@a, @b".
func Mentions(logins []string) string {
	if len(logins) == 0 {
		return ""
	}
	out := make([]string, len(logins))
	for i, l := range logins {
		out[i] = "@" + l
	}
	return strings.Join(out, ", ")
}

const (
	maxRecords    = 10
	maxWaived     = 20
	maxExceptions = 20
)

// Body renders the issue body of metric m in report r. It is a pure
// function of its inputs (no clock), so a second run over the same report
// renders the same body and writes nothing.
func Body(r *report.Report, m *report.Metric, logins []string, link Link) string {
	var b strings.Builder
	cur := CurrentState(r, m)
	fmt.Fprintln(&b, Marker(m.ID))
	fmt.Fprintln(&b, cur.line())
	fmt.Fprintln(&b)
	headline := "is off target"
	switch {
	case OffTarget(m):
		if m.Status != report.StatusFail {
			headline = "is worsening"
		}
	case OnTarget(m):
		headline = "is back on target"
	default:
		headline = "could not be measured"
	}
	fmt.Fprintf(&b, "**%s** (`%s`) %s as of %s.\n\n", escapeMD(m.Title), m.ID, headline, text.Date(r.AsOf))

	fmt.Fprintln(&b, "| | |")
	fmt.Fprintln(&b, "|---|---|")
	fmt.Fprintf(&b, "| Value | **%s** |\n", escapeMD(valueText(m)))
	fmt.Fprintf(&b, "| Target | %s |\n", escapeMD(text.TargetWords(m.Target)))
	fmt.Fprintf(&b, "| Status | **%s** |\n", m.Status)
	fmt.Fprintf(&b, "| Trend | %s |\n", escapeMD(trendText(m.Trend)))
	owner := escapeMD(m.Owner)
	if len(logins) > 0 {
		owner += " (" + Mentions(logins) + ")"
	}
	fmt.Fprintf(&b, "| Owner | %s |\n", owner)
	fmt.Fprintf(&b, "| Category | %s |\n", escapeMD(m.Category))
	gate := "no"
	if m.Gate {
		gate = "yes: a failure blocks the deploy gate"
	}
	fmt.Fprintf(&b, "| Gate | %s |\n", gate)
	if m.Error != "" {
		fmt.Fprintf(&b, "| Error | `%s` |\n", code(m.Error))
	}
	if l := link.markdown(); l != "" {
		fmt.Fprintf(&b, "| Report | %s |\n", l)
	}

	ev := m.Evidence
	fmt.Fprintf(&b, "\n### Evidence\n\n%d item(s) counted", ev.Items)
	if len(ev.Waived) > 0 {
		fmt.Fprintf(&b, ", %d waived by exceptions", ev.WaivedCount())
	}
	fmt.Fprintln(&b, ".")
	if ev.Note != "" {
		fmt.Fprintf(&b, "\nNote: `%s`\n", code(ev.Note))
	}
	if len(ev.Records) > 0 {
		total := ev.RecordsTotal
		if total < len(ev.Records) {
			total = len(ev.Records)
		}
		n := min(len(ev.Records), maxRecords)
		fmt.Fprintf(&b, "\nRecords (%d of %d):\n\n", n, total)
		for _, rec := range ev.Records[:n] {
			fmt.Fprintf(&b, "- `%s`\n", code(rec))
		}
	}
	if len(ev.Waived) > 0 {
		fmt.Fprintln(&b, "\nWaived findings:")
		fmt.Fprintln(&b)
		for i, w := range ev.Waived {
			if i == maxWaived {
				fmt.Fprintf(&b, "- … and %d more\n", ev.WaivedCount()-maxWaived)
				break
			}
			line := fmt.Sprintf("- `%s` — exception `%s`", code(w.Scope), code(w.Exception))
			if w.Origin != "" {
				line += fmt.Sprintf(" (`%s`)", code(w.Origin))
			}
			fmt.Fprintln(&b, line)
		}
	}

	exc := exceptionsInForce(r, m.ID)
	if len(exc) > 0 {
		soon := map[string]bool{}
		for _, id := range r.ExpiringSoon {
			soon[id] = true
		}
		fmt.Fprintln(&b, "\n### Exceptions in force")
		fmt.Fprintln(&b)
		for i, x := range exc {
			if i == maxExceptions {
				fmt.Fprintf(&b, "- … and %d more\n", len(exc)-maxExceptions)
				break
			}
			line := fmt.Sprintf("- `%s`: scope `%s`, owner %s, expires %s", code(x.ID), code(x.Scope), escapeMD(x.Owner), escapeMD(x.Expires))
			if x.ApprovedBy != "" {
				line += ", approved by " + escapeMD(x.ApprovedBy)
			} else {
				line += ", **not approved**"
			}
			if soon[x.ID] {
				line += " — **expires within 14 days**"
			}
			fmt.Fprintln(&b, line)
		}
	}

	fmt.Fprintf(&b, "\n---\n_Managed by posture: updated on every run, commented when the value or the status changes, "+
		"closed when the metric is back on target and reopened if it regresses. Keep the `%s` label and the hidden "+
		"markers at the top of this description._\n", Label(m.ID))
	return b.String()
}

// exceptionsInForce lists the active exceptions of a metric.
func exceptionsInForce(r *report.Report, id string) []report.Exception {
	var out []report.Exception
	for _, x := range r.Exceptions {
		if x.Metric == id && x.State == "active" {
			out = append(out, x)
		}
	}
	return out
}

// Summary is a metric's state in one line: "value 3 (target max 0), status
// fail, trend worsening: previous 2 (2026-10-27), change +50.0 %".
func Summary(m *report.Metric) string {
	return fmt.Sprintf("value %s (target %s), status %s, trend %s", valueText(m), text.TargetWords(m.Target), m.Status, trendText(m.Trend))
}

func withLink(s string, link Link) string {
	if l := link.markdown(); l != "" {
		return s + "\n\nReport: " + l
	}
	return s
}

// Change is what changed since the state prev recorded: "value 2 → 3,
// status fail → fail".
func Change(m *report.Metric, prev State) string {
	return fmt.Sprintf("value %s → %s, status %s → %s", stateValueText(prev, m.Unit), valueText(m), orUnknown(prev.Status), m.Status)
}

// ChangeComment is the comment of an update: the change since the state the
// body recorded (prev; hadPrev false when it had none), or the whole state.
func ChangeComment(r *report.Report, m *report.Metric, prev State, hadPrev bool, link Link) string {
	var s string
	if !hadPrev {
		s = fmt.Sprintf("Update as of %s: %s.", text.Date(r.AsOf), Summary(m))
	} else {
		s = fmt.Sprintf("Update as of %s: %s (target %s, trend %s).",
			text.Date(r.AsOf), Change(m, prev), text.TargetWords(m.Target), trendText(m.Trend))
	}
	if !OffTarget(m) && !OnTarget(m) {
		s += " The metric could not be measured"
		if m.Error != "" {
			s += " (`" + code(m.Error) + "`)"
		}
		s += "; this issue stays open until a measurement shows it back on target."
	}
	return withLink(s, link)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// CloseComment is the comment of an issue closed because its metric is back on target.
func CloseComment(r *report.Report, m *report.Metric, link Link) string {
	return withLink(fmt.Sprintf("Back on target as of %s: %s. Closing; posture reopens this issue if the metric goes off target again.",
		text.Date(r.AsOf), Summary(m)), link)
}

// ReopenComment is the comment of a reopened issue: a regression, or
// (stillOff) an issue closed by hand while its metric is off target.
func ReopenComment(r *report.Report, m *report.Metric, link Link, stillOff bool) string {
	if stillOff {
		return withLink(fmt.Sprintf("Reopening: this issue was closed while the metric is still off target as of %s: %s. "+
			"To accept the deviation, record an exception (owner, reason, expiry) instead of closing the issue.",
			text.Date(r.AsOf), Summary(m)), link)
	}
	return withLink(fmt.Sprintf("Regression as of %s: the metric is off target again: %s. Reopening.",
		text.Date(r.AsOf), Summary(m)), link)
}

// DuplicateComment is the comment of a duplicate issue, closed for #keep.
func DuplicateComment(keep int) string {
	return fmt.Sprintf("Duplicate of #%d: posture keeps one issue per metric (the oldest). Closing this one.", keep)
}

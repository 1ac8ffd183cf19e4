package dashboard

import (
	"github.com/localizevideos/posture/output"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/report"
)

// statusInfo is how a status is shown: a word and an icon, never colour alone.
var statusInfo = map[report.Status]struct{ label, icon, help string }{
	report.StatusError:      {"Error", "i-error", "a source it needs failed, or its policy errored"},
	report.StatusFail:       {"Fail", "i-fail", "misses its target"},
	report.StatusWarn:       {"Warn", "i-warn", "misses a soft target"},
	report.StatusNoData:     {"No data", "i-nodata", "its sources gave nothing to compute from"},
	report.StatusUnmeasured: {"Unmeasured", "i-unmeasured", "no configured source feeds this metric"},
	report.StatusTracked:    {"Tracked", "i-tracked", "no threshold applies yet"},
	report.StatusPass:       {"Pass", "i-pass", "meets its target"},
}

func statusLabel(s report.Status) string {
	if i, ok := statusInfo[s]; ok {
		return i.label
	}
	if s == "" {
		return "Unknown"
	}
	return string(s)
}

func statusIcon(s report.Status) string {
	if i, ok := statusInfo[s]; ok {
		return i.icon
	}
	return "i-unmeasured"
}

// statusClass is the CSS class suffix of a status ("st-fail").
func statusClass(s report.Status) string {
	switch s {
	case report.StatusError, report.StatusFail, report.StatusWarn, report.StatusNoData,
		report.StatusUnmeasured, report.StatusTracked, report.StatusPass:
		return "st-" + strings.ReplaceAll(string(s), "_", "")
	}
	return "st-unmeasured"
}

func isProblem(s report.Status) bool {
	return s == report.StatusError || s == report.StatusFail || s == report.StatusWarn
}

// formatNumber prints v rounded for its unit, without trailing zeros and
// with thousands separators: "1,284", "3.5", "96.4".
func formatNumber(v float64, unit string) string {
	return groupThousands(output.FormatNumber(v, unit))
}

func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) <= 4 { // "1284" reads fine; group from 10,000
		return sign + intPart + frac
	}
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String() + frac
}

// unitSuffix is the short unit printed after a value ("" for counts).
func unitSuffix(unit string) string {
	switch unit {
	case "hours":
		return "h"
	case "days":
		return "d"
	case "percent":
		return "%"
	case "count", "":
		return ""
	default:
		return unit
	}
}

// unitWord names the unit in words for labels ("hours", "count").
func unitWord(unit string) string {
	if unit == "" {
		return "count"
	}
	return unit
}

// formatValue prints a value with its unit: "3.5 h", "12.5%", "4"; "—" when null.
func formatValue(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return withUnit(formatNumber(*v, unit), unit)
}

func withUnit(s, unit string) string {
	switch u := unitSuffix(unit); u {
	case "":
		return s
	case "%":
		return s + "%"
	default:
		return s + " " + u
	}
}

// formatTarget prints a target: "≤ 0", "≥ 100%", "trend ↓", "trend stable",
// with " (soft)" when soft; "none" when no threshold is set.
func formatTarget(t report.Target, unit string) string {
	return output.FormatTargetWith(t, func(v float64) string { return withUnit(formatNumber(v, unit), unit) }, "none")
}

// trendArrow is the arrow of a metric's movement against the previous
// period: ↑ rose, ↓ fell, → stable, · not enough history.
func trendArrow(m *report.Metric) string {
	switch m.Trend.Direction {
	case report.TrendStable:
		return "→"
	case report.TrendImproving, report.TrendWorsening:
	default:
		return "·"
	}
	switch {
	case m.Trend.ChangePct != nil && *m.Trend.ChangePct > 0:
		return "↑"
	case m.Trend.ChangePct != nil && *m.Trend.ChangePct < 0:
		return "↓"
	case m.Trend.Previous != nil && m.Value != nil && *m.Value > *m.Trend.Previous:
		return "↑"
	case m.Trend.Previous != nil && m.Value != nil && *m.Value < *m.Trend.Previous:
		return "↓"
	}
	rises := m.Target.Trend == "up"
	if m.Trend.Direction == report.TrendWorsening {
		rises = !rises
	}
	if rises {
		return "↑"
	}
	return "↓"
}

// trendWords is the direction in words.
func trendWords(direction string) string {
	switch direction {
	case report.TrendImproving, report.TrendWorsening, report.TrendStable:
		return direction
	}
	return "insufficient history"
}

// trendClass is the CSS class of a trend direction.
func trendClass(direction string) string {
	switch direction {
	case report.TrendImproving:
		return "tr-improving"
	case report.TrendWorsening:
		return "tr-worsening"
	case report.TrendStable:
		return "tr-stable"
	}
	return "tr-none"
}

// trendChange prints the change against the previous period: "−12.5%",
// "+3%", "new" (previous 0), or "" when unknown.
func trendChange(m *report.Metric) string {
	if m.Trend.ChangePct != nil {
		v := math.Round(*m.Trend.ChangePct*10) / 10
		s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
		switch {
		case v > 0:
			s = "+" + s
		case v < 0:
			s = "−" + s
		}
		return s + "%"
	}
	if m.Trend.Previous != nil && *m.Trend.Previous == 0 && m.Value != nil && *m.Value != 0 {
		return "new"
	}
	return ""
}

// dateOf is the date part of an RFC 3339 instant.
func dateOf(asOf string) string {
	if len(asOf) >= 10 {
		return asOf[:10]
	}
	return asOf
}

// parseDate reads the date of an as_of (RFC 3339 or YYYY-MM-DD).
func parseDate(asOf string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, asOf); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02", dateOf(asOf)); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// longDate prints "27 Nov 2026"; the raw text when it is not a date.
func longDate(asOf string) string {
	if t, ok := parseDate(asOf); ok {
		return t.Format("2 Jan 2006")
	}
	return asOf
}

// shortDate prints "27 Nov", or "27 Nov 2026" when withYear.
func shortDate(asOf string, withYear bool) string {
	t, ok := parseDate(asOf)
	if !ok {
		return asOf
	}
	if withYear {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

package dashboard

import (
	"strings"

	"github.com/localizevideos/posture/output/text"
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
	return text.GroupThousands(text.Number(v, unit))
}

// formatValue prints a value with its unit: "3.5 h", "12.5%", "4"; "—" when null.
func formatValue(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	return text.JoinUnit(formatNumber(*v, unit), unit)
}

// formatTarget prints a target: "≤ 0", "≥ 100%", "trend ↓", "trend stable",
// with " (soft)" when soft; "none" when no threshold is set.
func formatTarget(t report.Target, unit string) string {
	return text.TargetWith(t, func(v float64) string { return text.JoinUnit(formatNumber(v, unit), unit) }, "none")
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
func trendChange(m *report.Metric) string { return text.Minus(text.Change(*m)) }

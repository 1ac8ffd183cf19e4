// Package text is the one place where the values of a report become text,
// for every renderer (the printed formats, the dashboard, the monthly and
// quarterly views, the issue bodies, the GitHub Actions annotations):
// numbers rounded for their unit, values with their unit, targets, trends
// (arrow, words, change), dates, plurals and the Markdown escaping they
// share. Where renderers print a thing differently on purpose (the
// dashboard groups thousands, issues say "max 0" rather than "≤ 0"), each
// way has its own function here.
package text

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/report"
)

// decimals is the rounding of a unit (docs/metrics.md#how-a-metric-is-judged).
// Counts are integers, but aggregates of counts (a monthly mean) are not:
// they keep two decimals, trailing zeros dropped.
func decimals(unit string) int {
	switch unit {
	case "percent":
		return 1
	default:
		return 2
	}
}

// Number prints v rounded for its unit, without trailing zeros: "3.5",
// "12.35", "4".
func Number(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	p := math.Pow(10, float64(decimals(unit)))
	v = math.Round(v*p) / p
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if s == "-0" {
		s = "0"
	}
	return s
}

// Short prints v with at most two decimals, trailing zeros dropped, whatever
// its unit: "3", "71.43" (issues, annotations, explain, metrics).
func Short(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', 2, 64), "0"), ".")
}

// GroupThousands puts thousands separators in a number from five digits
// on: "12,840", "1284", "-12,840.5" (the dashboard).
func GroupThousands(s string) string {
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

// UnitSuffix is the short unit printed after a value ("" for counts).
func UnitSuffix(unit string) string {
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

// UnitWord names the unit in words for labels ("hours", "count").
func UnitWord(unit string) string {
	if unit == "" {
		return "count"
	}
	return unit
}

// Value prints a metric's value with its unit: "3.5 h", "12.5 %", "4";
// "—" when null.
func Value(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	s := Number(*v, unit)
	if u := UnitSuffix(unit); u != "" {
		s += " " + u
	}
	return s
}

// JoinUnit puts the short unit after a printed number as the dashboard
// shows it: "12.5%" (no space before a percent sign), "3.5 h", "4".
func JoinUnit(s, unit string) string {
	switch u := UnitSuffix(unit); u {
	case "":
		return s
	case "%":
		return s + "%"
	default:
		return s + " " + u
	}
}

// Target prints a target: "≤ 0", "≥ 100", "trend ↓", "trend stable", with
// " (soft)" when soft; "—" when none.
func Target(t report.Target, unit string) string {
	return TargetWith(t, func(v float64) string { return Number(v, unit) }, "—")
}

// TargetWith prints a target ("≤ 0", "≥ 100, trend ↓ (soft)") with the
// given number format, and none when no threshold is set.
func TargetWith(t report.Target, number func(float64) string, none string) string {
	var parts []string
	if t.Max != nil {
		parts = append(parts, "≤ "+number(*t.Max))
	}
	if t.Min != nil {
		parts = append(parts, "≥ "+number(*t.Min))
	}
	switch t.Trend {
	case "":
	case "down":
		parts = append(parts, "trend ↓")
	case "up":
		parts = append(parts, "trend ↑")
	default:
		parts = append(parts, "trend "+t.Trend)
	}
	return joinTarget(parts, t.Soft, none)
}

// TargetWords describes a target in words: "max 0", "min 100, trend down
// (soft)"; "none (tracked)" when no threshold is set (issues, annotations,
// explain, metrics).
func TargetWords(t report.Target) string {
	var parts []string
	if t.Max != nil {
		parts = append(parts, "max "+Short(*t.Max))
	}
	if t.Min != nil {
		parts = append(parts, "min "+Short(*t.Min))
	}
	if t.Trend != "" {
		parts = append(parts, "trend "+t.Trend)
	}
	return joinTarget(parts, t.Soft, "none (tracked)")
}

// MetricWords is a metric's value, target, status and trend in words, as
// annotations and explain say them: "43, target max 0, status fail, trend
// worsening", "71.4 percent, …"; "error: <message>" for an error.
func MetricWords(m report.Metric) string {
	if m.Status == report.StatusError {
		return "error: " + m.Error
	}
	v := "no value"
	if m.Value != nil {
		v = Short(*m.Value)
		if m.Unit != "count" {
			v += " " + m.Unit
		}
	}
	return fmt.Sprintf("%s, target %s, status %s, trend %s", v, TargetWords(m.Target), m.Status, m.Trend.Direction)
}

func joinTarget(parts []string, soft bool, none string) string {
	if len(parts) == 0 {
		return none
	}
	s := strings.Join(parts, ", ")
	if soft {
		s += " (soft)"
	}
	return s
}

// Plural is one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n followed by the word that agrees with it: "1 record", "3
// records".
func Count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Plural(n, one, many)
}

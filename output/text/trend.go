package text

import (
	"math"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/report"
)

// Arrow is the arrow of a metric's movement against the previous period:
// ↑ rose, ↓ fell, → stable, · not enough history.
func Arrow(m report.Metric) string {
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
	// No numbers to compare: infer from the desired direction (docs/metrics.md, "Trends":
	// up-metrics improve when they rise; down and stable ones when they fall).
	rises := m.Target.Trend == "up" // an up-metric improves when it rises
	if m.Trend.Direction == report.TrendWorsening {
		rises = !rises
	}
	if rises {
		return "↑"
	}
	return "↓"
}

// Change prints the change against the previous period: "-12.5%", "+3%",
// "new" (previous 0), or "" when unknown.
func Change(m report.Metric) string {
	if m.Trend.ChangePct != nil {
		v := math.Round(*m.Trend.ChangePct*10) / 10
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if v > 0 {
			s = "+" + s
		}
		if s == "-0" {
			s = "0"
		}
		return s + "%"
	}
	if m.Trend.Previous != nil && *m.Trend.Previous == 0 && m.Value != nil && *m.Value != 0 {
		return "new"
	}
	return ""
}

// Minus sets a leading hyphen-minus as the minus sign (U+2212): "−12.5%"
// (the dashboard's typography).
func Minus(s string) string {
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "−" + rest
	}
	return s
}

// TrendWords is a trend direction in words: "improving", "worsening",
// "stable", else "insufficient history".
func TrendWords(direction string) string {
	switch direction {
	case report.TrendImproving, report.TrendWorsening, report.TrendStable:
		return direction
	}
	return "insufficient history"
}

// Trend is the arrow, the direction in words and the change:
// "↓ improving (-12.5%)".
func Trend(m report.Metric) string {
	a := Arrow(m)
	switch m.Trend.Direction {
	case report.TrendImproving, report.TrendWorsening, report.TrendStable:
		s := a + " " + m.Trend.Direction
		if c := Change(m); c != "" {
			s += " (" + c + ")"
		}
		return s
	default:
		return a + " " + TrendWords(m.Trend.Direction)
	}
}

// Signed prints a difference rounded for its unit, signed: "+2", "-1",
// "0"; "—" when unknown (the monthly and quarterly views).
func Signed(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	s := Number(*v, unit)
	if *v > 0 {
		s = "+" + s
	}
	return s
}

// ParenPct prints a change in percent, as computed, in parentheses after
// a space: " (+44.4%)"; "" when unknown (the monthly and quarterly views).
func ParenPct(v *float64) string {
	if v == nil {
		return ""
	}
	s := strconv.FormatFloat(*v, 'f', -1, 64)
	if *v > 0 {
		s = "+" + s
	}
	return " (" + s + "%)"
}

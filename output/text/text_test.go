package text

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/localizevideos/posture/report"
)

func f(v float64) *float64 { return &v }

func TestValuesTargetsTrends(t *testing.T) {
	assert.Equal(t, "3.5 h", Value(f(3.5), "hours"))
	assert.Equal(t, "3.46 h", Value(f(3.456), "hours"))
	assert.Equal(t, "12.5 %", Value(f(12.49), "percent"))
	assert.Equal(t, "4", Value(f(4), "count"))
	assert.Equal(t, "2.1 d", Value(f(2.1), "days"))
	assert.Equal(t, "0 h", Value(f(-0.0001), "hours"))
	assert.Equal(t, "3 widgets", Value(f(3), "widgets"))
	assert.Equal(t, "—", Value(nil, "hours"))

	assert.Equal(t, "≤ 0", Target(report.Target{Max: f(0)}, "count"))
	assert.Equal(t, "≥ 100", Target(report.Target{Min: f(100)}, "percent"))
	assert.Equal(t, "trend ↓", Target(report.Target{Trend: "down"}, "hours"))
	assert.Equal(t, "trend ↑", Target(report.Target{Trend: "up"}, "percent"))
	assert.Equal(t, "trend stable", Target(report.Target{Trend: "stable"}, "percent"))
	assert.Equal(t, "≤ 0 (soft)", Target(report.Target{Max: f(0), Soft: true}, "count"))
	assert.Equal(t, "trend ↓ (soft)", Target(report.Target{Trend: "down", Soft: true}, "count"))
	assert.Equal(t, "—", Target(report.Target{}, "count"))
	assert.Equal(t, "—", Target(report.Target{Soft: true}, "count"))

	m := func(dir string, target string, prev, val, ch *float64) report.Metric {
		return report.Metric{Value: val, Target: report.Target{Trend: target},
			Trend: report.Trend{Direction: dir, Previous: prev, ChangePct: ch}}
	}
	assert.Equal(t, "·", Arrow(m(report.TrendInsufficient, "down", nil, f(1), nil)))
	assert.Equal(t, "·", Arrow(m("", "down", nil, f(1), nil)))
	assert.Equal(t, "→", Arrow(m(report.TrendStable, "down", f(1), f(1), f(0))))
	assert.Equal(t, "↓", Arrow(m(report.TrendImproving, "down", f(4), f(3), f(-25))))
	assert.Equal(t, "↑", Arrow(m(report.TrendWorsening, "down", f(0), f(3), nil))) // previous 0: "new"
	assert.Equal(t, "↑", Arrow(m(report.TrendImproving, "up", nil, nil, nil)))     // inferred
	assert.Equal(t, "↓", Arrow(m(report.TrendWorsening, "up", nil, nil, nil)))     // inferred
	assert.Equal(t, "↑", Arrow(m(report.TrendWorsening, "stable", nil, nil, nil))) // stable worsens rising
	assert.Equal(t, "new", Change(m(report.TrendWorsening, "down", f(0), f(3), nil)))
	assert.Equal(t, "+250%", Change(m(report.TrendWorsening, "down", f(2), f(7), f(250))))
	assert.Equal(t, "-12.5%", Change(m(report.TrendImproving, "down", f(4), f(3.5), f(-12.5))))
	assert.Equal(t, "↓ improving (-12.5%)", Trend(m(report.TrendImproving, "down", f(4), f(3.5), f(-12.5))))
	assert.Equal(t, "· insufficient history", Trend(m(report.TrendInsufficient, "down", nil, nil, nil)))
}

func TestRendererVariants(t *testing.T) {
	assert.Equal(t, "71.43", Short(71.4286))
	assert.Equal(t, "3", Short(3))
	assert.Equal(t, "-0", Short(-0.001), "as issues have always printed it")
	assert.Equal(t, "max 0, min 100, trend down (soft)", TargetWords(report.Target{Max: f(0), Min: f(100), Trend: "down", Soft: true}))
	assert.Equal(t, "none (tracked)", TargetWords(report.Target{Soft: true}))
	assert.Equal(t, "1284", GroupThousands("1284"))
	assert.Equal(t, "-1,284,411.5", GroupThousands("-1284411.5"))
	assert.Equal(t, "12.5%", JoinUnit("12.5", "percent"))
	assert.Equal(t, "3.5 h", JoinUnit("3.5", "hours"))
	assert.Equal(t, "4", JoinUnit("4", "count"))
	assert.Equal(t, "≥ 100%", TargetWith(report.Target{Min: f(100)}, func(v float64) string { return JoinUnit(Number(v, "percent"), "percent") }, "none"))
	assert.Equal(t, "−12.5%", Minus("-12.5%"))
	assert.Equal(t, "+3%", Minus("+3%"))
	assert.Equal(t, "insufficient history", TrendWords(""))
	assert.Equal(t, "+2", Signed(f(2), "count"))
	assert.Equal(t, "—", Signed(nil, "count"))
	assert.Equal(t, " (-3.2%)", ParenPct(f(-3.2)))
	assert.Equal(t, "", ParenPct(nil))
	assert.Equal(t, "1 record", Count(1, "record", "records"))
	assert.Equal(t, "3 records", Count(3, "record", "records"))
}

func TestDates(t *testing.T) {
	assert.Equal(t, "2026-11-27", Date("2026-11-27T00:00:00Z"))
	assert.Equal(t, "bad", Date("bad"))
	assert.Equal(t, "27 Nov 2026", LongDate("2026-11-27T00:00:00Z"))
	assert.Equal(t, "27 Nov 2026", LongDate("2026-11-27"))
	assert.Equal(t, "27 Nov", ShortDate("2026-11-27T00:00:00Z", false))
	assert.Equal(t, "soon", ShortDate("soon", true))
}

func TestMarkdown(t *testing.T) {
	assert.Equal(t, "a \\*b\\* \\<c\\>", MD("a *b* <c>"))
	assert.Equal(t, "`` a`b ``", Code("a`b"))
	assert.Equal(t, "`` `a ``", Code("`a"))
	assert.Equal(t, "a \\| b", Cell("a | b"))
	assert.Equal(t, "`m` Title \\*x\\* (gate)", MetricCell("m", "Title *x*", true))
	assert.Equal(t, "❌", StatusEmoji(report.StatusFail))
}

func TestCode(t *testing.T) {
	assert.Equal(t, "`a:1`", Code("a:1"))
	assert.Equal(t, "`` a`b ``", Code("a`b"))
	assert.Equal(t, "`a b`", Code("a\nb"))
	assert.Equal(t, "`a\\|b`", Cell(Code("a|b")))
}

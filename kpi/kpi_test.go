package kpi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

func f(v float64) *float64 { return &v }

func TestStatus(t *testing.T) {
	insufficient := report.Trend{Direction: report.TrendInsufficient}
	worse := report.Trend{Direction: report.TrendWorsening}
	better := report.Trend{Direction: report.TrendImproving}
	cases := []struct {
		name   string
		target report.Target
		v      *float64
		trend  report.Trend
		want   report.Status
	}{
		{"null value", report.Target{Max: f(0)}, nil, insufficient, report.StatusNoData},
		{"no target", report.Target{}, f(3), insufficient, report.StatusTracked},
		{"max equal passes", report.Target{Max: f(0)}, f(0), insufficient, report.StatusPass},
		{"max exceeded fails", report.Target{Max: f(0)}, f(1), insufficient, report.StatusFail},
		{"soft max exceeded warns", report.Target{Max: f(0), Soft: true}, f(1), insufficient, report.StatusWarn},
		{"min equal passes", report.Target{Min: f(100)}, f(100), insufficient, report.StatusPass},
		{"min below fails", report.Target{Min: f(100)}, f(99.9), insufficient, report.StatusFail},
		{"trend without history is tracked", report.Target{Trend: "down"}, f(5), insufficient, report.StatusTracked},
		{"trend worsening fails", report.Target{Trend: "down"}, f(5), worse, report.StatusFail},
		{"trend improving passes", report.Target{Trend: "down"}, f(5), better, report.StatusPass},
		{"soft trend worsening warns", report.Target{Trend: "down", Soft: true}, f(5), worse, report.StatusWarn},
		{"max passes, trend worsening fails", report.Target{Max: f(10), Trend: "down"}, f(5), worse, report.StatusFail},
		{"max passes, trend unknown passes", report.Target{Max: f(10), Trend: "down"}, f(5), insufficient, report.StatusPass},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Status(tc.target, tc.v, tc.trend), tc.name)
	}
}

func TestStatusBoundaries(t *testing.T) {
	insufficient := report.Trend{Direction: report.TrendInsufficient}
	stable := report.Trend{Direction: report.TrendStable}
	worse := report.Trend{Direction: report.TrendWorsening}
	cases := []struct {
		name   string
		target report.Target
		v      *float64
		trend  report.Trend
		want   report.Status
	}{
		{"null value whatever the target", report.Target{}, nil, worse, report.StatusNoData},
		{"null value, soft target", report.Target{Max: f(0), Soft: true}, nil, insufficient, report.StatusNoData},
		{"soft alone is no target", report.Target{Soft: true}, f(3), worse, report.StatusTracked},
		{"value == max passes", report.Target{Max: f(2.5)}, f(2.5), insufficient, report.StatusPass},
		{"value just above max fails", report.Target{Max: f(2.5)}, f(2.51), insufficient, report.StatusFail},
		{"soft: value == max passes", report.Target{Max: f(2.5), Soft: true}, f(2.5), insufficient, report.StatusPass},
		{"value == min passes", report.Target{Min: f(95)}, f(95), insufficient, report.StatusPass},
		{"soft: value below min warns", report.Target{Min: f(95), Soft: true}, f(94.9), insufficient, report.StatusWarn},
		{"min == max == value passes", report.Target{Min: f(1), Max: f(1)}, f(1), insufficient, report.StatusPass},
		{"inside min..max passes", report.Target{Min: f(1), Max: f(3)}, f(2), insufficient, report.StatusPass},
		{"below min of min..max fails", report.Target{Min: f(1), Max: f(3)}, f(0), insufficient, report.StatusFail},
		{"negative value under max 0 passes", report.Target{Max: f(0)}, f(-1), insufficient, report.StatusPass},
		{"trend target, stable passes", report.Target{Trend: "down"}, f(5), stable, report.StatusPass},
		{"stable target, insufficient history is tracked", report.Target{Trend: "stable"}, f(5), insufficient, report.StatusTracked},
		{"soft trend target, insufficient history is tracked", report.Target{Trend: "up", Soft: true}, f(5), insufficient, report.StatusTracked},
		{"max fails, trend unknown fails", report.Target{Max: f(1), Trend: "down"}, f(5), insufficient, report.StatusFail},
		{"soft: max fails and trend worsens: warn", report.Target{Max: f(1), Trend: "down", Soft: true}, f(5), worse, report.StatusWarn},
		{"min passes, trend worsening fails", report.Target{Min: f(1), Trend: "up"}, f(5), worse, report.StatusFail},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Status(tc.target, tc.v, tc.trend), tc.name)
	}
}

func TestRound(t *testing.T) {
	assert.Equal(t, 3.33, Round(10.0/3, "hours"))
	assert.Equal(t, 2.67, Round(8.0/3, "days"))
	assert.Equal(t, 66.7, Round(200.0/3, "percent"))
	assert.Equal(t, 3.0, Round(2.5000001, "count"))
}

func TestRoundBoundaries(t *testing.T) {
	cases := []struct {
		v    float64
		unit string
		want float64
	}{
		{2.5, "count", 3},   // halves round away from zero
		{-2.5, "count", -3}, // on both sides
		{2.4999, "count", 2},
		{0.05, "percent", 0.1}, // one decimal
		{-0.05, "percent", -0.1},
		{99.94, "percent", 99.9},
		{99.95, "percent", 100},
		{0.125, "hours", 0.13}, // two decimals (12.5 is exact in binary)
		{0.004, "days", 0},
		{1.0 / 3, "weeks", 0.33}, // an unknown unit rounds like hours and days
		{0, "count", 0},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Round(tc.v, tc.unit), "%v %s", tc.v, tc.unit)
	}
}

func TestBetter(t *testing.T) {
	cases := []struct {
		name     string
		target   report.Target
		declared string
		want     string
	}{
		{"no target: down", report.Target{}, "", Down},
		{"max only: down", report.Target{Max: f(0)}, "", Down},
		{"min only: up", report.Target{Min: f(95)}, "", Up},
		{"min and max: down", report.Target{Min: f(1), Max: f(3)}, "", Down},
		{"trend up: up", report.Target{Trend: "up"}, "", Up},
		{"trend up with a max: up", report.Target{Trend: "up", Max: f(3)}, "", Up},
		{"trend down: down", report.Target{Trend: "down"}, "", Down},
		{"trend stable: down", report.Target{Trend: "stable"}, "", Down},
		{"trend down with a min only: up (min only)", report.Target{Trend: "down", Min: f(1)}, "", Up},
		{"declared up wins over a max", report.Target{Max: f(0)}, Up, Up},
		{"declared down wins over a min", report.Target{Min: f(95)}, Down, Down},
		{"declared down wins over trend up", report.Target{Trend: "up"}, Down, Down},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Better(tc.target, tc.declared), tc.name)
	}
}

func pts(vals map[string]float64) []report.Point {
	var out []report.Point
	for d, v := range vals {
		out = append(out, report.Point{AsOf: d + "T00:00:00Z", Value: &v})
	}
	return out
}

func TestTrend(t *testing.T) {
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	// previous = latest report dated on or before 2026-10-28
	hist := pts(map[string]float64{"2026-10-01": 100, "2026-10-28": 10, "2026-10-29": 1000})
	tr := Trend("down", "down", f(9), hist, asOf, 30, 10)
	require.NotNil(t, tr.Previous)
	assert.Equal(t, 10.0, *tr.Previous, "a report exactly one window earlier counts; a later one does not")
	assert.Equal(t, "2026-10-28T00:00:00Z", tr.PreviousAsOf)
	assert.Equal(t, -10.0, *tr.ChangePct)
	assert.Equal(t, report.TrendStable, tr.Direction, "|change| equal to the tolerance is stable")

	tr = Trend("down", "down", f(8), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendImproving, tr.Direction)
	tr = Trend("down", "down", f(12), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendWorsening, tr.Direction)
	tr = Trend("up", "up", f(12), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendImproving, tr.Direction)
	tr = Trend("down", "stable", f(12), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendWorsening, tr.Direction, "stable targets worsen when they rise")
	tr = Trend("up", "stable", f(12), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendWorsening, tr.Direction, "stable targets worsen when they rise, whatever better says")

	tr = Trend("down", "down", f(9), pts(map[string]float64{"2026-10-29": 1}), asOf, 30, 10)
	assert.Equal(t, report.TrendInsufficient, tr.Direction, "nothing a whole window earlier")

	zero := pts(map[string]float64{"2026-10-01": 0})
	tr = Trend("down", "down", f(0), zero, asOf, 30, 10)
	assert.Equal(t, report.TrendStable, tr.Direction)
	assert.Equal(t, 0.0, *tr.ChangePct)
	tr = Trend("down", "down", f(2), zero, asOf, 30, 10)
	assert.Equal(t, report.TrendWorsening, tr.Direction, "from 0 to something is new: a change in its direction")
	assert.Nil(t, tr.ChangePct)
}

func TestTrendTargetOverridesBetter(t *testing.T) {
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	hist := pts(map[string]float64{"2026-10-28": 10})
	tr := Trend("up", "down", f(20), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendWorsening, tr.Direction, "a config trend=down target on an up-metric wants it to fall")
	tr = Trend("down", "up", f(20), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendImproving, tr.Direction)
	tr = Trend("up", "", f(20), hist, asOf, 30, 10)
	assert.Equal(t, report.TrendImproving, tr.Direction, "no trend target: the metric's better decides")
}

// TestTrendBoundaries: the tolerance, the window edge and a previous 0.
func TestTrendBoundaries(t *testing.T) {
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	one := func(asOf string, v float64) []report.Point { return []report.Point{{AsOf: asOf, Value: &v}} }
	edge := one("2026-10-28T00:00:00Z", 10) // exactly one 30-day window before asOf
	cases := []struct {
		name        string
		better      string
		targetTrend string
		value       *float64
		points      []report.Point
		asOf        time.Time
		window      int
		tol         float64
		direction   string
		previous    *float64
		changePct   *float64
	}{
		// change_pct against the tolerance (10 %), previous 10
		{"+10 % exactly: stable", Down, "", f(11), edge, asOf, 30, 10, report.TrendStable, f(10), f(10)},
		{"-10 % exactly: stable", Down, "", f(9), edge, asOf, 30, 10, report.TrendStable, f(10), f(-10)},
		{"+10.1 %: worsening (down)", Down, "", f(11.01), edge, asOf, 30, 10, report.TrendWorsening, f(10), f(10.1)},
		{"-10.1 %: improving (down)", Down, "", f(8.99), edge, asOf, 30, 10, report.TrendImproving, f(10), f(-10.1)},
		{"+10.1 %: improving (up)", Up, "", f(11.01), edge, asOf, 30, 10, report.TrendImproving, f(10), f(10.1)},
		{"change_pct rounds to the tolerance but exceeds it: not stable", Down, "", f(11.004), edge, asOf, 30, 10, report.TrendWorsening, f(10), f(10)},
		{"tolerance 0, no change: stable", Down, "", f(10), edge, asOf, 30, 0, report.TrendStable, f(10), f(0)},
		{"tolerance 0, any change counts", Down, "", f(10.001), edge, asOf, 30, 0, report.TrendWorsening, f(10), f(0)},
		{"negative previous: change against |previous|", Down, "", f(-5), one("2026-10-01T00:00:00Z", -10), asOf, 30, 10, report.TrendWorsening, f(-10), f(50)},

		// previous 0
		{"0 → 0: stable, change 0", Down, "", f(0), one("2026-10-01T00:00:00Z", 0), asOf, 30, 10, report.TrendStable, f(0), f(0)},
		{"0 → 0 with tolerance 0: stable", Down, "", f(0), one("2026-10-01T00:00:00Z", 0), asOf, 30, 0, report.TrendStable, f(0), f(0)},
		{"0 → 3 (down): worsening, no change_pct", Down, "", f(3), one("2026-10-01T00:00:00Z", 0), asOf, 30, 10, report.TrendWorsening, f(0), nil},
		{"0 → 3 (up): improving", Up, "", f(3), one("2026-10-01T00:00:00Z", 0), asOf, 30, 10, report.TrendImproving, f(0), nil},
		{"0 → 0.01 beyond any tolerance", Down, "", f(0.01), one("2026-10-01T00:00:00Z", 0), asOf, 30, 1e9, report.TrendWorsening, f(0), nil},
		{"0 → -1 (down): improving", Down, "", f(-1), one("2026-10-01T00:00:00Z", 0), asOf, 30, 10, report.TrendImproving, f(0), nil},

		// the window edge: compared by date, on or before asOf − window
		{"previous at the end of the edge day counts", Down, "", f(10), one("2026-10-28T23:59:59Z", 10), asOf, 30, 10, report.TrendStable, f(10), f(0)},
		{"previous the day after the edge: insufficient", Down, "", f(10), one("2026-10-29T00:00:00Z", 10), asOf, 30, 10, report.TrendInsufficient, nil, nil},
		{"asOf late in its day: same edge date", Down, "", f(10), edge, asOf.Add(23 * time.Hour), 30, 10, report.TrendStable, f(10), f(0)},
		{"asOf in another zone is taken in UTC", Down, "", f(10), one("2026-10-29T00:00:00Z", 10),
			time.Date(2026, 11, 27, 23, 0, 0, 0, time.FixedZone("UTC-2", -2*3600)), 30, 10, report.TrendStable, f(10), f(0)},
		{"window 0: a point of the as-of date counts", Down, "", f(12), one("2026-11-27T00:00:00Z", 10), asOf, 0, 10, report.TrendWorsening, f(10), f(20)},
		{"no points: insufficient", Down, "", f(1), nil, asOf, 30, 10, report.TrendInsufficient, nil, nil},
		{"a null value: insufficient", Down, "", nil, edge, asOf, 30, 10, report.TrendInsufficient, nil, nil},
		{"a null previous is skipped", Down, "", f(10), []report.Point{{AsOf: "2026-10-01T00:00:00Z", Value: f(20)}, {AsOf: "2026-10-28T00:00:00Z"}},
			asOf, 30, 10, report.TrendImproving, f(20), f(-50)},
		{"a malformed date is skipped", Down, "", f(10), []report.Point{{AsOf: "2026-10", Value: f(20)}}, asOf, 30, 10, report.TrendInsufficient, nil, nil},
		{"the latest point wins, whatever the order", Down, "", f(10), []report.Point{{AsOf: "2026-10-20T00:00:00Z", Value: f(10)}, {AsOf: "2026-10-01T00:00:00Z", Value: f(100)}},
			asOf, 30, 10, report.TrendStable, f(10), f(0)},

		// the target's trend overrides better
		{"stable target, falling: improving", Up, "stable", f(5), edge, asOf, 30, 10, report.TrendImproving, f(10), f(-50)},
		{"stable target, within tolerance: stable", Up, "stable", f(10.5), edge, asOf, 30, 10, report.TrendStable, f(10), f(5)},
	}
	for _, tc := range cases {
		tr := Trend(tc.better, tc.targetTrend, tc.value, tc.points, tc.asOf, tc.window, tc.tol)
		assert.Equal(t, tc.direction, tr.Direction, tc.name)
		assert.Equal(t, tc.previous, tr.Previous, tc.name)
		assert.Equal(t, tc.changePct, tr.ChangePct, tc.name)
		if tc.previous == nil {
			assert.Empty(t, tr.PreviousAsOf, tc.name)
		} else {
			assert.NotEmpty(t, tr.PreviousAsOf, tc.name)
		}
	}
}

// Package kpi holds the rules that turn a metric's value into what a report
// says about it: its status against its target, its trend against the
// history, the rounding of its unit and the direction in which it improves.
//
// The rules are shared by everything that writes or reads reports: the
// engine's results (internal/app → engine), the monthly aggregate and the
// quarterly review (report/rollup), the synthetic histories (report/synthetic,
// output/dashboard/internal/demo). They depend on the report schema only: no policy
// engine, no config.
//
// The rules (README.md, "Commands"; docs/custom-policies.md for targets and
// units):
//
//   - Status: no value is no_data; no target (or only a trend target without
//     enough history) is tracked; a value above max, below min, or a
//     worsening trend under a trend target fails, or warns when the target
//     is soft; else pass.
//   - Trend: the value against the latest non-null point dated on or before
//     as-of − window (by date); |change| ≤ tolerance (in percent) is stable;
//     from a previous 0 to anything else is a change of unbounded size (no
//     change_pct); otherwise improving or worsening by the desired direction.
//   - Round: hours and days to 2 decimals, percent to 1, counts to integers.
//   - Better: the desired direction of a metric, up or down.
package kpi

import (
	"math"
	"time"

	"github.com/localizevideos/posture/report"
)

// The desired directions of a metric (custom.better).
const (
	Up   = "up"
	Down = "down"
)

// Better is the desired direction of a metric: the declared one (a policy's
// custom.better) when there is one, else up for targets that want a rise (a
// trend "up" target, or a min without a max), else down.
func Better(t report.Target, declared string) string {
	if declared != "" {
		return declared
	}
	if t.Trend == Up || (t.Min != nil && t.Max == nil) {
		return Up
	}
	return Down
}

// risingImproves tells whether a rise is an improvement: the target's trend
// decides when it names one (a config target may reverse the metric's
// better; a "stable" target worsens when the value rises), else better.
func risingImproves(better, targetTrend string) bool {
	switch targetTrend {
	case Up:
		return true
	case Down, "stable":
		return false
	}
	return better == Up
}

// Status applies a target to a value, given the value's trend.
func Status(t report.Target, v *float64, tr report.Trend) report.Status {
	if v == nil {
		return report.StatusNoData
	}
	if t.IsZero() {
		return report.StatusTracked
	}
	failing := false
	judged := false
	if t.Max != nil {
		judged = true
		failing = failing || *v > *t.Max
	}
	if t.Min != nil {
		judged = true
		failing = failing || *v < *t.Min
	}
	if t.Trend != "" && tr.Direction != report.TrendInsufficient {
		judged = true
		failing = failing || tr.Direction == report.TrendWorsening
	}
	switch {
	case !judged:
		return report.StatusTracked
	case failing && t.Soft:
		return report.StatusWarn
	case failing:
		return report.StatusFail
	}
	return report.StatusPass
}

// Round rounds by unit: hours and days (and any other unit) to 2 decimals,
// percent to 1, counts to integers.
func Round(v float64, unit string) float64 {
	switch unit {
	case "count":
		return math.Round(v)
	case "percent":
		return math.Round(v*10) / 10
	default:
		return math.Round(v*100) / 100
	}
}

// Trend compares value with the latest point dated on or before
// asOf − windowDays (compared by date, YYYY-MM-DD; points without a value
// are skipped). better is the metric's desired direction (see Better);
// targetTrend, the target's trend, overrides it when set. |change| within
// tolPct percent is stable. change_pct is rounded to one decimal; the
// comparison with the tolerance uses the unrounded change.
func Trend(better, targetTrend string, value *float64, points []report.Point, asOf time.Time, windowDays int, tolPct float64) report.Trend {
	tr := report.Trend{Direction: report.TrendInsufficient}
	if value == nil {
		return tr
	}
	cutoff := asOf.UTC().AddDate(0, 0, -windowDays).Format("2006-01-02")
	var prev *report.Point
	for i := range points {
		p := &points[i]
		if len(p.AsOf) < 10 || p.AsOf[:10] > cutoff || p.Value == nil {
			continue
		}
		if prev == nil || p.AsOf > prev.AsOf {
			prev = p
		}
	}
	if prev == nil {
		return tr
	}
	pv := *prev.Value
	tr.Previous = &pv
	tr.PreviousAsOf = prev.AsOf
	v := *value
	var change float64
	rising := v > pv
	if pv == 0 {
		if v == 0 {
			change = 0
			zero := 0.0
			tr.ChangePct = &zero
		} else {
			change = math.Inf(1) // something new: a change in its direction, whatever the tolerance
		}
	} else {
		change = 100 * (v - pv) / math.Abs(pv)
		c := math.Round(change*10) / 10
		tr.ChangePct = &c
	}
	if math.Abs(change) <= tolPct {
		tr.Direction = report.TrendStable
		return tr
	}
	if rising == risingImproves(better, targetTrend) {
		tr.Direction = report.TrendImproving
	} else {
		tr.Direction = report.TrendWorsening
	}
	return tr
}

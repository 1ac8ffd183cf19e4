package rollup

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/synthetic"
	"github.com/localizevideos/posture/store"
)

func f(v float64) *float64 { return &v }

// ninetyDays is 2026-08-01 .. 2026-10-29, stored like `posture report` does.
func ninetyDays(t *testing.T) []history.Dated {
	t.Helper()
	specs := []synthetic.Spec{
		{ID: "m_down", Title: "Down metric", Category: "c1", Owner: "security", Unit: "count", Target: report.Target{Trend: "down"},
			Value: func(d time.Time) *float64 { return f(float64(d.Day())) }},
		{ID: "m_up", Title: "Up metric", Category: "c1", Owner: "platform", Unit: "percent", Target: report.Target{Trend: "up"},
			Value: func(d time.Time) *float64 {
				return f(map[time.Month]float64{time.August: 50, time.September: 60, time.October: 40}[d.Month()])
			}},
		{ID: "m_max", Title: "Max metric", Category: "c2", Owner: "identity", Unit: "count", Target: report.Target{Max: f(0)}, Gate: true,
			Value: func(d time.Time) *float64 {
				if d.Month() == time.October {
					return f(2)
				}
				return f(0)
			}},
		{ID: "m_sparse", Title: "Sparse metric", Category: "c2", Owner: "security", Unit: "hours",
			Value: func(d time.Time) *float64 {
				if d.Day()%2 == 1 {
					return nil
				}
				return f(float64(d.Day()) / 4)
			}},
		{ID: "m_unmeasured", Title: "Unmeasured metric", Category: "c2", Owner: "security", Unit: "count", Status: report.StatusUnmeasured},
	}
	rs := synthetic.Generate(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), 90, specs,
		synthetic.Options{Project: "Test", WindowDays: 30, TolPct: 10})
	require.Len(t, rs, 90)
	dir := t.TempDir()
	require.NoError(t, synthetic.WriteJSON(dir, rs))
	all, err := history.LoadAll(dir)
	require.NoError(t, err)
	require.Len(t, all, 90)
	assert.Equal(t, "2026-08-01", all[0].Date)
	assert.Equal(t, "2026-10-29", all[89].Date)
	return all
}

func monthMetric(t *testing.T, m *Monthly, id string) MonthMetric {
	t.Helper()
	for _, x := range m.Metrics {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no metric %s", id)
	return MonthMetric{}
}

func TestMonthExact(t *testing.T) {
	all := ninetyDays(t)
	m, err := Month(all, "2026-09")
	require.NoError(t, err)
	assert.Equal(t, MonthlySchema, m.Schema)
	assert.Equal(t, 30, m.Reports)
	assert.Equal(t, "2026-09-01", m.From)
	assert.Equal(t, "2026-09-30", m.To)

	d := monthMetric(t, m, "m_down")
	assert.Equal(t, 30.0, *d.MonthEnd.Value)
	assert.Equal(t, "2026-09-30T00:00:00Z", d.MonthEnd.AsOf)
	assert.Equal(t, 1.0, *d.Min)
	assert.Equal(t, 30.0, *d.Max)
	assert.Equal(t, 15.5, *d.Mean)
	assert.Equal(t, 30, d.Reports)
	assert.Equal(t, 30, d.Values)
	require.NotNil(t, d.Previous)
	assert.Equal(t, "2026-08-31T00:00:00Z", d.Previous.AsOf)
	assert.Equal(t, 31.0, *d.Previous.Value)
	assert.Equal(t, -1.0, *d.Change)
	assert.Equal(t, -3.2, *d.ChangePct)

	s := monthMetric(t, m, "m_sparse") // even days only: 2/4 .. 30/4
	assert.Equal(t, 15, s.Values)
	assert.Equal(t, 30, s.Reports)
	assert.Equal(t, 0.5, *s.Min)
	assert.Equal(t, 7.5, *s.Max)
	assert.Equal(t, 4.0, *s.Mean) // (2+4+…+30)/4/15 = 240/60
	assert.Equal(t, 7.5, *s.MonthEnd.Value)

	u := monthMetric(t, m, "m_up")
	assert.Equal(t, 60.0, *u.Mean)
	assert.Equal(t, 10.0, *u.Change)
	assert.Equal(t, 20.0, *u.ChangePct)
	assert.Equal(t, report.StatusPass, u.MonthEnd.Status, "an up-metric that rose 20% improves")

	n := monthMetric(t, m, "m_unmeasured")
	assert.Nil(t, n.MonthEnd.Value)
	assert.Nil(t, n.Mean)
	assert.Equal(t, report.StatusUnmeasured, n.MonthEnd.Status)

	// The first month has no previous month; October ends on the 29th.
	aug, err := Month(all, "2026-08")
	require.NoError(t, err)
	assert.Nil(t, monthMetric(t, aug, "m_down").Previous)
	assert.Equal(t, 16.0, *monthMetric(t, aug, "m_down").Mean)
	oct, err := Month(all, "2026-10")
	require.NoError(t, err)
	assert.Equal(t, 29, oct.Reports)
	mx := monthMetric(t, oct, "m_max")
	assert.Equal(t, report.StatusFail, mx.MonthEnd.Status)
	assert.Equal(t, 2.0, *mx.Change)
	assert.Nil(t, mx.ChangePct, "from 0: no percentage")

	_, err = Month(all, "2026-11")
	assert.True(t, errors.Is(err, ErrNoReports))
	_, err = Month(all, "2026-13")
	assert.Error(t, err)

	dn := monthMetric(t, m, "m_down")
	assert.Equal(t, []float64{30, 1, 30, 15.5}, []float64{*dn.MonthEnd.Value, *dn.Min, *dn.Max, *dn.Mean})
	assert.Equal(t, []float64{-1, -3.2, 31}, []float64{*dn.Change, *dn.ChangePct, *dn.Previous.Value})
	assert.Equal(t, "2026-08-31T00:00:00Z", dn.Previous.AsOf)
}

func TestQuarterReview(t *testing.T) {
	all := ninetyDays(t)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d.AddDate(0, 0, 1) }
	excs := []*config.Exception{
		{ExceptionRef: report.ExceptionRef{ID: "EXC-1", Metric: "m_max", Scope: "a", Owner: "identity", Expires: "2026-10-01"}, ExpiresEnd: day("2026-10-01"), Status: "open"},
		{ExceptionRef: report.ExceptionRef{ID: "EXC-2", Metric: "m_max", Scope: "b", Owner: "platform", Expires: "2027-02-15", ApprovedBy: "ciso"}, ExpiresEnd: day("2027-02-15"), Status: "open"},
		{ExceptionRef: report.ExceptionRef{ID: "EXC-3", Metric: "m_max", Scope: "c", Owner: "security", Expires: "2027-12-31"}, ExpiresEnd: day("2027-12-31"), Status: "open"},
		{ExceptionRef: report.ExceptionRef{ID: "EXC-4", Metric: "m_max", Scope: "d", Owner: "security", Expires: "2026-01-01"}, ExpiresEnd: day("2026-01-01"), Status: "closed"},
	}
	issues := map[string]store.Issue{"m_up": {Number: 12, URL: "https://github.com/o/r/issues/12", State: "open"}}
	q, err := Quarter(all, "2026-Q4", QuarterOptions{TolPct: 10, Exceptions: excs, Issues: issues})
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-10", "2026-11", "2026-12"}, q.Months)
	assert.Equal(t, "2026-10-29T00:00:00Z", q.AsOf)
	assert.Equal(t, 29, q.Reports)

	byID := map[string]QuarterMetric{}
	for _, m := range q.Metrics {
		byID[m.ID] = m
	}
	up := byID["m_up"]
	assert.Equal(t, 40.0, *up.Months[0].Value)
	assert.Equal(t, "", up.Months[1].AsOf, "no report in November")
	assert.Equal(t, "previous_quarter_end", up.BaselineKind)
	assert.Equal(t, "2026-09-30T00:00:00Z", up.Baseline.AsOf)
	assert.Equal(t, -33.3, *up.ChangePct)
	assert.True(t, up.Worsened)
	assert.Equal(t, issues["m_up"], *up.Issue)

	down := byID["m_down"]
	assert.Equal(t, report.TrendStable, down.Direction, "29 against 30 is within the 10% tolerance")
	assert.False(t, down.Worsened)

	mx := byID["m_max"]
	assert.True(t, mx.Failed)
	assert.True(t, mx.Worsened, "0 → 2 is new, in the worse direction")
	assert.Equal(t, []string{"fail", "worsened"}, mx.Reasons)

	assert.Equal(t, []string{"m_up", "m_max"}, q.Attention)
	assert.Equal(t, []string{"m_unmeasured"}, q.Unmeasured)
	ids := func(rows []ExceptionRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	assert.Equal(t, []string{"EXC-1"}, ids(q.Exceptions.Expired))
	assert.Equal(t, []string{"EXC-2", "EXC-3"}, ids(q.Exceptions.Open))
	assert.Equal(t, []string{"EXC-2"}, ids(q.Exceptions.ExpiringNextQuarter))

	owners := map[string][]string{}
	for _, oa := range q.Actions {
		for _, it := range oa.Items {
			owners[oa.Owner] = append(owners[oa.Owner], it.Metric+it.Exception)
		}
	}
	assert.Equal(t, map[string][]string{"platform": {"m_up", "EXC-2"}, "identity": {"m_max", "EXC-1"}}, owners)

	assert.Equal(t, "bring Max metric back on target: status fail at quarter end and worsened since 2026-09-30", q.Actions[0].Items[0].What)
	assert.Equal(t, "renew or close exception EXC-1 (m_max, expired 2026-10-01)", q.Actions[0].Items[1].What)
	assert.Equal(t, -20.0, *up.Change)
	assert.Equal(t, 2.0, *mx.Change)

	// Q3: baseline is the first month end (no report in Q2).
	q3, err := Quarter(all, "2026-q3", QuarterOptions{TolPct: 10})
	require.NoError(t, err)
	for _, m := range q3.Metrics {
		if m.ID == "m_up" {
			assert.Equal(t, "first_month_end", m.BaselineKind)
			assert.Nil(t, m.Months[0].Value, "no report in July")
			assert.Equal(t, 50.0, *m.Months[1].Value)
			assert.Equal(t, 60.0, *m.Months[2].Value)
			assert.Equal(t, report.TrendImproving, m.Direction)
		}
	}
	_, err = Quarter(all, "2026-Q1", QuarterOptions{})
	assert.True(t, errors.Is(err, ErrNoReports))
	_, err = Quarter(all, "2026-Q5", QuarterOptions{})
	assert.Error(t, err)
}

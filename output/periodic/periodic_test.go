package periodic

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/rollup"
	"github.com/localizevideos/posture/store"
)

func f(v float64) *float64 { return &v }

func TestMonthly(t *testing.T) {
	m := &rollup.Monthly{Project: "Test", Month: "2026-09", From: "2026-09-01", To: "2026-09-30", Reports: 30,
		Metrics: []rollup.MonthMetric{{MetricHead: report.MetricHead{ID: "m_down", Title: "Down metric", Owner: "security", Unit: "count",
			Target: report.Target{Trend: "down"}},
			MonthEnd: rollup.Value{AsOf: "2026-09-30T00:00:00Z", Value: f(30), Status: report.StatusPass},
			Min:      f(1), Max: f(30), Mean: f(15.5), Reports: 30, Values: 30,
			Previous: &rollup.Value{AsOf: "2026-08-31T00:00:00Z", Value: f(31)}, Change: f(-1), ChangePct: f(-3.2)}}}
	var md bytes.Buffer
	require.NoError(t, Monthly(&md, m))
	s := md.String()
	assert.Contains(t, s, "# Test security posture — monthly aggregate 2026-09\n\n30 reports from 2026-09-01 to 2026-09-30.")
	assert.Contains(t, s, "| `m_down` Down metric | security | 30 | 1 | 30 | 15.5 | 30 | ✅ pass | trend ↓ | -1 (-3.2%) from 31 (2026-08-31) |")
}

func TestQuarterly(t *testing.T) {
	base := &rollup.Value{AsOf: "2026-09-30T00:00:00Z"}
	up := rollup.QuarterMetric{MetricHead: report.MetricHead{ID: "m_up", Title: "Up metric", Owner: "platform", Unit: "percent"},
		End: rollup.Value{AsOf: "2026-10-29T00:00:00Z", Value: f(40), Status: report.StatusFail}, Baseline: base,
		Change: f(-20), ChangePct: f(-33.3), Reasons: []string{"fail", "worsened"},
		Issue: &store.Issue{Number: 12, URL: "https://github.com/o/r/issues/12", State: "open"}}
	mx := rollup.QuarterMetric{MetricHead: report.MetricHead{ID: "m_max", Title: "Max metric", Owner: "identity", Unit: "count", Gate: true},
		End: rollup.Value{AsOf: "2026-10-29T00:00:00Z", Value: f(2), Status: report.StatusFail}, Baseline: base,
		Change: f(2), Reasons: []string{"fail", "worsened"}}
	un := rollup.QuarterMetric{MetricHead: report.MetricHead{ID: "m_unmeasured", Title: "Unmeasured metric", Owner: "security", Unit: "count"},
		End: rollup.Value{AsOf: "2026-10-29T00:00:00Z", Status: report.StatusUnmeasured}}
	q := &rollup.Quarterly{Project: "Test", Quarter: "2026-Q4", Months: []string{"2026-10", "2026-11", "2026-12"},
		AsOf: "2026-10-29T00:00:00Z", Reports: 29, Metrics: []rollup.QuarterMetric{up, mx, un},
		Attention: []string{"m_up", "m_max"}, Unmeasured: []string{"m_unmeasured"},
		Actions: []rollup.OwnerActions{{Owner: "identity", Items: []rollup.ActionItem{
			{Metric: "m_max", What: "bring Max metric back on target: status fail at quarter end and worsened since 2026-09-30"},
			{Exception: "EXC-1", What: "renew or close exception EXC-1 (m_max, expired 2026-10-01)"}}}}}
	var md bytes.Buffer
	require.NoError(t, Quarterly(&md, q))
	s := md.String()
	assert.Contains(t, s, "| `m_up` Up metric | platform | 40 % | ❌ fail | -20 (-33.3%) since 2026-09-30 | fail, worsened | [#12](https://github.com/o/r/issues/12) (open) |")
	assert.Contains(t, s, "| `m_max` Max metric (gate) | identity | 2 | ❌ fail | +2 since 2026-09-30 | fail, worsened | — |")
	assert.Contains(t, s, "### identity\n\n- [ ] `m_max`: bring Max metric back on target: status fail at quarter end and worsened since 2026-09-30\n- [ ] renew or close exception EXC-1 (m_max, expired 2026-10-01)")
	assert.Contains(t, s, "- `m_unmeasured` — Unmeasured metric (owner security): no configured source feeds it.")
}

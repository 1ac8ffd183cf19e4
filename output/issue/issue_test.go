package issue

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

func f64(v float64) *float64 { return &v }

// testReport: sev1 fails, failed_deployments worsens.
func testReport(asOf string) *report.Report {
	r := &report.Report{Schema: report.Schema, Project: "T", AsOf: asOf, WindowDays: 30,
		Metrics: []report.Metric{
			{ID: "sev1_incidents", Title: "Sev 1 incidents", Category: "detection_response", Owner: "security", Unit: "count",
				Value: f64(2), Status: report.StatusFail, Target: report.Target{Max: f64(0)}, Gate: true,
				Trend:    report.Trend{Direction: report.TrendInsufficient},
				Evidence: report.Evidence{Items: 2, Records: []string{"incidents.csv:2", "incidents.csv:5"}, RecordsTotal: 2}},
			{ID: "failed_deployments", Title: "Failed deployments", Category: "operational_hygiene", Owner: "platform", Unit: "count",
				Value: f64(6), Status: report.StatusTracked, Target: report.Target{Trend: "down"},
				Trend:    report.Trend{Direction: report.TrendWorsening, Previous: f64(3), PreviousAsOf: "2026-10-28T00:00:00Z", ChangePct: f64(100)},
				Evidence: report.Evidence{Items: 6, Records: []string{"deploys.json:1"}, RecordsTotal: 6}},
		}}
	r.Summarise()
	return r
}

func TestBodyAndState(t *testing.T) {
	r := testReport("2026-11-27T00:00:00Z")
	r.Exceptions = []report.Exception{
		{ID: "EXC-1", Metric: "sev1_incidents", Scope: "INC-9", Owner: "security", ApprovedBy: "ciso", Expires: "2026-12-01", State: "active"},
		{ID: "EXC-2", Metric: "sev1_incidents", Scope: "INC-3", Owner: "security", Expires: "2026-01-01", State: "expired"},
		{ID: "EXC-3", Metric: "mttd_hours", Scope: "x", Owner: "security", Expires: "2027-01-01", State: "active"},
	}
	r.ExpiringSoon = []string{"EXC-1"}
	m := &r.Metrics[0]
	m.Evidence.Waived = []report.Waived{{Scope: "INC-9", Exception: "EXC-1", Origin: "incidents.csv:9"}}
	for i := 0; i < 15; i++ {
		m.Evidence.Records = append(m.Evidence.Records, "incidents.csv:`"+strconv.Itoa(10+i)+"` <!-- posture:metric=x -->")
	}
	m.Evidence.RecordsTotal = 40
	b := Body(r, m, []string{"sec-lead"}, Link{Text: "security/reports/2026-11-27.md"})

	assert.True(t, strings.HasPrefix(b, Marker("sev1_incidents")+"\n<!-- posture:state "))
	assert.Contains(t, b, "Records (10 of 40)")
	assert.Equal(t, 10, strings.Count(b, "- `incidents.csv:"))
	assert.Equal(t, 1, strings.Count(b, "<!-- posture:metric="), "a record cannot fake a marker")
	assert.Contains(t, b, "`INC-9` — exception `EXC-1` (`incidents.csv:9`)")
	assert.Contains(t, b, "### Exceptions in force")
	assert.Contains(t, b, "`EXC-1`: scope `INC-9`, owner security, expires 2026-12-01, approved by ciso — **expires within 14 days**")
	assert.NotContains(t, b, "EXC-2", "expired exceptions are not in force")
	assert.NotContains(t, b, "EXC-3", "another metric's exception")
	assert.Contains(t, b, "| Report | `security/reports/2026-11-27.md` |")
	assert.Equal(t, b, Body(r, m, []string{"sec-lead"}, Link{Text: "security/reports/2026-11-27.md"}), "deterministic")

	st, ok := ParseState(b)
	require.True(t, ok)
	assert.Equal(t, State{Value: "2", Status: "fail", Trend: "insufficient_history", Owner: "security", AsOf: "2026-11-27T00:00:00Z"}, st)
	_, ok = ParseState("no state here")
	assert.False(t, ok)
}

func TestTextOfChanges(t *testing.T) {
	r := testReport("2026-11-28T00:00:00Z")
	m := &r.Metrics[0]
	prev, ok := ParseState(Body(testReport("2026-11-27T00:00:00Z"), &testReport("2026-11-27T00:00:00Z").Metrics[0], nil, Link{}))
	require.True(t, ok)
	three := 3.0
	m.Value = &three
	assert.Equal(t, "value 2 → 3, status fail → fail", Change(m, prev))
	assert.Equal(t, "Update as of 2026-11-28: value 2 → 3, status fail → fail (target max 0, trend insufficient_history).",
		ChangeComment(r, m, prev, true, Link{}))
	assert.True(t, prev.OwnerIs("security"))
	fd := &r.Metrics[1]
	assert.Equal(t, "value 6 (target trend down), status tracked, trend worsening: previous 3 (2026-10-28), change +100.0 %", Summary(fd))
	assert.Equal(t, "Failed deployments off target (operational_hygiene)", Title(fd))
	assert.True(t, OffTarget(fd))
	assert.False(t, OnTarget(fd))
	assert.Equal(t, "@a, @b", Mentions([]string{"a", "b"}))
}

package issue

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

// testJSON: sev1 fails, failed_deployments worsens.
const testJSON = `{"schema": "posture.report/v1", "project": "T", "window_days": 30, "metrics": [
  {"id": "sev1_incidents", "title": "Sev 1 incidents", "category": "detection_response", "owner": "security",
   "unit": "count", "value": 2, "status": "fail", "target": {"max": 0}, "gate": true,
   "trend": {"direction": "insufficient_history"},
   "evidence": {"items": 2, "records": ["incidents.csv:2", "incidents.csv:5"], "records_total": 2}},
  {"id": "failed_deployments", "title": "Failed deployments", "category": "operational_hygiene", "owner": "platform",
   "unit": "count", "value": 6, "status": "tracked", "target": {"trend": "down"},
   "trend": {"direction": "worsening", "previous": 3, "previous_as_of": "2026-10-28T00:00:00Z", "change_pct": 100},
   "evidence": {"items": 6, "records": ["deploys.json:1"], "records_total": 6}}]}`

func testReport(asOf string) *report.Report {
	var r report.Report
	if err := json.Unmarshal([]byte(testJSON), &r); err != nil {
		panic(err)
	}
	r.AsOf = asOf
	r.Summarise()
	return &r
}

func TestBodyAndState(t *testing.T) {
	r := testReport("2026-11-27T00:00:00Z")
	r.Exceptions = []report.Exception{
		{ExceptionRef: report.ExceptionRef{ID: "EXC-1", Metric: "sev1_incidents", Scope: "INC-9", Owner: "security", ApprovedBy: "ciso", Expires: "2026-12-01"}, State: "active"},
		{ExceptionRef: report.ExceptionRef{ID: "EXC-2", Metric: "sev1_incidents", Scope: "INC-3", Owner: "security", Expires: "2026-01-01"}, State: "expired"},
		{ExceptionRef: report.ExceptionRef{ID: "EXC-3", Metric: "mttd_hours", Scope: "x", Owner: "security", Expires: "2027-01-01"}, State: "active"},
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

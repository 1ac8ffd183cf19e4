package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
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

func TestRound(t *testing.T) {
	assert.Equal(t, 3.33, Round(10.0/3, "hours"))
	assert.Equal(t, 2.67, Round(8.0/3, "days"))
	assert.Equal(t, 66.7, Round(200.0/3, "percent"))
	assert.Equal(t, 3.0, Round(2.5000001, "count"))
}

func pts(vals map[string]float64) []report.Point {
	var out []report.Point
	for d, v := range vals {
		v := v
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

func ms(s string) *int64 {
	t, _ := time.Parse(time.RFC3339, s)
	v := t.UnixMilli()
	return &v
}

func TestDeploymentsPreviousSuccess(t *testing.T) {
	in := []snapshot.Deployment{
		{ID: "1", Environment: "production", SHA: "a", Status: "inactive", Statuses: []string{"success", "inactive"}, CreatedAtMS: ms("2026-11-01T00:00:00Z")},
		{ID: "2", Environment: "Production", SHA: "b", Status: "success", CreatedAtMS: ms("2026-11-02T00:00:00Z")},
		{ID: "3", Environment: "staging", SHA: "c", Status: "success", CreatedAtMS: ms("2026-11-03T00:00:00Z")},
		{ID: "4", Environment: "production", SHA: "a", Status: "success", CreatedAtMS: ms("2026-11-04T00:00:00Z")},
		{ID: "5", Environment: "production", SHA: "x", Repo: "other/repo", Status: "success", CreatedAtMS: ms("2026-11-04T00:00:00Z")},
	}
	out := deployments(in, []string{"production"})
	require.Len(t, out, 5)
	assert.True(t, out[0].Production && out[0].Successful, "success in any status counts")
	assert.Nil(t, out[0].PreviousSuccessSHA)
	assert.True(t, out[1].Production, "environment compared case-insensitively")
	assert.Equal(t, "a", *out[1].PreviousSuccessSHA)
	assert.False(t, out[2].Production)
	assert.Equal(t, "b", *out[3].PreviousSuccessSHA, "staging deployments do not count")
	assert.Nil(t, out[4].PreviousSuccessSHA, "other repos do not count")
}

func TestUniqueAccountsMerges(t *testing.T) {
	yes := true
	in := []snapshot.Account{
		{System: "github", Login: "alice", Role: "admin"},
		{System: "github", Login: "alice", MFA: &yes, LastActiveAtMS: ms("2026-11-01T00:00:00Z")},
		{System: "okta", Login: "alice"},
	}
	out := uniqueAccounts(in)
	require.Len(t, out, 2)
	assert.Equal(t, "admin", out[0].Role)
	require.NotNil(t, out[0].MFA)
	assert.True(t, *out[0].MFA)
	assert.NotNil(t, out[0].LastActiveAtMS)
}

func TestFeedsByKindAndPart(t *testing.T) {
	in := &Input{
		Kinds:  map[string][]string{"deployments": {"deployments.files"}, "github": {"github.org"}, "github.deployments": {"github.org"}},
		Failed: map[string][]string{},
	}
	d := &Definition{Inputs: []string{"deployments", "github.deployments"}}
	measured, failed := feeds(d, in)
	assert.Equal(t, []string{"deployments.files", "github.org"}, measured)
	assert.Empty(t, failed)

	d = &Definition{Inputs: []string{"github.incidents"}}
	measured, _ = feeds(d, in)
	assert.Empty(t, measured, "a github source that did not collect incidents does not feed incident metrics")

	in.Failed["github"] = []string{"github.org"}
	_, failed = feeds(d, in)
	assert.Equal(t, []string{"github.org"}, failed, "a failed source fails every part it could provide")
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

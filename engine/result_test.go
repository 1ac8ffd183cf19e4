package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
)

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

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
	out := snapshot.UniqueAccounts(in)
	require.Len(t, out, 2)
	assert.Equal(t, "admin", out[0].Role)
	require.NotNil(t, out[0].MFA)
	assert.True(t, *out[0].MFA)
	assert.NotNil(t, out[0].LastActiveAtMS)
}

// declareTestKinds declares the collections of the kinds the feeds tests
// use as the sources packages do (the engine's tests do not import them).
func declareTestKinds() {
	snapshot.DeclareKind("deployments", []snapshot.Provided{{Collection: "deployments"}})
	snapshot.DeclareKind("accounts", []snapshot.Provided{{Collection: "accounts", Traits: []snapshot.Trait{snapshot.TraitActivity}}})
	snapshot.DeclareKind("github", []snapshot.Provided{
		{Collection: "accounts", Part: "members"}, {Collection: "deployments", Part: "deployments"},
		{Collection: "incidents", Part: "incidents"},
	})
}

func feedsOf(t *testing.T, inputs []string, parts ...*snapshot.Part) (measured, failed []string) {
	t.Helper()
	in, err := BuildInput(&snapshot.Snapshot{Parts: parts}, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Settings{WindowDays: 30}, nil)
	require.NoError(t, err)
	return feeds(&Definition{Inputs: inputs}, in)
}

func TestFeedsByCollectionAndPart(t *testing.T) {
	declareTestKinds()
	files := &snapshot.Part{Kind: "deployments", Source: "files"}
	gh := &snapshot.Part{Kind: "github", Source: "org", Provides: []string{"deployments", "members"}}
	measured, failed := feedsOf(t, []string{"deployments"}, files, gh)
	assert.Equal(t, []string{"deployments.files", "github.org"}, measured)
	assert.Empty(t, failed)

	measured, _ = feedsOf(t, []string{"incidents"}, files, gh)
	assert.Empty(t, measured, "a github source that did not collect incidents does not feed incident metrics")

	iam := &snapshot.Part{Kind: "accounts", Source: "iam"}
	measured, _ = feedsOf(t, []string{"accounts"}, iam, gh)
	assert.Equal(t, []string{"accounts.iam", "github.org"}, measured)
	measured, _ = feedsOf(t, []string{"accounts:activity"}, iam, gh)
	assert.Equal(t, []string{"accounts.iam"}, measured, "github members carry no activity")

	broken := &snapshot.Part{Kind: "github", Source: "org", Error: "boom"}
	measured, failed = feedsOf(t, []string{"incidents"}, files, broken)
	assert.Empty(t, measured)
	assert.Equal(t, []string{"github.org"}, failed, "a failed source fails every collection it could provide")
	_, failed = feedsOf(t, []string{"accounts:activity"}, iam, broken)
	assert.Empty(t, failed, "nor those it could not")
}

// Inputs that name source kinds (as they did before they named
// collections) still work.
func TestFeedsByKindAndPart(t *testing.T) {
	in := &Input{
		Kinds:  map[string][]string{"sshd_log": {"sshd_log.a"}, "github": {"github.org"}, "github.members": {"github.org"}},
		Failed: map[string][]string{},
	}
	d := &Definition{Inputs: []string{"sshd_log", "github.members"}}
	measured, failed := feeds(d, in)
	assert.Equal(t, []string{"github.org", "sshd_log.a"}, measured)
	assert.Empty(t, failed)

	d = &Definition{Inputs: []string{"github.incidents"}}
	measured, _ = feeds(d, in)
	assert.Empty(t, measured, "a github source that did not collect incidents does not feed incident metrics")

	in.Failed["github"] = []string{"github.org"}
	_, failed = feeds(d, in)
	assert.Equal(t, []string{"github.org"}, failed, "a failed source fails every part it could provide")
}

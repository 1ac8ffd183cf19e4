package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/store"
)

// TestIssuesIndexKeptAcrossRuns: issues.json carries its version, keeps
// the entries of metrics a run did not look at, is rebuilt with a warning
// when it cannot be read, and is left alone when a newer posture wrote it.
func TestIssuesIndexKeptAcrossRuns(t *testing.T) {
	withIssuesNet(t)
	_, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	path := filepath.Join(dir, "security", "reports", store.IssuesFile)

	// A version 1 index without "schema", with a metric no longer reported.
	require.NoError(t, os.WriteFile(path, []byte(`{"gone": {"number": 99, "url": "u", "state": "closed"}}`), 0o644))
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Regexp(t, `^\{\n  "schema": "posture.issues/v1",\n  "failed_deployments": \{`, string(data))
	idx, err := store.LoadIssues(path)
	require.NoError(t, err)
	assert.Len(t, idx.Issues, 3)
	assert.Equal(t, store.Issue{Number: 99, URL: "u", State: "closed"}, idx.Issues["gone"])

	// Corrupt: rebuilt from this run's issues, with a warning naming the file.
	require.NoError(t, os.WriteFile(path, []byte("{\n  \"gone\": {\"number\": 99,"), 0o644))
	code, _, errs = runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, errs, "posture: warning: "+path+":2:")
	assert.Contains(t, errs, "invalid JSON: unexpected end of JSON input; rebuilt from this run's issues")
	idx, err = store.LoadIssues(path)
	require.NoError(t, err)
	assert.Len(t, idx.Issues, 2)

	// Written by a newer posture: not overwritten, exit 2.
	newer := `{"schema": "posture.issues/v2", "issues": {}}`
	require.NoError(t, os.WriteFile(path, []byte(newer), 0o644))
	code, _, errs = runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, path+`: written by a newer posture: schema "posture.issues/v2"`)
	data, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, newer, string(data))
}

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/store"
)

// TestReviewReadsAReportsFolderOfBeforeTheStore: store/testdata/v1 is a
// reports folder written by posture before the kept files had a version in
// each (issues.json had none). The quarterly review reads it, links the
// issues of its issues.json, and gives the same review once the index is
// rewritten in the current format.
func TestReviewReadsAReportsFolderOfBeforeTheStore(t *testing.T) {
	root := repoRoot(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(root, "examples", "localizevideos"), dir)
	reports := filepath.Join(dir, "security", "reports")
	copyTree(t, filepath.Join(root, "store", "testdata", "v1"), reports)

	review := func() string {
		t.Helper()
		code, _, errs := runIssuesCLI(t, dir, nil, "review", "--quarter", "2026-Q4")
		require.Equal(t, ExitOK, code, errs)
		b, err := os.ReadFile(filepath.Join(reports, "quarterly", "2026-Q4.json"))
		require.NoError(t, err)
		return string(b)
	}
	v1 := review()
	assert.Contains(t, v1, `"issue": {
        "number": 8,
        "url": "https://github.example/localizevideos/posture/issues/8",
        "state": "open"
      }`)

	idx, err := store.LoadIssues(store.IssuesPath(reports))
	require.NoError(t, err)
	require.NoError(t, store.SaveIssues(store.IssuesPath(reports), idx))
	b, err := os.ReadFile(store.IssuesPath(reports))
	require.NoError(t, err)
	require.Contains(t, string(b), `"schema": "posture.issues/v1"`)
	assert.Equal(t, v1, review())
}

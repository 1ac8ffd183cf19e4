package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
)

// gitRepo turns dir into a git repository with everything committed, git's
// global and system config out of the way.
func gitRepo(t *testing.T, dir string) func(args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	empty := filepath.Join(t.TempDir(), "gitconfig")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	t.Setenv("GIT_CONFIG_GLOBAL", empty)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	g := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), "git %v: %s", args, errb.String())
		return out.String()
	}
	g("init", "-q", "-b", "main")
	g("config", "user.name", "Repo Owner")
	g("config", "user.email", "owner@example.com")
	g("config", "commit.gpgsign", "false")
	g("add", "-A")
	g("commit", "-q", "-m", "initial")
	return g
}

func runEnv(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { _ = os.Chdir(wd) }()
	code := Run(context.Background(), append([]string{"posture"}, args...), strings.NewReader(""), &out, &errb, func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "POSTURE_AS_OF" {
			return "2026-11-27"
		}
		return ""
	})
	return code, out.String(), errb.String()
}

func TestRunCommitsOnlyReportFiles(t *testing.T) {
	dir := fixture(t, map[string]string{"notes.txt": "v1\n", "other.txt": "v1\n", "posture.hcl": baseConfig + "commit_snapshots = true\n"})
	git := gitRepo(t, dir)
	// Unrelated work in progress: a modified file and a staged one.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("v2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "other.txt"), []byte("staged\n"), 0o644))
	git("add", "other.txt")

	code, out, errs := runEnv(t, dir, map[string]string{"POSTURE_GIT_AUTHOR": "Env Bot <env@example.com>"},
		"run", "--commit", "--no-issues", "--author", "Posture Bot <posture@example.com>")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, `"posture: security report 2026-11-27"`)

	assert.Equal(t, "posture: security report 2026-11-27\n", git("log", "-1", "--format=%s"))
	assert.Equal(t, "Posture Bot <posture@example.com>\n", git("log", "-1", "--format=%an <%ae>"), "--author wins over the env")
	assert.Equal(t, "Repo Owner\n", git("log", "-1", "--format=%cn"), "the committer is git's own")
	files := strings.Fields(git("show", "--name-only", "--format=", "HEAD"))
	sort.Strings(files)
	assert.Equal(t, []string{
		"security/reports/2026-11-27.json", "security/reports/2026-11-27.md", "security/reports/index.html",
		"security/reports/metrics.prom", "security/reports/vulnerabilities.json",
		"security/snapshots/2026-11-27/accounts.iam.json", "security/snapshots/2026-11-27/manifest.json",
		"security/snapshots/2026-11-27/tokens.api.json",
	}, files)
	status := git("status", "--porcelain")
	assert.Contains(t, status, " M notes.txt", "an unrelated modified file stays uncommitted")
	assert.Contains(t, status, "M  other.txt", "an unrelated staged file stays staged, uncommitted")
	assert.NotContains(t, status, "security/")

	// Next day, author from the environment, commit_snapshots at its
	// default (false): the snapshot is written but not committed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "posture.hcl"), []byte(baseConfig), 0o644))
	code, _, errs = runEnv(t, dir, map[string]string{"POSTURE_GIT_AUTHOR": "Env Bot <env@example.com>", "POSTURE_AS_OF": "2026-11-28"},
		"run", "--commit", "--no-issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Equal(t, "Env Bot <env@example.com>\n", git("log", "-1", "--format=%an <%ae>"))
	files = strings.Fields(git("show", "--name-only", "--format=", "HEAD"))
	assert.Contains(t, files, "security/reports/2026-11-28.json")
	for _, f := range files {
		assert.True(t, strings.HasPrefix(f, "security/reports/"), f)
	}
	assert.FileExists(t, filepath.Join(dir, "security/snapshots/2026-11-28/manifest.json"))
	assert.Contains(t, git("status", "--porcelain"), "?? security/snapshots/2026-11-28/")
	// The committed report pins the uncommitted snapshot.
	code, out, errs = run(t, dir, "verify", "--report", "security/reports/2026-11-28.json")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "ok — snapshot security/snapshots/2026-11-28")

	// commit_snapshots = true, but ignored paths are left out.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "posture.hcl"), []byte(baseConfig+"commit_snapshots = true\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("security/snapshots/\n"), 0o644))
	code, _, errs = runEnv(t, dir, map[string]string{"POSTURE_AS_OF": "2026-11-29"}, "run", "--commit", "--no-issues")
	require.Equal(t, ExitOK, code, errs)
	files = strings.Fields(git("show", "--name-only", "--format=", "HEAD"))
	assert.Contains(t, files, "security/reports/2026-11-29.json")
	for _, f := range files {
		assert.True(t, strings.HasPrefix(f, "security/reports/"), f)
	}
	assert.Contains(t, git("status", "--porcelain"), "?? .gitignore")
}

func TestVerifyReportAgainstSnapshot(t *testing.T) {
	dir := fixture(t, nil)
	code, _, errs := run(t, dir, "-q", "report")
	require.Equal(t, ExitOK, code, errs)
	rep := "security/reports/2026-11-27.json"
	snap := filepath.Join(dir, "security/snapshots/2026-11-27")

	code, out, errs := run(t, dir, "verify", "--report", rep)
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "2 parts match")
	code, _, errs = run(t, "", "-c", filepath.Join(dir, "posture.hcl"), "verify", "--report", filepath.Join(dir, rep))
	require.Equal(t, ExitOK, code, "snapshot.dir is relative to the config's folder: %s", errs)

	// A changed part: exit 1, the part named.
	part := filepath.Join(snap, "tokens.api.json")
	b, err := os.ReadFile(part)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(part, append(b, ' '), 0o644))
	code, _, errs = run(t, dir, "verify", "--report", rep)
	assert.Equal(t, ExitFail, code)
	assert.Contains(t, errs, "part tokens.api.json")
	require.NoError(t, os.WriteFile(part, b, 0o644))

	// Another snapshot (a different manifest): exit 1, the manifest named.
	other := filepath.Join(t.TempDir(), "snap")
	code, _, errs = run(t, dir, "--as-of", "2026-11-26", "snapshot", "--out", other)
	require.Equal(t, ExitOK, code, errs)
	code, _, errs = run(t, dir, "verify", "--report", rep, "--snapshot", other)
	assert.Equal(t, ExitFail, code)
	assert.Contains(t, errs, "manifest.json")

	// Missing: exit 2.
	require.NoError(t, os.Remove(part))
	code, _, errs = run(t, dir, "verify", "--report", rep)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "tokens.api.json")
	code, _, _ = run(t, dir, "verify", "--report", "security/reports/nope.json")
	assert.Equal(t, ExitError, code)
}

func TestGitCommitNothingToCommit(t *testing.T) {
	dir := fixture(t, nil)
	git := gitRepo(t, dir)
	code, _, errs := run(t, dir, "-q", "report")
	require.Equal(t, ExitOK, code, errs)
	paths := []string{filepath.Join(dir, reportsDir), filepath.Join(dir, "security/snapshots/2026-11-27")}
	sha, err := app.GitCommit(paths, "posture: security report 2026-11-27", "")
	require.NoError(t, err)
	assert.NotEmpty(t, sha)
	assert.Equal(t, "Repo Owner <owner@example.com>\n", git("log", "-1", "--format=%an <%ae>"), "git's config by default")
	sha, err = app.GitCommit(paths, "again", "")
	require.NoError(t, err)
	assert.Empty(t, sha, "nothing to commit is not an error")
	assert.Equal(t, "posture: security report 2026-11-27\n", git("log", "-1", "--format=%s"))

	// A path outside the work tree is refused.
	_, err = app.GitCommit([]string{t.TempDir()}, "x", "")
	assert.Error(t, err)
}

func TestRunRefusesBadAuthorBeforeWriting(t *testing.T) {
	dir := fixture(t, nil)
	code, _, errs := run(t, dir, "run", "--commit", "--author", "no email")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, `want "Name <email>"`)
	assert.NoDirExists(t, filepath.Join(dir, "security"))
}

func TestRunWithoutCommitAndIssuesHook(t *testing.T) {
	dir := fixture(t, nil)
	called := 0
	saved := runIssues
	defer func() { runIssues = saved }()
	runIssues = func(e *env, g *globals, p *app.Published) error {
		called++
		assert.FileExists(t, p.Files.JSON, "issues run after the report is written")
		return nil
	}
	code, _, errs := run(t, dir, "-q", "run")
	require.Equal(t, ExitOK, code, errs)
	assert.Equal(t, 1, called)
	code, _, errs = run(t, dir, "-q", "run", "--no-issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Equal(t, 1, called, "--no-issues skips the hook")
	assert.FileExists(t, filepath.Join(dir, reportsDir, "2026-11-27.json"))
}

// TestRunOpensIssuesThroughTheRealHook: `posture run` reports, then syncs
// the issues of the off-target metrics in the configured repository.
func TestRunOpensIssuesThroughTheRealHook(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	env["POSTURE_AS_OF"] = "2026-11-27"
	dir := fixture(t, map[string]string{"accounts.csv": staleAccounts})

	code, _, errs := runIssuesCLI(t, dir, env, "-q", "run")
	require.Equal(t, ExitFail, code, errs) // the gated orphaned_accounts fails
	issues := gh.Issues()
	require.Len(t, issues, 1, "one issue per off-target metric")
	assert.Contains(t, issues[0].Body, "<!-- posture:metric=orphaned_accounts -->")
	assert.FileExists(t, filepath.Join(dir, reportsDir, "issues.json"))

	code, _, errs = runIssuesCLI(t, dir, env, "-q", "run")
	require.Equal(t, ExitFail, code, errs)
	assert.Len(t, gh.Issues(), 1, "a second run updates, never duplicates")
}

func TestRunIssuesNeedAToken(t *testing.T) {
	dir := fixture(t, nil)
	env := map[string]string{"POSTURE_AS_OF": "2026-11-27", "GITHUB_REPOSITORY": "acme/web"}
	code, _, errs := runIssuesCLI(t, dir, env, "run")
	assert.Equal(t, ExitError, code, "a configured repository without a token fails loudly")
	assert.Contains(t, errs, "GITHUB_TOKEN")

	code, _, errs = runIssuesCLI(t, dir, map[string]string{"POSTURE_AS_OF": "2026-11-27"}, "run")
	assert.Equal(t, ExitOK, code, errs)
	assert.Contains(t, errs, "issues: skipped")
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/output/issue"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
	"github.com/localizevideos/posture/tracker"
)

const issuesToken = "ghp_CLITOKEN_must_never_show_0123456789"

const issuesConfig = `project = "Test"
window_days = 30
reports_dir = "security/reports"
owner "security" { github = ["sec-lead"] }
owner "platform" { github = ["plat-oncall", "sre-lead"] }
category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "platform" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "platform" }
category "compliance_signals"       { owner = "security" }
`

func fp(v float64) *float64 { return &v }

func issuesReport(asOf string, sev1 float64) *report.Report {
	status := report.StatusFail
	if sev1 == 0 {
		status = report.StatusPass
	}
	r := &report.Report{Schema: report.Schema, Project: "Test", AsOf: asOf, WindowDays: 30, Metrics: []report.Metric{
		{ID: "sev1_incidents", Title: "Sev 1 incidents", Category: "detection_response", Owner: "security", Unit: "count",
			Value: fp(sev1), Status: status, Target: report.Target{Max: fp(0)}, Trend: report.Trend{Direction: report.TrendInsufficient},
			Evidence: report.Evidence{Items: int(sev1), Records: []string{}, Waived: []report.Waived{}}},
		{ID: "failed_deployments", Title: "Failed deployments", Category: "operational_hygiene", Owner: "platform", Unit: "count",
			Value: fp(6), Status: report.StatusTracked, Target: report.Target{Trend: "down"},
			Trend:    report.Trend{Direction: report.TrendWorsening, Previous: fp(3), ChangePct: fp(100)},
			Evidence: report.Evidence{Items: 6, Records: []string{}, Waived: []report.Waived{}}},
		{ID: "mttd_hours", Title: "Mean time to detect", Category: "detection_response", Owner: "security", Unit: "hours",
			Value: fp(2), Status: report.StatusPass, Target: report.Target{Max: fp(4)}, Trend: report.Trend{Direction: report.TrendStable}},
	}}
	r.Summarise()
	return r
}

// issuesWorkspace writes the config and a dated report; it returns the
// folder and the report path.
func issuesWorkspace(t *testing.T, r *report.Report) (string, string) {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"posture.hcl": issuesConfig})
	return dir, writeReportFile(t, dir, r)
}

func writeReportFile(t *testing.T, dir string, r *report.Report) string {
	t.Helper()
	data, err := json.MarshalIndent(r, "", "  ")
	require.NoError(t, err)
	p := filepath.Join(dir, "security", "reports", r.AsOf[:10]+".json")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

type recordedSleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *recordedSleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

// withIssuesNet makes the issues step wait for nothing and restores it.
func withIssuesNet(t *testing.T) *recordedSleeps {
	t.Helper()
	old := issuesNet
	s := &recordedSleeps{}
	issuesNet.Sleep = s.sleep
	t.Cleanup(func() { issuesNet = old })
	return s
}

// runIssuesCLI runs posture in dir with the given environment (nothing else
// of the real environment leaks in).
func runIssuesCLI(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { _ = os.Chdir(wd) }()
	code := Run(context.Background(), append([]string{"posture"}, args...), strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func fakeGitHub(t *testing.T) (*ghfake.Repo, map[string]string) {
	t.Helper()
	gh := ghfake.New().Repo("acme/web")
	t.Cleanup(gh.Close)
	gh.Token = issuesToken
	gh.HTMLURL = "https://github.example"
	return gh, map[string]string{"GITHUB_TOKEN": issuesToken, "GITHUB_API_URL": gh.APIURL(), "GITHUB_REPOSITORY": "acme/web"}
}

func TestIssuesCommandCreatesThenIsIdempotent(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))

	code, out, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, `created          #`)
	assert.Contains(t, out, "issues in acme/web: 2 created, 0 updated, 0 commented, 0 closed, 0 reopened, 3 labels created")
	issues := gh.Issues()
	require.Len(t, issues, 2)
	for _, i := range issues {
		assert.Contains(t, i.Body, "| Report | `security/reports/2026-11-27.json` |", "outside Actions: the relative path")
	}

	idx, err := store.LoadIssues(filepath.Join(dir, "security", "reports", "issues.json"))
	require.NoError(t, err)
	require.Len(t, idx.Issues, 2)
	assert.Equal(t, "open", idx.Issues["sev1_incidents"].State)
	assert.NotZero(t, idx.Issues["sev1_incidents"].Number)
	assert.Contains(t, idx.Issues["failed_deployments"].URL, "https://github.example/acme/web/issues/")

	gh.ResetRequests()
	code, out, errs = runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Empty(t, gh.Writes(), "a second run with the same report writes nothing")
	assert.Contains(t, out, "0 created, 0 updated, 0 commented")
	for _, r := range gh.Requests() {
		assert.Equal(t, "Bearer "+issuesToken, r.Auth)
	}
}

func TestIssuesCommandPicksTheLatestReportAndFollowsIt(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)

	// A later report: sev1 back on target. The latest report is used by default.
	writeReportFile(t, dir, issuesReport("2026-11-28T00:00:00Z", 0))
	code, out, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "1 closed")
	var sev ghfake.Issue
	for _, i := range gh.Issues() {
		if strings.Contains(i.Body, issue.Marker("sev1_incidents")) {
			sev = i
		}
	}
	assert.Equal(t, "closed", sev.State)
	require.Len(t, sev.Comments, 1)

	// --as-of picks that date's report: sev1 fails there, so it is reopened.
	env["POSTURE_AS_OF"] = "2026-11-27"
	code, out, errs = runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "1 reopened")
	assert.Len(t, gh.Issues(), 2)

	// --report names the file.
	delete(env, "POSTURE_AS_OF")
	code, out, errs = runIssuesCLI(t, dir, env, "issues", "--report", filepath.Join(dir, "security", "reports", "2026-11-28.json"), "--dry-run")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "planned in acme/web: 0 created, 1 updated, 1 commented, 1 closed")
}

func TestIssuesDryRunSendsNoWriteRequest(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	code, out, errs := runIssuesCLI(t, dir, env, "issues", "--dry-run")
	require.Equal(t, ExitOK, code, errs)
	assert.Empty(t, gh.Writes(), "no POST/PATCH/PUT/DELETE in a dry run")
	assert.NotEmpty(t, gh.Requests(), "it reads what exists")
	assert.Contains(t, out, "dry run for acme/web: nothing is written")
	assert.Contains(t, out, `create           sev1_incidents "Sev 1 incidents off target (detection_response)" assignees @sec-lead`)
	assert.Contains(t, out, `create           failed_deployments "Failed deployments off target (operational_hygiene)" assignees @plat-oncall, @sre-lead`)
	assert.NoFileExists(t, filepath.Join(dir, "security", "reports", "issues.json"), "a dry run writes no file either")
	assert.Empty(t, gh.Issues())

	// JSON summary.
	code, out, errs = runIssuesCLI(t, dir, env, "issues", "--dry-run", "--format", "json")
	require.Equal(t, ExitOK, code, errs)
	var s tracker.Summary
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	assert.True(t, s.DryRun)
	assert.Equal(t, 2, s.Created)
	assert.Empty(t, gh.Writes())
}

func TestIssuesDryRunWithoutTokenReadsNothing(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	delete(env, "GITHUB_TOKEN")
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	code, out, errs := runIssuesCLI(t, dir, env, "issues", "--dry-run")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "no GITHUB_TOKEN or GH_TOKEN, so nothing was read either; planned as if the repository had no posture issue")
	assert.Contains(t, out, "planned in acme/web: 2 created")
	assert.Empty(t, gh.Requests(), "no request at all")
}

func TestIssuesWithoutTokenIsAnError(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	delete(env, "GITHUB_TOKEN")
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "GITHUB_TOKEN (or GH_TOKEN) is not set")
	assert.Empty(t, gh.Requests())

	// GH_TOKEN works too.
	env["GH_TOKEN"] = issuesToken
	code, _, errs = runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitOK, code, errs)
}

func TestIssuesUsageErrors(t *testing.T) {
	withIssuesNet(t)
	_, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))

	delete(env, "GITHUB_REPOSITORY")
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "give --repo owner/repo or set GITHUB_REPOSITORY")

	code, _, errs = runIssuesCLI(t, dir, env, "issues", "--repo", "not-a-repo")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, `repository "not-a-repo": want owner/repo`)

	code, _, errs = runIssuesCLI(t, dir, env, "issues", "--repo", "acme/web", "--report", "missing.json")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "missing.json")

	empty := t.TempDir()
	writeFiles(t, empty, map[string]string{"posture.hcl": issuesConfig})
	code, _, errs = runIssuesCLI(t, empty, env, "issues", "--repo", "acme/web")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "no report in security/reports")

	writeFiles(t, empty, map[string]string{"bad.json": `{"schema":"other"}`})
	code, _, errs = runIssuesCLI(t, empty, env, "issues", "--repo", "acme/web", "--report", "bad.json")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, `schema "other"`)

	env["GITHUB_API_URL"] = "ftp://example"
	code, _, errs = runIssuesCLI(t, dir, env, "issues", "--repo", "acme/web")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "GITHUB_API_URL")
}

func TestIssuesAPIFailureExits2AndResumesWithoutDuplicates(t *testing.T) {
	sleeps := withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	gh.FailWritesAfter(4, http.StatusServiceUnavailable) // labels and the first create pass
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "503")
	assert.Len(t, gh.Issues(), 1)
	assert.NotEmpty(t, sleeps.d, "the retries waited (injected sleeper)")

	gh.ClearFaults()
	code, out, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "1 created")
	assert.Len(t, gh.Issues(), 2)
	idx, err := store.LoadIssues(filepath.Join(dir, "security", "reports", "issues.json"))
	require.NoError(t, err)
	assert.Len(t, idx.Issues, 2)
}

func TestIssuesRetriesA502AndHonoursRetryAfter(t *testing.T) {
	sleeps := withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	gh.AddFault(&ghfake.Fault{Status: http.StatusBadGateway, Times: 1, Match: func(r ghfake.Request) bool { return !r.Write() }})
	gh.AddFault(&ghfake.Fault{Status: http.StatusTooManyRequests, Times: 1, Header: http.Header{"Retry-After": {"42"}},
		Match: func(r ghfake.Request) bool { return r.Write() }})
	code, _, errs := runIssuesCLI(t, dir, env, "issues")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, errs, "status 502")
	assert.Contains(t, errs, "rate limited (429)")
	assert.Contains(t, sleeps.d, 42*time.Second)
	assert.Len(t, gh.Issues(), 2)
}

func TestIssuesNeverPrintTheToken(t *testing.T) {
	withIssuesNet(t)
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	summary := filepath.Join(dir, "summary.md")
	env["GITHUB_ACTIONS"] = "true"
	env["GITHUB_STEP_SUMMARY"] = summary

	// A careless server that quotes the credentials it refused.
	gh.Token = "something-else"
	gh.EchoAuth = true
	code, out, errs := runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "Bad credentials")
	assert.Contains(t, errs, "check GITHUB_TOKEN")

	// Server errors, retries exhausted.
	gh.Token = issuesToken
	gh.AddFault(&ghfake.Fault{Status: http.StatusInternalServerError})
	code2, out2, errs2 := runIssuesCLI(t, dir, env, "issues")
	assert.Equal(t, ExitError, code2)

	// A successful run, verbose.
	gh.ClearFaults()
	code3, out3, errs3 := runIssuesCLI(t, dir, env, "issues", "--format", "json")
	assert.Equal(t, ExitOK, code3, errs3)

	sum, _ := os.ReadFile(summary)
	idx, _ := os.ReadFile(filepath.Join(dir, "security", "reports", "issues.json"))
	for _, s := range []string{out, errs, out2, errs2, out3, errs3, string(sum), string(idx)} {
		assert.NotContains(t, s, issuesToken)
		assert.NotContains(t, s, issuesToken[4:20])
	}
	for _, i := range gh.Issues() {
		assert.NotContains(t, i.Body, issuesToken)
	}
	assert.Contains(t, string(sum), "posture issues in acme/web")
}

func TestIssuesReportLinkInsideActions(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "security", "reports", "2026-11-27.json")
	writeFiles(t, dir, map[string]string{"security/reports/2026-11-27.json": "{}", "security/reports/2026-11-27.md": "# r"})
	vars := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web",
		"GITHUB_WORKSPACE": dir, "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"}
	e := &env{getenv: func(k string) string { return vars[k] }}
	l := reportLink(e, p)
	assert.Equal(t, issue.Link{Text: "security/reports/2026-11-27.md", URL: "https://github.com/acme/web/blob/main/security/reports/2026-11-27.md"}, l)

	vars["GITHUB_REF"], vars["GITHUB_REF_NAME"] = "refs/pull/12/merge", "12/merge"
	l = reportLink(e, p)
	assert.Equal(t, "https://github.com/acme/web/blob/HEAD/security/reports/2026-11-27.md", l.URL, "not on a branch: the default branch")
}

// syncIssues is what `posture run` calls after writing the report.
func TestSyncIssuesHookForRun(t *testing.T) {
	withIssuesNet(t)
	gh, vars := fakeGitHub(t)
	dir, path := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	cfg, err := config.Load(filepath.Join(dir, "posture.hcl"))
	require.NoError(t, err)
	r, err := app.ReadReport(path)
	require.NoError(t, err)
	a := &app.App{Config: cfg}

	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	require.NoError(t, syncIssues(context.Background(), e, &globals{}, a, r, path, false))
	assert.Contains(t, out.String(), "2 created")
	assert.Len(t, gh.Issues(), 2)
	assert.FileExists(t, filepath.Join(dir, "security", "reports", "issues.json"))

	// With machine output on stdout (run --format json), the lines go to stderr.
	out.Reset()
	errb.Reset()
	require.NoError(t, syncIssues(context.Background(), e, &globals{format: "json"}, a, r, path, false))
	assert.Empty(t, out.String())
	assert.Contains(t, errb.String(), "0 created")

	// No token: an ExitError wrapping errNoToken.
	delete(vars, "GITHUB_TOKEN")
	err = syncIssues(context.Background(), e, &globals{}, a, r, path, false)
	var ee *exitError
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, ExitError, ee.Code)
	assert.ErrorIs(t, ee.Err, errNoToken)
}

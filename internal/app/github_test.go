package app

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/report"
)

// metricOf returns the metric id of the report.
func metricOf(t *testing.T, r *report.Report, id string) report.Metric {
	t.Helper()
	for _, m := range r.Metrics {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no metric %s in the report", id)
	return report.Metric{}
}

// evalConfig writes a config with the stub config's header and the given
// source blocks (and files) into a new folder and evaluates it at asOf.
func evalConfig(t *testing.T, asOf time.Time, sources string, files map[string]string) *report.Report {
	t.Helper()
	dir := t.TempDir()
	body := strings.Join(strings.SplitAfter(cfg, "\n")[:8], "") + "reports_dir = \"reports\"\n" + sources
	path := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	ev, err := Eval(context.Background(), Request{Config: path, AsOf: asOf})
	require.NoError(t, err)
	require.NoError(t, SourceErrors(ev.Snapshot))
	return ev.Report
}

// A GitHub organisation read by the github source (owners with their 2FA,
// fine-grained PATs) measures what the same facts measure when given as
// accounts and tokens files: token_expiry_compliance from GitHub's own
// expiries, and compliance_drift's identity finding for the owner without
// 2FA.
func TestGitHubOrgMeasuresLikeItsFiles(t *testing.T) {
	asOf := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return asOf.AddDate(0, 0, -d) }
	const token = "ghs_E2EtestTOKEN00000000000000000000000"
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.Token, f.MaxPerPage = token, 2
	f.Owners["acme"] = "Organization"
	f.Admins, f.No2FA = []string{"alice", "bob"}, []string{"bob"}
	pats := []ghfake.PAT{
		{ID: 1, Owner: "alice", Granted: day(100), Expires: day(-20)}, // live, 120 days: not compliant
		{ID: 2, Owner: "bob", Granted: day(400)},                      // live, never expires: not compliant
		{ID: 3, Owner: "carol", Granted: day(200), Expires: day(10)},  // expired: not live
		{ID: 4, Owner: "alice", Granted: day(30), Expires: day(-30)},  // live, 60 days: compliant
		{ID: 5, Owner: "dave", Granted: day(5), Expires: day(-25)},    // live, 30 days: compliant
	}
	csv := "id,account,created_at,expires_at,revoked\n"
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, p := range pats {
		f.PATs = append(f.PATs, p.JSON(asOf))
		csv += "github-pat:" + strconv.FormatInt(p.ID, 10) + "," + p.Owner + "," + stamp(p.Granted) + "," + stamp(p.Expires) + ",false\n"
	}
	t.Setenv("GITHUB_TOKEN", token)

	fromGitHub := evalConfig(t, asOf, `source "github" "org" {
  owner                  = "acme"
  api_url                = "`+f.APIURL()+`"
  collect                = ["members"]
  personal_access_tokens = true
  two_factor             = true
}
`, nil)
	assert.Equal(t, 3, f.Count("GET /orgs/acme/personal-access-tokens"), "five tokens, two a page")

	fromFiles := evalConfig(t, asOf, `source "tokens" "t" { paths = ["tokens.csv"] }
source "accounts" "a" { paths = ["accounts.csv"] }
`, map[string]string{
		"tokens.csv": csv,
		"accounts.csv": "system,login,role,privileged,status,mfa,created_at,last_active_at\n" +
			"github,alice,admin,true,active,true,,\n" +
			"github,bob,admin,true,active,false,,\n",
	})

	gh, files := metricOf(t, fromGitHub, "token_expiry_compliance"), metricOf(t, fromFiles, "token_expiry_compliance")
	require.NotNil(t, gh.Value, gh.Evidence.Note)
	require.NotNil(t, files.Value, files.Evidence.Note)
	assert.Equal(t, 50.0, *files.Value, "2 of 4 live tokens within 90 days")
	assert.Equal(t, *files.Value, *gh.Value)
	assert.Equal(t, files.Evidence.Items, gh.Evidence.Items)
	assert.Equal(t, 4, gh.Evidence.Items)

	gh, files = metricOf(t, fromGitHub, "compliance_drift"), metricOf(t, fromFiles, "compliance_drift")
	require.NotNil(t, gh.Value, gh.Evidence.Note)
	require.NotNil(t, files.Value)
	assert.Equal(t, 1.0, *gh.Value, "bob, an owner without 2FA")
	assert.Equal(t, *files.Value, *gh.Value)
	assert.Equal(t, files.Evidence.Records, gh.Evidence.Records)
	assert.Equal(t, []string{"compliance.identity:github/bob"}, gh.Evidence.Records)

	gh, files = metricOf(t, fromGitHub, "privileged_accounts"), metricOf(t, fromFiles, "privileged_accounts")
	require.NotNil(t, gh.Value)
	assert.Equal(t, *files.Value, *gh.Value)
}

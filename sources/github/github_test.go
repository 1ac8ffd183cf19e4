package github

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

func day(d int) time.Time { return now0.AddDate(0, 0, -d) }

// progress records env.Report calls.
type progress struct {
	mu    sync.Mutex
	calls [][2]int
}

func (p *progress) report(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, [2]int{done, total})
}

func envWith(vars map[string]string, p *progress) sources.Env {
	e := sources.Env{
		Name: "org", AsOf: now0, Zone: time.UTC,
		Getenv: func(k string) string { return vars[k] },
	}
	if p != nil {
		e.Progress = p.report
	}
	return e
}

func tokenEnv() map[string]string { return map[string]string{"GITHUB_TOKEN": testToken} }

// build makes a Source for cfg against the fake (api_url set unless given),
// with a recorded clock and sleeper.
func build(t *testing.T, f *fake, cfg Config) (*Source, *recorder) {
	t.Helper()
	if cfg.Owner == "" {
		cfg.Owner = "acme"
	}
	if cfg.APIURL == "" && f != nil {
		cfg.APIURL = f.APIURL()
	}
	if cfg.GraphQL == nil { // the tests of the REST lists; graphql_test.go sets it
		cfg.GraphQL = new(bool)
	}
	s, err := New(&cfg)
	require.NoError(t, err)
	rec := &recorder{now: now0}
	s.sleep, s.now, s.rand = rec.Sleep, rec.Now, func() float64 { return 0.5 }
	return s, rec
}

// world fills the fake with an organisation of two repositories holding
// more than one page of everything.
func world(f *fake) {
	f.Admins = []string{"carol", "alice", "bob"} // two pages of admins
	f.No2FA = []string{"bob"}

	web := f.Repo("acme/web")
	web.Dependabot = []map[string]any{
		ghfake.DependabotAlert{Number: 1, State: "open", GHSA: "GHSA-aaaa-bbbb-cccc", CVE: "CVE-2026-1111", Package: "lodash", Severity: "high", Created: day(40)}.JSON("acme/web"),
		ghfake.DependabotAlert{Number: 2, State: "fixed", GHSA: "GHSA-dddd-eeee-ffff", Package: "minimist", Severity: "critical", Created: day(30), Fixed: day(10)}.JSON("acme/web"),
		ghfake.DependabotAlert{Number: 3, State: "dismissed", GHSA: "GHSA-gggg-hhhh-iiii", Package: "axios", Severity: "medium", Created: day(20), DismissedReason: "tolerable_risk"}.JSON("acme/web"),
		ghfake.DependabotAlert{Number: 4, State: "auto_dismissed", GHSA: "GHSA-jjjj-kkkk-llll", Package: "jest", Severity: "low", Created: day(15)}.JSON("acme/web"),
		ghfake.DependabotAlert{Number: 5, State: "open", GHSA: "GHSA-mmmm-nnnn-oooo", Package: "express", Severity: "moderate", Created: day(5)}.JSON("acme/web"),
	}
	web.CodeScanning = []map[string]any{
		ghfake.CodeScanningAlert{Number: 1, State: "open", Rule: "js/zipslip", SecuritySeverity: "high", RuleSeverity: "error", Created: day(12)}.JSON("acme/web"),
		ghfake.CodeScanningAlert{Number: 2, State: "dismissed", Rule: "js/xss", SecuritySeverity: "medium", RuleSeverity: "warning", Created: day(11), DismissedReason: "false positive"}.JSON("acme/web"),
		ghfake.CodeScanningAlert{Number: 3, State: "fixed", Rule: "js/unused-local", RuleSeverity: "note", Created: day(9), Fixed: day(2)}.JSON("acme/web"),
	}
	web.SecretScanning = []map[string]any{
		ghfake.SecretScanningAlert{Number: 1, State: "open", SecretType: "stripe_api_key", Created: day(3), Secret: "sk_live_SECRETVALUE0001"}.JSON("acme/web"),
		ghfake.SecretScanningAlert{Number: 2, State: "resolved", Resolution: "revoked", SecretType: "aws_access_key_id", Created: day(8), Resolved: day(7), Secret: "AKIASECRETVALUE0002"}.JSON("acme/web"),
		ghfake.SecretScanningAlert{Number: 3, State: "resolved", Resolution: "false_positive", SecretType: "slack_api_token", Created: day(6), Resolved: day(6), Secret: "xoxb-SECRETVALUE0003"}.JSON("acme/web"),
	}
	web.Deployments = []map[string]any{
		ghfake.Deployment("acme/web", 103, "production", "sha3", "deploy", "Deploy v3", day(1)),
		ghfake.Deployment("acme/web", 102, "production", "sha2", "deploy:rollback", "Rollback to v1", day(2)),
		ghfake.Deployment("acme/web", 101, "staging", "sha1", "deploy", "Deploy v1", day(3)),
	}
	web.Statuses[103] = []map[string]any{ghfake.DeploymentStatus(9, "success", day(1)), ghfake.DeploymentStatus(8, "in_progress", day(1)), ghfake.DeploymentStatus(7, "queued", day(1))}
	web.Statuses[102] = []map[string]any{ghfake.DeploymentStatus(6, "inactive", day(1)), ghfake.DeploymentStatus(5, "success", day(2))}
	web.Statuses[101] = nil
	for _, is := range []ghfake.Issue{
		{Number: 10, Title: "DB credentials leaked", Labels: []string{"incident", "SEV-1"}, State: "closed", StateReason: "completed",
			Body:    "Summary\r\nStarted: 2026-11-01T08:00:00Z\r\nDetected: 2026-11-01T09:30:00+01:00\r\n",
			Created: day(19), Closed: day(17)},
		{Number: 11, Title: "Phishing wave", Labels: []string{"incident", "sev 3"}, State: "open",
			Body:    "### Started at\n\n2026-11-10 06:15:00Z\n\n### Detected at\n\n_No response_\n",
			Created: day(9)},
		{Number: 12, Title: "Not an incident after all", Labels: []string{"incident"}, State: "closed", StateReason: "not_planned", Created: day(8), Closed: day(8)},
		{Number: 13, Title: "Fix incident runbook", Labels: []string{"incident"}, State: "open", PullRequest: true, Created: day(7)},
		{Number: 14, Title: "Feature request", Labels: []string{"enhancement"}, State: "open", Created: day(6)},
	} {
		web.AddIssue(is)
	}

	api := f.Repo("acme/api")
	api.Dependabot = []map[string]any{
		ghfake.DependabotAlert{Number: 7, State: "open", GHSA: "GHSA-pppp-qqqq-rrrr", Package: "golang.org/x/net", Severity: "critical", Created: day(2)}.JSON("acme/api"),
	}
	api.Off["code-scanning"] = ghfake.Off{Status: 404, Message: "no analysis found"}
	api.Off["secret-scanning"] = ghfake.Off{Status: 404, Message: "Secret scanning is disabled on this repository."}
}

func TestCollectEverything(t *testing.T) {
	f := newFake(t)
	world(f)
	// The alerts per repository (TestOrgAlertEndpoints reads them per
	// organisation): a token that is not an organisation owner.
	refused := ghfake.Off{Status: 403, Message: "Resource not accessible by personal access token"}
	f.OrgAlertsOff = map[string]ghfake.Off{"dependabot": refused, "code-scanning": refused, "secret-scanning": refused}
	s, _ := build(t, f, Config{})
	p := &progress{}
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), p))
	require.NoError(t, err)
	assert.Equal(t, []string{"members", "alerts", "deployments", "incidents"}, res.Provides)

	// members: three owners over two pages; bob has no 2FA.
	tr, fa := true, false
	assert.Equal(t, []snapshot.Account{
		{System: "github", Login: "alice", Role: "admin", Privileged: true, Status: "active", MFA: &tr, Source: "org", Origin: "https://github.com/alice"},
		{System: "github", Login: "bob", Role: "admin", Privileged: true, Status: "active", MFA: &fa, Source: "org", Origin: "https://github.com/bob"},
		{System: "github", Login: "carol", Role: "admin", Privileged: true, Status: "active", MFA: &tr, Source: "org", Origin: "https://github.com/carol"},
	}, res.Data.Accounts)

	// alerts: repos sorted (api before web); every page read.
	vs := res.Data.Vulnerabilities
	require.Len(t, vs, 12)
	byKey := map[string]snapshot.Vulnerability{}
	for _, v := range vs {
		byKey[v.Scanner+" "+v.Key] = v
	}
	assert.Equal(t, "acme/api", vs[0].Target)

	v := byKey["dependabot GHSA-aaaa-bbbb-cccc|lodash|acme/web"]
	assert.Equal(t, "open", v.State)
	assert.Equal(t, "high", v.Severity)
	assert.Equal(t, "4.17.21", v.FixedIn)
	assert.Equal(t, "https://github.com/acme/web/security/dependabot/1", v.Origin)
	assert.Equal(t, "org", v.Source)
	require.NotNil(t, v.FirstSeen)
	assert.Equal(t, "2026-10-11T10:00:00Z", *v.FirstSeen)
	assert.Equal(t, day(40).UnixMilli(), *v.FirstSeenMS)
	assert.Nil(t, v.FixedAt)

	v = byKey["dependabot GHSA-dddd-eeee-ffff|minimist|acme/web"]
	assert.Equal(t, "fixed", v.State)
	require.NotNil(t, v.FixedAt)
	assert.Equal(t, day(10).UnixMilli(), *v.FixedAtMS)

	v = byKey["dependabot GHSA-gggg-hhhh-iiii|axios|acme/web"]
	assert.Equal(t, "dismissed", v.State)
	assert.Equal(t, "tolerable_risk", v.DismissedFor)

	v = byKey["dependabot GHSA-jjjj-kkkk-llll|jest|acme/web"]
	assert.Equal(t, "dismissed", v.State)
	assert.Equal(t, "auto_dismissed", v.DismissedFor)

	assert.Equal(t, "medium", byKey["dependabot GHSA-mmmm-nnnn-oooo|express|acme/web"].Severity, "moderate is medium")
	assert.Equal(t, "critical", byKey["dependabot GHSA-pppp-qqqq-rrrr|golang.org/x/net|acme/api"].Severity)

	v = byKey["code_scanning js/zipslip||acme/web"]
	assert.Equal(t, "open", v.State)
	assert.Equal(t, "high", v.Severity)
	assert.Equal(t, "", v.Package)
	assert.Equal(t, "https://github.com/acme/web/security/code-scanning/1", v.Origin)
	v = byKey["code_scanning js/xss||acme/web"]
	assert.Equal(t, "dismissed", v.State)
	assert.Equal(t, "false_positive", v.DismissedFor)
	v = byKey["code_scanning js/unused-local||acme/web"]
	assert.Equal(t, "fixed", v.State)
	assert.Equal(t, "low", v.Severity, "no security severity: rule severity note is low")
	assert.Equal(t, day(2).UnixMilli(), *v.FixedAtMS)

	v = byKey["secret_scanning secret:stripe_api_key|stripe_api_key|acme/web"]
	assert.Equal(t, "open", v.State)
	assert.Equal(t, "critical", v.Severity)
	assert.Equal(t, "stripe_api_key", v.Package)
	v = byKey["secret_scanning secret:aws_access_key_id|aws_access_key_id|acme/web"]
	assert.Equal(t, "fixed", v.State)
	assert.Equal(t, day(7).UnixMilli(), *v.FixedAtMS)
	v = byKey["secret_scanning secret:slack_api_token|slack_api_token|acme/web"]
	assert.Equal(t, "dismissed", v.State)
	assert.Equal(t, "false_positive", v.DismissedFor)
	assert.Nil(t, v.FixedAt)

	// the secrets themselves are never recorded.
	data, err := json.Marshal(res.Data)
	require.NoError(t, err)
	for _, secret := range []string{"sk_live_SECRETVALUE0001", "AKIASECRETVALUE0002", "xoxb-SECRETVALUE0003"} {
		assert.NotContains(t, string(data), secret)
	}

	// deployments: all pages, all statuses.
	require.Len(t, res.Data.Deployments, 3)
	d := res.Data.Deployments[0]
	assert.Equal(t, "103", d.ID)
	assert.Equal(t, "acme/web", d.Repo)
	assert.Equal(t, "production", d.Environment)
	assert.Equal(t, "sha3", d.SHA)
	assert.Equal(t, "main", d.Ref)
	assert.Equal(t, "deploy", d.Task)
	assert.Equal(t, "Deploy v3", d.Description)
	assert.Equal(t, "deploy-bot[bot]", d.Creator)
	assert.Equal(t, day(1).UnixMilli(), *d.CreatedAtMS)
	assert.Equal(t, "success", d.Status)
	assert.Equal(t, []string{"success", "in_progress", "queued"}, d.Statuses)
	assert.Equal(t, "https://api.github.com/repos/acme/web/deployments/103", d.Origin)
	assert.Equal(t, "inactive", res.Data.Deployments[1].Status)
	assert.Equal(t, []string{"inactive", "success"}, res.Data.Deployments[1].Statuses)
	assert.Equal(t, "", res.Data.Deployments[2].Status)
	assert.Equal(t, []string{}, res.Data.Deployments[2].Statuses)

	// incidents: not_planned, the PR and the unlabelled issue are not incidents.
	// newest first, as the list gives them.
	require.Len(t, res.Data.Incidents, 2)
	in := res.Data.Incidents[1]
	assert.Equal(t, "acme/web#10", in.ID)
	assert.Equal(t, "DB credentials leaked", in.Title)
	assert.Equal(t, "sev1", in.Severity)
	assert.Equal(t, "SEV-1", in.SeverityRaw)
	assert.Equal(t, "2026-11-01T08:00:00Z", *in.StartedAt)
	assert.Equal(t, "2026-11-01T08:30:00Z", *in.DetectedAt)
	assert.Equal(t, day(17).UnixMilli(), *in.ResolvedAtMS)
	assert.Equal(t, "https://github.com/acme/web/issues/10", in.Origin)
	in = res.Data.Incidents[0]
	assert.Equal(t, "acme/web#11", in.ID)
	assert.Equal(t, "sev3", in.Severity)
	assert.Equal(t, "2026-11-10T06:15:00Z", *in.StartedAt)
	assert.Equal(t, day(9).UnixMilli(), *in.DetectedAtMS, "no Detected value: created_at")
	assert.Nil(t, in.ResolvedAt)

	// features that are off are skipped with a note, not an error.
	notes := strings.Join(s.Notes(), "\n")
	assert.Contains(t, notes, "acme/api: code scanning alerts skipped: 404 no analysis found")
	assert.Contains(t, notes, "acme/api: secret scanning alerts skipped: 404 Secret scanning is disabled on this repository.")

	// progress per repository.
	assert.Equal(t, [][2]int{{0, 2}, {1, 2}, {2, 2}}, p.calls)

	// every list asked for 100 a page and went past page one.
	for _, r := range f.Log("") {
		if strings.Contains(r, "?") && !strings.Contains(r, "/access_tokens") {
			assert.Contains(t, r, "per_page=100", r)
		}
	}
	assert.Len(t, f.Log("GET /orgs/acme/members"), 3, "two pages of owners, one of the 2fa filter")
	assert.Len(t, f.Log("GET /orgs/acme/repos"), 1)
	assert.Len(t, f.Log("GET /repos/acme/web/dependabot/alerts"), 3)
	assert.Len(t, f.Log("GET /repos/acme/web/code-scanning/alerts"), 2)
	assert.Len(t, f.Log("GET /repos/acme/web/secret-scanning/alerts"), 2)
	assert.Len(t, f.Log("GET /repos/acme/web/deployments?"), 2)
	assert.Len(t, f.Log("GET /repos/acme/web/deployments/103/statuses"), 2)
	assert.Len(t, f.Log("GET /repos/acme/web/issues"), 2)
	// the repository was checked once, after the 404s of api's alerts.
	assert.Equal(t, 1, f.Count("GET /repos/acme/api"))
	assert.Equal(t, 0, f.Count("GET /repos/acme/web"))
}

func TestCursorPaginationFollowsAfter(t *testing.T) {
	f := newFake(t)
	f.MaxPerPage = 3
	r := f.Repo("acme/svc")
	for i := 1; i <= 10; i++ {
		r.Dependabot = append(r.Dependabot, ghfake.DependabotAlert{Number: i, State: "open", GHSA: fmt.Sprintf("GHSA-%04d", i), Package: "p", Severity: "low", Created: day(i)}.JSON("acme/svc"))
		r.CodeScanning = append(r.CodeScanning, ghfake.CodeScanningAlert{Number: i, State: "open", Rule: fmt.Sprintf("rule-%d", i), SecuritySeverity: "low", Created: day(i)}.JSON("acme/svc"))
	}
	s, _ := build(t, f, Config{Repos: []string{"svc"}, Collect: []string{"alerts"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	n := map[string]int{}
	for _, v := range res.Data.Vulnerabilities {
		n[v.Scanner]++
	}
	assert.Equal(t, map[string]int{"dependabot": 10, "code_scanning": 10}, n)
	reqs := f.Log("GET /repos/acme/svc/dependabot/alerts")
	require.Len(t, reqs, 4)
	assert.NotContains(t, reqs[0], "after=")
	for _, q := range reqs[1:] {
		assert.Contains(t, q, "after=")
		assert.NotRegexp(t, `[?&]page=`, q, "no page numbers on a cursor list")
	}
	assert.Len(t, f.Log("GET /repos/acme/svc/code-scanning/alerts"), 4)
}

func TestPageNumberFallbackForAlerts(t *testing.T) {
	// A server that pages alert lists by number (GHES) is followed too:
	// secret scanning in the fake pages by number.
	f := newFake(t)
	r := f.Repo("acme/svc")
	for i := 1; i <= 5; i++ {
		r.SecretScanning = append(r.SecretScanning, ghfake.SecretScanningAlert{Number: i, State: "open", SecretType: fmt.Sprintf("type_%d", i), Created: day(i), Secret: "s"}.JSON("acme/svc"))
	}
	s, _ := build(t, f, Config{Repos: []string{"svc"}, Collect: []string{"alerts"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Len(t, res.Data.Vulnerabilities, 5)
	reqs := f.Log("GET /repos/acme/svc/secret-scanning/alerts")
	require.Len(t, reqs, 3)
	assert.Contains(t, reqs[2], "page=3")
}

func simpleRepo(f *fake) {
	r := f.Repo("acme/web")
	r.Deployments = []map[string]any{ghfake.Deployment("acme/web", 1, "production", "abc", "deploy", "", day(1))}
	r.Statuses[1] = []map[string]any{ghfake.DeploymentStatus(1, "success", day(1))}
}

func TestRetries502ThenSuccess(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 502, Body: `{"message":"Server Error"}`}, ghfake.Fault{Status: 502, Body: "<html>bad gateway</html>"})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Deployments, 1)
	assert.Len(t, f.Log("GET /repos/acme/web/deployments?"), 3)
	assert.Equal(t, []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond}, rec.Waits())
}

func TestSecondaryRateLimit403RetryAfter(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 403, Header: http.Header{"Retry-After": {"17"}},
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, []time.Duration{17 * time.Second}, rec.Waits())
}

func Test429RetryAfter(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	f.Inject("GET /repos/acme/web/deployments/1/statuses", ghfake.Fault{Status: 429, Header: http.Header{"Retry-After": {"3"}}, Body: `{"message":"Too Many Requests"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, "success", res.Data.Deployments[0].Status)
	assert.Equal(t, []time.Duration{3 * time.Second}, rec.Waits())
}

func TestPrimaryRateLimitWaitsForReset(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	reset := strconv.FormatInt(now0.Add(40*time.Second).Unix(), 10)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 403,
		Header: http.Header{"X-RateLimit-Limit": {"5000"}, "X-RateLimit-Remaining": {"0"}, "X-RateLimit-Reset": {reset}, "X-RateLimit-Resource": {"core"}},
		Body:   `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, []time.Duration{40 * time.Second}, rec.Waits())
}

func TestLastRequestOfTheWindowDoesNotBlockTheClient(t *testing.T) {
	// A success with X-RateLimit-Remaining 0 must not make go-github refuse
	// the next request on its own: the server's answer decides.
	// go-github checks its remembered reset against the real clock, so the
	// test clock is the real time here.
	f := newFake(t)
	simpleRepo(f)
	start := time.Now().UTC().Truncate(time.Second)
	reset := strconv.FormatInt(start.Add(20*time.Second).Unix(), 10)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 200,
		Header: http.Header{"X-RateLimit-Remaining": {"0"}, "X-RateLimit-Reset": {reset}},
		Body:   `[` + mustJSON(ghfake.Deployment("acme/web", 1, "production", "abc", "deploy", "", day(1))) + `]`})
	f.Inject("GET /repos/acme/web/deployments/1/statuses", ghfake.Fault{Status: 403,
		Header: http.Header{"X-RateLimit-Remaining": {"0"}, "X-RateLimit-Reset": {reset}},
		Body:   `{"message":"API rate limit exceeded"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	rec.now = start
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, "success", res.Data.Deployments[0].Status)
	assert.Equal(t, []time.Duration{20 * time.Second}, rec.Waits())
	assert.Equal(t, 2, f.Count("GET /repos/acme/web/deployments/1/statuses"), "the server was asked, twice")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestLongRateLimitFailsClearly(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	reset := now0.Add(50 * time.Minute)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 403,
		Header: http.Header{"X-RateLimit-Remaining": {"0"}, "X-RateLimit-Reset": {strconv.FormatInt(reset.Unix(), 10)}},
		Body:   `{"message":"API rate limit exceeded"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github source org: acme/web: deployments: rate limited until 2026-11-20T10:50:00Z")
	assert.Empty(t, rec.Waits())
}

func TestPlain403IsAnErrorWithoutRetry(t *testing.T) {
	f := newFake(t)
	simpleRepo(f)
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/deployments/deployments#list-deployments"}`})
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github source org: acme/web: deployments:")
	assert.Contains(t, err.Error(), "403 Resource not accessible by integration")
	assert.Len(t, f.Log("GET /repos/acme/web/deployments"), 1)
	assert.Empty(t, rec.Waits())

	// On an alert API too: a 403 that does not say the feature is off fails.
	f = newFake(t)
	f.Repo("acme/web").Off["dependabot"] = ghfake.Off{Status: 403, Message: "Resource not accessible by integration"}
	s, _ = build(t, f, Config{Repos: []string{"web"}, Collect: []string{"alerts"}})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "acme/web: Dependabot alerts:")
}

func TestMissingRepositoryIsAnError(t *testing.T) {
	for _, part := range []string{PartAlerts, PartDeployments, PartIncidents} {
		f := newFake(t)
		simpleRepo(f)
		s, _ := build(t, f, Config{Repos: []string{"web", "ghost"}, Collect: []string{part}, Concurrency: 1})
		_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
		require.Error(t, err, part)
		assert.Equal(t, "github source org: repository acme/ghost not found (404): check repos and the token's access", err.Error(), part)
	}
}

func TestAlertsDisabledAreSkipped(t *testing.T) {
	f := newFake(t)
	r := f.Repo("acme/web")
	r.Off["dependabot"] = ghfake.Off{Status: 403, Message: "Dependabot alerts are disabled for this repository."}
	r.Off["code-scanning"] = ghfake.Off{Status: 403, Message: "Advanced Security must be enabled for this repository to use code scanning."}
	r.SecretScanning = []map[string]any{ghfake.SecretScanningAlert{Number: 1, State: "open", SecretType: "github_personal_access_token", Created: day(1), Secret: "ghp_x"}.JSON("acme/web")}
	s, _ := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"alerts"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Vulnerabilities, 1)
	assert.Equal(t, "secret_scanning", res.Data.Vulnerabilities[0].Scanner)
	assert.Equal(t, []string{
		"acme/web: Dependabot alerts skipped: 403 Dependabot alerts are disabled for this repository.",
		"acme/web: code scanning alerts skipped: 403 Advanced Security must be enabled for this repository to use code scanning.",
	}, s.Notes())
	assert.Equal(t, []string{"alerts"}, res.Provides)
}

func TestRequestBudget(t *testing.T) {
	f := newFake(t)
	world(f)
	fa := false // no estimate: the transport's budget stops the run
	s, _ := build(t, f, Config{MaxRequests: 6, Concurrency: 1, RequireQuota: &fa})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github source org: ")
	assert.Contains(t, err.Error(), "request budget of 6 exhausted (raise max_requests)")
	assert.Len(t, f.Log(""), 6)
}

func TestDefaultBudgetAndConcurrency(t *testing.T) {
	s, err := New(&Config{Owner: "acme"})
	require.NoError(t, err)
	assert.Equal(t, 5000, s.Config().MaxRequests)
	assert.Equal(t, 4, s.Config().Concurrency)
	assert.Equal(t, "incident", s.Config().IncidentLabel)
	assert.Equal(t, DefaultParts, s.parts)
}

func writeKey(t *testing.T, dir string) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "keys"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "keys", "app.pem"), pemBytes, 0o600))
	return key
}

func TestGitHubAppAuth(t *testing.T) {
	dir := t.TempDir()
	key := writeKey(t, dir)
	f := newFake(t)
	simpleRepo(f)
	f.Token = "ghs_INSTALLATIONtoken0000000000000000000"
	f.App = &ghfake.App{ID: 4242, InstallationID: 777, Key: &key.PublicKey, Token: f.Token}
	s, rec := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"},
		AppID: 4242, InstallationID: 777, PrivateKeyPath: "keys/app.pem"})
	f.Clock = rec.Now
	env := envWith(map[string]string{"GITHUB_TOKEN": "ghp_ignored_when_app_is_configured"}, nil)
	env.BaseDir = dir
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	assert.Empty(t, f.App.JWTErrors)
	assert.Equal(t, 1, f.App.Minted, "one token for the whole run")
	require.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, []string{"POST /app/installations/777/access_tokens"}, f.Log("POST "))
	for _, r := range f.Requests() {
		if r.String() == "POST /app/installations/777/access_tokens" {
			continue
		}
		assert.Equal(t, "Bearer "+f.Token, r.Auth, r.String())
	}
}

func TestGitHubAppBadKeyIsRejectedByServer(t *testing.T) {
	dir := t.TempDir()
	writeKey(t, dir)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f := newFake(t)
	f.App = &ghfake.App{ID: 1, InstallationID: 2, Key: &other.PublicKey, Token: "ghs_never"}
	s, _ := build(t, f, Config{Collect: []string{"members"}, AppID: 1, InstallationID: 2, PrivateKeyPath: "keys/app.pem"})
	env := envWith(nil, nil)
	env.BaseDir = dir
	_, err = s.Collect(context.Background(), env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GitHub App installation 2: creating an access token")
	assert.Contains(t, err.Error(), "401")
	assert.Equal(t, []string{"bad signature"}, f.App.JWTErrors)
}

func TestPrivateKeyErrors(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETGARBAGE\n-----END RSA PRIVATE KEY-----\n"), 0o600))
	for name, want := range map[string]string{
		"missing.pem": "private_key_path " + filepath.Join(dir, "missing.pem") + ": no such file or directory",
		"bad.pem":     "not a PEM RSA private key",
	} {
		s, err := New(&Config{Owner: "acme", AppID: 1, InstallationID: 2, PrivateKeyPath: name})
		require.NoError(t, err)
		env := envWith(nil, nil)
		env.BaseDir = dir
		_, err = s.Collect(context.Background(), env)
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "TOPSECRET")
	}
}

func TestEnterpriseServerURL(t *testing.T) {
	f := newFake(t) // serves under /api/v3 only
	simpleRepo(f)
	for _, api := range []string{f.URL + "/api/v3", f.URL + "/api/v3/", f.URL} {
		s, _ := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}, APIURL: api})
		res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
		require.NoError(t, err, api)
		assert.Len(t, res.Data.Deployments, 1)
	}
	// GITHUB_API_URL is the default api_url.
	s, err := New(&Config{Owner: "acme", Repos: []string{"web"}, Collect: []string{"deployments"}})
	require.NoError(t, err)
	rec := &recorder{now: now0}
	s.sleep, s.now = rec.Sleep, rec.Now
	res, err := s.Collect(context.Background(), envWith(map[string]string{"GH_TOKEN": testToken, "GITHUB_API_URL": f.APIURL()}, nil))
	require.NoError(t, err)
	assert.Len(t, res.Data.Deployments, 1)

	// Without either: api.github.com.
	c, err := s.newCollector(envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, "https://api.github.com/", c.client.BaseURL.String())
	c, err = s.newCollector(envWith(map[string]string{"GITHUB_TOKEN": "x", "GITHUB_API_URL": "https://ghe.example.com/api/v3"}, nil))
	require.NoError(t, err)
	assert.Equal(t, "https://ghe.example.com/api/v3/", c.client.BaseURL.String())
}

func TestCollectSubsetSetsProvides(t *testing.T) {
	f := newFake(t)
	world(f)
	s, _ := build(t, f, Config{Collect: []string{"incidents", "members"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"members", "incidents"}, res.Provides)
	assert.Len(t, res.Data.Accounts, 3)
	assert.Len(t, res.Data.Incidents, 2)
	assert.Empty(t, res.Data.Vulnerabilities)
	assert.Empty(t, res.Data.Deployments)
	assert.Empty(t, f.Log("GET /repos/acme/web/dependabot"))
	assert.Empty(t, f.Log("GET /repos/acme/web/deployments"))

	f = newFake(t)
	world(f)
	s, _ = build(t, f, Config{Collect: []string{"alerts"}, Repos: []string{"web"}})
	res, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"alerts"}, res.Provides)
	assert.Empty(t, f.Log("GET /users/"), "no owner lookup when repos are listed and members are not collected")
	assert.Empty(t, f.Log("GET /orgs/"))
}

func TestUserOwner(t *testing.T) {
	f := newFake(t)
	f.Owners = map[string]string{"octocat": "User"}
	r := f.Repo("octocat/hello")
	r.Deployments = []map[string]any{ghfake.Deployment("octocat/hello", 5, "production", "s", "deploy", "", day(1))}
	s, _ := build(t, f, Config{Owner: "octocat", Collect: []string{"members", "deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Accounts, 1)
	a := res.Data.Accounts[0]
	assert.Equal(t, "octocat", a.Login)
	assert.Equal(t, "owner", a.Role)
	assert.True(t, a.Privileged)
	assert.Nil(t, a.MFA)
	assert.Len(t, f.Log("GET /users/octocat/repos"), 1, "ListByUser for a user owner")
	assert.Empty(t, f.Log("GET /orgs/"))
	require.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, "octocat/hello", res.Data.Deployments[0].Repo)
}

func TestMFAUnknownWhen2FAFilterIsRefused(t *testing.T) {
	for _, code := range []int{403, 422} {
		f := newFake(t)
		f.Admins = []string{"alice"}
		f.TwoFA = &ghfake.Off{Status: code, Message: "Only owners can use this filter."}
		s, _ := build(t, f, Config{Collect: []string{"members"}})
		res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
		require.NoError(t, err)
		require.Len(t, res.Data.Accounts, 1)
		assert.Nil(t, res.Data.Accounts[0].MFA)
		assert.Nil(t, res.Data.Accounts[0].CreatedAt)
		assert.Nil(t, res.Data.Accounts[0].LastActiveAt)
		assert.Contains(t, strings.Join(s.Notes(), "\n"), "2FA status of acme not readable: the token is not an organisation owner")
	}
}

func TestOwnerNotFound(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{Owner: "nobody"})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	assert.EqualError(t, err, `github source org: owner "nobody" not found`)
}

func TestNoToken(t *testing.T) {
	s, err := New(&Config{Owner: "acme"})
	require.NoError(t, err)
	_, err = s.Collect(context.Background(), envWith(nil, nil))
	assert.EqualError(t, err, "github source org: no token: set GITHUB_TOKEN or configure a GitHub App")
	_, err = s.Collect(context.Background(), sources.Env{Name: "org"})
	assert.EqualError(t, err, "github source org: no token: set GITHUB_TOKEN or configure a GitHub App")
}

func TestIssuesDisabledIsSkipped(t *testing.T) {
	f := newFake(t)
	f.Repo("acme/web").Off["issues"] = ghfake.Off{Status: 410, Message: "Issues are disabled for this repo"}
	s, _ := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"incidents"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Empty(t, res.Data.Incidents)
	assert.Equal(t, []string{"acme/web: incidents skipped: issues are disabled"}, s.Notes())
}

func TestCustomIncidentLabel(t *testing.T) {
	f := newFake(t)
	for _, is := range []ghfake.Issue{
		{Number: 1, Title: "outage", Labels: []string{"security-incident", "Sev 2"}, State: "closed", Created: day(3), Closed: day(2)},
		{Number: 2, Title: "other", Labels: []string{"incident"}, State: "open", Created: day(3)},
	} {
		f.Repo("acme/web").AddIssue(is)
	}
	s, _ := build(t, f, Config{Repos: []string{"web"}, Collect: []string{"incidents"}, IncidentLabel: "security-incident"})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Incidents, 1)
	in := res.Data.Incidents[0]
	assert.Equal(t, "acme/web#1", in.ID)
	assert.Equal(t, "sev2", in.Severity)
	require.NotNil(t, in.ResolvedAt, "closed without a state reason (before GitHub had them) is resolved")
	assert.Equal(t, day(2).UnixMilli(), *in.ResolvedAtMS)
	assert.Contains(t, f.Log("GET /repos/acme/web/issues")[0], "labels=security-incident")
}

func TestRepoFromOtherOwner(t *testing.T) {
	f := newFake(t)
	f.Repo("partner/lib").Deployments = []map[string]any{ghfake.Deployment("partner/lib", 9, "production", "s", "deploy", "", day(1))}
	s, _ := build(t, f, Config{Repos: []string{"partner/lib"}, Collect: []string{"deployments"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, "partner/lib", res.Data.Deployments[0].Repo)
}

func TestConcurrencyReadsEveryRepoOnce(t *testing.T) {
	f := newFake(t)
	for i := 0; i < 9; i++ {
		full := fmt.Sprintf("acme/r%d", i)
		f.Repo(full).Deployments = []map[string]any{ghfake.Deployment(full, int64(i+1), "production", "s", "deploy", "", day(1))}
	}
	s, _ := build(t, f, Config{Collect: []string{"deployments"}, Concurrency: 3})
	p := &progress{}
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), p))
	require.NoError(t, err)
	require.Len(t, res.Data.Deployments, 9)
	for i, d := range res.Data.Deployments {
		assert.Equal(t, fmt.Sprintf("acme/r%d", i), d.Repo, "repository order is kept")
	}
	require.Len(t, p.calls, 10)
	assert.Equal(t, [2]int{9, 9}, p.calls[9])
}

func TestSecretsNeverLeak(t *testing.T) {
	// A run with a token, notes, and a failing API: neither the records,
	// the notes, the progress nor the error strings carry the token, and
	// the Authorization header is only ever sent to the API.
	f := newFake(t)
	world(f)
	f.Repo("acme/web").Off["dependabot"] = ghfake.Off{Status: 403, Message: "Dependabot alerts are disabled for this repository."}
	s, _ := build(t, f, Config{})
	p := &progress{}
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), p))
	require.NoError(t, err)
	data, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(data), testToken)
	assert.NotContains(t, strings.Join(s.Notes(), "\n"), testToken)
	assert.NotContains(t, fmt.Sprint(p.calls), testToken)

	var errs []string
	// A plain 403, a 404 repo, a budget error, a long rate limit, a bad
	// token and a network error.
	f.Inject("GET /repos/acme/web/deployments", ghfake.Fault{Status: 403, Body: `{"message":"Must have admin rights to Repository."}`})
	s, _ = build(t, f, Config{Repos: []string{"web"}, Collect: []string{"deployments"}})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))

	s, _ = build(t, f, Config{Repos: []string{"missing"}, Collect: []string{"alerts"}})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))

	s, _ = build(t, f, Config{MaxRequests: 2})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))

	f.Inject("GET /users/acme", ghfake.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}})
	s, _ = build(t, f, Config{})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))

	f.Token = "a-different-token"
	s, _ = build(t, f, Config{})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401 Bad credentials")
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))

	s, _ = build(t, nil, Config{APIURL: "http://127.0.0.1:1/api/v3"})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))

	for _, e := range errs {
		assert.NotContains(t, e, testToken)
		assert.NotContains(t, e, "Bearer")
		assert.NotContains(t, e, "Authorization")
	}
	assert.NotEmpty(t, errs)
}

func TestAppSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	key := writeKey(t, dir)
	keyPEM, err := os.ReadFile(filepath.Join(dir, "keys", "app.pem"))
	require.NoError(t, err)
	keyBody := strings.Split(string(keyPEM), "\n")[1]

	f := newFake(t)
	world(f)
	f.Token = "ghs_INSTALLATIONsecret1111111111111111"
	f.App = &ghfake.App{ID: 9, InstallationID: 10, Key: &key.PublicKey, Token: f.Token}
	s, rec := build(t, f, Config{AppID: 9, InstallationID: 10, PrivateKeyPath: "keys/app.pem"})
	f.Clock = rec.Now
	env := envWith(nil, nil)
	env.BaseDir = dir
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	data, err := json.Marshal(res)
	require.NoError(t, err)
	for _, secret := range []string{f.Token, keyBody} {
		assert.NotContains(t, string(data), secret)
		assert.NotContains(t, strings.Join(s.Notes(), "\n"), secret)
	}
	// A failure after the token was minted.
	f.Inject("GET /orgs/acme/members", ghfake.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	s, rec = build(t, f, Config{AppID: 9, InstallationID: 10, PrivateKeyPath: "keys/app.pem"})
	f.Clock = rec.Now
	_, err = s.Collect(context.Background(), env)
	require.Error(t, err)
	for _, secret := range []string{f.Token, keyBody, "Bearer"} {
		assert.NotContains(t, err.Error(), secret)
		assert.NotContains(t, fmt.Sprintf("%+v", err), secret)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "owner: an organisation or user login is required"},
		{Config{Owner: "a b"}, `owner "a b": not a GitHub login`},
		{Config{Owner: "acme", Repos: []string{"a/b/c"}}, `repos[0] "a/b/c": want "name" or "owner/name"`},
		{Config{Owner: "acme", Repos: []string{"web", "acme/WEB"}}, `repos[1] "acme/WEB": listed twice`},
		{Config{Owner: "acme", Collect: []string{"alerts", "secrets"}}, `collect: "secrets" is not one of members, alerts, deployments, incidents, tokens`},
		{Config{Owner: "acme", APIURL: "ftp://x"}, `api_url: "ftp://x" is not an http(s) URL`},
		{Config{Owner: "acme", APIURL: "https://user:pw@ghe.example.com"}, "credentials in the URL are not allowed"},
		{Config{Owner: "acme", AppID: 1}, "GitHub App auth needs app_id, installation_id and private_key_path together"},
		{Config{Owner: "acme", MaxRequests: -1}, "max_requests must be positive"},
		{Config{Owner: "acme", Concurrency: 99}, "concurrency must be between 1 and 32"},
	} {
		_, err := New(&tc.cfg)
		if assert.Error(t, err, "%+v", tc.cfg) {
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "pw@")
		}
	}
	s, err := New(&Config{Owner: "acme", Collect: []string{"Incidents", "alerts", "alerts"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"alerts", "incidents"}, s.parts)
}

func TestKindDecodesHCL(t *testing.T) {
	k, ok := sources.Lookup("github")
	require.True(t, ok)
	file, diags := hclparse.NewParser().ParseHCL([]byte(`
owner            = "localizevideos"
repos            = ["web", "api"]
collect          = ["alerts", "incidents"]
incident_label   = "sec-incident"
api_url          = "https://ghe.example.com/api/v3"
app_id           = 12345
installation_id  = 678910
private_key_path = "secrets/app.pem"
max_requests     = 800
concurrency      = 2
personal_access_tokens = true
two_factor       = false
`), "posture.hcl")
	require.False(t, diags.HasErrors(), diags.Error())
	cfg := k.NewConfig()
	diags = gohcl.DecodeBody(file.Body, nil, cfg)
	require.False(t, diags.HasErrors(), diags.Error())
	src, err := k.New(cfg)
	require.NoError(t, err)
	got := src.(*Source).Config()
	assert.Equal(t, Config{
		Owner: "localizevideos", Repos: []string{"web", "api"}, Collect: []string{"alerts", "incidents"},
		IncidentLabel: "sec-incident", APIURL: "https://ghe.example.com/api/v3",
		AppID: 12345, InstallationID: 678910, PrivateKeyPath: "secrets/app.pem", MaxRequests: 800, Concurrency: 2,
		PersonalAccessTokens: true, TwoFactor: ptr(false),
	}, got)
	assert.Equal(t, []string{"alerts", "incidents", "tokens"}, src.(*Source).parts)

	file, _ = hclparse.NewParser().ParseHCL([]byte(`owner = "acme"
tokens = "x"`), "posture.hcl")
	diags = gohcl.DecodeBody(file.Body, nil, k.NewConfig())
	assert.True(t, diags.HasErrors(), "unknown attributes are errors")
}

package jira

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

var now0 = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// build makes a source for the fake with a recorded clock and sleeper.
func build(t *testing.T, c Config) (*Source, *recorder) {
	t.Helper()
	s, err := New(&c)
	require.NoError(t, err)
	rec := &recorder{now: now0}
	s.sleep, s.now, s.rand = rec.Sleep, rec.Now, func() float64 { return 0.5 }
	return s, rec
}

type progress struct{ done, total int }

// collect runs s with the given environment and records the progress.
func collect(s *Source, vars map[string]string) (*sources.Result, []progress, error) {
	var prog []progress
	env := sources.Env{Name: "sec", Kind: "jira", AsOf: now0, Zone: time.UTC,
		Getenv:   func(k string) string { return vars[k] },
		Progress: func(done, total int) { prog = append(prog, progress{done, total}) }}
	res, err := s.Collect(context.Background(), env)
	return res, prog, err
}

func cloudFake(t *testing.T) *fake {
	f := newFake(t)
	f.cloud[""] = readTestdata(t, "cloud_page1.json")
	f.cloud["CAEaAggD"] = readTestdata(t, "cloud_page2.json")
	f.cloud["CAEaAggF"] = readTestdata(t, "cloud_page3.json")
	return f
}

const testJQL = `project = SEC AND labels = "audit-2026" ORDER BY key`

func TestCloudPagination(t *testing.T) {
	f := cloudFake(t)
	s, rec := build(t, Config{BaseURL: f.URL() + "/", JQL: testJQL})
	res, prog, err := collect(s, cloudEnv())
	require.NoError(t, err)

	reqs := f.Requests()
	require.Len(t, reqs, 3, "one request per page")
	for i, r := range reqs {
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/rest/api/3/search/jql", r.Path)
		assert.True(t, r.AuthOK, "basic auth with JIRA_EMAIL:JIRA_API_TOKEN")
		assert.Equal(t, testJQL, r.Query.Get("jql"))
		assert.Equal(t, "summary,status,priority,created,resolutiondate", r.Query.Get("fields"))
		assert.Equal(t, "100", r.Query.Get("maxResults"))
		assert.Equal(t, []string{"", "CAEaAggD", "CAEaAggF"}[i], r.Query.Get("nextPageToken"))
	}
	assert.Empty(t, rec.Waits())
	assert.Equal(t, []progress{{2, 102}, {4, 104}, {5, 5}}, prog)
	assert.Equal(t, []string{"audit_findings"}, res.Provides)

	var ids []string
	for _, f := range res.Data.AuditFindings {
		ids = append(ids, f.ID+":"+f.Status+":"+f.Severity)
		assert.Equal(t, "jira.sec", f.Source)
	}
	assert.Equal(t, []string{"SEC-12:open:high", "SEC-13:open:highest", "SEC-14:closed:medium", "SEC-15:closed:", "SEC-16:open:low"}, ids)
	first := res.Data.AuditFindings[0]
	assert.Equal(t, f.URL()+"/browse/SEC-12", first.Origin)
	assert.Equal(t, "Admin panel reachable without MFA", first.Title)
	require.NotNil(t, first.OpenedAt)
	assert.Equal(t, "2026-11-20T09:00:00Z", *first.OpenedAt, "+0100 read as an offset, recorded in UTC")
	assert.Equal(t, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC).UnixMilli(), *first.OpenedAtMS)
	assert.Nil(t, first.ClosedAt)
	assert.Nil(t, first.ClosedAtMS)
	closed := res.Data.AuditFindings[2]
	require.NotNil(t, closed.ClosedAt)
	assert.Equal(t, "2026-11-03T00:45:12.345Z", *closed.ClosedAt)
	assert.Nil(t, res.Data.AuditFindings[3].ClosedAt, "done without resolutiondate")
	assert.Equal(t, []string{"1 done issues have no resolutiondate: their closed_at is empty"}, res.Notes)
	assert.Empty(t, res.Data.Incidents)
}

func TestServerPagination(t *testing.T) {
	f := newFake(t)
	f.auth = "Bearer " + testPAT
	f.server[0] = readTestdata(t, "server_page1.json")
	f.server[2] = readTestdata(t, "server_page2.json")
	s, _ := build(t, Config{BaseURL: f.URL() + "/jira", JQL: "project = AUD", Deployment: "Server", SeverityField: "customfield_10042"})
	// The fake serves below /jira too: the context path is kept.
	f.srv.Config.Handler = http.StripPrefix("/jira", f.srv.Config.Handler)
	res, prog, err := collect(s, map[string]string{"JIRA_TOKEN": testPAT, "JIRA_API_TOKEN": "unused"})
	require.NoError(t, err)
	reqs := f.Requests()
	require.Len(t, reqs, 2)
	for i, r := range reqs {
		assert.Equal(t, "/rest/api/2/search", r.Path)
		assert.True(t, r.AuthOK, "bearer JIRA_TOKEN")
		assert.Equal(t, []string{"0", "2"}[i], r.Query.Get("startAt"), "startAt follows what came back, not maxResults asked")
		assert.Equal(t, "summary,status,customfield_10042,created,resolutiondate", r.Query.Get("fields"))
	}
	assert.Equal(t, []progress{{2, 3}, {3, 3}}, prog)
	require.Len(t, res.Data.AuditFindings, 3)
	got := res.Data.AuditFindings
	assert.Equal(t, "critical", got[0].Severity, "select option value")
	assert.Equal(t, "", got[1].Severity, "null custom field")
	assert.Equal(t, "open", got[1].Status, "indeterminate is open")
	assert.Equal(t, "closed", got[2].Status)
	assert.Equal(t, "2026-11-10T07:00:00Z", *got[2].ClosedAt)
	assert.Equal(t, f.URL()+"/jira/browse/AUD-3", got[2].Origin)
}

func TestEmptyResult(t *testing.T) {
	f := newFake(t)
	f.cloud[""] = readTestdata(t, "empty.json")
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: "project = SEC AND labels = none"})
	res, prog, err := collect(s, cloudEnv())
	require.NoError(t, err)
	assert.Len(t, f.Requests(), 1)
	assert.Equal(t, 0, res.Data.Count())
	assert.Equal(t, []string{"audit_findings"}, res.Provides, "zero findings, still measured")
	assert.Empty(t, res.Notes)
	assert.Equal(t, []progress{{0, 0}}, prog)
}

func TestRateLimitRetryAfterThenSuccess(t *testing.T) {
	f := cloudFake(t)
	// Jira Cloud's 429: Retry-After in seconds, X-RateLimit-Reset an ISO
	// 8601 instant.
	f.before = []reply{{status: 429, header: map[string]string{"Retry-After": "7", "X-RateLimit-Reset": "2026-11-27T00:01Z",
		"RateLimit-Reason": "jira-burst-based"}, body: `{"message":"Rate limit exceeded."}`}}
	s, rec := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
	res, _, err := collect(s, cloudEnv())
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, rec.Waits(), "waited what Retry-After said")
	assert.Len(t, f.Requests(), 4, "the rate-limited page asked again")
	assert.Equal(t, "", f.Requests()[1].Query.Get("nextPageToken"), "the first page again")
	assert.Len(t, res.Data.AuditFindings, 5)
}

func TestServerErrorThenSuccess(t *testing.T) {
	f := cloudFake(t)
	f.before = []reply{{status: 503, body: `<html>Service Unavailable</html>`}}
	s, rec := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
	res, _, err := collect(s, cloudEnv())
	require.NoError(t, err)
	require.Len(t, rec.Waits(), 1, "one backoff")
	assert.Len(t, res.Data.AuditFindings, 5)
}

func TestRateLimitedToTheEnd(t *testing.T) {
	f := cloudFake(t)
	for i := 0; i < 5; i++ {
		f.before = append(f.before, reply{status: 429, header: map[string]string{"Retry-After": "2"}})
	}
	s, rec := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
	_, _, err := collect(s, cloudEnv())
	require.Error(t, err)
	assert.Equal(t, "jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: rate limited (429), still after the retries", err.Error())
	assert.Len(t, f.Requests(), 5)
	assert.Len(t, rec.Waits(), 4)

	// A wait longer than the transport accepts fails at once.
	f2 := cloudFake(t)
	f2.before = []reply{{status: 429, header: map[string]string{"Retry-After": "3600"}}}
	s2, _ := build(t, Config{BaseURL: f2.URL(), JQL: testJQL})
	_, _, err = collect(s2, cloudEnv())
	require.Error(t, err)
	assert.True(t, errors.Is(err, retry.ErrRateLimited), "%v", err)
	assert.Contains(t, err.Error(), "jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: rate limited until 2026-11-27T01:00:00Z")
	assert.Len(t, f2.Requests(), 1)
}

func TestBudgetExhausted(t *testing.T) {
	f := cloudFake(t)
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: testJQL, MaxRequests: 2})
	_, _, err := collect(s, cloudEnv())
	require.Error(t, err)
	assert.True(t, errors.Is(err, retry.ErrBudgetExhausted))
	assert.Contains(t, err.Error(), "GET /rest/api/3/search/jql: request budget of 2 exhausted")
}

func TestAuthFailureIsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []reply
		want   string
	}{
		{"401 from the fake's check", nil,
			"jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: authentication refused (401: You are not authenticated. Authentication required to perform this operation.): check JIRA_EMAIL and JIRA_API_TOKEN"},
		{"403", []reply{{status: 403, body: `{"errorMessages":["You do not have the permission to see the specified issue."],"errors":{}}`}},
			"jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: access refused (403: You do not have the permission to see the specified issue.): the account behind JIRA_EMAIL and JIRA_API_TOKEN may not use the API or browse these projects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cloudFake(t)
			f.before = tc.before
			s, rec := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
			vars := cloudEnv()
			if tc.before == nil {
				vars["JIRA_API_TOKEN"] = "ATATT-wrong-token-value-0123456789"
			}
			_, _, err := collect(s, vars)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.Len(t, f.Requests(), 1, "no retry")
			assert.Empty(t, rec.Waits())
			assert.NotContains(t, err.Error(), vars["JIRA_API_TOKEN"])
		})
	}
}

func TestJQLError(t *testing.T) {
	f := cloudFake(t)
	f.before = []reply{{status: 400, body: readTestdata(t, "jql_error.json")}}
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: "project = SEC AND severity = High"})
	_, _, err := collect(s, cloudEnv())
	require.Error(t, err)
	assert.Equal(t, "jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: the query was refused (400: Field 'severity' does not exist or you do not have permission to view it.)", err.Error())
	assert.Len(t, f.Requests(), 1)
}

func TestOtherFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		rep  reply
		want string
	}{
		{"not JSON", reply{status: 200, body: "<html>Log in</html>"}, "the answer is not the expected JSON"},
		{"redirect", reply{status: 302, header: map[string]string{"Location": "https://id.atlassian.com/login?continue=x"}}, "redirected (302) to https://id.atlassian.com/login: set base_url to the site's own URL"},
		{"404", reply{status: 404, body: `{"errorMessages":["null for uri: /rest/api/3/search/jql"]}`}, "status 404: null for uri"},
		{"field errors", reply{status: 400, body: `{"errorMessages":[],"errors":{"jql":"The JQL query is invalid."}}`}, "the query was refused (400: jql: The JQL query is invalid.)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cloudFake(t)
			f.before = []reply{tc.rep}
			s, _ := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
			_, _, err := collect(s, cloudEnv())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "Jira Cloud REST API: GET /rest/api/3/search/jql: ")
		})
	}
}

func TestNetworkErrorNamesNoQuery(t *testing.T) {
	f := cloudFake(t)
	u := f.URL()
	f.srv.Close()
	s, rec := build(t, Config{BaseURL: u, JQL: "project = SECRETPROJECT"})
	_, _, err := collect(s, cloudEnv())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "jira source sec: Jira Cloud REST API: GET /rest/api/3/search/jql: ")
	assert.NotContains(t, err.Error(), "SECRETPROJECT", "the query string stays out of errors")
	assert.Len(t, rec.Waits(), 4, "network errors retried")
}

func TestNoCredentials(t *testing.T) {
	f := cloudFake(t)
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
	_, _, err := collect(s, map[string]string{"JIRA_EMAIL": testEmail})
	require.EqualError(t, err, `jira source sec: no credentials: set JIRA_EMAIL and JIRA_API_TOKEN (an Atlassian API token; deployment = "cloud")`)
	s, _ = build(t, Config{BaseURL: f.URL(), JQL: testJQL, Deployment: "server"})
	_, _, err = collect(s, cloudEnv())
	require.EqualError(t, err, `jira source sec: no credentials: set JIRA_TOKEN to a personal access token (deployment = "server")`)
	assert.Empty(t, f.Requests(), "nothing sent without credentials")
}

// The credentials reach no record, note, error or snapshot file.
func TestCredentialsNeverLeak(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testEmail+":"+testToken))
	secrets := []string{testToken, basic[len("Basic "):], testPAT}

	f := cloudFake(t)
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: testJQL})
	res, _, err := collect(s, cloudEnv())
	require.NoError(t, err)
	part := &snapshot.Part{Source: "sec", Kind: "jira", Data: res.Data, Provides: res.Provides, Notes: res.Notes}
	dir := t.TempDir()
	_, err = snapshot.Write(dir, "p", &snapshot.Snapshot{AsOf: now0, Parts: []*snapshot.Part{part}})
	require.NoError(t, err)
	files := readDir(t, dir)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	files = append(files, string(b))

	// Errors: a server that echoes the Authorization header back.
	for _, dep := range []string{"cloud", "server"} {
		f2 := newFake(t)
		f2.auth = "-"
		echo := func(body string) reply { return reply{status: 500, body: body} }
		f2.before = []reply{
			echo(`{"errorMessages":["bad header ` + basic + ` Bearer ` + testPAT + `"]}`), echo(`{"errorMessages":["again ` + testToken + `"]}`),
			echo(`{"message":"` + testToken + `"}`), echo(`{"errorMessages":["` + testPAT + `"]}`), echo(`{"errorMessages":["` + testToken + testPAT + `"]}`),
		}
		s2, _ := build(t, Config{BaseURL: f2.URL(), JQL: testJQL, Deployment: dep})
		_, _, err = collect(s2, map[string]string{"JIRA_EMAIL": testEmail, "JIRA_API_TOKEN": testToken, "JIRA_TOKEN": testPAT})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "***", "the echoed secret is replaced")
		files = append(files, err.Error())
	}
	for _, text := range files {
		for _, sec := range secrets {
			assert.NotContains(t, text, sec)
		}
	}
}

func TestProvidesIncidents(t *testing.T) {
	f := cloudFake(t)
	s, _ := build(t, Config{BaseURL: f.URL(), JQL: testJQL, Collection: "incidents"})
	res, _, err := collect(s, cloudEnv())
	require.NoError(t, err)
	assert.Equal(t, []string{"incidents"}, res.Provides)
	assert.Len(t, res.Data.Incidents, 5)
	assert.Empty(t, res.Data.AuditFindings)
	r := f.Requests()[0]
	assert.Equal(t, "summary,status,priority,resolutiondate,created", r.Query.Get("fields"), "detected_field created asked once")
}

func TestRegistered(t *testing.T) {
	k, ok := sources.Lookup("jira")
	require.True(t, ok)
	assert.NotEmpty(t, k.Doc)
	assert.Contains(t, k.Doc, "API calls per run")
	assert.Contains(t, k.Doc, "Field mapping")
	got := map[string]string{}
	for _, p := range k.Collections {
		got[p.Collection] = p.Part
	}
	assert.Equal(t, map[string]string{"audit_findings": "audit_findings", "incidents": "incidents"}, got)
}

func TestNewChecksTheConfig(t *testing.T) {
	ok := Config{BaseURL: "https://acme.atlassian.net/", JQL: " project = SEC "}
	s, err := New(&ok)
	require.NoError(t, err)
	assert.Equal(t, Config{BaseURL: "https://acme.atlassian.net", JQL: "project = SEC", Deployment: "cloud", Collection: "audit_findings",
		SeverityField: "priority", OpenedField: "created", ClosedField: "resolutiondate", MaxRequests: 500}, s.Config())
	inc, err := New(&Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Collection: "Incidents", StartedField: "customfield_10100"})
	require.NoError(t, err)
	assert.Equal(t, Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Deployment: "cloud", Collection: "incidents",
		SeverityField: "priority", ClosedField: "resolutiondate", StartedField: "customfield_10100", DetectedField: "created", MaxRequests: 500}, inc.Config())
	_, err = New(&Config{BaseURL: "http://localhost:8080", JQL: "x"})
	assert.NoError(t, err, "http on loopback")

	for _, tc := range []struct {
		c    Config
		want string
	}{
		{Config{JQL: "x"}, `base_url: "" is not an https URL`},
		{Config{BaseURL: "acme.atlassian.net", JQL: "x"}, "is not an https URL"},
		{Config{BaseURL: "http://jira.example.com", JQL: "x"}, "use https"},
		{Config{BaseURL: "https://me:" + testToken + "@acme.atlassian.net", JQL: "x"}, "credentials in the URL are not allowed"},
		{Config{BaseURL: "https://acme.atlassian.net?a=b", JQL: "x"}, "no query or fragment"},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "  "}, "jql: a JQL query is required"},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Deployment: "datacenter"}, `deployment "datacenter": want "cloud" or "server"`},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Collection: "vulnerabilities"}, `collection "vulnerabilities"`},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", StartedField: "customfield_1"}, `started_field applies to collection "incidents" only`},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Collection: "incidents", OpenedField: "created"}, `opened_field applies to collection "audit_findings" only`},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", SeverityField: "Severity Level"}, `severity_field "Severity Level": not a Jira field id`},
		{Config{BaseURL: "https://acme.atlassian.net", JQL: "x", MaxRequests: -1}, "max_requests must be positive"},
	} {
		_, err := New(&tc.c)
		require.Error(t, err, "%+v", tc.c)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), testToken)
	}
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out = append(out, string(b))
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

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
	e := sources.Env{Name: "workforce", Kind: "okta", AsOf: now0, Zone: time.UTC,
		Getenv: func(k string) string { return vars[k] }}
	if p != nil {
		e.Progress = p.report
	}
	return e
}

func tokenEnv() map[string]string { return map[string]string{"OKTA_API_TOKEN": testToken} }

// build makes a Source for cfg against the fake, with a recorded clock and
// sleeper (shared with the fake's rate-limit headers).
func build(t *testing.T, f *fake, cfg Config) (*Source, *recorder) {
	t.Helper()
	if cfg.OrgURL == "" {
		cfg.OrgURL = f.URL()
	}
	s, err := New(&cfg)
	require.NoError(t, err)
	rec := &recorder{now: now0}
	s.sleep, s.now, s.rand = rec.Sleep, rec.Now, func() float64 { return 0.5 }
	f.Clock = rec.Now
	return s, rec
}

func collect(t *testing.T, s *Source, vars map[string]string, p *progress) (*sources.Result, error) {
	t.Helper()
	return s.Collect(context.Background(), envWith(vars, p))
}

func ptr[T any](v T) *T { return &v }

// byLogin indexes the accounts by their login's local part.
func byLogin(accts []snapshot.Account) map[string]snapshot.Account {
	m := map[string]snapshot.Account{}
	for _, a := range accts {
		local, _, _ := strings.Cut(a.Login, "@")
		m[local] = a
	}
	return m
}

func TestCollectMapsUsersRolesAndFactors(t *testing.T) {
	f := newFake(t)
	s, rec := build(t, f, Config{})
	var p progress
	res, err := collect(t, s, tokenEnv(), &p)
	require.NoError(t, err)
	assert.Empty(t, rec.Waits())

	accts := res.Data.Accounts
	require.Len(t, accts, 11, "every user but the deprovisioned one")
	got := byLogin(accts)
	type want struct {
		status, role string
		priv         bool
		mfa          *bool
		created      string
		last         string
	}
	wants := map[string]want{
		"alice": {"active", "super_admin", true, ptr(true), "2024-03-01T09:00:00Z", "2026-11-18T08:30:00Z"},
		"bob":   {"active", "org_admin", true, ptr(false), "2024-05-10T09:00:00Z", "2026-11-10T17:05:12Z"},
		"carol": {"active", "app_admin", true, ptr(false), "2023-01-01T09:00:00Z", "2026-10-30T12:00:00Z"},
		"dave":  {"active", "", false, nil, "2025-01-15T09:00:00Z", ""},
		"erin":  {"active", "", false, nil, "2022-06-01T09:00:00Z", "2025-02-01T10:00:00Z"},
		"frank": {"suspended", "org_admin", true, nil, "2021-04-01T09:00:00Z", "2024-01-01T10:00:00Z"},
		"gina":  {"staged", "", false, nil, "2024-01-01T09:00:00Z", ""},
		"hank":  {"active", "", false, nil, "2025-12-01T09:00:00Z", ""},
		"ivan":  {"active", "", false, nil, "2024-02-01T09:00:00Z", "2026-11-19T07:00:00Z"},
		"judy":  {"active", "read_only_admin", true, ptr(true), "2024-02-01T09:00:00Z", "2026-09-30T07:00:00Z"},
		"leo":   {"active", "", false, nil, "2026-11-13T09:00:00Z", ""},
	}
	for login, w := range wants {
		a, ok := got[login]
		require.True(t, ok, login)
		assert.Equal(t, "okta", a.System, login)
		assert.Equal(t, login+"@acme.example", a.Login)
		assert.Equal(t, w.status, a.Status, login)
		assert.Equal(t, w.role, a.Role, login)
		assert.Equal(t, w.priv, a.Privileged, login)
		assert.Equal(t, w.mfa, a.MFA, login)
		require.NotNil(t, a.CreatedAt, login)
		assert.Equal(t, w.created, *a.CreatedAt, login)
		if w.last == "" {
			assert.Nil(t, a.LastActiveAt, login+" never signed in")
			assert.Nil(t, a.LastActiveAtMS, login)
		} else {
			require.NotNil(t, a.LastActiveAt, login)
			assert.Equal(t, w.last, *a.LastActiveAt, login)
			ts, _ := time.Parse(time.RFC3339, w.last)
			assert.Equal(t, ts.UnixMilli(), *a.LastActiveAtMS, login)
		}
		assert.Equal(t, "okta.workforce", a.Source)
		assert.True(t, strings.HasPrefix(a.Origin, f.URL()+"/api/v1/users/00u1"+login), a.Origin)
	}
	// Sorted by login.
	for i := 1; i < len(accts); i++ {
		assert.Less(t, accts[i-1].Login, accts[i].Login)
	}

	// Calls: 4 user pages (3 a page), 3 admin pages (2 a page), roles of
	// the 5 listed admins (not of the one no listing shows), factors of
	// the 4 active privileged users.
	assert.Equal(t, 4, f.Count("/api/v1/users")-f.Count("/api/v1/users/"))
	assert.Equal(t, 3, f.Count("/api/v1/iam/assignees/users"))
	assert.Equal(t, 5, countSuffix(f, "/roles"))
	assert.Equal(t, 4, countSuffix(f, "/factors"))
	assert.Len(t, f.Requests(), 16)
	assert.Contains(t, res.Notes, "mfa: factors read for the 4 active privileged accounts (mfa_scope = privileged): mfa unknown for the others")

	// Progress: calls answered of calls known, ending complete.
	require.NotEmpty(t, p.calls)
	assert.Equal(t, [2]int{1, 2}, p.calls[0], "a first page with a next link")
	assert.Equal(t, [2]int{16, 16}, p.calls[len(p.calls)-1])
	for i := 1; i < len(p.calls); i++ {
		assert.LessOrEqual(t, p.calls[i-1][0], p.calls[i][0])
		assert.LessOrEqual(t, p.calls[i][0], p.calls[i][1])
	}
}

func countSuffix(f *fake, suffix string) int {
	n := 0
	for _, r := range f.Requests() {
		p, _, _ := strings.Cut(r, "?")
		if strings.HasSuffix(p, suffix) {
			n++
		}
	}
	return n
}

// The users list follows the Link header's rel="next" (the after cursor)
// to the last page, limit 200, and sends the API token as SSWS.
func TestPaginationFollowsLinkHeader(t *testing.T) {
	f := newFake(t)
	f.PageSize = 4
	s, _ := build(t, f, Config{MFA: ptr(false)})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 11)
	var pages []string
	for _, r := range f.Requests() {
		if strings.HasPrefix(r, "GET /api/v1/users?") {
			pages = append(pages, r)
		}
	}
	assert.Equal(t, []string{
		"GET /api/v1/users?limit=200",
		"GET /api/v1/users?after=00u1dave00000000d004&limit=200",
		"GET /api/v1/users?after=00u1hank00000000h008&limit=200",
	}, pages)
	for _, a := range f.auths {
		assert.Equal(t, "SSWS "+testToken, a)
	}
	assert.Zero(t, countSuffix(f, "/factors"), "mfa = false reads no factors")
	assert.Contains(t, res.Notes, "mfa: factors not read (mfa = false): mfa unknown for every account")
	for _, a := range res.Data.Accounts {
		assert.Nil(t, a.MFA, a.Login)
	}
}

func TestIncludeDeprovisioned(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{IncludeDeprovisioned: true})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	require.Len(t, res.Data.Accounts, 12)
	ken := byLogin(res.Data.Accounts)["ken"]
	assert.Equal(t, "deprovisioned", ken.Status)
	assert.Contains(t, f.Requests(), `GET /api/v1/users?filter=status+eq+%22DEPROVISIONED%22&limit=200`)
}

func TestAccessTokenIsSentAsBearer(t *testing.T) {
	f := newFake(t)
	f.Bearer = true
	s, _ := build(t, f, Config{})
	res, err := collect(t, s, map[string]string{"OKTA_ACCESS_TOKEN": testToken}, nil)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 11)
	assert.Equal(t, "Bearer "+testToken, f.auths[0])
}

func TestAdminRolesOverride(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{AdminRoles: []string{"super_admin", "ORG_ADMIN"}})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	got := byLogin(res.Data.Accounts)
	assert.True(t, got["alice"].Privileged)
	assert.True(t, got["bob"].Privileged)
	assert.False(t, got["carol"].Privileged, "APP_ADMIN is not counted")
	assert.Equal(t, "app_admin", got["carol"].Role, "the role is recorded all the same")
	assert.False(t, got["judy"].Privileged)
	assert.Nil(t, got["carol"].MFA, "factors are read for privileged accounts only")
	assert.Equal(t, 2, countSuffix(f, "/factors"))
}

func TestMFAScopeActiveReadsEveryActiveUser(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{MFAScope: "active"})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	active := 0
	for _, a := range res.Data.Accounts {
		if a.Status == "active" {
			active++
			require.NotNil(t, a.MFA, a.Login)
		} else {
			assert.Nil(t, a.MFA, a.Login)
		}
	}
	assert.Equal(t, 9, active)
	assert.Equal(t, 9, countSuffix(f, "/factors"))
	assert.False(t, *byLogin(res.Data.Accounts)["dave"].MFA, "no factor enrolled")
}

// A 429 with Okta's headers waits until X-Rate-Limit-Reset, then the
// request is sent again.
func TestRateLimitWaitsForReset(t *testing.T) {
	f := newFake(t)
	reset := now0.Add(42 * time.Second)
	f.fail(fault{path: "/api/v1/users", status: 429, times: 1, body: string(sample(t, "error_429.json")),
		header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(reset.Unix(), 10)}})
	s, rec := build(t, f, Config{})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 11)
	assert.Equal(t, []time.Duration{42 * time.Second}, rec.Waits())
	r := f.Requests()
	assert.Equal(t, r[0], r[1], "the same request again")
}

func TestRateLimitTooLongFails(t *testing.T) {
	f := newFake(t)
	reset := now0.Add(10 * time.Minute)
	f.fail(fault{path: "/api/v1/users", status: 429, times: 1, body: string(sample(t, "error_429.json")),
		header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(reset.Unix(), 10)}})
	s, _ := build(t, f, Config{})
	_, err := collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.Equal(t, "okta source workforce: okta API GET /api/v1/users: rate limited until 2026-11-20T10:10:00Z (status 429; a wait of 10m0s is longer than the 1m0s allowed)", err.Error())
}

func TestRateLimitAfterRetriesFails(t *testing.T) {
	f := newFake(t)
	f.fail(fault{path: "/api/v1/users", status: 429, times: 10, body: string(sample(t, "error_429.json")),
		header: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(now0.Add(time.Second).Unix(), 10)}})
	s, _ := build(t, f, Config{})
	_, err := collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "okta API GET /api/v1/users: 429 Too Many Requests (E0000047: API call exceeded rate limit due to too many requests.): rate limited after retries")
	assert.Equal(t, 5, f.Count("/api/v1/users"))
}

func TestServerErrorIsRetried(t *testing.T) {
	f := newFake(t)
	f.fail(fault{path: "/api/v1/iam/assignees/users", status: 503, times: 1, body: `{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`})
	f.fail(fault{path: "/api/v1/users/00u1bob", status: 500, times: 1})
	s, rec := build(t, f, Config{})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 11)
	assert.Len(t, rec.Waits(), 2, "one backoff each")
	assert.Equal(t, 3+1, f.Count("/api/v1/iam/assignees/users"))
	assert.False(t, *byLogin(res.Data.Accounts)["bob"].MFA)
}

func TestServerErrorAfterRetriesFails(t *testing.T) {
	f := newFake(t)
	f.fail(fault{path: "/api/v1/users/00u1alice", status: 502, times: 99})
	s, _ := build(t, f, Config{})
	_, err := collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "okta API GET /api/v1/users/00u1alice0000000a001/")
	assert.Contains(t, err.Error(), ": 502 Bad Gateway")
}

// Refused credentials fail at once, with a message that names the request
// and the variable to check, never the token.
func TestAuthFailureIsNotRetried(t *testing.T) {
	f := newFake(t)
	s, rec := build(t, f, Config{})
	_, err := collect(t, s, map[string]string{"OKTA_API_TOKEN": "00WRONG-token-value"}, nil)
	require.Error(t, err)
	assert.Equal(t, "okta source workforce: okta API GET /api/v1/users: 401 Unauthorized (E0000011: Invalid token provided): the credentials were refused: check OKTA_API_TOKEN", err.Error())
	assert.NotContains(t, err.Error(), "00WRONG-token-value")
	assert.Len(t, f.Requests(), 1)
	assert.Empty(t, rec.Waits())

	f = newFake(t)
	f.fail(fault{path: "/api/v1/iam/assignees/users", status: 403, times: 1, body: string(sample(t, "error_403.json"))})
	s, _ = build(t, f, Config{})
	_, err = collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "okta API GET /api/v1/iam/assignees/users: 403 Forbidden (E0000006: You do not have permission to perform the requested action): the credentials may not read this")
	assert.Equal(t, 1, f.Count("/api/v1/iam/assignees/users"))
}

func TestNoCredentials(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{})
	_, err := collect(t, s, map[string]string{}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "okta source workforce: no credentials: set OKTA_API_TOKEN")
	assert.Empty(t, f.Requests())
}

// The token never reaches records, notes, errors or the snapshot.
func TestTokenNeverLeaks(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, f, Config{MFAScope: "active", IncludeDeprovisioned: true})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testToken)
	snap := &snapshot.Snapshot{AsOf: now0, Parts: []*snapshot.Part{{Source: "workforce", Kind: "okta", Data: res.Data, Notes: res.Notes}}}
	dir := t.TempDir()
	_, err = snapshot.Write(dir, "p", snap)
	require.NoError(t, err)
	back, _, err := snapshot.Read(dir)
	require.NoError(t, err)
	b, err = json.Marshal(back)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testToken)

	// An error answer that echoes the token is redacted.
	f = newFake(t)
	f.fail(fault{path: "/api/v1/users", status: 400, times: 1, body: `{"errorCode":"E0000001","errorSummary":"bad header SSWS ` + testToken + `"}`})
	s, _ = build(t, f, Config{})
	_, err = collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	assert.Contains(t, err.Error(), "bad header SSWS ***")
}

// A next link to another host is refused: the token goes to the org only.
func TestNextLinkOffTheOrgIsRefused(t *testing.T) {
	f := newFake(t)
	f.NextHost = "http://127.0.0.2:1"
	s, _ := build(t, f, Config{})
	_, err := collect(t, s, tokenEnv(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a next page link points to http://127.0.0.2:1, not to the org")
	assert.Len(t, f.Requests(), 1)
}

// When X-Rate-Limit-Remaining falls to concurrency or below, the next
// request waits for X-Rate-Limit-Reset.
func TestPacesWhenRemainingIsLow(t *testing.T) {
	f := newFake(t)
	f.Remaining = func(n int) int {
		if n == 2 {
			return 3
		}
		return 500
	}
	s, rec := build(t, f, Config{})
	_, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Minute}, rec.Waits(), "the fake's window resets a minute on")
}

// The documented count for 5,000 users of whom 20 are admins: 25 pages,
// 1 admin page, 20 role calls, 20 factor calls.
func TestAPICallsFor5000Users(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 users")
	}
	f := newFake(t)
	f.PageSize, f.AdminsPerPage = 200, 100
	f.Users, f.Admins = nil, nil
	f.Roles, f.Factors = map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for i := range 5000 {
		id := fmt.Sprintf("00u%017d", i)
		f.Users = append(f.Users, map[string]any{"id": id, "status": "ACTIVE", "created": "2026-01-01T00:00:00.000Z", "lastLogin": nil,
			"profile": map[string]any{"login": id + "@acme.example"}})
		if i%250 == 0 {
			f.Admins = append(f.Admins, id)
			f.Roles[id] = json.RawMessage(`[{"type":"ORG_ADMIN","status":"ACTIVE","assignmentType":"USER"}]`)
		}
	}
	s, _ := build(t, f, Config{})
	res, err := collect(t, s, tokenEnv(), nil)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 5000)
	assert.Equal(t, 25, f.Count("/api/v1/users")-f.Count("/api/v1/users/"))
	assert.Equal(t, 1, f.Count("/api/v1/iam/assignees/users"))
	assert.Equal(t, 20, countSuffix(f, "/roles"))
	assert.Equal(t, 20, countSuffix(f, "/factors"))
	assert.Len(t, f.Requests(), 66)
}

func TestNewChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "org_url: the Okta org URL is required"},
		{Config{OrgURL: "http://acme.okta.com"}, "must be https"},
		{Config{OrgURL: "https://acme.okta.com/api/v1"}, "give the org URL alone"},
		{Config{OrgURL: "https://user:pw@acme.okta.com"}, "credentials in the URL are not allowed"},
		{Config{OrgURL: "https://acme-admin.okta.com"}, "is the Admin Console"},
		{Config{OrgURL: "acme.okta.com"}, "is not a URL such as"},
		{Config{OrgURL: "https://acme.okta.com", AdminRoles: []string{"ROOT"}}, `admin_roles[0] "ROOT": not an Okta admin role type`},
		{Config{OrgURL: "https://acme.okta.com", MFAScope: "all"}, `mfa_scope "all": want "privileged" or "active"`},
		{Config{OrgURL: "https://acme.okta.com", Concurrency: 17}, "concurrency must be between 1 and 16"},
		{Config{OrgURL: "https://acme.okta.com", MaxRequests: -1}, "max_requests must be positive"},
	} {
		_, err := New(&tc.cfg)
		if assert.Error(t, err, tc.cfg.OrgURL) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	s, err := New(&Config{OrgURL: " https://Acme.Okta.com/ "})
	require.NoError(t, err)
	cfg := s.Config()
	assert.Equal(t, "https://acme.okta.com", cfg.OrgURL)
	assert.Equal(t, "okta", cfg.System)
	assert.True(t, *cfg.MFA)
	assert.Equal(t, "privileged", cfg.MFAScope)
	assert.Equal(t, 4, cfg.Concurrency)
	assert.Equal(t, 10000, cfg.MaxRequests)
}

// The block decodes from HCL as the config loader decodes it: mfa = false
// is told apart from mfa left out.
func TestDecodeFromHCL(t *testing.T) {
	k, ok := sources.Lookup("okta")
	require.True(t, ok)
	assert.True(t, snapshot.KindHas("okta", "accounts", snapshot.TraitActivity))
	for _, tc := range []struct {
		body string
		mfa  bool
	}{
		{`org_url = "https://acme.okta.com"`, true},
		{"org_url = \"https://acme.okta.com\"\nmfa = false\nadmin_roles = [\"SUPER_ADMIN\"]\nsystem = \"okta-prod\"", false},
	} {
		file, diags := hclparse.NewParser().ParseHCL([]byte(tc.body), "t.hcl")
		require.False(t, diags.HasErrors(), diags.Error())
		cfg := k.NewConfig()
		diags = gohcl.DecodeBody(file.Body, nil, cfg)
		require.False(t, diags.HasErrors(), diags.Error())
		src, err := k.New(cfg)
		require.NoError(t, err)
		assert.Equal(t, tc.mfa, *src.(*Source).Config().MFA)
	}
}

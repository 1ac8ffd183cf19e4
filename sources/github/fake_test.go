package github

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake GitHub REST API used by the tests: a loopback httptest server
// that answers the endpoints the source reads with response bodies shaped
// like GitHub's (fields as in the REST API reference), pages lists with Link
// headers (page numbers, or `after` cursors for Dependabot and code
// scanning, as github.com does), and serves injected faults first.

var now0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const testToken = "ghp_TESTTOKENtesttoken0123456789abcdefXYZ"

type fault struct {
	status int
	header map[string]string
	body   string
}

type offFeature struct {
	status  int
	message string
}

type fakeRepo struct {
	dependabot  []map[string]any
	code        []map[string]any
	secret      []map[string]any
	deployments []map[string]any
	statuses    map[int64][]map[string]any
	issues      []map[string]any
	off         map[string]offFeature // "dependabot", "code-scanning", "secret-scanning", "issues"
}

type fakeApp struct {
	id             int64
	installationID int64
	key            *rsa.PublicKey
	token          string
	minted         int
	jwtErrors      []string
}

type fake struct {
	t        *testing.T
	srv      *httptest.Server
	prefix   string // "/api/v3" (GitHub Enterprise Server layout) or ""
	pageSize int
	token    string
	owners   map[string]string // login → "Organization" | "User"
	admins   []string
	no2fa    []string
	twofa    *offFeature // the 2fa_disabled filter refused
	repos    map[string]*fakeRepo
	app      *fakeApp
	clock    func() time.Time

	mu     sync.Mutex
	log    []string // "GET /path?query" (prefix stripped)
	auths  []string
	faults map[string][]fault // "GET /path" → served first, in order
}

func newFake(t *testing.T) *fake {
	f := &fake{
		t: t, prefix: "/api/v3", pageSize: 2, token: testToken,
		owners: map[string]string{"acme": "Organization"},
		repos:  map[string]*fakeRepo{},
		faults: map[string][]fault{},
		clock:  func() time.Time { return now0 },
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the api_url a config names for this server.
func (f *fake) apiURL() string { return f.srv.URL + f.prefix }

func (f *fake) repo(full string) *fakeRepo {
	r := f.repos[full]
	if r == nil {
		r = &fakeRepo{statuses: map[int64][]map[string]any{}, off: map[string]offFeature{}}
		f.repos[full] = r
	}
	return r
}

func (f *fake) inject(key string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[key] = append(f.faults[key], fs...)
}

// requests returns the logged requests whose "METHOD /path" starts with p.
func (f *fake) requests(p string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, l := range f.log {
		if strings.HasPrefix(l, p) {
			out = append(out, l)
		}
	}
	return out
}

// count counts the requests that are exactly "METHOD /path" (any query).
func (f *fake) count(p string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, l := range f.log {
		if l == p || strings.HasPrefix(l, p+"?") {
			n++
		}
	}
	return n
}

func (f *fake) allRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if !strings.HasPrefix(path, f.prefix+"/") {
		message(w, http.StatusNotAcceptable, "wrong API prefix")
		return
	}
	path = strings.TrimPrefix(path, f.prefix)
	key := r.Method + " " + path
	f.mu.Lock()
	entry := key
	if r.URL.RawQuery != "" {
		entry += "?" + r.URL.RawQuery
	}
	f.log = append(f.log, entry)
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	var ft *fault
	if q := f.faults[key]; len(q) > 0 {
		ft = &q[0]
		f.faults[key] = q[1:]
	}
	f.mu.Unlock()

	// GitHub App: exchange the JWT for an installation token.
	if f.app != nil && r.Method == http.MethodPost && path == fmt.Sprintf("/app/installations/%d/access_tokens", f.app.installationID) {
		f.mintToken(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		message(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if ft != nil {
		for k, v := range ft.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(ft.status)
		_, _ = w.Write([]byte(ft.body))
		return
	}
	if r.Method != http.MethodGet {
		message(w, http.StatusNotFound, "Not Found")
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	q := r.URL.Query()
	switch {
	case len(seg) == 2 && seg[0] == "users":
		typ, ok := f.owners[seg[1]]
		if !ok {
			message(w, 404, "Not Found")
			return
		}
		writeJSON(w, 200, user(seg[1], typ))
	case len(seg) == 3 && seg[0] == "orgs" && seg[2] == "members":
		if f.owners[seg[1]] != "Organization" {
			message(w, 404, "Not Found")
			return
		}
		logins := f.admins
		if q.Get("role") != "admin" {
			message(w, 422, "test server only serves role=admin")
			return
		}
		if q.Get("filter") == "2fa_disabled" {
			if f.twofa != nil {
				message(w, f.twofa.status, f.twofa.message)
				return
			}
			logins = f.no2fa
		}
		var items []any
		for _, l := range logins {
			items = append(items, user(l, "User"))
		}
		f.pageByNumber(w, r, items)
	case len(seg) == 3 && (seg[0] == "orgs" || seg[0] == "users") && seg[2] == "repos":
		if _, ok := f.owners[seg[1]]; !ok {
			message(w, 404, "Not Found")
			return
		}
		var names []string
		for full := range f.repos {
			if strings.HasPrefix(full, seg[1]+"/") {
				names = append(names, full)
			}
		}
		sort.Strings(names)
		var items []any
		for _, full := range names {
			o, n, _ := strings.Cut(full, "/")
			items = append(items, map[string]any{
				"id": 1296269, "name": n, "full_name": full, "private": false,
				"owner":    map[string]any{"login": o, "type": f.owners[o]},
				"html_url": "https://github.com/" + full, "archived": false,
			})
		}
		f.pageByNumber(w, r, items)
	case len(seg) >= 3 && seg[0] == "repos":
		full := seg[1] + "/" + seg[2]
		repo, ok := f.repos[full]
		if !ok {
			message(w, 404, "Not Found")
			return
		}
		f.serveRepo(w, r, full, repo, seg[3:])
	default:
		message(w, 404, "Not Found")
	}
}

func (f *fake) serveRepo(w http.ResponseWriter, r *http.Request, full string, repo *fakeRepo, rest []string) {
	feature := ""
	if len(rest) > 0 {
		feature = rest[0]
	}
	if off, ok := repo.off[feature]; ok {
		message(w, off.status, off.message)
		return
	}
	switch {
	case len(rest) == 0:
		writeJSON(w, 200, map[string]any{"id": 1296269, "name": strings.Split(full, "/")[1], "full_name": full})
	case len(rest) == 2 && rest[0] == "dependabot" && rest[1] == "alerts":
		f.pageByCursor(w, r, anys(repo.dependabot))
	case len(rest) == 2 && rest[0] == "code-scanning" && rest[1] == "alerts":
		f.pageByCursor(w, r, anys(repo.code))
	case len(rest) == 2 && rest[0] == "secret-scanning" && rest[1] == "alerts":
		f.pageByNumber(w, r, anys(repo.secret))
	case len(rest) == 1 && rest[0] == "deployments":
		f.pageByNumber(w, r, anys(repo.deployments))
	case len(rest) == 3 && rest[0] == "deployments" && rest[2] == "statuses":
		id, _ := strconv.ParseInt(rest[1], 10, 64)
		f.pageByNumber(w, r, anys(repo.statuses[id]))
	case len(rest) == 1 && rest[0] == "issues":
		q := r.URL.Query()
		if q.Get("state") != "all" {
			message(w, 422, "test server only serves state=all")
			return
		}
		var items []any
		for _, is := range repo.issues {
			if hasLabel(is, q.Get("labels")) {
				items = append(items, is)
			}
		}
		f.pageByNumber(w, r, items)
	default:
		message(w, 404, "Not Found")
	}
}

func anys(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

func hasLabel(issue map[string]any, want string) bool {
	ls, _ := issue["labels"].([]any)
	for _, l := range ls {
		if m, ok := l.(map[string]any); ok && m["name"] == want {
			return true
		}
	}
	return false
}

// pageByNumber serves items in pages of f.pageSize with rel="next"/"last"
// page links, as most GitHub lists do.
func (f *fake) pageByNumber(w http.ResponseWriter, r *http.Request, items []any) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	start, end := (page-1)*f.pageSize, page*f.pageSize
	if start > len(items) {
		start = len(items)
	}
	if end > len(items) {
		end = len(items)
	}
	last := (len(items) + f.pageSize - 1) / f.pageSize
	if end < len(items) {
		link := func(p int) string {
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(p))
			return "<" + f.srv.URL + r.URL.Path + "?" + q.Encode() + ">"
		}
		w.Header().Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
	}
	writeJSON(w, 200, nonNil(items[start:end]))
}

// pageByCursor serves items with opaque `after` cursors in the Link header
// and no page numbers, as the Dependabot and code scanning alert lists do
// on github.com.
func (f *fake) pageByCursor(w http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	if q.Get("page") != "" {
		message(w, 400, "Pagination using the `page` parameter is not supported.")
		return
	}
	start := 0
	if a := q.Get("after"); a != "" {
		b, err := base64.StdEncoding.DecodeString(a)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:v2:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			message(w, 400, "invalid cursor")
			return
		}
		start = n
	}
	end := start + f.pageSize
	if end > len(items) {
		end = len(items)
	}
	var links []string
	if end < len(items) {
		nq := url.Values{}
		nq.Set("per_page", q.Get("per_page"))
		nq.Set("after", base64.StdEncoding.EncodeToString([]byte("cursor:v2:"+strconv.Itoa(end))))
		links = append(links, "<"+f.srv.URL+r.URL.Path+"?"+nq.Encode()+`>; rel="next"`)
	}
	if start > 0 {
		pq := url.Values{}
		pq.Set("per_page", q.Get("per_page"))
		pq.Set("before", base64.StdEncoding.EncodeToString([]byte("cursor:v2:"+strconv.Itoa(start))))
		links = append(links, "<"+f.srv.URL+r.URL.Path+"?"+pq.Encode()+`>; rel="prev"`)
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, 200, nonNil(items[start:end]))
}

func nonNil(items []any) []any {
	if items == nil {
		return []any{}
	}
	return items
}

// mintToken checks the app JWT with the app's public key and returns an
// installation token.
func (f *fake) mintToken(w http.ResponseWriter, r *http.Request) {
	fail := func(msg string) {
		f.mu.Lock()
		f.app.jwtErrors = append(f.app.jwtErrors, msg)
		f.mu.Unlock()
		message(w, 401, "A JSON web token could not be decoded")
	}
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		fail("no bearer")
		return
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		fail("not three parts")
		return
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		fail("signature encoding")
		return
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(f.app.key, crypto.SHA256, sum[:], sig); err != nil {
		fail("bad signature")
		return
	}
	var header struct{ Alg, Typ string }
	hb, _ := enc.DecodeString(parts[0])
	if json.Unmarshal(hb, &header) != nil || header.Alg != "RS256" {
		fail("header")
		return
	}
	var claims struct {
		IAT int64  `json:"iat"`
		EXP int64  `json:"exp"`
		ISS string `json:"iss"`
	}
	cb, _ := enc.DecodeString(parts[1])
	if json.Unmarshal(cb, &claims) != nil {
		fail("claims")
		return
	}
	now := f.clock().Unix()
	if claims.ISS != strconv.FormatInt(f.app.id, 10) || claims.IAT > now || claims.EXP <= now || claims.EXP-claims.IAT > 600 {
		fail(fmt.Sprintf("claims %+v at %d", claims, now))
		return
	}
	f.mu.Lock()
	f.app.minted++
	f.mu.Unlock()
	writeJSON(w, 201, map[string]any{
		"token":                f.app.token,
		"expires_at":           f.clock().Add(time.Hour).Format(time.RFC3339),
		"permissions":          map[string]any{"issues": "read", "members": "read", "security_events": "read"},
		"repository_selection": "all",
	})
}

// ---- recorded-shape bodies ----

func user(login, typ string) map[string]any {
	return map[string]any{
		"login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
		"avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
		"url":        "https://api.github.com/users/" + login,
		"html_url":   "https://github.com/" + login,
		"type":       typ, "site_admin": false,
	}
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type depAlert struct {
	n                        int
	state                    string
	ghsa, cve, pkg, severity string
	created, fixed           time.Time
	reason                   string
}

func (a depAlert) json(full string) map[string]any {
	return map[string]any{
		"number": a.n, "state": a.state,
		"dependency": map[string]any{
			"package":       map[string]any{"ecosystem": "npm", "name": a.pkg},
			"manifest_path": "package-lock.json", "scope": "runtime",
		},
		"security_advisory": map[string]any{
			"ghsa_id": a.ghsa, "cve_id": orNil(a.cve), "summary": "Prototype pollution in " + a.pkg,
			"description": "…", "severity": a.severity,
			"identifiers":  []any{map[string]any{"value": a.ghsa, "type": "GHSA"}},
			"published_at": "2026-01-10T00:00:00Z", "updated_at": "2026-01-12T00:00:00Z", "withdrawn_at": nil,
		},
		"security_vulnerability": map[string]any{
			"package":                  map[string]any{"ecosystem": "npm", "name": a.pkg},
			"severity":                 a.severity,
			"vulnerable_version_range": "< 4.17.21",
			"first_patched_version":    map[string]any{"identifier": "4.17.21"},
		},
		"url":               "https://api.github.com/repos/" + full + "/dependabot/alerts/" + strconv.Itoa(a.n),
		"html_url":          "https://github.com/" + full + "/security/dependabot/" + strconv.Itoa(a.n),
		"created_at":        stamp(a.created),
		"updated_at":        stamp(a.created),
		"dismissed_at":      nil,
		"dismissed_by":      nil,
		"dismissed_reason":  orNil(a.reason),
		"dismissed_comment": nil,
		"fixed_at":          stamp(a.fixed),
		"auto_dismissed_at": nil,
	}
}

type codeAlert struct {
	n                      int
	state, rule            string
	secLevel, ruleSeverity string
	created, fixed         time.Time
	reason                 string
}

func (a codeAlert) json(full string) map[string]any {
	return map[string]any{
		"number": a.n, "created_at": stamp(a.created), "updated_at": stamp(a.created),
		"url":      "https://api.github.com/repos/" + full + "/code-scanning/alerts/" + strconv.Itoa(a.n),
		"html_url": "https://github.com/" + full + "/security/code-scanning/" + strconv.Itoa(a.n),
		"state":    a.state, "fixed_at": stamp(a.fixed), "dismissed_by": nil, "dismissed_at": nil,
		"dismissed_reason": orNil(a.reason), "dismissed_comment": nil,
		"rule": map[string]any{
			"id": a.rule, "severity": a.ruleSeverity, "tags": []any{"security", "external/cwe/cwe-022"},
			"description": "Arbitrary file write during zip extraction", "name": a.rule,
			"security_severity_level": orNil(a.secLevel),
		},
		"tool": map[string]any{"name": "CodeQL", "guid": nil, "version": "2.15.0"},
		"most_recent_instance": map[string]any{
			"ref": "refs/heads/main", "analysis_key": ".github/workflows/codeql-analysis.yml:CodeQL-Build",
			"state": a.state, "commit_sha": "39406e42cb832f683daa691dd652a8dc36ee8930",
			"location": map[string]any{"path": "spec-main/api-session-spec.ts", "start_line": 917, "end_line": 917},
		},
		"instances_url": "https://api.github.com/repos/" + full + "/code-scanning/alerts/" + strconv.Itoa(a.n) + "/instances",
	}
}

type secretAlert struct {
	n                      int
	state, resolution, typ string
	created, resolved      time.Time
	secret                 string
}

func (a secretAlert) json(full string) map[string]any {
	return map[string]any{
		"number": a.n, "created_at": stamp(a.created), "updated_at": stamp(a.created),
		"url":           "https://api.github.com/repos/" + full + "/secret-scanning/alerts/" + strconv.Itoa(a.n),
		"html_url":      "https://github.com/" + full + "/security/secret-scanning/" + strconv.Itoa(a.n),
		"locations_url": "https://api.github.com/repos/" + full + "/secret-scanning/alerts/" + strconv.Itoa(a.n) + "/locations",
		"state":         a.state, "resolution": orNil(a.resolution), "resolved_at": stamp(a.resolved),
		"resolved_by":              nil,
		"secret_type":              a.typ,
		"secret_type_display_name": strings.ToUpper(a.typ[:1]) + a.typ[1:],
		"secret":                   a.secret,
		"push_protection_bypassed": false,
	}
}

func deployment(full string, id int64, env, sha, task, desc string, created time.Time) map[string]any {
	return map[string]any{
		"url": fmt.Sprintf("https://api.github.com/repos/%s/deployments/%d", full, id), "id": id,
		"node_id": "MDEwOkRlcGxveW1lbnQx", "sha": sha, "ref": "main", "task": task, "payload": map[string]any{},
		"original_environment": env, "environment": env, "description": desc,
		"creator":    user("deploy-bot", "Bot"),
		"created_at": stamp(created), "updated_at": stamp(created),
		"statuses_url":          fmt.Sprintf("https://api.github.com/repos/%s/deployments/%d/statuses", full, id),
		"repository_url":        "https://api.github.com/repos/" + full,
		"transient_environment": false, "production_environment": env == "production",
	}
}

func depStatus(id int64, state string, created time.Time) map[string]any {
	return map[string]any{
		"url": fmt.Sprintf("https://api.github.com/deployments/statuses/%d", id), "id": id, "state": state,
		"creator": user("deploy-bot", "Bot"), "description": "Deployment " + state, "environment": "production",
		"target_url": "https://example.com/deployment/42/output", "created_at": stamp(created), "updated_at": stamp(created),
		"log_url": "https://example.com/deployment/42/output",
	}
}

type issue struct {
	n             int
	title, body   string
	labels        []string
	state, reason string
	created       time.Time
	closed        time.Time
	pr            bool
}

func (is issue) json(full string) map[string]any {
	var labels []any
	for _, l := range is.labels {
		labels = append(labels, map[string]any{"id": 208045946, "name": l, "color": "f29513", "default": false})
	}
	m := map[string]any{
		"id": 1, "node_id": "MDU6SXNzdWUx", "number": is.n,
		"url":      "https://api.github.com/repos/" + full + "/issues/" + strconv.Itoa(is.n),
		"html_url": "https://github.com/" + full + "/issues/" + strconv.Itoa(is.n),
		"state":    is.state, "state_reason": orNil(is.reason), "title": is.title, "body": is.body,
		"user": user("oncall", "User"), "labels": labels, "locked": false, "comments": 0,
		"created_at": stamp(is.created), "updated_at": stamp(is.created), "closed_at": stamp(is.closed),
		"author_association": "MEMBER",
	}
	if is.pr {
		m["pull_request"] = map[string]any{
			"url":      "https://api.github.com/repos/" + full + "/pulls/" + strconv.Itoa(is.n),
			"html_url": "https://github.com/" + full + "/pull/" + strconv.Itoa(is.n),
		}
	}
	return m
}

// recorder is the injected clock and sleeper: waits are recorded, nothing
// sleeps.
type recorder struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (r *recorder) Now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	r.now = r.now.Add(d)
	return ctx.Err()
}

func (r *recorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// The fake itself must behave like GitHub where the source's correctness
// depends on it: no credentials, no data; a wrong prefix is refused.
func TestFakeRefusesWhatGitHubRefuses(t *testing.T) {
	f := newFake(t)
	resp, err := http.Get(f.apiURL() + "/orgs/acme/members")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = http.Get(f.srv.URL + "/elsewhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotAcceptable, resp.StatusCode)
	assert.Equal(t, []string{"GET /orgs/acme/members"}, f.allRequests(), "API requests are logged; others are refused before")
}

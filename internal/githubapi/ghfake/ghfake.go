// Package ghfake is an in-memory GitHub REST API for tests, served by an
// httptest server on the loopback interface, with response bodies shaped
// like GitHub's (fields as in the REST API reference):
//
//   - users and organisations: GET /users/{login}, the owners of an
//     organisation (GET /orgs/{org}/members?role=admin, with the
//     2fa_disabled filter), the fine-grained personal access tokens with
//     access to an organisation (GET /orgs/{org}/personal-access-tokens,
//     GitHub Apps only when PATsAppOnly is set), the repositories of an
//     organisation or a user;
//   - per organisation: the Dependabot, code scanning and secret scanning
//     alerts of every repository (each with its `repository`);
//   - per repository: the repository, Dependabot and code scanning alerts
//     (paged by `after` cursors, as on github.com), secret scanning alerts,
//     deployments and their statuses (paged by number), issues (list with
//     state, labels and direction, create, edit: update, close, reopen),
//     comments, labels (list, create) and assignee checks;
//   - the GraphQL API (POST /api/graphql, see graphql.go): repositories
//     (with aliases), their deployments with statuses and their issues
//     with labels, filtered and ordered, paged by cursor, each query
//     charged its points by GitHub's formula and refused as GitHub refuses
//     it (validation errors, a spent rate limit);
//   - GitHub App installation tokens: POST
//     /app/installations/{id}/access_tokens checks the RS256 JWT with the
//     App's public key;
//   - credentials (401 Bad credentials for any other token), the GitHub
//     Enterprise Server prefix /api/v3 (requests outside it are refused
//     with 406 and not recorded), features turned off per repository, and
//     faults (5xx, rate limits with Retry-After or X-RateLimit-Reset, any
//     answer) injected per request.
//
// Lists are paged with Link headers; MaxPerPage caps per_page to exercise
// paging. Every request is recorded. The Server's fields are set before
// requests are sent (and read after they are done); its methods are safe to
// use while requests run.
package ghfake

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // without the Prefix and the query
	Query  string
	Auth   string // the Authorization header
	// Body is the body of a GraphQL query (POST /graphql): its query and
	// variables, as JSON.
	Body string
}

// Write reports whether the request changes something.
func (r Request) Write() bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// String is "METHOD /path", with "?query" when there is one.
func (r Request) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

// Fault answers a request in place of the server.
type Fault struct {
	// Match selects requests (nil: every request).
	Match func(r Request) bool
	// Status and Header of the answer; Body defaults to a GitHub error JSON.
	Status int
	Header http.Header
	Body   string
	// Apply carries the write out before answering with Status (a server
	// that fails after doing the work).
	Apply bool
	// Times is how many matching requests get the fault (0: all of them).
	Times int
	used  int
}

// Off is the answer of a feature turned off (or refused).
type Off struct {
	Status  int
	Message string
}

// App is the GitHub App whose installation tokens the server mints.
type App struct {
	ID, InstallationID int64
	Key                *rsa.PublicKey // checks the JWT's signature
	Token              string         // the installation token handed out
	Minted             int            // tokens handed out
	JWTErrors          []string       // why JWTs were refused
}

// Server is the fake.
type Server struct {
	*httptest.Server
	// Prefix is where the API lives on the server: "/api/v3" (the GitHub
	// Enterprise Server layout; the default) or "".
	Prefix string
	// Token, when set, is the only accepted credential (Bearer or token).
	Token string
	// EchoAuth makes 401 answers quote the Authorization header they got
	// (a careless server), to test that clients never print it.
	EchoAuth bool
	// MaxPerPage caps per_page, to exercise paging (default 100).
	MaxPerPage int
	// HTMLURL is the web base of the html_url of issues (default
	// https://github.com).
	HTMLURL string
	// Owners maps a login to "Organization" or "User".
	Owners map[string]string
	// Admins are the owners of every organisation; No2FA those of them
	// without two-factor authentication.
	Admins, No2FA []string
	// TwoFA, when set, refuses the 2fa_disabled filter with its answer.
	TwoFA *Off
	// PATs are the fine-grained personal access tokens with access to
	// every organisation (see PAT), listed by number pages.
	PATs []map[string]any
	// PATsOff, when set, refuses the PAT listing with its answer.
	// PATsAppOnly refuses it, as GitHub does, to any credential but the
	// App's installation token (403 "Resource not accessible by personal
	// access token").
	PATsOff     *Off
	PATsAppOnly bool
	// OrgAlertsOff answers the organisation alert lists (GET
	// /orgs/{org}/{kind}/alerts) whose kind ("dependabot",
	// "code-scanning", "secret-scanning") it holds, as GitHub does for a
	// token that is not an owner or security manager (403) or a server
	// without the endpoint (404).
	OrgAlertsOff map[string]Off
	// NoGraphQL answers POST /graphql with 404 (a server without GraphQL).
	// GraphQLLimit is the points of the GraphQL rate-limit window
	// (default 5000; each query costs its points by GitHub's formula, see
	// GraphQLCost).
	NoGraphQL    bool
	GraphQLLimit int
	// QuotaLimit is the REST rate limit of the window (default 5000):
	// every REST answer but a 304 Not Modified (and GET /rate_limit)
	// counts against it, as on GitHub, and carries X-RateLimit-Limit,
	// -Remaining, -Used, -Reset and -Resource. Answers carry a weak ETag of
	// their body; a GET whose If-None-Match matches it is answered 304.
	QuotaLimit int
	// Latency delays every answer (a remote server; benchmarks). The
	// server handles requests in parallel while they wait.
	Latency time.Duration
	// App, when set, mints installation tokens.
	App *App
	// Clock is the time of the JWT check and of token expiries (nil:
	// time.Now).
	Clock func() time.Time

	mu       sync.Mutex
	repos    map[string]*Repo // "owner/name"
	requests []Request
	faults   []*Fault
	gqlUsed  int
	quota    int       // REST requests counted against the rate limit
	tick     time.Time // the fake's clock of issue events (creation without a time, closing, comments)
}

// Repo is one repository of the server. It embeds its Server, so a test
// about one repository can hold just the Repo.
type Repo struct {
	*Server
	Owner, Name string
	// Alerts and deployments, as JSON objects (see the builders in
	// shapes.go). Statuses maps a deployment id to its statuses, newest
	// first.
	Dependabot, CodeScanning, SecretScanning []map[string]any
	Deployments                              []map[string]any
	Statuses                                 map[int64][]map[string]any
	// Off answers every request whose path goes on with that segment
	// ("dependabot", "code-scanning", "secret-scanning", "issues", ...).
	Off map[string]Off
	// Assignable logins (nil: every login is assignable).
	Assignable map[string]bool

	issues []*Issue
	labels []*Label
}

// Issue is a stored issue (or pull request).
type Issue struct {
	Number      int // 0: the next free number
	Title       string
	Body        string
	State       string // open (default), closed
	StateReason string
	Labels      []string
	Assignees   []string
	Author      string // default octocat
	PullRequest bool
	Created     time.Time // zero: a minute after the previous one
	Closed      time.Time
	Comments    []string

	updated time.Time // updated_at: the creation or closing, then the latest edit

}

// Label is a stored label.
type Label struct {
	Name, Color, Description string
}

// New starts an empty fake: no owner, no repository. Close it with Close.
func New() *Server {
	s := &Server{
		Prefix: "/api/v3", MaxPerPage: 100, HTMLURL: "https://github.com",
		Owners: map[string]string{}, repos: map[string]*Repo{},
		tick: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the server's REST API base, as a client is given it.
func (s *Server) APIURL() string { return s.URL + s.Prefix + "/" }

// Repo returns the repository "owner/name", created empty the first time.
func (s *Server) Repo(full string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[full]
	if r == nil {
		owner, name, _ := strings.Cut(full, "/")
		r = &Repo{Server: s, Owner: owner, Name: name, Statuses: map[int64][]map[string]any{}, Off: map[string]Off{}}
		s.repos[full] = r
	}
	return r
}

// AddFault queues a fault (faults are tried in the order added).
func (s *Server) AddFault(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Inject queues faults for the requests "METHOD /path" (any query): each
// answers one request, in order.
func (s *Server) Inject(key string, faults ...Fault) {
	for _, f := range faults {
		f.Times = 1
		f.Match = func(r Request) bool { return r.Method+" "+r.Path == key }
		s.AddFault(&f)
	}
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// FailWritesAfter lets n write requests through and answers every later
// one with status, without carrying it out.
func (s *Server) FailWritesAfter(n, status int) {
	seen := 0
	s.AddFault(&Fault{Status: status, Match: func(r Request) bool {
		if !r.Write() {
			return false
		}
		seen++
		return seen > n
	}})
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Writes returns the write requests received so far.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Write() {
			out = append(out, r)
		}
	}
	return out
}

// Log returns the requests received so far as "METHOD /path?query" (see
// Request.String), those that start with prefix ("" for all).
func (s *Server) Log(prefix string) []string {
	var out []string
	for _, r := range s.Requests() {
		if l := r.String(); strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// Count counts the requests that are exactly "METHOD /path" (any query).
func (s *Server) Count(key string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method+" "+r.Path == key {
			n++
		}
	}
	return n
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// AddIssue stores an issue as is (numbered when it has no number) and
// returns it.
func (r *Repo) AddIssue(i Issue) *Issue {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.add(i)
}

func (r *Repo) add(i Issue) *Issue {
	if i.Number == 0 {
		for _, x := range r.issues {
			i.Number = max(i.Number, x.Number)
		}
		i.Number++
	}
	if i.State == "" {
		i.State = "open"
	}
	r.tick = r.tick.Add(time.Minute)
	if i.Created.IsZero() {
		i.Created = r.tick
	}
	i.updated = i.Created
	if i.Closed.After(i.updated) {
		i.updated = i.Closed
	}
	p := &i
	r.issues = append(r.issues, p)
	return p
}

// EditIssue changes issue number with edit, as an edit on GitHub does: its
// updated_at becomes the newest of the repository's issues. It reports
// whether the issue exists.
func (r *Repo) EditIssue(number int, edit func(*Issue)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := findIssue(r, strconv.Itoa(number))
	if i == nil {
		return false
	}
	edit(i)
	r.touch(i)
	return true
}

// touch makes i the most recently updated issue of r.
func (r *Repo) touch(i *Issue) {
	latest := i.updated
	for _, x := range r.issues {
		for _, t := range []time.Time{x.updated, x.Created, x.Closed} {
			if t.After(latest) {
				latest = t
			}
		}
	}
	i.updated = latest.Add(time.Second)
}

// Issues returns copies of the stored issues, by number.
func (r *Repo) Issues() []Issue {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Issue, 0, len(r.issues))
	for _, i := range r.issues {
		c := *i
		c.Labels = append([]string(nil), i.Labels...)
		c.Assignees = append([]string(nil), i.Assignees...)
		c.Comments = append([]string(nil), i.Comments...)
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Number < out[b].Number })
	return out
}

// AddLabel stores a label.
func (r *Repo) AddLabel(l Label) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.labels = append(r.labels, &l)
}

// Labels returns copies of the stored labels.
func (r *Repo) Labels() []Label {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Label, 0, len(r.labels))
	for _, l := range r.labels {
		out = append(out, *l)
	}
	return out
}

type apiError struct {
	Message string     `json:"message"`
	Errors  []apiField `json:"errors,omitempty"`
	DocURL  string     `json:"documentation_url"`
}

type apiField struct {
	Resource string `json:"resource"`
	Field    string `json:"field"`
	Code     string `json:"code"`
}

const docURL = "https://docs.github.com/rest"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func message(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Message: msg, DocURL: docURL})
}

func invalid(w http.ResponseWriter, resource, field, code string) {
	e := apiError{Message: "Validation Failed", DocURL: docURL}
	if code != "" {
		e.Errors = []apiField{{Resource: resource, Field: field, Code: code}}
	}
	writeJSON(w, http.StatusUnprocessableEntity, e)
}

func notFound(w http.ResponseWriter) { message(w, http.StatusNotFound, "Not Found") }

func (s *Server) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	path := strings.TrimPrefix(r.URL.Path, s.Prefix)
	switch {
	case r.URL.Path == s.graphqlPath():
		path = "/graphql"
	case !strings.HasPrefix(r.URL.Path, s.Prefix+"/"):
		message(w, http.StatusNotAcceptable, "wrong API prefix")
		return
	}
	req := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
	if path == "/graphql" && r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		req.Body = string(b)
		r.Body = io.NopCloser(bytes.NewReader(b))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)

	// A GitHub App exchanges its JWT for an installation token; every
	// other request carries the token.
	mint := s.App != nil && r.Method == http.MethodPost && path == fmt.Sprintf("/app/installations/%d/access_tokens", s.App.InstallationID)
	if mint {
		if why := s.checkJWT(req.Auth); why != "" {
			s.App.JWTErrors = append(s.App.JWTErrors, why)
			message(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
			return
		}
	} else if s.Token != "" && req.Auth != "Bearer "+s.Token && req.Auth != "token "+s.Token {
		msg := "Bad credentials"
		if s.EchoAuth {
			msg += ": " + req.Auth
		}
		message(w, http.StatusUnauthorized, msg)
		return
	}

	var fault *Fault
	for _, f := range s.faults {
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		if f.Match == nil || f.Match(req) {
			f.used++
			fault = f
			break
		}
	}
	if fault != nil && !fault.Apply {
		s.fail(w, fault)
		return
	}
	out := w
	if fault != nil {
		out = discard{header: http.Header{}}
	}
	if mint {
		s.mint(out)
	} else if fault == nil && path != "/graphql" {
		s.conditional(w, r, path)
	} else {
		s.route(out, r, path)
	}
	if fault != nil {
		s.fail(w, fault)
	}
}

func (s *Server) fail(w http.ResponseWriter, f *Fault) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	body := f.Body
	if body == "" {
		body = fmt.Sprintf(`{"message":"injected fault %d"}`, f.Status)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
}

// discard is a ResponseWriter that drops the answer (a write carried out
// before a fault).
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

func (s *Server) route(w http.ResponseWriter, r *http.Request, path string) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	get := r.Method == http.MethodGet
	switch {
	case len(seg) == 1 && seg[0] == "graphql" && r.Method == http.MethodPost:
		s.graphql(w, r)
	case len(seg) == 2 && seg[0] == "users" && get:
		typ, ok := s.Owners[seg[1]]
		if !ok {
			notFound(w)
			return
		}
		writeJSON(w, http.StatusOK, User(seg[1], typ))
	case len(seg) == 3 && seg[0] == "orgs" && seg[2] == "members" && get:
		s.members(w, r, seg[1])
	case len(seg) == 3 && seg[0] == "orgs" && seg[2] == "personal-access-tokens" && get:
		s.personalAccessTokens(w, r, seg[1])
	case len(seg) == 4 && seg[0] == "orgs" && seg[3] == "alerts" && get &&
		(seg[2] == "dependabot" || seg[2] == "code-scanning" || seg[2] == "secret-scanning"):
		s.orgAlerts(w, r, seg[1], seg[2])
	case len(seg) == 3 && (seg[0] == "orgs" || seg[0] == "users") && seg[2] == "repos" && get:
		s.listRepos(w, r, seg[1])
	case len(seg) >= 3 && seg[0] == "repos":
		repo, ok := s.repos[seg[1]+"/"+seg[2]]
		if !ok {
			notFound(w)
			return
		}
		s.serveRepo(w, r, repo, seg[3:])
	default:
		notFound(w)
	}
}

func (s *Server) members(w http.ResponseWriter, r *http.Request, org string) {
	if s.Owners[org] != "Organization" {
		notFound(w)
		return
	}
	q := r.URL.Query()
	if q.Get("role") != "admin" {
		message(w, http.StatusUnprocessableEntity, "test server only serves role=admin")
		return
	}
	logins := s.Admins
	if q.Get("filter") == "2fa_disabled" {
		if s.TwoFA != nil {
			message(w, s.TwoFA.Status, s.TwoFA.Message)
			return
		}
		logins = s.No2FA
	}
	from, to := s.page(w, r, len(logins))
	out := make([]any, 0, to-from)
	for _, l := range logins[from:to] {
		out = append(out, User(l, "User"))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) personalAccessTokens(w http.ResponseWriter, r *http.Request, org string) {
	if s.Owners[org] != "Organization" {
		notFound(w)
		return
	}
	if s.PATsOff != nil {
		message(w, s.PATsOff.Status, s.PATsOff.Message)
		return
	}
	if s.PATsAppOnly {
		auth := r.Header.Get("Authorization")
		if s.App == nil || (auth != "Bearer "+s.App.Token && auth != "token "+s.App.Token) {
			message(w, http.StatusForbidden, "Resource not accessible by personal access token")
			return
		}
	}
	s.pageByNumber(w, r, s.PATs)
}

func (s *Server) listRepos(w http.ResponseWriter, r *http.Request, owner string) {
	if _, ok := s.Owners[owner]; !ok {
		notFound(w)
		return
	}
	var names []string
	for full := range s.repos {
		if strings.HasPrefix(full, owner+"/") {
			names = append(names, full)
		}
	}
	sort.Strings(names)
	from, to := s.page(w, r, len(names))
	out := make([]any, 0, to-from)
	for _, full := range names[from:to] {
		out = append(out, s.repoJSON(s.repos[full]))
	}
	writeJSON(w, http.StatusOK, out)
}

// orgAlerts serves the alerts of kind of every repository of org whose
// feature is on, each with its `repository` (a simple repository), as GET
// /orgs/{org}/{kind}/alerts does: Dependabot paged by `after` cursors,
// code and secret scanning by page number.
func (s *Server) orgAlerts(w http.ResponseWriter, r *http.Request, org, kind string) {
	if s.Owners[org] != "Organization" {
		notFound(w)
		return
	}
	if off, ok := s.OrgAlertsOff[kind]; ok {
		message(w, off.Status, off.Message)
		return
	}
	var names []string
	for full := range s.repos {
		if strings.HasPrefix(full, org+"/") {
			names = append(names, full)
		}
	}
	sort.Strings(names)
	var items []map[string]any
	for _, full := range names {
		repo := s.repos[full]
		if _, off := repo.Off[kind]; off {
			continue
		}
		list := repo.SecretScanning
		switch kind {
		case "dependabot":
			list = repo.Dependabot
		case "code-scanning":
			list = repo.CodeScanning
		}
		for _, a := range list {
			c := make(map[string]any, len(a)+1)
			for k, v := range a {
				c[k] = v
			}
			c["repository"] = s.simpleRepoJSON(repo)
			items = append(items, c)
		}
	}
	if kind == "dependabot" {
		s.pageByCursor(w, r, items)
		return
	}
	s.pageByNumber(w, r, items)
}

// simpleRepoJSON is the "simple repository" the organisation alert lists
// embed.
func (s *Server) simpleRepoJSON(r *Repo) map[string]any {
	typ := s.Owners[r.Owner]
	if typ == "" {
		typ = "Organization"
	}
	full := r.Owner + "/" + r.Name
	return map[string]any{
		"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": r.Name, "full_name": full,
		"owner": User(r.Owner, typ), "private": false, "fork": false,
		"html_url": "https://github.com/" + full, "description": nil,
		"url": "https://api.github.com/repos/" + full,
	}
}

func (s *Server) repoJSON(r *Repo) map[string]any {
	typ := s.Owners[r.Owner]
	if typ == "" {
		typ = "Organization"
	}
	full := r.Owner + "/" + r.Name
	return map[string]any{
		"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": r.Name, "full_name": full, "private": false,
		"owner":    User(r.Owner, typ),
		"html_url": s.HTMLURL + "/" + full, "url": s.URL + s.Prefix + "/repos/" + full,
		"archived": false, "has_issues": true,
	}
}

func (s *Server) serveRepo(w http.ResponseWriter, r *http.Request, repo *Repo, rest []string) {
	if len(rest) > 0 {
		if off, ok := repo.Off[rest[0]]; ok {
			message(w, off.Status, off.Message)
			return
		}
	}
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case len(rest) == 0 && get:
		writeJSON(w, http.StatusOK, s.repoJSON(repo))
	case len(rest) == 2 && rest[0] == "dependabot" && rest[1] == "alerts" && get:
		s.pageByCursor(w, r, repo.Dependabot)
	case len(rest) == 2 && rest[0] == "code-scanning" && rest[1] == "alerts" && get:
		s.pageByCursor(w, r, repo.CodeScanning)
	case len(rest) == 2 && rest[0] == "secret-scanning" && rest[1] == "alerts" && get:
		s.pageByNumber(w, r, repo.SecretScanning)
	case len(rest) == 1 && rest[0] == "deployments" && get:
		s.pageByNumber(w, r, repo.Deployments)
	case len(rest) == 3 && rest[0] == "deployments" && rest[2] == "statuses" && get:
		id, _ := strconv.ParseInt(rest[1], 10, 64)
		s.pageByNumber(w, r, repo.Statuses[id])
	case len(rest) == 1 && rest[0] == "issues" && get:
		s.listIssues(w, r, repo)
	case len(rest) == 1 && rest[0] == "issues" && post:
		s.createIssue(w, r, repo)
	case len(rest) == 2 && rest[0] == "issues" && r.Method == http.MethodPatch:
		s.editIssue(w, r, repo, rest[1])
	case len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments" && post:
		s.createComment(w, r, repo, rest[1])
	case len(rest) == 1 && rest[0] == "labels" && get:
		from, to := s.page(w, r, len(repo.labels))
		out := make([]any, 0, to-from)
		for _, l := range repo.labels[from:to] {
			out = append(out, labelJSON(l))
		}
		writeJSON(w, http.StatusOK, out)
	case len(rest) == 1 && rest[0] == "labels" && post:
		s.createLabel(w, r, repo)
	case len(rest) == 2 && rest[0] == "assignees" && get:
		login, _ := url.PathUnescape(rest[1])
		if repo.Assignable == nil || repo.Assignable[login] {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		notFound(w)
	default:
		notFound(w)
	}
}

// perPage is the page size asked for (default 30), at most MaxPerPage.
func (s *Server) perPage(r *http.Request) int {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	if s.MaxPerPage > 0 && per > s.MaxPerPage {
		per = s.MaxPerPage
	}
	return per
}

// page slices n items by the per_page and page parameters and sets the
// Link header as GitHub does (next, last, first, prev).
func (s *Server) page(w http.ResponseWriter, r *http.Request, n int) (int, int) {
	per := s.perPage(r)
	pg, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if pg <= 0 {
		pg = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.URL, r.URL.Path, q.Encode(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from := min((pg-1)*per, n)
	return from, min(from+per, n)
}

// pageByNumber serves items paged by page number.
func (s *Server) pageByNumber(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	from, to := s.page(w, r, len(items))
	writeJSON(w, http.StatusOK, nonNil(items[from:to]))
}

// pageByCursor serves items with opaque `after` cursors in the Link header
// and no page numbers, as the Dependabot and code scanning alert lists do
// on github.com.
func (s *Server) pageByCursor(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	if q.Get("page") != "" {
		message(w, http.StatusBadRequest, "Pagination using the `page` parameter is not supported.")
		return
	}
	start := 0
	if a := q.Get("after"); a != "" {
		b, err := base64.StdEncoding.DecodeString(a)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:v2:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			message(w, http.StatusBadRequest, "invalid cursor")
			return
		}
		start = n
	}
	end := min(start+s.perPage(r), len(items))
	cursor := func(rel, param string, at int) string {
		nq := url.Values{}
		nq.Set("per_page", q.Get("per_page"))
		nq.Set(param, base64.StdEncoding.EncodeToString([]byte("cursor:v2:"+strconv.Itoa(at))))
		return "<" + s.URL + r.URL.Path + "?" + nq.Encode() + `>; rel="` + rel + `"`
	}
	var links []string
	if end < len(items) {
		links = append(links, cursor("next", "after", end))
	}
	if start > 0 {
		links = append(links, cursor("prev", "before", start))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	writeJSON(w, http.StatusOK, nonNil(items[start:end]))
}

func nonNil(items []map[string]any) []map[string]any {
	if items == nil {
		return []map[string]any{}
	}
	return items
}

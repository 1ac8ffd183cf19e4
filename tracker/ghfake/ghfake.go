// Package ghfake is an in-memory GitHub REST API for tests of the issue
// tracker: issues (list with label and state filters and pagination,
// create, edit), comments, labels (list, create) and assignee checks, for
// one repository, served by an httptest server on the loopback interface.
// Paths are accepted with and without the GitHub Enterprise Server prefix
// /api/v3. Faults (5xx, rate limits) can be injected per request.
package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Issue is a stored issue (or pull request).
type Issue struct {
	Number      int
	Title       string
	Body        string
	State       string // open, closed
	StateReason string
	Labels      []string
	Assignees   []string
	PullRequest bool
	Created     time.Time
	Comments    []string
}

// Label is a stored label.
type Label struct {
	Name, Color, Description string
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string // without the /api/v3 prefix and the query
	Query  string
	Auth   string // the Authorization header
}

// Write reports whether the request changes something.
func (r Request) Write() bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

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

// Server is the fake. Its fields are safe to read after the requests are
// done; use the methods while requests may be running.
type Server struct {
	*httptest.Server
	Owner, Repo string
	// Token, when set, is the only accepted credential (Bearer or token).
	Token string
	// Assignable logins (nil: every login is assignable).
	Assignable map[string]bool
	// MaxPerPage caps per_page, to exercise pagination (default 100).
	MaxPerPage int
	// EchoAuth makes 401 answers quote the Authorization header they got
	// (a careless server), to test that clients never print it.
	EchoAuth bool

	mu       sync.Mutex
	issues   []*Issue
	labels   []*Label
	requests []Request
	faults   []*Fault
	clock    time.Time
}

// New starts a fake for owner/repo. Close it with Close.
func New(owner, repo string) *Server {
	s := &Server{Owner: owner, Repo: repo, MaxPerPage: 100, clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the server's base, as a GitHub Enterprise Server URL.
func (s *Server) APIURL() string { return s.URL + "/api/v3/" }

// AddFault queues a fault (faults are tried in the order added).
func (s *Server) AddFault(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
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

// AddIssue stores an issue as is (its number is assigned) and returns it.
func (s *Server) AddIssue(i Issue) *Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(i)
}

func (s *Server) add(i Issue) *Issue {
	i.Number = s.next()
	if i.State == "" {
		i.State = "open"
	}
	s.clock = s.clock.Add(time.Minute)
	if i.Created.IsZero() {
		i.Created = s.clock
	}
	p := &i
	s.issues = append(s.issues, p)
	return p
}

func (s *Server) next() int {
	n := 0
	for _, i := range s.issues {
		n = max(n, i.Number)
	}
	return n + 1
}

// AddLabel stores a label.
func (s *Server) AddLabel(l Label) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.labels = append(s.labels, &l)
}

// Issues returns copies of the stored issues, by number.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, i := range s.issues {
		c := *i
		c.Labels = append([]string(nil), i.Labels...)
		c.Assignees = append([]string(nil), i.Assignees...)
		c.Comments = append([]string(nil), i.Comments...)
		out = append(out, c)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Number < out[b].Number })
	return out
}

// Labels returns copies of the stored labels.
func (s *Server) Labels() []Label {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Label, 0, len(s.labels))
	for _, l := range s.labels {
		out = append(out, *l)
	}
	return out
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

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

type apiError struct {
	Message string     `json:"message"`
	Errors  []apiField `json:"errors,omitempty"`
}

type apiField struct {
	Resource string `json:"resource"`
	Field    string `json:"field"`
	Code     string `json:"code"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/api/v3")
	req := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)

	if s.Token != "" && req.Auth != "Bearer "+s.Token && req.Auth != "token "+s.Token {
		msg := "Bad credentials"
		if s.EchoAuth {
			msg += ": " + req.Auth
		}
		writeJSON(w, http.StatusUnauthorized, apiError{Message: msg})
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
	if fault != nil {
		s.route(discard{header: http.Header{}}, r, path)
		s.fail(w, fault)
		return
	}
	s.route(w, r, path)
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
	prefix := "/repos/" + s.Owner + "/" + s.Repo
	if !strings.HasPrefix(path, prefix+"/") {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, prefix+"/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "issues" && r.Method == http.MethodGet:
		s.listIssues(w, r)
	case len(parts) == 1 && parts[0] == "issues" && r.Method == http.MethodPost:
		s.createIssue(w, r)
	case len(parts) == 2 && parts[0] == "issues" && r.Method == http.MethodPatch:
		s.editIssue(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "issues" && parts[2] == "comments" && r.Method == http.MethodPost:
		s.createComment(w, r, parts[1])
	case len(parts) == 1 && parts[0] == "labels" && r.Method == http.MethodGet:
		s.listLabels(w, r)
	case len(parts) == 1 && parts[0] == "labels" && r.Method == http.MethodPost:
		s.createLabel(w, r)
	case len(parts) == 2 && parts[0] == "assignees" && r.Method == http.MethodGet:
		login, _ := url.PathUnescape(parts[1])
		if s.Assignable == nil || s.Assignable[login] {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
	default:
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
	}
}

func (s *Server) issueJSON(i *Issue) map[string]any {
	labels := make([]map[string]any, 0, len(i.Labels))
	for _, l := range i.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	assignees := make([]map[string]any, 0, len(i.Assignees))
	for _, a := range i.Assignees {
		assignees = append(assignees, map[string]any{"login": a})
	}
	out := map[string]any{
		"number":     i.Number,
		"title":      i.Title,
		"body":       i.Body,
		"state":      i.State,
		"labels":     labels,
		"assignees":  assignees,
		"comments":   len(i.Comments),
		"html_url":   fmt.Sprintf("https://github.example/%s/%s/issues/%d", s.Owner, s.Repo, i.Number),
		"url":        fmt.Sprintf("%s/api/v3/repos/%s/%s/issues/%d", s.URL, s.Owner, s.Repo, i.Number),
		"created_at": i.Created.Format(time.RFC3339),
	}
	if i.StateReason != "" {
		out["state_reason"] = i.StateReason
	}
	if i.PullRequest {
		out["pull_request"] = map[string]any{"url": "https://github.example/pull"}
	}
	return out
}

// page slices items by the per_page and page parameters and sets the Link
// header as GitHub does.
func (s *Server) page(w http.ResponseWriter, r *http.Request, n int) (int, int) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	if s.MaxPerPage > 0 && per > s.MaxPerPage {
		per = s.MaxPerPage
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg <= 0 {
		pg = 1
	}
	last := (n + per - 1) / per
	if last == 0 {
		last = 1
	}
	link := func(p int, rel string) string {
		q2 := r.URL.Query()
		q2.Set("page", strconv.Itoa(p))
		q2.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.URL, r.URL.Path, q2.Encode(), rel)
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
	to := min(from+per, n)
	return from, to
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	var sel []*Issue
	for _, i := range s.issues {
		if state != "all" && i.State != state {
			continue
		}
		ok := true
		for _, l := range want {
			if !hasFold(i.Labels, l) {
				ok = false
			}
		}
		if ok {
			sel = append(sel, i)
		}
	}
	asc := q.Get("direction") == "asc"
	sort.SliceStable(sel, func(a, b int) bool {
		if asc {
			return sel[a].Number < sel[b].Number
		}
		return sel[a].Number > sel[b].Number
	})
	from, to := s.page(w, r, len(sel))
	out := make([]map[string]any, 0, to-from)
	for _, i := range sel[from:to] {
		out = append(out, s.issueJSON(i))
	}
	writeJSON(w, http.StatusOK, out)
}

func hasFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

type issueReq struct {
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	State       *string   `json:"state"`
	StateReason *string   `json:"state_reason"`
	Labels      *[]string `json:"labels"`
	Assignees   *[]string `json:"assignees"`
}

func (s *Server) checkAssignees(w http.ResponseWriter, as *[]string) bool {
	if as == nil || s.Assignable == nil {
		return true
	}
	for _, a := range *as {
		if !s.Assignable[a] {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed",
				Errors: []apiField{{Resource: "Issue", Field: "assignees", Code: "invalid"}}})
			return false
		}
	}
	return true
}

// ensureLabels creates labels an issue names (GitHub does the same).
func (s *Server) ensureLabels(names []string) {
	for _, n := range names {
		found := false
		for _, l := range s.labels {
			if strings.EqualFold(l.Name, n) {
				found = true
			}
		}
		if !found {
			s.labels = append(s.labels, &Label{Name: n, Color: "ededed"})
		}
	}
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	var req issueReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Title == nil || *req.Title == "" {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed",
			Errors: []apiField{{Resource: "Issue", Field: "title", Code: "missing_field"}}})
		return
	}
	if !s.checkAssignees(w, req.Assignees) {
		return
	}
	i := Issue{Title: *req.Title}
	if req.Body != nil {
		i.Body = *req.Body
	}
	if req.Labels != nil {
		i.Labels = append([]string(nil), *req.Labels...)
		s.ensureLabels(i.Labels)
	}
	if req.Assignees != nil {
		i.Assignees = append([]string(nil), *req.Assignees...)
	}
	p := s.add(i)
	writeJSON(w, http.StatusCreated, s.issueJSON(p))
}

func (s *Server) find(num string) *Issue {
	n, err := strconv.Atoi(num)
	if err != nil {
		return nil
	}
	for _, i := range s.issues {
		if i.Number == n {
			return i
		}
	}
	return nil
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request, num string) {
	i := s.find(num)
	if i == nil {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	var req issueReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Problems parsing JSON"})
		return
	}
	if !s.checkAssignees(w, req.Assignees) {
		return
	}
	if req.Title != nil {
		i.Title = *req.Title
	}
	if req.Body != nil {
		i.Body = *req.Body
	}
	if req.State != nil {
		if *req.State != "open" && *req.State != "closed" {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed"})
			return
		}
		if *req.State != i.State {
			i.StateReason = ""
			if *req.State == "open" {
				i.StateReason = "reopened"
			}
		}
		i.State = *req.State
	}
	if req.StateReason != nil {
		i.StateReason = *req.StateReason
	}
	if req.Labels != nil {
		i.Labels = append([]string(nil), *req.Labels...)
		s.ensureLabels(i.Labels)
	}
	if req.Assignees != nil {
		i.Assignees = append([]string(nil), *req.Assignees...)
	}
	writeJSON(w, http.StatusOK, s.issueJSON(i))
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, num string) {
	i := s.find(num)
	if i == nil {
		writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found"})
		return
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Body == "" {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed"})
		return
	}
	i.Comments = append(i.Comments, req.Body)
	writeJSON(w, http.StatusCreated, map[string]any{"id": len(i.Comments), "body": req.Body,
		"html_url": fmt.Sprintf("https://github.example/%s/%s/issues/%d#issuecomment-%d", s.Owner, s.Repo, i.Number, len(i.Comments))})
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) {
	from, to := s.page(w, r, len(s.labels))
	out := make([]map[string]any, 0, to-from)
	for _, l := range s.labels[from:to] {
		out = append(out, map[string]any{"name": l.Name, "color": l.Color, "description": l.Description})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) {
	var l Label
	var req struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed"})
		return
	}
	for _, x := range s.labels {
		if strings.EqualFold(x.Name, req.Name) {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Message: "Validation Failed",
				Errors: []apiField{{Resource: "Label", Field: "name", Code: "already_exists"}}})
			return
		}
	}
	l = Label{Name: req.Name, Color: req.Color, Description: req.Description}
	s.labels = append(s.labels, &l)
	writeJSON(w, http.StatusCreated, map[string]any{"name": l.Name, "color": l.Color, "description": l.Description})
}

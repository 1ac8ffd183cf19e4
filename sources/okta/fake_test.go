package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tests read from a loopback fake of the Okta Management API that
// serves the samples of testdata/ (see testdata/README.md) in the shapes
// Okta documents: users paged by the Link header, the admins paged by
// _links.next in the body, roles and factors per user, Okta's error
// objects and rate-limit headers on every answer.

var now0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const testToken = "00TESTtokenSSWSnever-print-me_0123456789"

// fault is an answer the fake gives instead of the real one, times times,
// to requests whose path starts with path.
type fault struct {
	path   string
	status int
	header map[string]string
	body   string
	times  int
}

type fake struct {
	t   *testing.T
	srv *httptest.Server

	Token         string // the API token (SSWS) or access token (Bearer) accepted
	Bearer        bool
	Users         []map[string]any
	Roles         map[string]json.RawMessage
	Factors       map[string]json.RawMessage
	Admins        []string // ids listed by /api/v1/iam/assignees/users
	PageSize      int      // users per page at most
	AdminsPerPage int
	// Remaining is X-Rate-Limit-Remaining of the n-th answer (from 1);
	// nil: 599.
	Remaining func(n int) int
	// NextHost, when set, replaces the host of the users' next links.
	NextHost string
	Clock    func() time.Time

	mu       sync.Mutex
	faults   []*fault
	requests []string // "GET /path?query"
	auths    []string
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, Token: testToken, PageSize: 3, AdminsPerPage: 2, Clock: func() time.Time { return now0 }}
	readJSON(t, "users.json", &f.Users)
	readJSON(t, "roles.json", &f.Roles)
	readJSON(t, "factors.json", &f.Factors)
	for id := range f.Roles {
		f.Admins = append(f.Admins, id)
	}
	sortStrings(f.Admins)
	f.Admins = append(f.Admins, "00u1gone000000000x99") // an admin no listing shows
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (f *fake) URL() string { return f.srv.URL }

func (f *fake) fail(fl fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fl)
}

func (f *fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// Count is the number of requests whose path starts with prefix.
func (f *fake) Count(prefix string) int {
	n := 0
	for _, r := range f.Requests() {
		p, _, _ := strings.Cut(strings.TrimPrefix(r, "GET "), "?")
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	n := len(f.requests)
	var hit *fault
	for _, fl := range f.faults {
		if fl.times > 0 && strings.HasPrefix(r.URL.Path, fl.path) {
			fl.times--
			hit = fl
			break
		}
	}
	f.mu.Unlock()

	rem := 599
	if f.Remaining != nil {
		rem = f.Remaining(n)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Rate-Limit-Limit", "600")
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(rem))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(f.Clock().Add(time.Minute).Unix(), 10))
	if hit != nil {
		for k, v := range hit.header {
			h.Set(k, v)
		}
		w.WriteHeader(hit.status)
		_, _ = w.Write([]byte(hit.body))
		return
	}
	want := "SSWS " + f.Token
	if f.Bearer {
		want = "Bearer " + f.Token
	}
	if r.Header.Get("Authorization") != want {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(sample(f.t, "error_401.json"))
		return
	}
	if r.Method != http.MethodGet {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	switch {
	case path == "/api/v1/users":
		f.users(w, r)
	case path == "/api/v1/iam/assignees/users":
		f.assignees(w, r)
	case strings.HasPrefix(path, "/api/v1/users/") && strings.HasSuffix(path, "/roles"):
		f.perUser(w, f.Roles, strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/users/"), "/roles"))
	case strings.HasPrefix(path, "/api/v1/users/") && strings.HasSuffix(path, "/factors"):
		f.perUser(w, f.Factors, strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/users/"), "/factors"))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method","errorCauses":[]}`)
	}
}

func sample(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Error(err)
	}
	return b
}

// users lists the users (DEPROVISIONED only when the filter asks for
// them) after the `after` id, PageSize at most, with Okta's Link headers.
func (f *fake) users(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := q.Get("filter")
	deprovisioned := filter == `status eq "DEPROVISIONED"`
	if filter != "" && !deprovisioned {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	size := min(limit, f.PageSize)
	var list []map[string]any
	for _, u := range f.Users {
		if (u["status"] == "DEPROVISIONED") == deprovisioned {
			list = append(list, u)
		}
	}
	start := 0
	if after := q.Get("after"); after != "" {
		start = -1
		for i, u := range list {
			if u["id"] == after {
				start = i + 1
			}
		}
		if start < 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	end := min(start+size, len(list))
	page := list[start:end]
	self := f.srv.URL + r.URL.RequestURI()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if end < len(list) {
		next := url.Values{"after": {page[len(page)-1]["id"].(string)}, "limit": {strconv.Itoa(limit)}}
		if filter != "" {
			next.Set("filter", filter)
		}
		base := f.srv.URL
		if f.NextHost != "" {
			base = f.NextHost
		}
		w.Header().Add("Link", "<"+base+"/api/v1/users?"+next.Encode()+`>; rel="next"`)
	}
	if page == nil {
		page = []map[string]any{}
	}
	_ = json.NewEncoder(w).Encode(page)
}

// assignees lists the admin ids, AdminsPerPage at a time, with the next
// page in the body's _links.next.href.
func (f *fake) assignees(w http.ResponseWriter, r *http.Request) {
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		start, _ = strconv.Atoi(after)
	}
	end := min(start+f.AdminsPerPage, len(f.Admins))
	type link struct {
		Href string `json:"href"`
	}
	type item struct {
		ID    string          `json:"id"`
		ORN   string          `json:"orn"`
		Links map[string]link `json:"_links"`
	}
	body := struct {
		Value []item          `json:"value"`
		Links map[string]link `json:"_links"`
	}{Value: []item{}, Links: map[string]link{}}
	for _, id := range f.Admins[start:end] {
		body.Value = append(body.Value, item{ID: id, ORN: "orn:okta:00o5rb5mt2H3d1TJd0h7:users:" + id, Links: map[string]link{
			"self":  {Href: f.srv.URL + "/api/v1/users/" + id},
			"roles": {Href: f.srv.URL + "/api/v1/users/" + id + "/roles"},
		}})
	}
	if end < len(f.Admins) {
		body.Links["next"] = link{Href: fmt.Sprintf("%s/api/v1/iam/assignees/users?after=%d&limit=100", f.srv.URL, end)}
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fake) perUser(w http.ResponseWriter, m map[string]json.RawMessage, id string) {
	for _, u := range f.Users {
		if u["id"] == id {
			if b, ok := m[id]; ok {
				_, _ = w.Write(b)
			} else {
				_, _ = w.Write([]byte("[]"))
			}
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: ` + id + ` (User)","errorCauses":[]}`))
}

// recorder is the injected clock and sleeper: waits are recorded and
// advance the clock, nothing sleeps.
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

package jira

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The tests read from a loopback fake of Jira's search APIs serving the
// recorded pages of testdata/ (see testdata/README.md).

const (
	testEmail = "sec-bot@acme.example"
	testToken = "ATATT3xFfGF0-TESTtoken-0123456789abcdefXYZ"
	testPAT   = "NjM4OTk2-TESTpat-abcdefghijklmnopqrstuv"
)

func cloudEnv() map[string]string {
	return map[string]string{"JIRA_EMAIL": testEmail, "JIRA_API_TOKEN": testToken}
}

// reply is one canned answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// seen is what the fake recorded of one request (never its credentials
// beyond whether they matched).
type seen struct {
	Method, Path string
	Query        url.Values
	AuthOK       bool
}

type fake struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// cloud: page body by nextPageToken ("" is the first page);
	// server: by startAt.
	cloud  map[string]string
	server map[int]string
	// before are answered, in order, before any page.
	before []reply
	auth   string // the Authorization header the fake accepts
	reqs   []seen
}

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{t: t, cloud: map[string]string{}, server: map[int]string{},
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(testEmail+":"+testToken))}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (f *fake) URL() string { return f.srv.URL }

func (f *fake) Requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	authOK := r.Header.Get("Authorization") == f.auth
	f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), AuthOK: authOK})
	var rep *reply
	if len(f.before) > 0 {
		rep = &f.before[0]
		f.before = f.before[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if rep != nil {
		for k, v := range rep.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rep.status)
		_, _ = fmt.Fprint(w, rep.body)
		return
	}
	if !authOK {
		// Jira answers a refused login with 401 and this body.
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}`)
		return
	}
	var body string
	var ok bool
	f.mu.Lock()
	switch r.URL.Path {
	case cloudSearchPath:
		body, ok = f.cloud[r.URL.Query().Get("nextPageToken")]
	case serverSearchPath:
		n, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
		body, ok = f.server[n]
	}
	f.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprint(w, `{"errorMessages":["The provided next page token is invalid or expired."],"errors":{}}`)
		return
	}
	_, _ = fmt.Fprint(w, body)
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

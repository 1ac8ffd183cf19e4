package loki

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources/internal/logquery"
)

// The tests read from a loopback fake of Loki's query API that serves the
// payloads of testdata/ (see testdata/README.md) in the shapes Loki
// documents: instant vectors for metric queries, streams for log queries,
// plain-text error bodies.

const testToken = "glc_TESTtoken-never-print-me_0123456789"

// fault is an answer the fake gives instead of the real one, times times,
// to requests on path.
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

	Token  string // bearer token accepted; "" accepts any request
	Basic  [2]string
	Tenant string // X-Scope-OrgID required when set
	// Metric maps a LogQL metric query to its payload file; Samples a log
	// query to its payload file.
	Metric  map[string]string
	Samples map[string]string
	Delay   time.Duration

	mu       sync.Mutex
	faults   []*fault
	requests []*http.Request
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, Token: testToken, Metric: map[string]string{}, Samples: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) URL() string { return f.srv.URL }

func (f *fake) fail(path string, status, times int, body string, header map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{path: path, status: status, times: times, body: body, header: header})
}

func (f *fake) seen() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	var flt *fault
	for _, x := range f.faults {
		if x.times > 0 && x.path == r.URL.Path {
			x.times--
			flt = x
			break
		}
	}
	delay := f.Delay
	f.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if flt != nil {
		for k, v := range flt.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(flt.status)
		_, _ = w.Write([]byte(flt.body))
		return
	}
	if !f.authorized(r) {
		http.Error(w, "authentication failure", http.StatusUnauthorized)
		return
	}
	if f.Tenant != "" && r.Header.Get("X-Scope-OrgID") != f.Tenant {
		http.Error(w, "no org id", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query().Get("query")
	var name string
	switch r.URL.Path {
	case pathQuery:
		name = f.Metric[q]
	case pathQueryRange:
		name = f.Samples[q]
	default:
		http.NotFound(w, r)
		return
	}
	if name == "" {
		w.WriteHeader(http.StatusBadRequest)
		b, err := os.ReadFile(filepath.Join("testdata", "error_parse.txt"))
		require.NoError(f.t, err)
		_, _ = w.Write(b)
		return
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(f.t, err)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func (f *fake) authorized(r *http.Request) bool {
	if f.Basic[0] != "" {
		u, p, ok := r.BasicAuth()
		return ok && u == f.Basic[0] && p == f.Basic[1]
	}
	if f.Token == "" {
		return true
	}
	return r.Header.Get("Authorization") == "Bearer "+f.Token
}

// parse decodes a source block body as the config loader does.
func parse(t *testing.T, body string) *Config {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(body), "posture.hcl", hcl.InitialPos)
	require.False(t, diags.HasErrors(), diags.Error())
	var c Config
	diags = gohcl.DecodeBody(file.Body, nil, &c)
	require.False(t, diags.HasErrors(), diags.Error())
	return &c
}

// build parses and builds a source whose retries do not wait.
func build(t *testing.T, body string) (*Source, *[]time.Duration) {
	t.Helper()
	s, err := New(parse(t, body))
	require.NoError(t, err)
	var waits []time.Duration
	var mu sync.Mutex
	s.hooks = logquery.Hooks{Sleep: func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}}
	return s, &waits
}

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

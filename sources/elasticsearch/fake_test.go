package elasticsearch

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources/internal/logquery"
)

// The tests read from a loopback fake of the cluster's search API that
// serves the payloads of testdata/ (see testdata/README.md) in the shapes
// Elasticsearch and OpenSearch document: _count, _search hits, a
// cardinality aggregation and the error object.

const testKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="

// fault is an answer the fake gives instead of the real one, times times,
// to requests whose path ends with suffix.
type fault struct {
	suffix string
	status int
	header map[string]string
	file   string
	times  int
}

// request is one request the fake received.
type request struct {
	Path string
	Auth string
	Body map[string]any
}

type fake struct {
	t   *testing.T
	srv *httptest.Server

	Key   string // API key accepted; "" accepts any request
	Basic [2]string
	// Files answer _count, the sample _search and the cardinality _search
	// by index.
	Count, Hits, Distinct map[string]string
	Delay                 time.Duration

	mu       sync.Mutex
	faults   []*fault
	requests []request
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, Key: testKey, Count: map[string]string{}, Hits: map[string]string{}, Distinct: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) URL() string { return f.srv.URL }

func (f *fake) fail(suffix string, status, times int, file string, header map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{suffix: suffix, status: status, times: times, file: file, header: header})
}

func (f *fake) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

func (f *fake) write(w http.ResponseWriter, status int, file string) {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(f.t, err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	f.mu.Lock()
	f.requests = append(f.requests, request{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body})
	var flt *fault
	for _, x := range f.faults {
		if x.times > 0 && strings.HasSuffix(r.URL.Path, x.suffix) {
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
		if strings.HasSuffix(flt.file, ".json") {
			f.write(w, flt.status, flt.file)
			return
		}
		w.WriteHeader(flt.status)
		_, _ = w.Write([]byte(flt.file))
		return
	}
	if !f.authorized(r) {
		f.write(w, http.StatusUnauthorized, "error_auth.json")
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want POST with a JSON body", http.StatusBadRequest)
		return
	}
	index, api, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	var file string
	switch {
	case api == "_count":
		file = f.Count[index]
	case api == "_search" && body["aggs"] != nil:
		file = f.Distinct[index]
	case api == "_search":
		file = f.Hits[index]
	}
	if file == "" {
		f.write(w, http.StatusNotFound, "error_index.json")
		return
	}
	f.write(w, http.StatusOK, file)
}

func (f *fake) authorized(r *http.Request) bool {
	if f.Basic[0] != "" {
		u, p, ok := r.BasicAuth()
		return ok && u == f.Basic[0] && p == f.Basic[1]
	}
	return f.Key == "" || r.Header.Get("Authorization") == "ApiKey "+f.Key
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

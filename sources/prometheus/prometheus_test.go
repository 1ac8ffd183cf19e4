package prometheus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// fake is a loopback Prometheus: it answers each query (by its PromQL)
// with a fixed status and body, and records the requests.
type fake struct {
	srv     *httptest.Server
	mu      sync.Mutex
	replies map[string]reply
	reqs    []*http.Request
	delay   time.Duration
}

type reply struct {
	status int
	body   string
}

func newFake(t *testing.T) *fake {
	f := &fake{replies: map[string]reply{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r)
		rep, ok := f.replies[r.URL.Query().Get("query")]
		delay := f.delay
		f.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if r.URL.Path != "/api/v1/query" || !ok {
			w.WriteHeader(404)
			_, _ = w.Write([]byte("404 page not found\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte(rep.body))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) set(promql string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.replies[promql] = reply{status, body}
}

func vector(vals ...string) string {
	var parts []string
	for i, v := range vals {
		parts = append(parts, `{"metric":{"instance":"i`+string(rune('0'+i))+`"},"value":[1795737600,"`+v+`"]}`)
	}
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(parts, ",") + `]}}`
}

func newSource(t *testing.T, cfg Config) *Source {
	t.Helper()
	s, err := New(&cfg)
	require.NoError(t, err)
	s.sleep = func(context.Context, time.Duration) error { return nil }
	return s
}

func env(vars map[string]string) sources.Env {
	return sources.Env{Name: "edge", Kind: "prometheus", AsOf: asOf, WindowDays: 30, Zone: time.UTC,
		Getenv: func(k string) string { return vars[k] }}
}

func TestCollectVectorScalarAndZero(t *testing.T) {
	f := newFake(t)
	f.set(`sum(increase(nginx_http_requests_total{status="429"}[30d]))`, 200, vector("41.98"))
	f.set(`count(count by (ip) (increase(fail2ban_bans_total[30d]) > 0))`, 200, vector("3", "2"))
	f.set(`scalar(sum(sshd_auth_failures_total))`, 200, `{"status":"success","data":{"resultType":"scalar","result":[1795737600,"7"]},"warnings":["partial data"]}`)
	f.set(`sum(tls_downgrades_total)`, 200, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	s := newSource(t, Config{URL: f.srv.URL + "/", Queries: []Query{
		{Event: "rate_limited", PromQL: `sum(increase(nginx_http_requests_total{status="429"}[${window}]))`},
		{Event: "ban", PromQL: `count(count by (ip) (increase(fail2ban_bans_total[${window}]) > 0))`},
		{Event: "login_failed", PromQL: `scalar(sum(sshd_auth_failures_total))`},
		{Event: "tls_downgrade", PromQL: `sum(tls_downgrades_total)`},
	}})
	res, err := s.Collect(context.Background(), env(nil))
	require.NoError(t, err)

	assert.Equal(t, []string{"ban", "login_failed", "rate_limited", "tls_downgrade"}, res.Provides)
	rl := res.Data.EventSlice("rate_limited")
	require.Len(t, rl, 1)
	want := f.srv.URL + "/api/v1/query?query=" + url.QueryEscape(`sum(increase(nginx_http_requests_total{status="429"}[30d]))`) + "&time=1795737600.000"
	assert.Equal(t, snapshot.Event{TimeMS: asOf.UnixMilli(), Time: "2026-11-27T00:00:00Z", Source: "prometheus.edge",
		Origin: want, Detail: "rate_limited", Weight: 42}, rl[0])
	assert.Equal(t, int64(5), res.Data.EventSlice("ban")[0].Weight, "the series are added up")
	assert.Equal(t, int64(7), res.Data.EventSlice("login_failed")[0].Weight)
	assert.Empty(t, res.Data.EventSlice("tls_downgrade"), "a count of 0 is no event")
	assert.Contains(t, res.Notes, `query "login_failed": the server warns: partial data`)
	assert.Contains(t, res.Notes, `query "tls_downgrade" counted 0 (sum(tls_downgrades_total) at 2026-11-27T00:00:00Z)`)
	assert.Contains(t, res.Notes, `query "rate_limited" counted 42 (sum(increase(nginx_http_requests_total{status="429"}[30d])) at 2026-11-27T00:00:00Z)`)

	require.Len(t, f.reqs, 4)
	q := f.reqs[0].URL.Query()
	assert.Equal(t, "1795737600.000", q.Get("time"))
	assert.Equal(t, "2m0s", q.Get("timeout"))
	assert.Empty(t, f.reqs[0].Header.Get("Authorization"), "no credentials, no header")
}

func TestCollectErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"bad_data", 400, `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected <EOF>"}`,
			`query "rate_limited": GET /api/v1/query: the server refused the query (400 bad_data: invalid parameter "query": 1:5: parse error: unexpected <EOF>)`},
		{"execution", 422, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory"}`,
			`(422 execution: query processing would load too many samples into memory)`},
		{"server timeout", 503, `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`,
			`(503 timeout: query timed out in expression evaluation)`},
		{"unavailable", 503, "Service Unavailable\n", `query "rate_limited": GET /api/v1/query: status 503: Service Unavailable`},
		{"matrix", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`, "range vector (matrix)"},
		{"string", 200, `{"status":"success","data":{"resultType":"string","result":[1,"x"]}}`, "returns a string"},
		{"NaN", 200, vector("NaN"), "returns NaN"},
		{"negative", 200, vector("-3"), "cannot be negative"},
		{"inf", 200, vector("+Inf"), "returns +Inf"},
		{"not prometheus", 200, `<html>hello</html>`, "not the Prometheus HTTP API's JSON"},
		{"unauthorized", 401, `Unauthorized`, "authentication refused (401): check PROMETHEUS_TOKEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.set("up", c.status, c.body)
			s := newSource(t, Config{URL: f.srv.URL, Queries: []Query{{Event: "rate_limited", PromQL: "up"}}})
			_, err := s.Collect(context.Background(), env(nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), `query "rate_limited"`)
			if c.status == 503 {
				assert.Len(t, f.reqs, maxAttempts, "a 5xx is retried")
			}
		})
	}
}

func TestCollectTimeout(t *testing.T) {
	f := newFake(t)
	f.set("up", 200, vector("1"))
	f.delay = 5 * time.Second
	s := newSource(t, Config{URL: f.srv.URL, Timeout: "100ms", Queries: []Query{{Event: "ban", PromQL: "up"}}})
	s.timeout = 100 * time.Millisecond
	start := time.Now()
	c, err := s.newClient(env(nil))
	require.NoError(t, err)
	c.http.Timeout = 300 * time.Millisecond // the real one waits 10 s past the server's timeout
	_, _, err = c.instant(context.Background(), "up", asOf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 100ms (timeout)")
	assert.Less(t, time.Since(start), 4*time.Second)
}

func TestCredentials(t *testing.T) {
	f := newFake(t)
	f.set("up", 200, vector("1"))
	cfg := Config{URL: f.srv.URL, Queries: []Query{{Event: "ban", PromQL: "up"}}}

	s := newSource(t, cfg)
	_, err := s.Collect(context.Background(), env(map[string]string{EnvToken: "s3cret-token"}))
	require.NoError(t, err)
	assert.Equal(t, "Bearer s3cret-token", f.reqs[0].Header.Get("Authorization"))

	_, err = s.Collect(context.Background(), env(map[string]string{EnvUsername: "u", EnvPassword: "pw"}))
	require.NoError(t, err)
	user, pass, ok := f.reqs[1].BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "u", user)
	assert.Equal(t, "pw", pass)

	_, err = s.Collect(context.Background(), env(map[string]string{EnvUsername: "u"}))
	assert.ErrorContains(t, err, "needs both PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD")

	// A server that echoes the credential: it never reaches the error.
	f.set("up", 400, `{"status":"error","errorType":"bad_data","error":"token s3cret-token is wrong"}`)
	_, err = s.Collect(context.Background(), env(map[string]string{EnvToken: "s3cret-token"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-token")
	assert.Contains(t, err.Error(), "token *** is wrong")

	// Credentials over plain http only to a loopback host.
	remote := newSource(t, Config{URL: "http://prometheus.example:9090", Queries: cfg.Queries})
	_, err = remote.Collect(context.Background(), env(map[string]string{EnvToken: "t"}))
	assert.ErrorContains(t, err, "use https when credentials are set")
}

func TestNewChecksConfig(t *testing.T) {
	q := []Query{{Event: "ban", PromQL: "up"}}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "prometheus:9090", Queries: q}, "not an http(s) URL"},
		{Config{URL: "http://u:p@prometheus:9090", Queries: q}, "credentials in the URL are not allowed"},
		{Config{URL: "http://prometheus:9090/?x=1", Queries: q}, "no query or fragment"},
		{Config{URL: "http://prometheus:9090"}, "no query block"},
		{Config{URL: "http://prometheus:9090", Queries: []Query{{Event: "bans", PromQL: "up"}}}, `query "bans": not an event type`},
		{Config{URL: "http://prometheus:9090", Queries: []Query{{Event: "ban", PromQL: "up"}, {Event: "ban", PromQL: "up"}}}, "given twice"},
		{Config{URL: "http://prometheus:9090", Queries: []Query{{Event: "ban", PromQL: " "}}}, "promql is empty"},
		{Config{URL: "http://prometheus:9090", Queries: q, Timeout: "soon"}, `timeout "soon"`},
	} {
		_, err := New(&c.cfg)
		assert.ErrorContains(t, err, c.want, "%+v", c.cfg)
	}
	s, err := New(&Config{URL: " http://prometheus:9090/prom/ ", Queries: q})
	require.NoError(t, err)
	assert.Equal(t, "http://prometheus:9090/prom", s.Config().URL)
	assert.Equal(t, "2m0s", s.Config().Timeout)
}

func TestWindowPlaceholder(t *testing.T) {
	got, err := expand("sum(increase(x[${window}])) / ${window}", 7)
	require.NoError(t, err)
	assert.Equal(t, "sum(increase(x[7d])) / 7d", got)
	_, err = expand("x[${window}]", 0)
	assert.ErrorContains(t, err, "window is unknown")
}

func TestKindDeclaresOnePartPerEventType(t *testing.T) {
	provided := snapshot.KindProvides("prometheus")
	require.Len(t, provided, len(snapshot.EventTypes))
	for i, typ := range snapshot.EventTypes {
		assert.Equal(t, snapshot.Provided{Collection: "events." + typ, Part: typ}, provided[i])
	}
	p := &snapshot.Part{Kind: "prometheus", Provides: []string{"ban"}}
	assert.Equal(t, []snapshot.Provided{{Collection: "events.ban", Part: "ban"}}, p.Collections())
}

package loki

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

var asOf = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

const (
	rateLimited  = `sum(count_over_time({job="nginx"} |= " 429 " [30d]))`
	rateSample   = `{job="nginx"} |= " 429 "`
	failedByHost = `count_over_time({job="sshd"} |= "Failed password" [30d])`
	success      = `sum(count_over_time({job="sshd"} |= "Accepted" [30d]))`
)

func env(vars map[string]string) sources.Env {
	return sources.Env{Name: "edge", Kind: "loki", AsOf: asOf, WindowDays: 30, Getenv: getenv(vars)}
}

func block(url string) string {
	return `
url    = "` + url + `"
tenant = "ops"
query "rate_limited" {
  logql  = "sum(count_over_time({job=\"nginx\"} |= \" 429 \" [${window}]))"
  sample = "{job=\"nginx\"} |= \" 429 \""
}
query "login_failed" {
  logql = "count_over_time({job=\"sshd\"} |= \"Failed password\" [${window}])"
}
query "login_success" {
  logql = "sum(count_over_time({job=\"sshd\"} |= \"Accepted\" [${window}]))"
}
`
}

func TestCollectRecordsOneWeightedEventPerQuery(t *testing.T) {
	f := newFake(t)
	f.Tenant = "ops"
	f.Metric = map[string]string{rateLimited: "vector.json", failedByHost: "vector_by_host.json", success: "vector_empty.json"}
	f.Samples = map[string]string{rateSample: "streams.json"}
	s, waits := build(t, block(f.URL()+"/"))
	res, err := s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.NoError(t, err)
	assert.Empty(t, *waits)

	// Every configured event type is provided, the empty one too (a
	// measured zero); the others are not.
	assert.Equal(t, []string{"rate_limited", "login_failed", "login_success"}, res.Provides)
	at := "2026-11-26T10:00:00Z"
	assert.Equal(t, []snapshot.Event{{
		TimeMS: asOf.UnixMilli(), Time: at, Source: "loki.edge",
		Origin: f.URL() + "/loki/api/v1/query#rate_limited",
		Detail: `rate_limited; samples: 203.0.113.9 - - [26/Nov/2026:09:40:00 +0000] "GET /api/login HTTP/1.1" 429 169 "-" "curl/8.5" | ` +
			`198.51.100.7 - - [26/Nov/2026:09:31:40 +0000] "POST /api/token HTTP/2.0" 429 169 "-" "python-requests/2.32" | ` +
			`203.0.113.9 - - [26/Nov/2026:09:23:20 +0000] "GET /api/login HTTP/1.1" 429 169 "-" "curl/8.5"`,
		Weight: 1287,
	}}, res.Data.EventSlice("rate_limited"))
	assert.Equal(t, []snapshot.Event{{
		TimeMS: asOf.UnixMilli(), Time: at, Source: "loki.edge",
		Origin: f.URL() + "/loki/api/v1/query#login_failed",
		Detail: "login_failed", Weight: 42, // 40 + 2: the series are added
	}}, res.Data.EventSlice("login_failed"))
	assert.Empty(t, res.Data.EventSlice("login_success"))
	assert.Equal(t, 2, res.Data.Count())

	// The requests: instant queries at as_of (ns), the window substituted,
	// the samples over (as_of - window, as_of], newest first, 3 lines.
	reqs := f.seen()
	require.Len(t, reqs, 4)
	ns := strconv.FormatInt(asOf.UnixNano(), 10)
	q0 := reqs[0].URL.Query()
	assert.Equal(t, pathQuery, reqs[0].URL.Path)
	assert.Equal(t, rateLimited, q0.Get("query"))
	assert.Equal(t, ns, q0.Get("time"))
	q1 := reqs[1].URL.Query()
	assert.Equal(t, pathQueryRange, reqs[1].URL.Path)
	assert.Equal(t, rateSample, q1.Get("query"))
	assert.Equal(t, "3", q1.Get("limit"))
	assert.Equal(t, "backward", q1.Get("direction"))
	assert.Equal(t, strconv.FormatInt(asOf.Add(-30*24*time.Hour).UnixNano(), 10), q1.Get("start"))
	assert.Equal(t, ns, q1.Get("end"))
	for _, r := range reqs {
		assert.Equal(t, "ops", r.Header.Get("X-Scope-OrgID"))
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	}
}

func TestWindowDaysOverridesTheConfigsWindow(t *testing.T) {
	f := newFake(t)
	f.Token = ""
	f.Metric = map[string]string{`sum(count_over_time({job="app"} |= "authz_fail" [7d]))`: "vector_by_host.json"}
	s, _ := build(t, `
url = "`+f.URL()+`"
window_days = 7
query "authz_fail" { logql = "sum(count_over_time({job=\"app\"} |= \"authz_fail\" [${window}]))" }
`)
	res, err := s.Collect(context.Background(), env(nil))
	require.NoError(t, err)
	require.Len(t, res.Data.EventSlice("authz_fail"), 1)
	assert.Equal(t, int64(42), res.Data.EventSlice("authz_fail")[0].Weight)
	assert.Empty(t, f.seen()[0].Header.Get("Authorization"), "no credentials set: none sent")
	assert.Empty(t, f.seen()[0].Header.Get("X-Scope-OrgID"))
}

func TestBasicAuthentication(t *testing.T) {
	f := newFake(t)
	f.Basic = [2]string{"reader", "s3cret-pass"}
	f.Metric = map[string]string{success: "vector.json"}
	s, _ := build(t, `
url = "`+f.URL()+`"
query "login_success" { logql = "sum(count_over_time({job=\"sshd\"} |= \"Accepted\" [${window}]))" }
`)
	res, err := s.Collect(context.Background(), env(map[string]string{EnvUsername: "reader", EnvPassword: "s3cret-pass"}))
	require.NoError(t, err)
	assert.Equal(t, int64(1287), res.Data.EventSlice("login_success")[0].Weight)

	_, err = s.Collect(context.Background(), env(map[string]string{EnvUsername: "reader"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "set both LOKI_USERNAME and LOKI_PASSWORD")
}

func TestRefusedCredentialsNameTheQueryNotTheSecret(t *testing.T) {
	f := newFake(t)
	f.Metric = map[string]string{success: "vector.json"}
	s, waits := build(t, `
url = "`+f.URL()+`"
query "login_success" { logql = "sum(count_over_time({job=\"sshd\"} |= \"Accepted\" [${window}]))" }
`)
	// A proxy that echoes the header must not leak it either.
	f.fail(pathQuery, http.StatusUnauthorized, 1, "bad token Bearer wrong-token-value", nil)
	_, err := s.Collect(context.Background(), env(map[string]string{EnvToken: "wrong-token-value"}))
	require.Error(t, err)
	assert.Equal(t, `loki source edge: query "login_success": loki API GET /loki/api/v1/query: 401 Unauthorized (bad token Bearer ***): the credentials were refused: check LOKI_TOKEN`, err.Error())
	assert.NotContains(t, err.Error(), "wrong-token-value")
	assert.Empty(t, *waits, "401 is not retried")
}

func TestParseErrorIsASourceErrorNamingTheQuery(t *testing.T) {
	f := newFake(t)
	s, _ := build(t, `
url = "`+f.URL()+`"
query "tls_downgrade" { logql = "sum(count_over_time({job=\"nginx\"} |~ TLSv1 [${window}]))" }
`)
	_, err := s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.Error(t, err)
	assert.Equal(t, `loki source edge: query "tls_downgrade": loki API GET /loki/api/v1/query: 400 Bad Request (parse error at line 1, col 28: syntax error: unexpected IDENTIFIER, expecting STRING): check the query's LogQL`, err.Error())
}

func TestServerErrorsAreRetried(t *testing.T) {
	f := newFake(t)
	f.Metric = map[string]string{success: "vector.json"}
	body := `
url = "` + f.URL() + `"
query "login_success" { logql = "sum(count_over_time({job=\"sshd\"} |= \"Accepted\" [${window}]))" }
`
	s, waits := build(t, body)
	f.fail(pathQuery, http.StatusBadGateway, 2, "upstream", nil)
	f.fail(pathQuery, http.StatusTooManyRequests, 1, "too many outstanding requests", map[string]string{"Retry-After": "3"})
	res, err := s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.NoError(t, err)
	assert.Equal(t, int64(1287), res.Data.EventSlice("login_success")[0].Weight)
	assert.Len(t, *waits, 3)
	assert.Equal(t, 3*time.Second, (*waits)[2])

	s, _ = build(t, body)
	f.fail(pathQuery, http.StatusServiceUnavailable, 10, "querier unavailable", nil)
	_, err = s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.Error(t, err)
	assert.Equal(t, `loki source edge: query "login_success": loki API GET /loki/api/v1/query: 503 Service Unavailable (querier unavailable)`, err.Error())
}

func TestTimeoutFailsTheQuery(t *testing.T) {
	f := newFake(t)
	f.Metric = map[string]string{success: "vector.json"}
	f.Delay = 2 * time.Second
	s, _ := build(t, `
url = "`+f.URL()+`"
timeout = "100ms"
query "login_success" { logql = "sum(count_over_time({job=\"sshd\"} |= \"Accepted\" [${window}]))" }
`)
	start := time.Now()
	_, err := s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.Error(t, err)
	assert.Less(t, time.Since(start), 1500*time.Millisecond)
	assert.Contains(t, err.Error(), `loki source edge: query "login_success": timed out after 100ms (timeout): loki API GET /loki/api/v1/query: `)
}

func TestALogQueryIsNotACount(t *testing.T) {
	f := newFake(t)
	f.Metric = map[string]string{rateSample: "streams.json"}
	s, _ := build(t, `
url = "`+f.URL()+`"
query "rate_limited" { logql = "{job=\"nginx\"} |= \" 429 \"" }
`)
	_, err := s.Collect(context.Background(), env(map[string]string{EnvToken: testToken}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `query "rate_limited": loki API GET /loki/api/v1/query: the query returned streams, not a count`)
}

func TestConfigErrors(t *testing.T) {
	q := `query "ban" { logql = "sum(count_over_time({job=\"fail2ban\"} |= \"Ban\" [${window}]))" }`
	for body, want := range map[string]string{
		`url = "https://loki.example.com"`:                                               "no query block",
		`url = "https://u:p@loki.example.com"` + "\n" + q:                                "url: credentials in the URL are not allowed; set LOKI_TOKEN",
		`url = "ftp://loki.example.com"` + "\n" + q:                                      "must be http or https",
		`url = "https://loki.example.com"` + "\ntimeout = \"soon\"\n" + q:                `timeout "soon": want a positive duration`,
		`url = "https://loki.example.com"` + "\nwindow_days = -1\n" + q:                  "window_days must be between 1 and 3650",
		`url = "https://loki.example.com"` + "\n" + q + "\n" + q:                         `query "ban" is given twice`,
		`url = "https://loki.example.com"` + "\nquery \"bans\" { logql = \"x\" }":        `query "bans": not an event type`,
		`url = "https://loki.example.com"` + "\nquery \"ban\" { logql = \"[${days}]\" }": `query "ban": logql: Unknown variable`,
		`url = "https://loki.example.com"` + "\nquery \"ban\" { logql = \"  \" }":        `query "ban": logql is empty`,
	} {
		_, err := New(parse(t, body))
		if assert.Error(t, err, body) {
			assert.Contains(t, err.Error(), want, body)
		}
	}
	s, err := New(parse(t, `url = "http://loki:3100/loki/"`+"\n"+q))
	require.NoError(t, err)
	assert.Equal(t, "http://loki:3100/loki", s.Config().URL)
	assert.Equal(t, "30s", s.Config().Timeout)
}

package elasticsearch

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

var asOf = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func env(vars map[string]string) sources.Env {
	return sources.Env{Name: "logs", Kind: "elasticsearch", AsOf: asOf, WindowDays: 30, Getenv: getenv(vars)}
}

// window is the range filter of a 30-day window ending at asOf.
func window(field string) map[string]any {
	return map[string]any{"range": map[string]any{field: map[string]any{
		"gt": "2026-10-27T10:00:00.000Z", "lte": "2026-11-26T10:00:00.000Z", "format": "strict_date_optional_time",
	}}}
}

func wrapped(user map[string]any, field string) map[string]any {
	return map[string]any{"bool": map[string]any{"filter": []any{user, window(field)}}}
}

func TestCollectRecordsOneWeightedEventPerQuery(t *testing.T) {
	f := newFake(t)
	f.Count["logs-nginx-*"] = "count.json"
	f.Hits["logs-nginx-*"] = "search_hits.json"
	f.Distinct["logs-fail2ban"] = "cardinality.json"
	f.Count["logs-app"] = "count.json"
	s, waits := build(t, `
url = "`+f.URL()+`/"
query "http_forbidden" {
  index = "logs-nginx-*"
  query = jsonencode({ term = { "http.response.status_code" = 403 } })
  sample_fields = ["message", "source.ip"]
}
query "ban" {
  index          = "logs-fail2ban"
  query          = { match_phrase = { message = "Ban" } }
  distinct_field = "source.ip"
  sample_fields  = []
}
query "authz_fail" {
  index = "logs-app"
  query = "{\"query\": {\"term\": {\"event.action\": \"authz_fail\"}}}"
  sample_fields = []
}
`)
	res, err := s.Collect(context.Background(), env(map[string]string{EnvAPIKey: testKey}))
	require.NoError(t, err)
	assert.Empty(t, *waits)
	assert.Equal(t, []string{"http_forbidden", "ban", "authz_fail"}, res.Provides)

	at := "2026-11-26T10:00:00Z"
	ms := asOf.UnixMilli()
	assert.Equal(t, []snapshot.Event{{
		TimeMS: ms, Time: at, Source: "elasticsearch.logs",
		Origin: f.URL() + "/logs-nginx-*/_count#http_forbidden",
		Detail: `http_forbidden; samples: 203.0.113.9 - - [26/Nov/2026:09:58:01 +0000] "GET /admin HTTP/1.1" 403 153 203.0.113.9 | ` +
			`198.51.100.7 - - [26/Nov/2026:09:12:44 +0000] "GET /.env HTTP/1.1" 403 153 198.51.100.7 | 192.0.2.44`,
		Weight: 57,
	}}, res.Data.EventSlice("http_forbidden"))
	assert.Equal(t, []snapshot.Event{{
		TimeMS: ms, Time: at, Source: "elasticsearch.logs",
		Origin: f.URL() + "/logs-fail2ban/_search#ban",
		Detail: "ban (distinct source.ip)", Weight: 23,
	}}, res.Data.EventSlice("ban"))
	assert.Equal(t, []snapshot.Event{{
		TimeMS: ms, Time: at, Source: "elasticsearch.logs",
		Origin: f.URL() + "/logs-app/_count#authz_fail",
		Detail: "authz_fail", Weight: 57,
	}}, res.Data.EventSlice("authz_fail"))

	reqs := f.seen()
	require.Len(t, reqs, 4)
	assert.Equal(t, "/logs-nginx-*/_count", reqs[0].Path)
	assert.Equal(t, map[string]any{"query": wrapped(map[string]any{"term": map[string]any{"http.response.status_code": float64(403)}}, "@timestamp")}, reqs[0].Body)
	assert.Equal(t, "/logs-nginx-*/_search", reqs[1].Path)
	assert.Equal(t, map[string]any{
		"size": float64(3), "track_total_hits": false,
		"query":   wrapped(map[string]any{"term": map[string]any{"http.response.status_code": float64(403)}}, "@timestamp"),
		"sort":    []any{map[string]any{"@timestamp": map[string]any{"order": "desc"}}},
		"_source": []any{"message", "source.ip"},
	}, reqs[1].Body)
	assert.Equal(t, "/logs-fail2ban/_search", reqs[2].Path)
	assert.Equal(t, map[string]any{
		"size": float64(0), "track_total_hits": false,
		"query": wrapped(map[string]any{"match_phrase": map[string]any{"message": "Ban"}}, "@timestamp"),
		"aggs": map[string]any{"n": map[string]any{"cardinality": map[string]any{
			"field": "source.ip", "precision_threshold": float64(40000),
		}}},
	}, reqs[2].Body)
	assert.Equal(t, map[string]any{"query": wrapped(map[string]any{"term": map[string]any{"event.action": "authz_fail"}}, "@timestamp")}, reqs[3].Body,
		"a whole search body {\"query\": ...} is unwrapped")
	for _, r := range reqs {
		assert.Equal(t, "ApiKey "+testKey, r.Auth)
	}
}

func TestTimeFieldWindowAndZeroCounts(t *testing.T) {
	f := newFake(t)
	f.Key = ""
	f.Count["auth"] = "count_zero.json"
	s, _ := build(t, `
url = "`+f.URL()+`"
time_field  = "event.created"
window_days = 7
query "login_success" {
  index = "auth"
  query = jsonencode({ term = { "event.outcome" = "success" } })
}
`)
	res, err := s.Collect(context.Background(), env(nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"login_success"}, res.Provides, "a zero count is measured")
	assert.Empty(t, res.Data.EventSlice("login_success"))
	reqs := f.seen()
	require.Len(t, reqs, 1, "no samples for a zero count")
	assert.Equal(t, map[string]any{"range": map[string]any{"event.created": map[string]any{
		"gt": "2026-11-19T10:00:00.000Z", "lte": "2026-11-26T10:00:00.000Z", "format": "strict_date_optional_time",
	}}}, reqs[0].Body["query"].(map[string]any)["bool"].(map[string]any)["filter"].([]any)[1])
	assert.Empty(t, reqs[0].Auth)
}

func TestBasicAuthentication(t *testing.T) {
	f := newFake(t)
	f.Basic = [2]string{"posture", "s3cret-pass"}
	f.Count["auth"] = "count.json"
	s, _ := build(t, `
url = "`+f.URL()+`"
query "login_failed" {
  index = "auth"
  query = { term = { "event.outcome" = "failure" } }
  sample_fields = []
}
`)
	res, err := s.Collect(context.Background(), env(map[string]string{EnvUsername: "posture", EnvPassword: "s3cret-pass"}))
	require.NoError(t, err)
	assert.Equal(t, int64(57), res.Data.EventSlice("login_failed")[0].Weight)
}

func TestErrorsNameTheQueryNotTheSecret(t *testing.T) {
	body := `
url = "URL"
query "login_failed" {
  index = "auth"
  query = { term = { "event.outcome" = "failure" } }
}
`
	for _, c := range []struct {
		name   string
		status int
		file   string
		want   string
	}{
		{"refused credentials", 0, "", `elasticsearch source logs: query "login_failed": elasticsearch API POST /auth/_count: 401 Unauthorized (security_exception: unable to authenticate with provided credentials and anonymous access is not allowed for this request): the credentials were refused: check ELASTICSEARCH_API_KEY`},
		{"parse error", 400, "error_parse.json", `elasticsearch source logs: query "login_failed": elasticsearch API POST /auth/_count: 400 Bad Request (parsing_exception: unknown query [trem]): check the query DSL`},
		{"no index", 404, "error_index.json", `elasticsearch source logs: query "login_failed": elasticsearch API POST /auth/_count: 404 Not Found (index_not_found_exception: no such index [logs-ngnix]): no index matches auth`},
		{"forbidden", 403, `{"error":{"type":"security_exception","reason":"action [indices:data/read/search] is unauthorized for API key id [k1]"},"status":403}`, `403 Forbidden (security_exception: action [indices:data/read/search] is unauthorized for API key id [k1]): the credentials may not read auth: grant the read privilege on it`},
		{"partial count", 200, "count_partial.json", `elasticsearch API POST /auth/_count: 200 OK (1 of 3 shards failed; query_shard_exception: No mapping found for [@timestamp] in order to sort on): the answer would be partial`},
		{"plain text", 502, "bad gateway", `elasticsearch API POST /auth/_count: 502 Bad Gateway (bad gateway)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.Count["auth"] = "count.json"
			if c.status != 0 {
				f.fail("/_count", c.status, 10, c.file, nil)
			}
			s, _ := build(t, replaceURL(body, f.URL()))
			key := testKey
			if c.status == 0 {
				key = "wrong-key-value"
			}
			_, err := s.Collect(context.Background(), env(map[string]string{EnvAPIKey: key}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "wrong-key-value")
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func replaceURL(body, u string) string {
	return `url = "` + u + `"` + body[len("\nurl = \"URL\""):]
}

func TestRetriesAndTimeout(t *testing.T) {
	f := newFake(t)
	f.Count["auth"] = "count.json"
	body := `
url = "URL"
query "login_failed" {
  index = "auth"
  query = { term = { "event.outcome" = "failure" } }
  sample_fields = []
}
`
	s, waits := build(t, replaceURL(body, f.URL()))
	f.fail("/_count", http.StatusServiceUnavailable, 1, `{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}`, nil)
	f.fail("/_count", http.StatusTooManyRequests, 1, `{"error":{"type":"es_rejected_execution_exception","reason":"rejected"},"status":429}`, map[string]string{"Retry-After": "2"})
	res, err := s.Collect(context.Background(), env(map[string]string{EnvAPIKey: testKey}))
	require.NoError(t, err)
	assert.Equal(t, int64(57), res.Data.EventSlice("login_failed")[0].Weight)
	require.Len(t, *waits, 2, "POST searches are retried: they only read")
	assert.Equal(t, 2*time.Second, (*waits)[1])
	assert.Len(t, f.seen(), 3)
	for _, r := range f.seen() {
		assert.NotNil(t, r.Body["query"], "the body is replayed")
	}

	f.Delay = 2 * time.Second
	s, _ = build(t, replaceURL(body, f.URL())[:len(f.URL())+8]+"\ntimeout = \"100ms\""+replaceURL(body, f.URL())[len(f.URL())+8:])
	start := time.Now()
	_, err = s.Collect(context.Background(), env(map[string]string{EnvAPIKey: testKey}))
	require.Error(t, err)
	assert.Less(t, time.Since(start), 1500*time.Millisecond)
	assert.Contains(t, err.Error(), `elasticsearch source logs: query "login_failed": timed out after 100ms (timeout): elasticsearch API POST /auth/_count: `)
}

func TestConfigErrors(t *testing.T) {
	const u = `url = "https://es.example.com:9200"` + "\n"
	q := func(attrs string) string { return u + "query \"ban\" {\n" + attrs + "\n}" }
	for body, want := range map[string]string{
		u: "no query block",
		`url = "https://elastic:pw@es.example.com"` + "\n" + q(`index = "a"
query = { match_all = {} }`)[len(u):]: "credentials in the URL are not allowed; set ELASTICSEARCH_API_KEY",
		q(`index = ""
query = { match_all = {} }`): `query "ban": index: the index (or pattern, such as logs-nginx-*) is required`,
		q(`index = "_all"
query = { match_all = {} }`): `is not an index name or pattern`,
		q(`index = "a"
query = "not json"`): `query "ban": query: not a JSON object`,
		q(`index = "a"
query = { term = { a = 1 }, match = { b = 2 } }`): `a query DSL query has one clause at its top (term, match, bool...), not 2`,
		"timeout = \"0s\"\n" + q(`index = "a"
query = jsonencode({ range = { "@timestamp" = { gte = "now-${window}" } } })`): `timeout "0s"`,
		q(`index = "a"
query = upper("x")`): `Call to unknown function`,
	} {
		_, err := New(parse(t, body))
		if assert.Error(t, err, body) {
			assert.Contains(t, err.Error(), want, body)
		}
	}
	s, err := New(parse(t, q(`index = "a,b-*"
query = jsonencode({ range = { "@timestamp" = { gte = "now-${window}" } } })`)))
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeField, s.Config().TimeField)
	assert.Equal(t, "30s", s.Config().Timeout)
	b, err := dsl(s.queries[0].dsl, 7)
	require.NoError(t, err)
	assert.JSONEq(t, `{"range":{"@timestamp":{"gte":"now-7d"}}}`, string(b))
}

func TestLargeDistinctCountsAreNoted(t *testing.T) {
	f := newFake(t)
	f.Distinct["waf"] = "cardinality_large.json"
	s, _ := build(t, `
url = "`+f.URL()+`"
query "ban" {
  index          = "waf"
  query          = { term = { "event.action" = "block" } }
  distinct_field = "source.ip"
  sample_fields  = []
}
`)
	res, err := s.Collect(context.Background(), env(map[string]string{EnvAPIKey: testKey}))
	require.NoError(t, err)
	assert.Equal(t, int64(51234), res.Data.EventSlice("ban")[0].Weight)
	assert.Equal(t, []string{`query "ban": 51234 distinct values of source.ip: above 40000 a cardinality is approximate (within a few percent)`}, res.Notes)
}

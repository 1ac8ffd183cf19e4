// Package elasticsearch is the `elasticsearch` source kind
// (docs/configuration.md#elasticsearch), for Elasticsearch and OpenSearch:
// it counts the documents that match a query DSL query in the report
// window, one query block per event type, and records each count as one
// weighted event of that type (weight = the count), so the event metrics
// read a log store without shipping its documents. A query with
// distinct_field counts distinct values instead (a cardinality
// aggregation: blocked IPs).
//
//	source "elasticsearch" "logs" {
//	  url        = "https://es.example.com:9200"   # required
//	  time_field = "@timestamp"
//	  timeout    = "30s"
//	  query "http_forbidden" {
//	    index = "logs-nginx-*"
//	    query = jsonencode({ term = { "http.response.status_code" = 403 } })
//	  }
//	}
//
// Credentials come from the environment only: $ELASTICSEARCH_API_KEY (sent
// as "Authorization: ApiKey <key>"), else $ELASTICSEARCH_USERNAME and
// $ELASTICSEARCH_PASSWORD (basic authentication). They never reach records,
// notes or errors. The reference is elasticsearch.md, next to this file.
package elasticsearch

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logquery"
)

// Environment variables holding the credentials.
const (
	EnvAPIKey   = "ELASTICSEARCH_API_KEY"
	EnvUsername = "ELASTICSEARCH_USERNAME"
	EnvPassword = "ELASTICSEARCH_PASSWORD"
)

// Defaults.
const (
	DefaultTimeField = "@timestamp"
	// PrecisionThreshold is the cardinality aggregation's
	// precision_threshold: distinct counts below it are close to exact
	// (40000 is the most Elasticsearch and OpenSearch honour).
	PrecisionThreshold = 40000
)

// DefaultSampleFields are the _source fields of a sample hit.
var DefaultSampleFields = []string{"message"}

// Config is the source block.
type Config struct {
	URL        string  `hcl:"url" doc:"The cluster's URL, such as https://es.example.com:9200 (a path prefix behind a proxy is kept). No credentials in it: set ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD."`
	TimeField  string  `hcl:"time_field,optional" doc:"The date field the window applies to (a range filter as_of - window < time_field <= as_of), and the sort of the sample hits."`
	WindowDays int     `hcl:"window_days,optional" doc:"The window the counts cover, in days."`
	Timeout    string  `hcl:"timeout,optional" doc:"How long one query (its count and its samples, retries included) may take, as a duration (\"30s\", \"2m\"); a query that takes longer fails the source."`
	Queries    []Query `hcl:"query,block" doc:"One block per event type, labelled with it (login_failed, login_success, invalid_user, http_forbidden, authz_fail, rate_limited, tls_downgrade, ban): the index and the query DSL that match its occurrences."`
}

// Query is one query block.
type Query struct {
	Type          string         `hcl:"type,label" doc:"The event type the query counts."`
	Index         string         `hcl:"index" doc:"The index, alias, data stream or pattern to search (logs-nginx-*; several separated by commas)."`
	Query         hcl.Expression `hcl:"query" type:"object or string" doc:"The query DSL query (the value of \"query\" in a search body): jsonencode({...}), an HCL object, or a JSON string. It is wrapped in a bool filter with the window's range on time_field."`
	DistinctField string         `hcl:"distinct_field,optional" doc:"Count the distinct values of this field (a keyword or ip field, such as source.ip) among the matching documents instead of the documents: a cardinality aggregation, close to exact below 40000 distinct values."`
	SampleFields  []string       `hcl:"sample_fields,optional" doc:"The _source fields of the 3 newest matching documents put in the event's detail as evidence; an empty list reads no samples."`
}

//go:embed elasticsearch.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "elasticsearch",
		Summary: "Elasticsearch or OpenSearch via _count (and cardinality) queries: one count per event type (weighted events), sample hits as evidence",
		Doc:     doc,
		Defaults: map[string]any{
			"time_field":  DefaultTimeField,
			"window_days": sources.DefaultDoc("the config's `window_days`"),
			"timeout":     logquery.DefaultTimeout,
		},
		Collections: logquery.Collections(),
		Build:       sources.Typed(New),
	})
}

// query is a checked query block.
type query struct {
	typ      string
	index    string
	dsl      hcl.Expression
	distinct string
	fields   []string // nil: no samples
}

// Source collects one configured elasticsearch source.
type Source struct {
	cfg     Config
	base    *url.URL
	timeout time.Duration
	queries []query

	hooks logquery.Hooks // tests
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	base, err := logquery.CheckEndpoint(cfg.URL, "https://es.example.com:9200", EnvAPIKey)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	cfg.URL = base.String()
	cfg.TimeField = strings.TrimSpace(cfg.TimeField)
	if cfg.TimeField == "" {
		cfg.TimeField = DefaultTimeField
	}
	if err := logquery.CheckWindowDays(cfg.WindowDays); err != nil {
		return nil, err
	}
	timeout, err := logquery.Timeout(cfg.Timeout)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = timeout.String()
	if len(cfg.Queries) == 0 {
		return nil, fmt.Errorf("no query block: add one per event type to count, such as query \"http_forbidden\" { index = \"logs-nginx-*\", query = jsonencode({ term = { \"http.response.status_code\" = 403 } }) }")
	}
	s := &Source{base: base, timeout: timeout}
	seen := map[string]bool{}
	for _, q := range cfg.Queries {
		typ, err := logquery.CheckType(q.Type)
		if err != nil {
			return nil, err
		}
		if seen[typ] {
			return nil, fmt.Errorf("query %q is given twice: one query per event type (join the cases with a bool should)", typ)
		}
		seen[typ] = true
		index, err := checkIndex(q.Index)
		if err != nil {
			return nil, fmt.Errorf("query %q: index: %w", typ, err)
		}
		if _, err := dsl(q.Query, logquery.DefaultWindowDays); err != nil {
			return nil, fmt.Errorf("query %q: query: %w", typ, err)
		}
		fields := DefaultSampleFields
		if q.SampleFields != nil {
			fields = nil
			for _, f := range q.SampleFields {
				if f = strings.TrimSpace(f); f != "" {
					fields = append(fields, f)
				}
			}
		}
		s.queries = append(s.queries, query{typ: typ, index: index, dsl: q.Query, distinct: strings.TrimSpace(q.DistinctField), fields: fields})
	}
	s.cfg = cfg
	return s, nil
}

// checkIndex accepts index names, patterns and comma-separated lists.
func checkIndex(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("the index (or pattern, such as logs-nginx-*) is required")
	}
	if strings.ContainsAny(s, `/\ ?#"<>|`) || strings.HasPrefix(s, "_") {
		return "", fmt.Errorf("%q is not an index name or pattern", s)
	}
	return s, nil
}

// dsl evaluates a query expression to the query DSL object it gives. A
// body {"query": {...}} written whole is unwrapped.
func dsl(expr hcl.Expression, days int) (json.RawMessage, error) {
	b, err := logquery.JSON(expr, days)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("the query is empty: give the query DSL, such as jsonencode({ match_all = {} })")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("not a JSON object (a query DSL query such as {\"term\": {\"event.outcome\": \"failure\"}})")
	}
	if q, ok := obj["query"]; ok && len(obj) == 1 {
		return q, nil
	}
	if len(obj) != 1 {
		return nil, fmt.Errorf("a query DSL query has one clause at its top (term, match, bool...), not %d: join them in a bool", len(obj))
	}
	return json.RawMessage(b), nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// Collect runs every query: its count, then its samples.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	auth, err := logquery.BasicOrToken(env.Getenv, "ApiKey", EnvAPIKey, EnvUsername, EnvPassword)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch source %s: %w", env.Name, err)
	}
	hc, _ := logquery.Client(s.hooks)
	c := &client{base: s.base, http: hc, auth: auth}
	days := logquery.WindowDays(s.cfg.WindowDays, env)
	res := &sources.Result{}
	for i, q := range s.queries {
		env.Report(i, len(s.queries))
		e, err := s.run(ctx, c, q, env, days)
		if err != nil {
			return nil, fmt.Errorf("elasticsearch source %s: %s", env.Name, auth.Redact((&logquery.QueryError{Type: q.typ, Err: err}).Error()))
		}
		if e != nil {
			res.Data.AddEvent(q.typ, *e)
			if q.distinct != "" && e.Weight > PrecisionThreshold {
				res.Notes = append(res.Notes, fmt.Sprintf("query %q: %d distinct values of %s: above %d a cardinality is approximate (within a few percent)", q.typ, e.Weight, q.distinct, PrecisionThreshold))
			}
		}
		res.Provides = append(res.Provides, q.typ)
	}
	env.Report(len(s.queries), len(s.queries))
	return res, nil
}

// run reads one query's count and samples within the timeout. A count of
// 0 gives no event.
func (s *Source) run(ctx context.Context, c *client, q query, env sources.Env, days int) (*snapshot.Event, error) {
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	user, err := dsl(q.dsl, days)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	asOf := env.AsOf.UTC()
	filtered := windowed(user, s.cfg.TimeField, asOf.Add(-time.Duration(days)*24*time.Hour), asOf)
	var n int64
	endpoint := "/_count"
	label := q.typ
	if q.distinct != "" {
		endpoint, label = "/_search", q.typ+" (distinct "+q.distinct+")"
		n, err = c.distinct(qctx, q.index, filtered, q.distinct)
	} else {
		n, err = c.count(qctx, q.index, filtered)
	}
	if err != nil {
		return nil, s.timedOut(ctx, qctx, err)
	}
	if n == 0 {
		return nil, nil
	}
	var samples []string
	if len(q.fields) > 0 {
		samples, err = c.samples(qctx, q.index, filtered, s.cfg.TimeField, q.fields)
		if err != nil {
			return nil, s.timedOut(ctx, qctx, err)
		}
	}
	origin := c.base.String() + "/" + q.index + endpoint + "#" + q.typ
	e := logquery.Event(env, origin, logquery.Detail(label, samples), n)
	return &e, nil
}

// windowed wraps the user's query in a bool filter with the window's
// range on the time field.
func windowed(user json.RawMessage, field string, start, end time.Time) json.RawMessage {
	const layout = "2006-01-02T15:04:05.000Z"
	body := map[string]any{"bool": map[string]any{"filter": []any{
		user,
		map[string]any{"range": map[string]any{field: map[string]any{
			"gt":     start.UTC().Format(layout),
			"lte":    end.UTC().Format(layout),
			"format": "strict_date_optional_time",
		}}},
	}}}
	b, _ := json.Marshal(body)
	return b
}

// timedOut says so when the query's own deadline (not the run's) ended it.
func (s *Source) timedOut(ctx, qctx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(qctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s (timeout): %w", s.timeout, err)
	}
	return err
}

// Package prometheus is the `prometheus` source kind
// (docs/configuration.md#prometheus): a query back-end. Instead of reading
// the log lines, it asks a Prometheus server (or anything that serves the
// Prometheus HTTP API: Thanos, Mimir, VictoriaMetrics) to count the events
// where the data lives, with one PromQL instant query per event type,
// evaluated at the as-of instant:
//
//	source "prometheus" "edge" {
//	  url = "http://prometheus:9090"
//	  query "rate_limited" { promql = "sum(increase(nginx_http_requests_total{status=\"429\"}[$${window}]))" }
//	  query "ban"          { promql = "count(count by (ip) (increase(fail2ban_bans_total[$${window}]) > 0))" }
//	}
//
// Each query's result becomes one event of its type whose weight is the
// count (snapshot.Event.Weight), at the as-of instant, so the event metrics
// (which sum the weights) count it as that many events. A count of zero is
// no event.
//
// Credentials come from the environment only: a bearer token
// $PROMETHEUS_TOKEN, or basic auth $PROMETHEUS_USERNAME and
// $PROMETHEUS_PASSWORD. They are sent in the Authorization header and never
// reach records, errors or notes.
package prometheus

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Defaults.
const (
	DefaultTimeout = 2 * time.Minute
	// WindowPlaceholder in a query is replaced by the config's window as a
	// PromQL duration ("30d"). In HCL it is written $${window} ("${" starts
	// an interpolation there).
	WindowPlaceholder = "${window}"
)

// Environment variables read for credentials.
const (
	EnvToken    = "PROMETHEUS_TOKEN"
	EnvUsername = "PROMETHEUS_USERNAME"
	EnvPassword = "PROMETHEUS_PASSWORD"
)

// Query is one query block: the event type it counts (the block's label)
// and the PromQL.
type Query struct {
	Event  string `hcl:"event,label" doc:"The event type the query counts (the block's label): login_failed, login_success, invalid_user, http_forbidden, authz_fail, rate_limited, tls_downgrade or ban."`
	PromQL string `hcl:"promql" doc:"A PromQL instant query that returns one number: a scalar, or a vector (the values of its series are added up; no series is 0). Write the range as $${window} (the config's window_days, e.g. 30d): sum(increase(nginx_http_requests_total{status=\"429\"}[$${window}])). For ban, count distinct addresses: count(count by (ip) (increase(fail2ban_bans_total[$${window}]) > 0))."`
}

// Config is the source block.
type Config struct {
	URL     string  `hcl:"url" doc:"The server's base URL (context path included, e.g. https://metrics.example.com/prometheus); queries go to <url>/api/v1/query. Plain http is refused when credentials are set, unless the host is a loopback address."`
	Queries []Query `hcl:"query,block" doc:"One block per event type to count: query \"<event type>\" { promql = \"...\" }. At least one; one per event type."`
	Timeout string  `hcl:"timeout,optional" doc:"How long one query may take (a Go duration: 30s, 2m), sent to the server as its query timeout; a query still running then is a source error."`
}

//go:embed prometheus.md
var doc string

func init() {
	provided := make([]snapshot.Provided, len(snapshot.EventTypes))
	for i, t := range snapshot.EventTypes {
		provided[i] = snapshot.Provided{Collection: snapshot.EventCollection(t), Part: t}
	}
	sources.Register(sources.Kind{
		Name:        "prometheus",
		Summary:     "PromQL instant queries that count events where the metrics live (Prometheus HTTP API), one per event type",
		Doc:         doc,
		Defaults:    map[string]any{"timeout": DefaultTimeout},
		Collections: provided,
		Build:       sources.Typed(New),
	})
}

// Source collects one configured prometheus source.
type Source struct {
	cfg     Config
	base    *url.URL // URL parsed, without a trailing slash
	timeout time.Duration

	// Test hooks; nil means the real thing.
	transport http.RoundTripper
	sleep     func(context.Context, time.Duration) error
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	cfg.Queries = slices.Clone(c.Queries)
	base, err := checkURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	cfg.URL = base.String()
	if len(cfg.Queries) == 0 {
		return nil, fmt.Errorf("no query block: add one per event type to count, e.g. query \"rate_limited\" { promql = \"...\" }")
	}
	seen := map[string]bool{}
	for i := range cfg.Queries {
		q := &cfg.Queries[i]
		q.Event = strings.TrimSpace(q.Event)
		if !slices.Contains(snapshot.EventTypes, q.Event) {
			return nil, fmt.Errorf("query %q: not an event type (want one of %s)", q.Event, strings.Join(snapshot.EventTypes, ", "))
		}
		if seen[q.Event] {
			return nil, fmt.Errorf("query %q: given twice (one query per event type; add the counts up in PromQL)", q.Event)
		}
		seen[q.Event] = true
		q.PromQL = strings.TrimSpace(q.PromQL)
		if q.PromQL == "" {
			return nil, fmt.Errorf("query %q: promql is empty", q.Event)
		}
	}
	timeout := DefaultTimeout
	if s := strings.TrimSpace(cfg.Timeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("timeout %q: want a positive duration such as 30s or 2m", cfg.Timeout)
		}
		timeout = d
	}
	cfg.Timeout = timeout.String()
	return &Source{cfg: cfg, base: base, timeout: timeout}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// Events lists the event types the source counts, in the order configured.
func (s *Source) Events() []string {
	out := make([]string, len(s.cfg.Queries))
	for i, q := range s.cfg.Queries {
		out[i] = q.Event
	}
	return out
}

// checkURL accepts an absolute http(s) URL without credentials, query or
// fragment. The trailing slash is dropped.
func checkURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an http(s) URL such as http://prometheus:9090", redactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("credentials in the URL are not allowed; set %s, or %s and %s", EnvToken, EnvUsername, EnvPassword)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: no query or fragment, the server's base URL only", redactURL(raw))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactURL is what a message may show of a URL: no user info, query or
// fragment.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
		return u.String()
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		raw = raw[at+1:]
	}
	return raw
}

// expand replaces the window placeholder by the window in days.
func expand(promql string, windowDays int) (string, error) {
	if !strings.Contains(promql, WindowPlaceholder) {
		return promql, nil
	}
	if windowDays <= 0 {
		return "", fmt.Errorf("the query uses %s but the window is unknown", WindowPlaceholder)
	}
	return strings.ReplaceAll(promql, WindowPlaceholder, fmt.Sprintf("%dd", windowDays)), nil
}

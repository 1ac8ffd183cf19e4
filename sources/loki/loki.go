// Package loki is the `loki` source kind (docs/configuration.md#loki): it
// asks a Grafana Loki server for counts with LogQL metric queries, one
// query block per event type, and records each count as one weighted event
// of that type (weight = the count), so the event metrics (failed login
// rate, rate-limit triggers, unauthorized access attempts, TLS downgrade
// attempts) read a log store without shipping its lines.
//
//	source "loki" "edge" {
//	  url     = "https://loki.example.com"   # required; a path prefix is kept
//	  tenant  = "ops"                         # X-Scope-OrgID (multi-tenant Loki)
//	  timeout = "30s"                         # per query, retries included
//	  query "rate_limited" {
//	    logql  = "sum(count_over_time({job=\"nginx\"} |= \" 429 \" [${window}]))"
//	    sample = "{job=\"nginx\"} |= \" 429 \""  # optional: lines for the evidence
//	  }
//	}
//
// Credentials come from the environment only: $LOKI_TOKEN (sent as
// "Authorization: Bearer <token>"), else $LOKI_USERNAME and $LOKI_PASSWORD
// (basic authentication). They never reach records, notes or errors. The
// reference is loki.md, next to this file.
package loki

import (
	"context"
	_ "embed"
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
	EnvToken    = "LOKI_TOKEN"
	EnvUsername = "LOKI_USERNAME"
	EnvPassword = "LOKI_PASSWORD"
)

// Config is the source block.
type Config struct {
	URL        string  `hcl:"url" doc:"The Loki base URL (the querier, query frontend or a gateway), such as https://loki.example.com or http://loki:3100; a path prefix (/loki behind a gateway) is kept. No credentials in it: set LOKI_TOKEN, or LOKI_USERNAME and LOKI_PASSWORD."`
	Tenant     string  `hcl:"tenant,optional" doc:"The tenant (X-Scope-OrgID header) of a multi-tenant Loki; empty sends no header."`
	WindowDays int     `hcl:"window_days,optional" doc:"The window the counts cover, in days: what ${window} stands for (\"30d\") and how far back samples are read."`
	Timeout    string  `hcl:"timeout,optional" doc:"How long one query (its count and its samples, retries included) may take, as a duration (\"30s\", \"2m\"); a query that takes longer fails the source."`
	Queries    []Query `hcl:"query,block" doc:"One block per event type, labelled with it (login_failed, login_success, invalid_user, http_forbidden, authz_fail, rate_limited, tls_downgrade, ban): the LogQL that counts its occurrences in the window."`
}

// Query is one query block.
type Query struct {
	Type   string         `hcl:"type,label" doc:"The event type the query counts."`
	LogQL  hcl.Expression `hcl:"logql" type:"string" doc:"A LogQL metric query whose instant value at as_of is the count, such as sum(count_over_time({job=\"nginx\"} |= \" 429 \" [${window}])); ${window} is the window (\"30d\"). The values of every series returned are added; an empty result is 0."`
	Sample hcl.Expression `hcl:"sample,optional" type:"string" doc:"A LogQL log query (a stream selector and filters) whose 3 newest lines in the window go into the event's detail as evidence."`
}

//go:embed loki.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "loki",
		Summary: "Grafana Loki via LogQL metric queries: one count per event type (weighted events), sample lines as evidence",
		Doc:     doc,
		Defaults: map[string]any{
			"tenant":      sources.DefaultDoc("none (no X-Scope-OrgID header)"),
			"window_days": sources.DefaultDoc("the config's `window_days`"),
			"timeout":     logquery.DefaultTimeout,
		},
		Collections: logquery.Collections(),
		Build:       sources.Typed(New),
	})
}

// query is a checked query block.
type query struct {
	typ    string
	logql  hcl.Expression
	sample hcl.Expression
}

// Source collects one configured loki source.
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
	base, err := logquery.CheckEndpoint(cfg.URL, "https://loki.example.com", EnvToken)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	cfg.URL = base.String()
	cfg.Tenant = strings.TrimSpace(cfg.Tenant)
	if err := logquery.CheckWindowDays(cfg.WindowDays); err != nil {
		return nil, err
	}
	timeout, err := logquery.Timeout(cfg.Timeout)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = timeout.String()
	if len(cfg.Queries) == 0 {
		return nil, fmt.Errorf("no query block: add one per event type to count, such as query \"rate_limited\" { logql = \"sum(count_over_time({job=\\\"nginx\\\"} |= \\\" 429 \\\" [${window}]))\" }")
	}
	s := &Source{base: base, timeout: timeout}
	seen := map[string]bool{}
	for _, q := range cfg.Queries {
		typ, err := logquery.CheckType(q.Type)
		if err != nil {
			return nil, err
		}
		if seen[typ] {
			return nil, fmt.Errorf("query %q is given twice: one query per event type (add the counts in LogQL: sum(a) + sum(b))", typ)
		}
		seen[typ] = true
		// The expressions are checked now with the default window.
		logql, err := logquery.String(q.LogQL, logquery.DefaultWindowDays)
		if err != nil {
			return nil, fmt.Errorf("query %q: logql: %w", typ, err)
		}
		if logql == "" {
			return nil, fmt.Errorf("query %q: logql is empty", typ)
		}
		if _, err := logquery.String(q.Sample, logquery.DefaultWindowDays); err != nil {
			return nil, fmt.Errorf("query %q: sample: %w", typ, err)
		}
		s.queries = append(s.queries, query{typ: typ, logql: q.LogQL, sample: q.Sample})
	}
	s.cfg = cfg
	return s, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// Collect runs every query: its count, then its samples.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	auth, err := logquery.BasicOrToken(env.Getenv, "Bearer", EnvToken, EnvUsername, EnvPassword)
	if err != nil {
		return nil, fmt.Errorf("loki source %s: %w", env.Name, err)
	}
	hc, _ := logquery.Client(s.hooks)
	c := &client{base: s.base, http: hc, auth: auth, tenant: s.cfg.Tenant}
	days := logquery.WindowDays(s.cfg.WindowDays, env)
	asOf := env.AsOf.UTC()
	res := &sources.Result{}
	for i, q := range s.queries {
		env.Report(i, len(s.queries))
		e, err := s.run(ctx, c, q, env, asOf, days)
		if err != nil {
			return nil, fmt.Errorf("loki source %s: %s", env.Name, auth.Redact((&logquery.QueryError{Type: q.typ, Err: err}).Error()))
		}
		if e != nil {
			res.Data.AddEvent(q.typ, *e)
		}
		res.Provides = append(res.Provides, q.typ)
	}
	env.Report(len(s.queries), len(s.queries))
	return res, nil
}

// run reads one query's count and samples within the timeout. A count of
// 0 gives no event.
func (s *Source) run(ctx context.Context, c *client, q query, env sources.Env, asOf time.Time, days int) (*snapshot.Event, error) {
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	logql, err := logquery.String(q.logql, days)
	if err != nil {
		return nil, fmt.Errorf("logql: %w", err)
	}
	n, err := c.count(qctx, logql, asOf)
	if err != nil {
		return nil, s.timedOut(ctx, qctx, err)
	}
	if n == 0 {
		return nil, nil
	}
	var samples []string
	if sel, err := logquery.String(q.sample, days); err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	} else if sel != "" {
		samples, err = c.samples(qctx, sel, asOf.Add(-time.Duration(days)*24*time.Hour), asOf)
		if err != nil {
			return nil, s.timedOut(ctx, qctx, err)
		}
	}
	origin := c.base.String() + "/loki/api/v1/query#" + q.typ
	e := logquery.Event(env, origin, logquery.Detail(q.typ, samples), n)
	return &e, nil
}

// timedOut says so when the query's own deadline (not the run's) ended it.
func (s *Source) timedOut(ctx, qctx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(qctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s (timeout): %w", s.timeout, err)
	}
	return err
}

// Package pagerduty is the `pagerduty` source kind
// (docs/configuration.md#pagerduty): it reads incidents (and, when asked,
// their alerts) through the PagerDuty REST API v2 and records them as the
// same incident and alert records the `incidents` and `alerts` file kinds
// give, so the detection and response metrics read them unchanged.
//
//	source "pagerduty" "oncall" {
//	  service_ids  = ["PIJ90N7"]            # default: every service
//	  team_ids     = ["PQ9K7I8"]            # default: every team
//	  severity_map = { P1 = "sev1", high = "sev2" }
//	  window_days  = 30                     # default: the config's window_days
//	  collect      = ["incidents", "alerts"]
//	  api_url      = "https://api.eu.pagerduty.com"
//	  max_requests = 5000                   # request budget of one collection
//	  requests_per_minute = 480             # pace (the key allows 960)
//	}
//
// The API key comes from $PAGERDUTY_TOKEN only; it never reaches records,
// errors or notes. Incidents created since as_of - 2 x window_days are
// listed (GET /incidents, split in spans of 6 months and in halves past the
// 10,000-record pagination cap); detected_at is the first acknowledgement
// (GET /incidents/{id}/log_entries for incidents not acknowledged now),
// else the resolution, else the creation. Every request goes through the
// retrying transport of internal/retry, PagerDuty's ratelimit-reset header
// read as Retry-After. pagerduty.md (the kind's Doc) gives the calls, the
// field mapping and the request count of one run.
package pagerduty

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
	"github.com/localizevideos/posture/sources/tabular"
)

// Parts of the kind, in the order they are collected and listed.
const (
	PartIncidents = "incidents"
	PartAlerts    = "alerts"
)

// Parts lists every part.
var Parts = []string{PartIncidents, PartAlerts}

// TokenEnv is the environment variable that holds the API key.
const TokenEnv = "PAGERDUTY_TOKEN"

// Defaults.
const (
	DefaultAPIURL      = "https://api.pagerduty.com"
	DefaultWindowDays  = 30 // posture's default window_days
	DefaultMaxRequests = 5000
	// DefaultRequestsPerMinute is half of PagerDuty's REST API limit of 960
	// requests a minute per API key, so what else uses the key keeps room.
	DefaultRequestsPerMinute = 480
	maxWindowDays            = 3650
)

// DefaultCollect is the part collected when collect is not set: alerts are
// opt-in (see pagerduty.md: from PagerDuty alone every listed alert belongs
// to an incident).
var DefaultCollect = []string{PartIncidents}

// DefaultSeverityMap maps priority names, then urgencies, onto severities.
var DefaultSeverityMap = map[string]string{
	"P1": "sev1", "P2": "sev2", "P3": "sev3", "P4": "sev4", "P5": "sev4",
	"high": "sev2", "low": "sev4",
}

// Config is the source block. The API key is not an attribute: it is read
// from $PAGERDUTY_TOKEN.
type Config struct {
	APIURL      string            `hcl:"api_url,optional" doc:"REST API base URL: https://api.eu.pagerduty.com for an account in the EU service region."`
	ServiceIDs  []string          `hcl:"service_ids,optional" doc:"Read only the incidents of these services (PagerDuty ids such as PIJ90N7). Empty reads every service."`
	TeamIDs     []string          `hcl:"team_ids,optional" doc:"Read only the incidents of these teams (ids). Empty reads every team. With service_ids, an incident must match both."`
	SeverityMap map[string]string `hcl:"severity_map,optional" doc:"Severity of an incident by its priority name (P1, P2, ... as named in the account), else by its urgency (high, low); keys compare case-insensitively. Entries add to and override the default map."`
	WindowDays  int               `hcl:"window_days,optional" doc:"The report window this source must cover, in days (default: the config's window_days). Incidents created since as_of - 2 x window_days are read, so those resolved in the window are there even when they began before it."`
	Collect     []string          `hcl:"collect,optional" doc:"Parts to collect: a subset of incidents, alerts."`
	MaxRequests int               `hcl:"max_requests,optional" doc:"Request budget of one collection (retries count); the source fails rather than exceed it."`
	// RequestsPerMinute paces the requests of one collection.
	RequestsPerMinute int `hcl:"requests_per_minute,optional" doc:"Pace of the requests (PagerDuty allows 960 a minute per API key, shared by everything that uses the key)."`
}

//go:embed pagerduty.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "pagerduty",
		Summary: "PagerDuty incidents (and their alerts) via the REST API v2",
		Doc:     doc,
		Defaults: map[string]any{
			"api_url":             DefaultAPIURL,
			"service_ids":         sources.DefaultDoc("every service"),
			"team_ids":            sources.DefaultDoc("every team"),
			"severity_map":        sources.DefaultDoc("`{ P1 = \"sev1\", P2 = \"sev2\", P3 = \"sev3\", P4 = \"sev4\", P5 = \"sev4\", high = \"sev2\", low = \"sev4\" }`"),
			"window_days":         sources.DefaultDoc("the config's `window_days`"),
			"collect":             DefaultCollect,
			"max_requests":        DefaultMaxRequests,
			"requests_per_minute": DefaultRequestsPerMinute,
		},
		Collections: []snapshot.Provided{
			{Collection: snapshot.Incidents.Name(), Part: PartIncidents},
			{Collection: snapshot.Alerts.Name(), Part: PartAlerts},
		},
		Build: sources.Typed(New),
	})
}

// Source collects one configured pagerduty source.
type Source struct {
	cfg      Config
	parts    []string
	severity map[string]string // lower-cased key -> normalised severity

	// Test hooks; zero means the real thing.
	base     http.RoundTripper
	sleep    func(context.Context, time.Duration) error
	now      func() time.Time
	pageSize int // limit of one page (100)
	pageCap  int // records one query may page through (offset+limit, 10000)
	maxRange time.Duration
	noPace   bool
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	cfg.APIURL = strings.TrimRight(strings.TrimSpace(cfg.APIURL), "/")
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if err := checkAPIURL(cfg.APIURL); err != nil {
		return nil, fmt.Errorf("api_url: %w", err)
	}
	var err error
	if cfg.ServiceIDs, err = checkIDs("service_ids", cfg.ServiceIDs); err != nil {
		return nil, err
	}
	if cfg.TeamIDs, err = checkIDs("team_ids", cfg.TeamIDs); err != nil {
		return nil, err
	}
	sev := map[string]string{}
	for k, v := range DefaultSeverityMap {
		sev[strings.ToLower(k)] = v
	}
	keys := make([]string, 0, len(cfg.SeverityMap))
	for k := range cfg.SeverityMap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := tabular.NormalizeSeverity(cfg.SeverityMap[k])
		key := strings.ToLower(strings.TrimSpace(k))
		if key == "" || v == "" {
			return nil, fmt.Errorf("severity_map: %q = %q: want a priority or urgency name and a severity such as \"sev1\"", k, cfg.SeverityMap[k])
		}
		sev[key] = v
	}
	if cfg.WindowDays < 0 || cfg.WindowDays > maxWindowDays {
		return nil, fmt.Errorf("window_days must be between 1 and %d", maxWindowDays)
	}
	parts, err := checkParts(cfg.Collect)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRequests < 0 {
		return nil, fmt.Errorf("max_requests must be positive")
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.RequestsPerMinute < 0 || cfg.RequestsPerMinute > 6000 {
		return nil, fmt.Errorf("requests_per_minute must be between 1 and 6000")
	}
	if cfg.RequestsPerMinute == 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}
	return &Source{cfg: cfg, parts: parts, severity: sev}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

func checkAPIURL(raw string) error {
	switch _, err := httpapi.ParseBase(raw, false); {
	case errors.Is(err, httpapi.ErrCredentials), errors.Is(err, httpapi.ErrQuery):
		return fmt.Errorf("%q: no credentials, query or fragment in the URL (the key comes from %s)", raw, TokenEnv)
	case err != nil:
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

// checkIDs trims the ids and refuses empty, odd or repeated ones.
func checkIDs(attr string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "/?&#= \t") {
			return nil, fmt.Errorf("%s[%d] %q: not a PagerDuty id", attr, i, ids[i])
		}
		if seen[id] {
			return nil, fmt.Errorf("%s[%d] %q: listed twice", attr, i, id)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out, nil
}

func checkParts(collect []string) ([]string, error) {
	if len(collect) == 0 {
		return append([]string(nil), DefaultCollect...), nil
	}
	want := map[string]bool{}
	for _, p := range collect {
		p = strings.ToLower(strings.TrimSpace(p))
		known := false
		for _, k := range Parts {
			known = known || k == p
		}
		if !known {
			return nil, fmt.Errorf("collect: %q is not one of %s", p, strings.Join(Parts, ", "))
		}
		want[p] = true
	}
	var out []string
	for _, k := range Parts {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *Source) wants(part string) bool {
	for _, p := range s.parts {
		if p == part {
			return true
		}
	}
	return false
}

// Collect reads the incidents created since as_of - 2 x window_days, their
// first acknowledgement and, when collected, their alerts.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	token := strings.TrimSpace(env.Env("PAGERDUTY_TOKEN")) // TokenEnv
	if token == "" {
		return nil, fmt.Errorf("pagerduty source %s: no API key: set %s", env.Name, TokenEnv)
	}
	c := s.newCollector(env, token)
	res, err := c.run(ctx)
	if err != nil {
		return nil, redactErr(err, token)
	}
	return res, nil
}

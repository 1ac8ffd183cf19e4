// Package jira is the `jira` source kind (docs/configuration.md#jira): it
// reads the issues a JQL query selects from Jira Cloud (REST API v3,
// enhanced search) or Jira Server / Data Center (REST API v2) and records
// them as audit findings or incidents, in the collections the table kinds
// fill, so every metric and policy reading those collections counts them.
//
//	source "jira" "audit" {
//	  base_url       = "https://acme.atlassian.net"
//	  jql            = "project = SEC AND labels = audit"
//	  collection     = "audit_findings"      # or "incidents"
//	  severity_field = "customfield_10042"   # default priority
//	}
//
// Credentials come from the environment only: Jira Cloud takes
// $JIRA_EMAIL and $JIRA_API_TOKEN (basic auth), Server / Data Center a
// personal access token $JIRA_TOKEN (bearer). They are sent in the
// Authorization header and never reach records, errors or notes.
//
// Every request goes through the retrying transport of internal/retry
// (backoff on 5xx and network errors, Retry-After waits up to 60 s, the
// max_requests budget). A request that still fails is a source error
// naming the API and the request (method and path).
package jira

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// Deployments.
const (
	DeploymentCloud  = "cloud"
	DeploymentServer = "server"
)

// Collections a source may fill (the value of `collection`, and the part
// the source lists in Result.Provides).
const (
	CollectionAuditFindings = "audit_findings"
	CollectionIncidents     = "incidents"
)

// Defaults.
const (
	DefaultDeployment    = DeploymentCloud
	DefaultCollection    = CollectionAuditFindings
	DefaultSeverityField = "priority"
	DefaultOpenedField   = "created"
	DefaultClosedField   = "resolutiondate"
	DefaultDetectedField = "created"
	DefaultMaxRequests   = 500
	// PageSize is the maxResults of every search request: the most the
	// enhanced search returns per page when fields are requested.
	PageSize = 100
)

// Environment variables read for credentials.
const (
	EnvEmail    = "JIRA_EMAIL"
	EnvAPIToken = "JIRA_API_TOKEN"
	EnvToken    = "JIRA_TOKEN"
)

// Config is the source block.
type Config struct {
	BaseURL       string `hcl:"base_url" doc:"The site's URL: https://<site>.atlassian.net for Jira Cloud, the base URL (context path included, e.g. https://jira.example.com/jira) for Server / Data Center. Plain http is accepted only for a loopback host."`
	JQL           string `hcl:"jql" doc:"The JQL query selecting the issues, e.g. project = SEC AND labels = audit. Every issue it returns is one record."`
	Deployment    string `hcl:"deployment,optional" doc:"cloud (REST API v3 enhanced search, basic auth with $JIRA_EMAIL and $JIRA_API_TOKEN) or server (Server / Data Center, REST API v2 search, bearer personal access token $JIRA_TOKEN)."`
	Collection    string `hcl:"collection,optional" doc:"What the issues are: audit_findings or incidents."`
	SeverityField string `hcl:"severity_field,optional" doc:"Field id of the severity: a system field (priority) or a custom field id (customfield_10042). An option or priority object gives its name (else its value), a text or number field its text; an absent or empty field leaves the severity empty."`
	OpenedField   string `hcl:"opened_field,optional" doc:"Field id of the time a finding was raised (opened_at); audit_findings only."`
	ClosedField   string `hcl:"closed_field,optional" doc:"Field id of the time an issue was closed (closed_at of a finding, resolved_at of an incident); read only for issues in the done status category."`
	StartedField  string `hcl:"started_field,optional" doc:"Field id of the time an incident began (started_at, which mttd_hours needs), e.g. a date-time custom field; incidents only."`
	DetectedField string `hcl:"detected_field,optional" doc:"Field id of the time an incident was detected (detected_at, which places it in the window); incidents only."`
	MaxRequests   int    `hcl:"max_requests,optional" doc:"Request budget of one collection (every attempt counts); the source fails rather than exceed it."`
}

//go:embed jira.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "jira",
		Summary: "Jira Cloud or Server issues selected by a JQL query, as audit findings or incidents",
		Doc:     doc,
		Defaults: map[string]any{
			"deployment":     DefaultDeployment,
			"collection":     DefaultCollection,
			"severity_field": DefaultSeverityField,
			"opened_field":   DefaultOpenedField,
			"closed_field":   DefaultClosedField,
			"started_field":  sources.DefaultDoc("none: `started_at` stays empty (Jira has no standard start field)"),
			"detected_field": DefaultDetectedField,
			"max_requests":   DefaultMaxRequests,
		},
		Collections: []snapshot.Provided{
			{Collection: snapshot.AuditFindings.Name(), Part: CollectionAuditFindings},
			{Collection: snapshot.Incidents.Name(), Part: CollectionIncidents},
		},
		Build: sources.Typed(New),
	})
}

// Source collects one configured jira source.
type Source struct {
	cfg  Config
	base *url.URL // BaseURL parsed, without a trailing slash

	// Test hooks; nil means the real thing.
	transport http.RoundTripper
	sleep     func(context.Context, time.Duration) error
	now       func() time.Time
	rand      func() float64
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	cfg.BaseURL = base.String()
	cfg.JQL = strings.TrimSpace(cfg.JQL)
	if cfg.JQL == "" {
		return nil, fmt.Errorf("jql: a JQL query is required")
	}
	cfg.Deployment = strings.ToLower(strings.TrimSpace(cfg.Deployment))
	switch cfg.Deployment {
	case "":
		cfg.Deployment = DefaultDeployment
	case DeploymentCloud, DeploymentServer:
	default:
		return nil, fmt.Errorf("deployment %q: want %q or %q", cfg.Deployment, DeploymentCloud, DeploymentServer)
	}
	cfg.Collection = strings.ToLower(strings.TrimSpace(cfg.Collection))
	switch cfg.Collection {
	case "":
		cfg.Collection = DefaultCollection
	case CollectionAuditFindings, CollectionIncidents:
	default:
		return nil, fmt.Errorf("collection %q: want %q or %q", cfg.Collection, CollectionAuditFindings, CollectionIncidents)
	}
	fields := []struct {
		name  string
		v     *string
		def   string
		only  string // the collection the attribute applies to; "" both
		given bool
	}{
		{name: "severity_field", v: &cfg.SeverityField, def: DefaultSeverityField},
		{name: "opened_field", v: &cfg.OpenedField, def: DefaultOpenedField, only: CollectionAuditFindings},
		{name: "closed_field", v: &cfg.ClosedField, def: DefaultClosedField},
		{name: "started_field", v: &cfg.StartedField, only: CollectionIncidents},
		{name: "detected_field", v: &cfg.DetectedField, def: DefaultDetectedField, only: CollectionIncidents},
	}
	for _, f := range fields {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v != "" {
			if f.only != "" && f.only != cfg.Collection {
				return nil, fmt.Errorf("%s applies to collection %q only (this source's is %q)", f.name, f.only, cfg.Collection)
			}
			if !validFieldID(*f.v) {
				return nil, fmt.Errorf("%s %q: not a Jira field id (created, priority, customfield_10042)", f.name, *f.v)
			}
			continue
		}
		if f.only == "" || f.only == cfg.Collection {
			*f.v = f.def
		}
	}
	if cfg.MaxRequests < 0 {
		return nil, fmt.Errorf("max_requests must be positive")
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	return &Source{cfg: cfg, base: base}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// checkBaseURL accepts an absolute https URL without credentials, query or
// fragment (http only for a loopback host: basic auth must not cross a
// network in clear). The trailing slash is dropped.
func checkBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := httpapi.ParseBase(raw, true)
	switch {
	case errors.Is(err, httpapi.ErrNotURL), errors.Is(err, httpapi.ErrScheme):
		return nil, fmt.Errorf("%q is not an https URL such as https://acme.atlassian.net", httpapi.RedactURL(raw))
	case errors.Is(err, httpapi.ErrCredentials):
		return nil, fmt.Errorf("credentials in the URL are not allowed; set %s and %s (cloud) or %s (server)", EnvEmail, EnvAPIToken, EnvToken)
	case errors.Is(err, httpapi.ErrQuery):
		return nil, fmt.Errorf("%q: no query or fragment, the site's URL only", httpapi.RedactURL(raw))
	case errors.Is(err, httpapi.ErrPlainHTTP):
		return nil, fmt.Errorf("%q: use https (credentials would be sent in clear)", httpapi.RedactURL(raw))
	case err != nil:
		return nil, err
	}
	return u, nil
}

// validFieldID accepts Jira field ids: system fields (created,
// resolutiondate, priority) and custom fields (customfield_10042).
func validFieldID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// Collect runs the query and maps every issue it returns.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	c, err := s.newClient(env)
	if err != nil {
		return nil, fmt.Errorf("jira source %s: %w", env.Name, err)
	}
	issues, err := c.search(ctx, s.requestFields(), env.Report)
	if err != nil {
		return nil, fmt.Errorf("jira source %s: %w", env.Name, err)
	}
	res := &sources.Result{Provides: []string{s.cfg.Collection}}
	m := mapper{cfg: &s.cfg, base: s.base.String(), source: env.ID(), zone: env.Zone}
	for i := range issues {
		if err := m.add(&res.Data, &issues[i]); err != nil {
			return nil, fmt.Errorf("jira source %s: %w", env.Name, err)
		}
	}
	res.Notes = m.notes(len(issues))
	return res, nil
}

// requestFields are the fields every search asks for: the mapped ones and
// what status and title need.
func (s *Source) requestFields() []string {
	out := []string{"summary", "status"}
	for _, f := range []string{s.cfg.SeverityField, s.cfg.OpenedField, s.cfg.ClosedField, s.cfg.StartedField, s.cfg.DetectedField} {
		if f == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == f
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out
}

// Package github is the `github` source kind (docs/configuration.md#github):
// it reads an organisation's (or a user's) state through the GitHub REST API
// and records facts only; policies judge them.
//
//	source "github" "org" {
//	  owner            = "localizevideos"   # org or user (required)
//	  repos            = ["web", "api"]     # default: every repo of the owner ("other/repo" also accepted)
//	  collect          = ["alerts"]         # subset of members, alerts, deployments, incidents (default all four)
//	  personal_access_tokens = true         # also the tokens part (needs an App with organization_personal_access_tokens: read)
//	  two_factor       = true               # members' 2FA must be readable (default: read when allowed)
//	  incident_label   = "incident"
//	  api_url          = "https://ghe.example.com/api/v3"  # default $GITHUB_API_URL, else api.github.com
//	  app_id           = 12345              # GitHub App auth: all three or none
//	  installation_id  = 678910
//	  private_key_path = "secrets/app.pem"  # relative to the config file
//	  max_requests     = 5000               # request budget of one collection
//	  concurrency      = 4                  # repositories read in parallel
//	  graphql          = true               # deployments and incidents via GraphQL (false: REST)
//	  cache            = true               # ETag cache in <snapshots_dir>/.cache/github/
//	  require_quota    = true               # refuse to start when the estimate exceeds the quota left
//	}
//
// Authentication: a GitHub App installation token when app_id,
// installation_id and private_key_path are set (an RS256 JWT signed with the
// key is exchanged at POST /app/installations/{id}/access_tokens, and renewed
// before it expires), else $GITHUB_TOKEN, else $GH_TOKEN. Tokens, the key and
// Authorization headers never reach records, errors or notes.
//
// Parts (Result.Provides lists the ones collected):
//
//   - members: organisation owners (GET /orgs/{org}/members?role=admin) as
//     Account{system "github", role "admin", privileged}. MFA is read from
//     the 2fa_disabled filter (false for the owners it lists, true for the
//     others; see two_factor: unset reads it when the token may, 403/404/422
//     leaving MFA null with a note; true makes a refusal an error; false
//     does not ask). A user owner is recorded as the only account, role
//     "owner" (MFA unknown). GitHub has no activity data, so
//     created_at/last_active_at stay null and the accounts are never judged
//     orphaned.
//   - tokens (off by default: personal_access_tokens = true, or "tokens" in
//     collect): the organisation's fine-grained personal access tokens (GET
//     /orgs/{org}/personal-access-tokens, pages of 100; a GitHub App
//     installation token with organization_personal_access_tokens: read) as
//     Token{id "github-pat:<id>", account = owner.login, created_at =
//     access_granted_at (GitHub does not expose the creation time),
//     expires_at = token_expires_at (null: never expires), revoked false (an
//     expired token is not live by its expiry)}. A refusal is an error.
//   - alerts: Dependabot, code scanning and secret scanning alerts of every
//     state (no state filter is sent: every state is listed; the Dependabot
//     and code scanning lists follow the `after` cursor of the Link header,
//     falling back to page numbers where a server pages by number) as
//     Vulnerability records, Target "owner/repo":
//     Dependabot: ID = GHSA id (else CVE id), Package = the dependency,
//     FixedIn = first patched version, Severity = advisory severity.
//     Code scanning: ID = rule id, Package "" (one key per rule and repo,
//     like the sarif kind), Severity = rule.security_severity_level, else
//     rule.severity (error high, warning medium, note/none low).
//     Secret scanning: ID "secret:<secret_type>", Package = the secret type
//     (so the key is "secret:T|T|owner/repo": a repo that leaks a type of
//     secret again after fixing it shows as a repeat finding), Severity
//     critical. The secret itself is never read into a record.
//     State: open, fixed (GitHub fixed, secret scanning resolved as revoked
//     or without a resolution; FixedAt = fixed_at / resolved_at) or
//     dismissed (dismissed, auto_dismissed, secret scanning resolved as
//     false_positive, wont_fix, used_in_tests, pattern_deleted,
//     pattern_edited). DismissedFor is the reason lower-cased with spaces
//     and '-' made '_' and apostrophes dropped ("false positive" and
//     "false_positive" both read "false_positive", "won't fix" reads
//     "wont_fix"); auto-dismissed alerts without a reason read
//     "auto_dismissed". A dismissal is neither open nor fixed.
//     An alert API that answers 404 (or 403 saying the feature is disabled,
//     not enabled or needs Advanced Security) for an existing repository
//     means the feature is off: that kind is skipped for the repo with a
//     note. A repository that does not exist is a source error naming it.
//     When every repository of an organisation is read (repos empty), the
//     three organisation lists (GET /orgs/{org}/{kind}/alerts, each alert
//     naming its repository) replace the lists of each repository, with
//     the same records; a list refused with 403 or 404 is read per
//     repository instead, with a note.
//   - deployments: every deployment of every environment with all its
//     statuses (newest first from the API; Status = the newest). Read,
//     with the incident issues, with one GraphQL query of 1 point per
//     repository (graphql = true, the default; POST <api>/graphql,
//     /api/graphql on GitHub Enterprise Server; more pages for more than
//     100 deployments or 47 issues), its rateLimit points honoured; a 404
//     falls back to the REST lists (one list of statuses per deployment,
//     the issue list) with a note. With the cache, a fingerprint query of
//     1 point per 50 repositories tells which repositories changed since
//     the last run; the others keep their records (see depcache.go).
//   - incidents: issues labelled incident_label (pull requests skipped,
//     issues closed as not_planned or duplicate skipped). Severity from a
//     sev1..sev4 label ("SEV-1", "Sev 1", "severity: sev1"; the most severe
//     wins), StartedAt from a body line "Started: <time>" (or "Started at:";
//     list markers and ** allowed) or an issue-form section "### Started at"
//     whose value is the next non-empty line; DetectedAt likewise from
//     "Detected:" / "### Detected at", else created_at; ResolvedAt =
//     closed_at for issues closed as completed (or closed before GitHub had
//     state reasons). A time that does not parse leaves the field null with
//     a note (an issue body is prose, not a structured file).
//
// The client is internal/githubapi's: every request goes through the
// retrying transport of internal/retry (backoff on 5xx and network errors,
// Retry-After / X-RateLimit-Reset waits up to 60 s, the max_requests
// budget).
package github

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Parts of the github kind, in the order they are collected and listed.
const (
	PartMembers     = "members"
	PartAlerts      = "alerts"
	PartDeployments = "deployments"
	PartIncidents   = "incidents"
	PartTokens      = "tokens"
)

// Parts lists every part.
var Parts = []string{PartMembers, PartAlerts, PartDeployments, PartIncidents, PartTokens}

// DefaultParts are the parts collected when collect is not set. The tokens
// part is not among them: it needs a GitHub App installation token with
// organization_personal_access_tokens: read, so it is turned on explicitly
// (personal_access_tokens = true, or "tokens" in collect).
var DefaultParts = []string{PartMembers, PartAlerts, PartDeployments, PartIncidents}

// Defaults.
const (
	DefaultAPIURL        = githubapi.DefaultAPIURL
	DefaultIncidentLabel = "incident"
	DefaultMaxRequests   = 5000
	DefaultConcurrency   = 4
	maxConcurrency       = 32
)

// Config is the source block.
type Config struct {
	Owner          string   `hcl:"owner" doc:"The organisation (or user) login."`
	Repos          []string `hcl:"repos,optional" doc:"Repositories to read: names of the owner's repositories, or other/name. Empty reads every repository of the owner."`
	Collect        []string `hcl:"collect,optional" doc:"Parts to collect: a subset of members, alerts, deployments, incidents, tokens. The tokens part is collected only when listed here or turned on by personal_access_tokens."`
	IncidentLabel  string   `hcl:"incident_label,optional" doc:"Label of the issues that are incidents."`
	APIURL         string   `hcl:"api_url,optional" doc:"REST API base URL; for GitHub Enterprise Server https://<host>/api/v3."`
	AppID          int64    `hcl:"app_id,optional" doc:"GitHub App id, to authenticate as an App installation (with installation_id and private_key_path: all three or none)."`
	InstallationID int64    `hcl:"installation_id,optional" doc:"The App's installation id on the owner."`
	PrivateKeyPath string   `hcl:"private_key_path,optional" doc:"The App's private key (PEM), relative to the config file's folder; keep it out of git."`
	MaxRequests    int      `hcl:"max_requests,optional" doc:"Request budget of one collection; the source fails rather than exceed it."`
	Concurrency    int      `hcl:"concurrency,optional" doc:"How many repositories are read in parallel (at most 32)."`
	RequireQuota   *bool    `hcl:"require_quota,optional" doc:"Before reading the repositories, ask GET /rate_limit (free), show the estimate (github: ~N requests needed, M remaining (resets at T)) and refuse to start, as a source error, when it exceeds the quota left (or the max_requests budget). A cache from an earlier run (unchanged answers are free) only shows the line."`
	Cache          *bool    `hcl:"cache,optional" doc:"Keep an HTTP cache beside the snapshots (<snapshots_dir>/.cache/github/, keyed by request and a hash of the credential's identity, never the credential): requests are conditional (If-None-Match), and GitHub's 304 Not Modified, which costs no rate-limit quota, serves the stored answer."`
	GraphQL        *bool    `hcl:"graphql,optional" doc:"Read deployments and incident issues with the GraphQL API (one query of 1 point per repository: 100 deployments with their statuses and 47 incident issues with their labels a page; with the cache, unchanged repositories are found with one fingerprint query per 50 repositories and not read again) instead of the REST lists (one list of statuses per deployment, the issue list). A server without GraphQL (404) is read with REST, with a note."`
	// PersonalAccessTokens adds the tokens part to the parts collect
	// selects.
	PersonalAccessTokens bool `hcl:"personal_access_tokens,optional" doc:"Also collect the tokens part: the organisation's fine-grained personal access tokens and their expiry (GET /orgs/{org}/personal-access-tokens). Needs a GitHub App installation with the organization_personal_access_tokens: read permission; a refusal is a source error."`
	// TwoFactor: nil reads the members' 2FA state when the token may (a
	// note when it may not), true requires it (a refusal is a source
	// error), false does not ask.
	TwoFactor *bool `hcl:"two_factor,optional" doc:"Whether the members part reads the owners' two-factor state (the 2fa_disabled filter, which only organisation owners may use). Unset: read it when the token may, else MFA stays unknown with a note. true: a refusal is a source error. false: not asked, MFA stays unknown."`
}

//go:embed github.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "github",
		Summary: "GitHub org/user via the REST API: owners and their 2FA (members), Dependabot/code/secret scanning alerts, deployments, incident issues, fine-grained PATs (tokens)",
		Doc:     doc,
		Defaults: map[string]any{
			"repos":                  sources.DefaultDoc("every repository of the owner"),
			"collect":                DefaultParts,
			"personal_access_tokens": false,
			"two_factor":             sources.DefaultDoc("read when the token may (organisation owners)"),
			"incident_label":         DefaultIncidentLabel,
			"api_url":                sources.DefaultDoc("`$GITHUB_API_URL`, else `\"" + DefaultAPIURL + "\"`"),
			"max_requests":           DefaultMaxRequests,
			"concurrency":            DefaultConcurrency,
			"graphql":                true,
			"cache":                  true,
			"require_quota":          true,
		},
		Collections: []snapshot.Provided{
			{Collection: snapshot.Accounts.Name(), Part: PartMembers},
			{Collection: snapshot.Vulnerabilities.Name(), Part: PartAlerts},
			{Collection: snapshot.Deployments.Name(), Part: PartDeployments},
			{Collection: snapshot.Incidents.Name(), Part: PartIncidents},
			{Collection: snapshot.Tokens.Name(), Part: PartTokens},
		},
		Shardable: true, // repositories are shared out; the owner's members and tokens go to one shard
		Build:     sources.Typed(New),
	})
}

// Source collects one configured github source.
type Source struct {
	cfg   Config
	parts []string

	// Test hooks; nil means the real thing.
	base  http.RoundTripper
	sleep func(context.Context, time.Duration) error
	now   func() time.Time
	rand  func() float64

	mu    sync.Mutex
	notes []string
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	cfg.Owner = strings.TrimSpace(cfg.Owner)
	if cfg.Owner == "" {
		return nil, fmt.Errorf("owner: an organisation or user login is required")
	}
	if !validName(cfg.Owner) {
		return nil, fmt.Errorf("owner %q: not a GitHub login", cfg.Owner)
	}
	cfg.Repos = append([]string(nil), cfg.Repos...)
	seen := map[string]bool{}
	for i, r := range cfg.Repos {
		r = strings.TrimSpace(r)
		o, n := splitRepo(cfg.Owner, r)
		if !validName(o) || !validName(n) || strings.Count(r, "/") > 1 {
			return nil, fmt.Errorf("repos[%d] %q: want \"name\" or \"owner/name\"", i, r)
		}
		full := strings.ToLower(o + "/" + n)
		if seen[full] {
			return nil, fmt.Errorf("repos[%d] %q: listed twice", i, r)
		}
		seen[full] = true
		cfg.Repos[i] = r
	}
	parts, err := checkParts(cfg.Collect, cfg.PersonalAccessTokens)
	if err != nil {
		return nil, err
	}
	if cfg.TwoFactor != nil && *cfg.TwoFactor && !slices.Contains(parts, PartMembers) {
		return nil, fmt.Errorf("two_factor = true: the two-factor state is read with the members part, which collect leaves out")
	}
	cfg.IncidentLabel = strings.TrimSpace(cfg.IncidentLabel)
	if cfg.IncidentLabel == "" {
		cfg.IncidentLabel = DefaultIncidentLabel
	}
	if cfg.APIURL != "" {
		if err := githubapi.CheckAPIURL(cfg.APIURL); err != nil {
			return nil, fmt.Errorf("api_url: %w", err)
		}
	}
	app := 0
	for _, set := range []bool{cfg.AppID != 0, cfg.InstallationID != 0, cfg.PrivateKeyPath != ""} {
		if set {
			app++
		}
	}
	if app != 0 && app != 3 {
		return nil, fmt.Errorf("GitHub App auth needs app_id, installation_id and private_key_path together")
	}
	if cfg.AppID < 0 || cfg.InstallationID < 0 {
		return nil, fmt.Errorf("app_id and installation_id must be positive")
	}
	if cfg.MaxRequests < 0 {
		return nil, fmt.Errorf("max_requests must be positive")
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.Concurrency < 0 || cfg.Concurrency > maxConcurrency {
		return nil, fmt.Errorf("concurrency must be between 1 and %d", maxConcurrency)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	return &Source{cfg: cfg, parts: parts}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// Notes returns what the last collection skipped and why (features turned
// off, MFA not readable, unreadable times in incident issues). They name
// repositories and APIs, never credentials.
func (s *Source) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes...)
}

// checkParts reads collect (empty: DefaultParts) and adds the tokens part
// when tokens is set.
func checkParts(collect []string, tokens bool) ([]string, error) {
	want := map[string]bool{PartTokens: tokens}
	if len(collect) == 0 {
		collect = DefaultParts
	}
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

// validName accepts GitHub logins and repository names.
func validName(s string) bool {
	if s == "" || len(s) > 100 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// splitRepo reads "name" (of owner) or "other/name".
func splitRepo(owner, r string) (string, string) {
	if i := strings.IndexByte(r, '/'); i >= 0 {
		return r[:i], r[i+1:]
	}
	return owner, r
}

// Collect reads the configured parts.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	s.mu.Lock()
	s.notes = nil
	s.mu.Unlock()
	c, err := s.newCollector(env)
	if err != nil {
		return nil, fmt.Errorf("github source %s: %w", env.Name, err)
	}
	res, err := c.run(ctx)
	s.mu.Lock()
	s.notes = c.notes
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	res.Notes = append([]string(nil), c.notes...)
	return res, nil
}

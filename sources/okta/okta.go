// Package okta is the `okta` source kind (docs/configuration.md#okta): it
// reads the users of an Okta org, their admin roles and their enrolled MFA
// factors through the Okta Management API, and records them as accounts
// (the existing `accounts` collection, with activity), so the identity
// metrics (privileged_accounts, orphaned_accounts) and the built-in
// compliance check on MFA (compliance.identity) judge them unchanged.
//
//	source "okta" "workforce" {
//	  org_url               = "https://acme.okta.com"   # required
//	  system                = "okta"                    # accounts' system
//	  include_deprovisioned = false
//	  admin_roles           = ["SUPER_ADMIN", "ORG_ADMIN"]  # default: every admin role
//	  mfa                   = true                      # read enrolled factors
//	  mfa_scope             = "privileged"              # or "active"
//	  concurrency           = 4
//	  max_requests          = 10000
//	}
//
// Credentials come from the environment only: $OKTA_API_TOKEN (sent as
// "Authorization: SSWS <token>"), else $OKTA_ACCESS_TOKEN (an OAuth 2.0
// access token, sent as "Authorization: Bearer <token>"). They never reach
// records, notes or errors.
//
// Every request goes through the retrying transport of internal/retry
// (backoff on 5xx and network errors, waits on Retry-After and on
// X-Rate-Limit-Reset when X-Rate-Limit-Remaining is 0, up to 60 s; the
// max_requests budget). Refused credentials (401, 403) fail at once. The
// reference is okta.md, next to this file.
package okta

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// Defaults.
const (
	DefaultSystem      = "okta"
	DefaultMFAScope    = ScopePrivileged
	DefaultConcurrency = 4
	DefaultMaxRequests = 10000
	maxConcurrency     = 16
)

// MFA scopes: whose factors are read.
const (
	ScopePrivileged = "privileged" // active users holding a counted admin role
	ScopeActive     = "active"     // every active user
)

// Config is the source block.
type Config struct {
	OrgURL               string   `hcl:"org_url" doc:"The Okta org URL, https://<org>.okta.com (or a custom domain): scheme and host only."`
	System               string   `hcl:"system,optional" doc:"The accounts' system name; accounts are unique by (system, login)."`
	IncludeDeprovisioned bool     `hcl:"include_deprovisioned,optional" doc:"Also read DEPROVISIONED users (one more listing); they are recorded with status deprovisioned and never count as active."`
	AdminRoles           []string `hcl:"admin_roles,optional" doc:"Okta admin role types that make an active user privileged (SUPER_ADMIN, ORG_ADMIN, APP_ADMIN, USER_ADMIN, GROUP_MEMBERSHIP_ADMIN, HELP_DESK_ADMIN, READ_ONLY_ADMIN, REPORT_ADMIN, API_ACCESS_MANAGEMENT_ADMIN, MOBILE_ADMIN, WORKFLOWS_ADMIN, ACCESS_CERTIFICATIONS_ADMIN, ACCESS_REQUESTS_ADMIN, CUSTOM)."`
	MFA                  *bool    `hcl:"mfa,optional" doc:"Read the users' enrolled factors (one call per user in mfa_scope); false leaves mfa unknown."`
	MFAScope             string   `hcl:"mfa_scope,optional" doc:"Whose factors are read: privileged (active users with a counted admin role: what the MFA compliance check judges) or active (every active user: one call each)."`
	Concurrency          int      `hcl:"concurrency,optional" doc:"How many per-user calls (roles, factors) run in parallel (at most 16)."`
	MaxRequests          int      `hcl:"max_requests,optional" doc:"Request budget of one collection, retries included; the source fails rather than exceed it."`
}

// roleRank lists the admin role types from the most to the least powerful:
// an account's role is its highest one. A type Okta adds later ranks just
// before REPORT_ADMIN.
var roleRank = []string{
	"SUPER_ADMIN",
	"ORG_ADMIN",
	"APP_ADMIN",
	"USER_ADMIN",
	"GROUP_MEMBERSHIP_ADMIN",
	"HELP_DESK_ADMIN",
	"API_ACCESS_MANAGEMENT_ADMIN",
	"MOBILE_ADMIN",
	"WORKFLOWS_ADMIN",
	"ACCESS_CERTIFICATIONS_ADMIN",
	"ACCESS_REQUESTS_ADMIN",
	"CUSTOM",
	"REPORT_ADMIN",
	"READ_ONLY_ADMIN",
}

//go:embed okta.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "okta",
		Summary: "Okta org via the Management API: users (status, last login), admin roles, enrolled MFA factors",
		Doc:     doc,
		Defaults: map[string]any{
			"system":                DefaultSystem,
			"include_deprovisioned": false,
			"admin_roles":           sources.DefaultDoc("every admin role type (any admin role assignment makes an active user privileged)"),
			"mfa":                   true,
			"mfa_scope":             DefaultMFAScope,
			"concurrency":           DefaultConcurrency,
			"max_requests":          DefaultMaxRequests,
		},
		Collections: []snapshot.Provided{
			{Collection: snapshot.Accounts.Name(), Traits: []snapshot.Trait{snapshot.TraitActivity}},
		},
		Build: sources.Typed(New),
	})
}

// Source collects one configured okta source.
type Source struct {
	cfg    Config
	org    *url.URL
	admins map[string]bool // counted role types; nil: every type
	mfa    bool

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
	org, err := checkOrgURL(cfg.OrgURL)
	if err != nil {
		return nil, fmt.Errorf("org_url: %w", err)
	}
	cfg.OrgURL = org.String()
	cfg.System = strings.TrimSpace(cfg.System)
	if cfg.System == "" {
		cfg.System = DefaultSystem
	}
	var admins map[string]bool
	if len(cfg.AdminRoles) > 0 {
		admins = map[string]bool{}
		roles := make([]string, 0, len(cfg.AdminRoles))
		for i, r := range cfg.AdminRoles {
			r = strings.ToUpper(strings.TrimSpace(r))
			if !slices.Contains(roleRank, r) {
				return nil, fmt.Errorf("admin_roles[%d] %q: not an Okta admin role type (%s)", i, cfg.AdminRoles[i], strings.Join(roleRank, ", "))
			}
			if !admins[r] {
				roles = append(roles, r)
			}
			admins[r] = true
		}
		cfg.AdminRoles = roles
	}
	mfa := cfg.MFA == nil || *cfg.MFA
	cfg.MFA = &mfa
	cfg.MFAScope = strings.ToLower(strings.TrimSpace(cfg.MFAScope))
	switch cfg.MFAScope {
	case "":
		cfg.MFAScope = DefaultMFAScope
	case ScopePrivileged, ScopeActive:
	default:
		return nil, fmt.Errorf("mfa_scope %q: want %q or %q", c.MFAScope, ScopePrivileged, ScopeActive)
	}
	if cfg.Concurrency < 0 || cfg.Concurrency > maxConcurrency {
		return nil, fmt.Errorf("concurrency must be between 1 and %d", maxConcurrency)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.MaxRequests < 0 {
		return nil, fmt.Errorf("max_requests must be positive")
	}
	if cfg.MaxRequests == 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	return &Source{cfg: cfg, org: org, admins: admins, mfa: mfa}, nil
}

// checkOrgURL accepts an https URL of a host alone (http only for a
// loopback host, as tests use). It returns it without a trailing slash.
func checkOrgURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("the Okta org URL is required (https://<org>.okta.com)")
	}
	u, err := httpapi.ParseBase(s, true)
	switch {
	case errors.Is(err, httpapi.ErrNotURL):
		return nil, fmt.Errorf("%q is not a URL such as https://acme.okta.com", s)
	case errors.Is(err, httpapi.ErrCredentials):
		return nil, fmt.Errorf("credentials in the URL are not allowed; set OKTA_API_TOKEN")
	case errors.Is(err, httpapi.ErrQuery), err == nil && u.Path != "":
		return nil, fmt.Errorf("%q: give the org URL alone (scheme and host), such as https://acme.okta.com", s)
	case err != nil: // not https, nor http to a loopback host
		return nil, fmt.Errorf("%q: the org URL must be https", s)
	}
	if strings.Contains(strings.ToLower(u.Hostname()), "-admin.") {
		return nil, fmt.Errorf("%q is the Admin Console; give the org URL (without -admin)", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// Notes returns what the last collection left unknown and why.
func (s *Source) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.notes...)
}

// Collect reads the users, the admins' roles and the factors in scope.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	c, err := s.newCollector(env)
	if err != nil {
		return nil, fmt.Errorf("okta source %s: %w", env.Name, err)
	}
	res, err := c.run(ctx)
	s.mu.Lock()
	s.notes = append([]string(nil), c.notes...)
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("okta source %s: %w", env.Name, c.redact(err))
	}
	return res, nil
}

package ghfake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Response bodies in the shapes of GitHub's REST API reference, for the
// lists a test fills (Repo.Dependabot, Repo.Deployments, ...). Their url
// fields point at api.github.com, as recorded.

// User is a user (or organisation, or bot) as the API shows it; typ is
// "User", "Organization" or "Bot".
func User(login, typ string) map[string]any {
	return map[string]any{
		"login": login, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
		"avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
		"url":        "https://api.github.com/users/" + login,
		"html_url":   "https://github.com/" + login,
		"type":       typ, "site_admin": false,
	}
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DependabotAlert is a Dependabot alert of an npm package.
type DependabotAlert struct {
	Number                       int
	State                        string
	GHSA, CVE, Package, Severity string
	Created, Fixed               time.Time
	DismissedReason              string
}

// JSON is the alert of repository full ("owner/name") as the API lists it.
func (a DependabotAlert) JSON(full string) map[string]any {
	return map[string]any{
		"number": a.Number, "state": a.State,
		"dependency": map[string]any{
			"package":       map[string]any{"ecosystem": "npm", "name": a.Package},
			"manifest_path": "package-lock.json", "scope": "runtime",
		},
		"security_advisory": map[string]any{
			"ghsa_id": a.GHSA, "cve_id": orNil(a.CVE), "summary": "Prototype pollution in " + a.Package,
			"description": "…", "severity": a.Severity,
			"identifiers":  []any{map[string]any{"value": a.GHSA, "type": "GHSA"}},
			"published_at": "2026-01-10T00:00:00Z", "updated_at": "2026-01-12T00:00:00Z", "withdrawn_at": nil,
		},
		"security_vulnerability": map[string]any{
			"package":                  map[string]any{"ecosystem": "npm", "name": a.Package},
			"severity":                 a.Severity,
			"vulnerable_version_range": "< 4.17.21",
			"first_patched_version":    map[string]any{"identifier": "4.17.21"},
		},
		"url":               "https://api.github.com/repos/" + full + "/dependabot/alerts/" + strconv.Itoa(a.Number),
		"html_url":          "https://github.com/" + full + "/security/dependabot/" + strconv.Itoa(a.Number),
		"created_at":        stamp(a.Created),
		"updated_at":        stamp(a.Created),
		"dismissed_at":      nil,
		"dismissed_by":      nil,
		"dismissed_reason":  orNil(a.DismissedReason),
		"dismissed_comment": nil,
		"fixed_at":          stamp(a.Fixed),
		"auto_dismissed_at": nil,
	}
}

// CodeScanningAlert is a CodeQL alert.
type CodeScanningAlert struct {
	Number                         int
	State, Rule                    string
	SecuritySeverity, RuleSeverity string // rule.security_severity_level ("" null), rule.severity
	Created, Fixed                 time.Time
	DismissedReason                string
}

// JSON is the alert of repository full ("owner/name") as the API lists it.
func (a CodeScanningAlert) JSON(full string) map[string]any {
	return map[string]any{
		"number": a.Number, "created_at": stamp(a.Created), "updated_at": stamp(a.Created),
		"url":      "https://api.github.com/repos/" + full + "/code-scanning/alerts/" + strconv.Itoa(a.Number),
		"html_url": "https://github.com/" + full + "/security/code-scanning/" + strconv.Itoa(a.Number),
		"state":    a.State, "fixed_at": stamp(a.Fixed), "dismissed_by": nil, "dismissed_at": nil,
		"dismissed_reason": orNil(a.DismissedReason), "dismissed_comment": nil,
		"rule": map[string]any{
			"id": a.Rule, "severity": a.RuleSeverity, "tags": []any{"security", "external/cwe/cwe-022"},
			"description": "Arbitrary file write during zip extraction", "name": a.Rule,
			"security_severity_level": orNil(a.SecuritySeverity),
		},
		"tool": map[string]any{"name": "CodeQL", "guid": nil, "version": "2.15.0"},
		"most_recent_instance": map[string]any{
			"ref": "refs/heads/main", "analysis_key": ".github/workflows/codeql-analysis.yml:CodeQL-Build",
			"state": a.State, "commit_sha": "39406e42cb832f683daa691dd652a8dc36ee8930",
			"location": map[string]any{"path": "spec-main/api-session-spec.ts", "start_line": 917, "end_line": 917},
		},
		"instances_url": "https://api.github.com/repos/" + full + "/code-scanning/alerts/" + strconv.Itoa(a.Number) + "/instances",
	}
}

// SecretScanningAlert is a secret scanning alert.
type SecretScanningAlert struct {
	Number                        int
	State, Resolution, SecretType string
	Created, Resolved             time.Time
	Secret                        string // the leaked value, which the API shows
}

// JSON is the alert of repository full ("owner/name") as the API lists it.
func (a SecretScanningAlert) JSON(full string) map[string]any {
	return map[string]any{
		"number": a.Number, "created_at": stamp(a.Created), "updated_at": stamp(a.Created),
		"url":           "https://api.github.com/repos/" + full + "/secret-scanning/alerts/" + strconv.Itoa(a.Number),
		"html_url":      "https://github.com/" + full + "/security/secret-scanning/" + strconv.Itoa(a.Number),
		"locations_url": "https://api.github.com/repos/" + full + "/secret-scanning/alerts/" + strconv.Itoa(a.Number) + "/locations",
		"state":         a.State, "resolution": orNil(a.Resolution), "resolved_at": stamp(a.Resolved),
		"resolved_by":              nil,
		"secret_type":              a.SecretType,
		"secret_type_display_name": strings.ToUpper(a.SecretType[:1]) + a.SecretType[1:],
		"secret":                   a.Secret,
		"push_protection_bypassed": false,
	}
}

// Deployment is deployment id of repository full ("owner/name").
func Deployment(full string, id int64, env, sha, task, desc string, created time.Time) map[string]any {
	return map[string]any{
		"url": fmt.Sprintf("https://api.github.com/repos/%s/deployments/%d", full, id), "id": id,
		"node_id": "MDEwOkRlcGxveW1lbnQx", "sha": sha, "ref": "main", "task": task, "payload": map[string]any{},
		"original_environment": env, "environment": env, "description": desc,
		"creator":    User("deploy-bot[bot]", "Bot"),
		"created_at": stamp(created), "updated_at": stamp(created),
		"statuses_url":          fmt.Sprintf("https://api.github.com/repos/%s/deployments/%d/statuses", full, id),
		"repository_url":        "https://api.github.com/repos/" + full,
		"transient_environment": false, "production_environment": env == "production",
	}
}

// DeploymentStatus is a deployment status.
func DeploymentStatus(id int64, state string, created time.Time) map[string]any {
	return map[string]any{
		"url": fmt.Sprintf("https://api.github.com/deployments/statuses/%d", id), "id": id, "state": state,
		"creator": User("deploy-bot", "Bot"), "description": "Deployment " + state, "environment": "production",
		"target_url": "https://example.com/deployment/42/output", "created_at": stamp(created), "updated_at": stamp(created),
		"log_url": "https://example.com/deployment/42/output",
	}
}

// PAT is a fine-grained personal access token with access to an
// organisation, as GET /orgs/{org}/personal-access-tokens lists it.
type PAT struct {
	ID, TokenID       int64
	Owner, Name       string
	Granted           time.Time // access_granted_at
	Expires, LastUsed time.Time // zero: null (never expires, never used)
	Selection         string    // repository_selection (default "subset")
}

// JSON is the token as listed at instant now (which decides token_expired).
func (p PAT) JSON(now time.Time) map[string]any {
	sel := p.Selection
	if sel == "" {
		sel = "subset"
	}
	return map[string]any{
		"id": p.ID, "owner": User(p.Owner, "User"), "repository_selection": sel,
		"repositories_url": fmt.Sprintf("https://api.github.com/organizations/652551/personal-access-tokens/%d/repositories", p.ID),
		"permissions": map[string]any{
			"organization": map[string]any{"members": "read"},
			"repository":   map[string]any{"metadata": "read", "contents": "read"},
		},
		"access_granted_at":  stamp(p.Granted),
		"token_id":           p.TokenID,
		"token_name":         p.Name,
		"token_expired":      !p.Expires.IsZero() && !p.Expires.After(now),
		"token_expires_at":   stamp(p.Expires),
		"token_last_used_at": stamp(p.LastUsed),
	}
}

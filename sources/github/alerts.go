package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
	"github.com/localizevideos/posture/sources/vuln"
)

// Scanner names of GitHub alerts.
const (
	ScannerDependabot     = "dependabot"
	ScannerCodeScanning   = "code_scanning"
	ScannerSecretScanning = "secret_scanning"
)

// alerts reads the three alert kinds of one repository.
func (c *collector) alerts(ctx context.Context, r repoRef) ([]snapshot.Vulnerability, error) {
	var out []snapshot.Vulnerability
	for _, kind := range []struct {
		scanner, what string
		read          func(context.Context, repoRef) ([]snapshot.Vulnerability, error)
	}{
		{ScannerDependabot, "Dependabot alerts", c.dependabot},
		{ScannerCodeScanning, "code scanning alerts", c.codeScanning},
		{ScannerSecretScanning, "secret scanning alerts", c.secretScanning},
	} {
		if m, ok := c.orgAlerts[kind.scanner]; ok { // read for the whole organisation
			out = append(out, m[strings.ToLower(r.String())]...)
			continue
		}
		vs, err := kind.read(ctx, r)
		if err != nil {
			off, ferr := c.featureOff(ctx, r, err)
			if ferr != nil {
				return nil, ferr
			}
			if off {
				c.note("%s: %s skipped: %s", r, kind.what, offReason(err))
				continue
			}
			return nil, c.fail(r.String()+": "+kind.what, err)
		}
		out = append(out, vs...)
	}
	return out, nil
}

// featureOff tells whether an alert API error means the feature is turned
// off for an existing repository. A missing repository is an error.
func (c *collector) featureOff(ctx context.Context, r repoRef, err error) (bool, error) {
	switch githubapi.StatusOf(err) {
	case http.StatusNotFound:
		found, cerr := c.repoExists(ctx, r)
		if cerr != nil {
			return false, c.fail(r.String(), cerr)
		}
		if !found {
			return false, c.repoMissing(r)
		}
		return true, nil
	case http.StatusForbidden:
		msg := strings.ToLower(githubapi.MessageOf(err))
		for _, s := range []string{"disabled", "not enabled", "must be enabled", "advanced security", "no analysis"} {
			if strings.Contains(msg, s) {
				return true, nil
			}
		}
	}
	return false, nil
}

func offReason(err error) string {
	msg := strings.TrimSpace(githubapi.MessageOf(err))
	if msg == "" {
		msg = "not available"
	}
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return fmt.Sprintf("%d %s", githubapi.StatusOf(err), msg)
}

// cursorAlerts lists every page of an alert API that pages by cursor
// (resp.After; page numbers as a fallback) and converts each alert.
func cursorAlerts[A any](list func(gh.ListCursorOptions, gh.ListOptions) ([]*A, *gh.Response, error), conv func(*A) snapshot.Vulnerability) ([]snapshot.Vulnerability, error) {
	var out []snapshot.Vulnerability
	err := pagesByCursor(func(cur cursor) (*gh.Response, error) {
		as, resp, err := list(gh.ListCursorOptions{PerPage: 100, After: cur.After}, gh.ListOptions{Page: cur.Page})
		for _, a := range as {
			if a != nil {
				out = append(out, conv(a))
			}
		}
		return resp, err
	})
	return out, err
}

// No state filter on the alert lists: every state is listed (Dependabot
// and code scanning do not accept state=all).

func (c *collector) dependabot(ctx context.Context, r repoRef) ([]snapshot.Vulnerability, error) {
	return cursorAlerts(func(cur gh.ListCursorOptions, page gh.ListOptions) ([]*gh.DependabotAlert, *gh.Response, error) {
		return c.client.Dependabot.ListRepoAlerts(ctx, r.Owner, r.Name, &gh.ListAlertsOptions{ListCursorOptions: cur, ListOptions: page})
	}, func(a *gh.DependabotAlert) snapshot.Vulnerability { return c.fromDependabot(r, a) })
}

func (c *collector) codeScanning(ctx context.Context, r repoRef) ([]snapshot.Vulnerability, error) {
	return cursorAlerts(func(cur gh.ListCursorOptions, page gh.ListOptions) ([]*gh.Alert, *gh.Response, error) {
		return c.client.CodeScanning.ListAlertsForRepo(ctx, r.Owner, r.Name, &gh.AlertListOptions{ListCursorOptions: cur, ListOptions: page})
	}, func(a *gh.Alert) snapshot.Vulnerability { return c.fromCodeScanning(r, a) })
}

func (c *collector) secretScanning(ctx context.Context, r repoRef) ([]snapshot.Vulnerability, error) {
	return cursorAlerts(func(cur gh.ListCursorOptions, page gh.ListOptions) ([]*gh.SecretScanningAlert, *gh.Response, error) {
		return c.client.SecretScanning.ListAlertsForRepo(ctx, r.Owner, r.Name, &gh.SecretScanningAlertListOptions{ListCursorOptions: cur, ListOptions: page})
	}, func(a *gh.SecretScanningAlert) snapshot.Vulnerability { return c.fromSecretScanning(r, a) })
}

// NormalizeReason lower-cases a dismissal reason, drops apostrophes and
// turns spaces and '-' into '_': "False positive" → "false_positive",
// "won't fix" → "wont_fix".
func NormalizeReason(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '\t' }), "_")
	return s
}

func ts(t *gh.Timestamp) (*string, *int64) {
	if t == nil || t.Time.IsZero() {
		return nil, nil
	}
	return timefmt.Ptrs(t.Time)
}

func (c *collector) fromDependabot(r repoRef, a *gh.DependabotAlert) snapshot.Vulnerability {
	adv := a.GetSecurityAdvisory()
	id := adv.GetGHSAID()
	if id == "" {
		id = adv.GetCVEID()
	}
	if id == "" {
		id = "dependabot-" + strconv.Itoa(a.GetNumber())
	}
	pkg := a.GetDependency().GetPackage().GetName()
	if pkg == "" {
		pkg = a.GetSecurityVulnerability().GetPackage().GetName()
	}
	sev := adv.GetSeverity()
	if sev == "" {
		sev = a.GetSecurityVulnerability().GetSeverity()
	}
	target := r.String()
	v := snapshot.Vulnerability{
		Key:      vuln.Key(id, pkg, target),
		ID:       id,
		Package:  pkg,
		FixedIn:  a.GetSecurityVulnerability().GetFirstPatchedVersion().GetIdentifier(),
		Target:   target,
		Severity: vuln.NormalizeSeverity(sev),
		Title:    adv.GetSummary(),
		Scanner:  ScannerDependabot,
		Source:   c.id,
		Origin:   c.origin(a.GetHTMLURL(), a.GetURL(), fmt.Sprintf("repos/%s/%s/dependabot/alerts/%d", escape(r.Owner), escape(r.Name), a.GetNumber())),
	}
	v.FirstSeen, v.FirstSeenMS = ts(a.CreatedAt)
	switch strings.ToLower(a.GetState()) {
	case "fixed":
		v.State = "fixed"
		v.FixedAt, v.FixedAtMS = ts(a.FixedAt)
	case "dismissed":
		v.State = "dismissed"
		v.DismissedFor = NormalizeReason(a.GetDismissedReason())
	case "auto_dismissed":
		v.State = "dismissed"
		v.DismissedFor = NormalizeReason(a.GetDismissedReason())
		if v.DismissedFor == "" {
			v.DismissedFor = "auto_dismissed"
		}
	default:
		v.State = "open"
	}
	return v
}

// codeScanningSeverity: rule.security_severity_level, else the rule's
// severity (error high, warning medium, note and none low).
func codeScanningSeverity(a *gh.Alert) string {
	rule := a.GetRule()
	if s := rule.GetSecuritySeverityLevel(); s != "" {
		return vuln.NormalizeSeverity(s)
	}
	s := rule.GetSeverity()
	if s == "" {
		s = a.GetRuleSeverity()
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error":
		return "high"
	case "warning":
		return "medium"
	case "note", "none":
		return "low"
	}
	return vuln.NormalizeSeverity(s)
}

func (c *collector) fromCodeScanning(r repoRef, a *gh.Alert) snapshot.Vulnerability {
	id := a.GetRule().GetID()
	if id == "" {
		id = a.GetRuleID()
	}
	if id == "" {
		id = "code-scanning-" + strconv.Itoa(a.GetNumber())
	}
	title := a.GetRule().GetDescription()
	if title == "" {
		title = a.GetRuleDescription()
	}
	target := r.String()
	v := snapshot.Vulnerability{
		Key:      vuln.Key(id, "", target),
		ID:       id,
		Target:   target,
		Severity: codeScanningSeverity(a),
		Title:    title,
		Scanner:  ScannerCodeScanning,
		Source:   c.id,
		Origin:   c.origin(a.GetHTMLURL(), a.GetURL(), fmt.Sprintf("repos/%s/%s/code-scanning/alerts/%d", escape(r.Owner), escape(r.Name), a.GetNumber())),
	}
	v.FirstSeen, v.FirstSeenMS = ts(a.CreatedAt)
	switch strings.ToLower(a.GetState()) {
	case "fixed":
		v.State = "fixed"
		v.FixedAt, v.FixedAtMS = ts(a.FixedAt)
	case "dismissed":
		v.State = "dismissed"
		v.DismissedFor = NormalizeReason(a.GetDismissedReason())
	case "closed":
		// "closed" without a dismissal is a fix (older API versions).
		if a.GetDismissedReason() != "" || a.DismissedAt != nil {
			v.State = "dismissed"
			v.DismissedFor = NormalizeReason(a.GetDismissedReason())
		} else {
			v.State = "fixed"
			v.FixedAt, v.FixedAtMS = ts(a.FixedAt)
			if v.FixedAt == nil {
				v.FixedAt, v.FixedAtMS = ts(a.ClosedAt)
			}
		}
	default:
		v.State = "open"
	}
	return v
}

// secretDismissals are the resolutions that close a secret scanning alert
// without fixing it.
var secretDismissals = map[string]bool{
	"false_positive": true, "wont_fix": true, "used_in_tests": true,
	"pattern_deleted": true, "pattern_edited": true,
}

func (c *collector) fromSecretScanning(r repoRef, a *gh.SecretScanningAlert) snapshot.Vulnerability {
	typ := a.GetSecretType()
	if typ == "" {
		typ = "unknown"
	}
	id := "secret:" + typ
	target := r.String()
	title := a.GetSecretTypeDisplayName()
	if title == "" {
		title = typ
	}
	v := snapshot.Vulnerability{
		Key:      vuln.Key(id, typ, target),
		ID:       id,
		Package:  typ,
		Target:   target,
		Severity: "critical",
		Title:    title,
		Scanner:  ScannerSecretScanning,
		Source:   c.id,
		Origin:   c.origin(a.GetHTMLURL(), a.GetURL(), fmt.Sprintf("repos/%s/%s/secret-scanning/alerts/%d", escape(r.Owner), escape(r.Name), a.GetNumber())),
	}
	v.FirstSeen, v.FirstSeenMS = ts(a.CreatedAt)
	switch strings.ToLower(a.GetState()) {
	case "resolved":
		res := NormalizeReason(a.GetResolution())
		if secretDismissals[res] {
			v.State = "dismissed"
			v.DismissedFor = res
		} else {
			v.State = "fixed" // revoked, or no resolution given
			v.FixedAt, v.FixedAtMS = ts(a.ResolvedAt)
		}
	default:
		v.State = "open"
	}
	return v
}

// origin is the html_url, else the API URL GitHub gave, else one built.
func (c *collector) origin(htmlURL, apiURL, path string) string {
	if htmlURL != "" {
		return htmlURL
	}
	if apiURL != "" {
		return apiURL
	}
	return c.apiItemURL(path)
}

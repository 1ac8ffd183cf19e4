package tabular

import (
	"context"
	_ "embed"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Formats is the reference of the table formats (CSV, JSON, JSON Lines) and
// cell types every table kind reads, in Markdown, for docs/configuration.md.
//
//go:embed formats.md
var Formats string

// The columns of each kind, as documented in docs/configuration.md.
var (
	incidentColumns = []sources.Column{
		{Name: "id", Required: true, Doc: "Incident identifier; alerts link to it."},
		{Name: "title", Doc: "Short description."},
		{Name: "severity", Doc: "`sev1` .. `sev4`, compared lower-cased with `-` and spaces removed (`SEV-1` and `Sev 1` read `sev1`)."},
		{Name: "started_at", Type: "time", Doc: "When the incident began; `mttd_hours` needs it."},
		{Name: "detected_at", Type: "time", Doc: "When it was detected; places the incident in the window."},
		{Name: "resolved_at", Type: "time", Doc: "When it was resolved; empty while open."},
	}
	alertColumns = []sources.Column{
		{Name: "id", Required: true, Doc: "Alert identifier."},
		{Name: "fired_at", Type: "time", Required: true, Doc: "When the alert fired; places it in the window."},
		{Name: "incident_id", Doc: "The incident the alert led to (an `id` of an incidents source); empty when none."},
	}
	accountColumns = []sources.Column{
		{Name: "system", Required: true, Doc: "The system the account lives in (`okta`, `aws`, `bastion`); accounts are unique by (system, login)."},
		{Name: "login", Required: true, Doc: "The account name."},
		{Name: "role", Doc: "`admin`, `owner`, `root` or `superuser` make an active account privileged."},
		{Name: "privileged", Type: "boolean", Doc: "Explicit admin rights (true makes an active account privileged)."},
		{Name: "status", Doc: "Empty or `active` is active; anything else (`suspended`, `disabled`) is not."},
		{Name: "mfa", Type: "boolean", Doc: "Whether MFA is enforced; empty = unknown. The built-in compliance check `compliance.identity` flags active privileged accounts with `mfa` false."},
		{Name: "created_at", Type: "time", Doc: "Creation; judges inactivity when `last_active_at` is empty."},
		{Name: "last_active_at", Type: "time", Doc: "Last activity; older than `inactive_days` makes an active account orphaned."},
	}
	tokenColumns = []sources.Column{
		{Name: "id", Required: true, Doc: "Token identifier."},
		{Name: "account", Doc: "The account that owns it."},
		{Name: "created_at", Type: "time", Doc: "Issue time."},
		{Name: "expires_at", Type: "time", Doc: "Expiry; empty = never expires (not compliant)."},
		{Name: "revoked", Type: "boolean", Doc: "A revoked token is not live."},
	}
	auditFindingColumns = []sources.Column{
		{Name: "id", Required: true, Doc: "Finding identifier."},
		{Name: "title", Doc: "Short description."},
		{Name: "severity", Doc: "As the audit rated it (lower-cased)."},
		{Name: "status", Required: true, Doc: "`open` counts; anything else (`closed`, `accepted`) does not."},
		{Name: "opened_at", Type: "time", Doc: "When the finding was raised; one opened after the as-of instant does not count yet (empty counts)."},
		{Name: "closed_at", Type: "time", Doc: "When it was closed."},
	}
)

// Required columns per kind.
var (
	IncidentColumns     = sources.RequiredColumns(incidentColumns)
	AlertColumns        = sources.RequiredColumns(alertColumns)
	AccountColumns      = sources.RequiredColumns(accountColumns)
	TokenColumns        = sources.RequiredColumns(tokenColumns)
	AuditFindingColumns = sources.RequiredColumns(auditFindingColumns)
)

func init() {
	register(sources.Kind{Name: "incidents", Collections: []snapshot.Provided{{Collection: snapshot.Incidents.Name()}},
		Summary: "security incidents from CSV/JSON (id,title,severity,started_at,detected_at,resolved_at)",
		Doc:     "Security incidents, one row per incident: they feed the detection and response metrics (time to detect and to resolve, incident counts).",
		Columns: incidentColumns, Shardable: true}, collectIncidents)
	register(sources.Kind{Name: "alerts", Collections: []snapshot.Provided{{Collection: snapshot.Alerts.Name()}},
		Summary: "fired alerts from CSV/JSON (id,fired_at,incident_id)",
		Doc:     "Fired alerts, one row per alert, linked to the incident they led to: they feed `alert_to_incident_ratio`.",
		Columns: alertColumns, Shardable: true}, collectAlerts)
	register(sources.Kind{Name: "accounts", Collections: []snapshot.Provided{{Collection: snapshot.Accounts.Name(), Traits: []snapshot.Trait{snapshot.TraitActivity}}},
		Summary: "accounts from CSV/JSON (system,login,role,privileged,status,mfa,created_at,last_active_at)",
		Doc: "Accounts of any system (an IdP export, cloud IAM, a host's users), one row per account. " +
			"Active = `status` empty or `active`. Privileged = active and (`privileged` true or `role` admin, owner, root or superuser). " +
			"Orphaned = active and `last_active_at` older than `inactive_days` before the as-of instant (or, when it is empty, `created_at` older than that); " +
			"an account with neither is not judged. Records are unique by (system, login), compared case-insensitively: a later row for the same account " +
			"only fills the fields the first one left empty. Finding scope: `<system>/<login>`.",
		Columns: accountColumns}, collectAccounts)
	register(sources.Kind{Name: "tokens", Collections: []snapshot.Provided{{Collection: snapshot.Tokens.Name()}},
		Summary: "API/access tokens from CSV/JSON (id,account,created_at,expires_at,revoked)",
		Doc: "API and access tokens, one row per token. Live = not revoked and (`expires_at` empty or after the as-of instant). " +
			"Compliant = `expires_at` set and at most `max_token_lifetime_days` after `created_at`.",
		Columns: tokenColumns, Shardable: true}, collectTokens)
	register(sources.Kind{Name: "audit_findings", Collections: []snapshot.Provided{{Collection: snapshot.AuditFindings.Name()}},
		Summary: "audit findings from CSV/JSON (id,title,severity,status,opened_at,closed_at)",
		Doc:     "Findings of internal or external audits, one row per finding: open ones (status `open`, opened on or before the as-of instant) feed `audit_findings`.",
		Columns: auditFindingColumns, Shardable: true}, collectAuditFindings)
}

// NormalizeSeverity lower-cases an incident severity and removes '-' and
// spaces: "Sev 1" and "SEV-1" both read "sev1".
func NormalizeSeverity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer("-", "", " ", "").Replace(s)
}

// IncidentFromRow maps a row onto an Incident.
func IncidentFromRow(r *Row, source string) snapshot.Incident {
	in := snapshot.Incident{
		ID:          r.Str("id"),
		Title:       r.Str("title"),
		SeverityRaw: r.Str("severity"),
		Source:      source,
		Origin:      r.Origin(),
	}
	in.Severity = NormalizeSeverity(in.SeverityRaw)
	in.StartedAt, in.StartedAtMS = r.Time("started_at")
	in.DetectedAt, in.DetectedAtMS = r.Time("detected_at")
	in.ResolvedAt, in.ResolvedAtMS = r.Time("resolved_at")
	return in
}

func collectIncidents(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error) {
	res := &sources.Result{}
	paths, err := Each(ctx, env, cfg, IncidentColumns, res, func(r *Row) error {
		in := IncidentFromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		res.Data.Incidents = append(res.Data.Incidents, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Files = paths
	return res, nil
}

// AlertFromRow maps a row onto an Alert.
func AlertFromRow(r *Row, source string) snapshot.Alert {
	a := snapshot.Alert{
		ID:         r.Str("id"),
		IncidentID: r.Str("incident_id"),
		Source:     source,
		Origin:     r.Origin(),
	}
	a.FiredAt, a.FiredAtMS = r.Time("fired_at")
	return a
}

func collectAlerts(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error) {
	res := &sources.Result{}
	paths, err := Each(ctx, env, cfg, AlertColumns, res, func(r *Row) error {
		a := AlertFromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		res.Data.Alerts = append(res.Data.Alerts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Files = paths
	return res, nil
}

// TokenFromRow maps a row onto a Token.
func TokenFromRow(r *Row, source string) snapshot.Token {
	t := snapshot.Token{
		ID:      r.Str("id"),
		Account: r.Str("account"),
		Source:  source,
		Origin:  r.Origin(),
	}
	t.CreatedAt, t.CreatedAtMS = r.Time("created_at")
	t.ExpiresAt, t.ExpiresAtMS = r.Time("expires_at")
	if b := r.Bool("revoked"); b != nil {
		t.Revoked = *b
	}
	return t
}

func collectTokens(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error) {
	res := &sources.Result{}
	paths, err := Each(ctx, env, cfg, TokenColumns, res, func(r *Row) error {
		t := TokenFromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		res.Data.Tokens = append(res.Data.Tokens, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Files = paths
	return res, nil
}

// AuditFindingFromRow maps a row onto an AuditFinding.
func AuditFindingFromRow(r *Row, source string) snapshot.AuditFinding {
	f := snapshot.AuditFinding{
		ID:       r.Str("id"),
		Title:    r.Str("title"),
		Severity: r.Enum("severity"),
		Status:   r.Enum("status"),
		Source:   source,
		Origin:   r.Origin(),
	}
	f.OpenedAt, f.OpenedAtMS = r.Time("opened_at")
	f.ClosedAt, f.ClosedAtMS = r.Time("closed_at")
	return f
}

func collectAuditFindings(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error) {
	res := &sources.Result{}
	paths, err := Each(ctx, env, cfg, AuditFindingColumns, res, func(r *Row) error {
		f := AuditFindingFromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		res.Data.AuditFindings = append(res.Data.AuditFindings, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Files = paths
	return res, nil
}

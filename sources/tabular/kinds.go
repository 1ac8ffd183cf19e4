package tabular

import (
	"context"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Required columns per kind.
var (
	IncidentColumns     = []string{"id"}
	AlertColumns        = []string{"id", "fired_at"}
	AccountColumns      = []string{"system", "login"}
	TokenColumns        = []string{"id"}
	AuditFindingColumns = []string{"id", "status"}
)

func init() {
	register("incidents", "security incidents from CSV/JSON (id,title,severity,started_at,detected_at,resolved_at)", collectIncidents)
	register("alerts", "fired alerts from CSV/JSON (id,fired_at,incident_id)", collectAlerts)
	register("accounts", "accounts from CSV/JSON (system,login,role,privileged,status,mfa,created_at,last_active_at)", collectAccounts)
	register("tokens", "API/access tokens from CSV/JSON (id,account,created_at,expires_at,revoked)", collectTokens)
	register("audit_findings", "audit findings from CSV/JSON (id,title,severity,status,opened_at,closed_at)", collectAuditFindings)
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
	paths, err := Each(ctx, env, cfg, IncidentColumns, func(r *Row) error {
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
	paths, err := Each(ctx, env, cfg, AlertColumns, func(r *Row) error {
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
	paths, err := Each(ctx, env, cfg, TokenColumns, func(r *Row) error {
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
	paths, err := Each(ctx, env, cfg, AuditFindingColumns, func(r *Row) error {
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

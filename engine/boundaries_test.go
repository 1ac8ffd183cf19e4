package engine_test

import (
	"context"
	"github.com/localizevideos/posture/report"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/snapshot"
)

func evaluate(t *testing.T, d snapshot.Data, excs []*config.Exception) *engine.Evaluation {
	t.Helper()
	e := newEngine(t)
	snap := &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{{Source: "s", Kind: "k", Data: d}}}
	in, err := engine.BuildInput(snap, asOf, settings, app.Exceptions(excs, ""))
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	for id, r := range ev.Raw {
		require.NoError(t, r.Err, id)
	}
	return ev
}

func val(t *testing.T, ev *engine.Evaluation, id string) *float64 {
	t.Helper()
	r, ok := ev.Raw[id]
	require.True(t, ok, id)
	return r.Value
}

func TestEmptyInput(t *testing.T) {
	ev := evaluate(t, snapshot.Data{}, nil)
	for _, id := range []string{"mttd_hours", "mttr_hours", "alert_to_incident_ratio", "failed_login_rate", "mean_time_to_patch_days"} {
		assert.Nil(t, val(t, ev, id), "%s: a mean or ratio over nothing is null (no_data), never 0", id)
	}
	assert.Equal(t, 100.0, *val(t, ev, "token_expiry_compliance"), "100 when there are no live tokens")
	for _, id := range []string{"incident_count", "sev1_incidents", "rate_limit_triggers", "blocked_ips", "privileged_accounts",
		"orphaned_accounts", "open_vulnerabilities", "repeat_findings", "manual_prod_changes", "rollbacks", "open_exceptions", "audit_findings"} {
		assert.Equal(t, 0.0, *val(t, ev, id), id)
	}
}

func TestWindowEdges(t *testing.T) {
	start := asOf.Add(-30 * 24 * time.Hour)
	incident := func(id string, detected time.Time) snapshot.Incident {
		i := snapshot.Incident{ID: id, Severity: "sev1"}
		i.StartedAt, i.StartedAtMS = stamp(detected.Add(-2 * time.Hour))
		i.DetectedAt, i.DetectedAtMS = stamp(detected)
		return i
	}
	ev := func(t time.Time) snapshot.Event { return snapshot.Event{TimeMS: t.UnixMilli(), IP: "192.0.2.1"} }
	var d snapshot.Data
	d.Incidents = []snapshot.Incident{
		incident("at-start", start),                               // excluded
		incident("just-after-start", start.Add(time.Millisecond)), // included
		incident("at-as-of", asOf),                                // included
		incident("after-as-of", asOf.Add(time.Millisecond)),       // excluded
	}
	d.AddEvent(snapshot.EventTLSDowngrade, ev(start))
	d.AddEvent(snapshot.EventTLSDowngrade, ev(asOf))
	d.AddEvent(snapshot.EventTLSDowngrade, ev(asOf.Add(500*time.Millisecond)))
	d.AddEvent(snapshot.EventBan, ev(asOf))
	d.AddEvent(snapshot.EventBan, ev(asOf.Add(-time.Hour))) // same IP: one blocked IP
	r := evaluate(t, d, nil)
	assert.Equal(t, 2.0, *val(t, r, "incident_count"), "start excluded, as_of included")
	assert.Equal(t, 2.0, *val(t, r, "sev1_incidents"))
	assert.Equal(t, 2.0, *val(t, r, "mttd_hours"))
	assert.Equal(t, 1.0, *val(t, r, "tls_downgrade_attempts"), "half a second after as_of is outside")
	assert.Equal(t, 1.0, *val(t, r, "blocked_ips"), "distinct IPs")
}

func TestExceptionsWaiveUntilTheEndOfTheirDay(t *testing.T) {
	acc := func(login string) snapshot.Account {
		a := snapshot.Account{System: "okta", Login: login, Status: "active"}
		a.LastActiveAt, a.LastActiveAtMS = stamp(asOf.Add(-200 * 24 * time.Hour))
		return a
	}
	d := snapshot.Data{Accounts: []snapshot.Account{acc("svc-a"), acc("svc-b"), acc("svc-c"), acc("bob")}}
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t.AddDate(0, 0, 1) }
	excs := []*config.Exception{
		{ExceptionRef: report.ExceptionRef{ID: "E-today", Metric: "orphaned_accounts", Scope: "okta/svc-a", Expires: "2026-11-27"}, Status: "open", ExpiresEnd: day("2026-11-27")},
		{ExceptionRef: report.ExceptionRef{ID: "E-expired", Metric: "orphaned_accounts", Scope: "okta/svc-b", Expires: "2026-11-26"}, Status: "open", ExpiresEnd: day("2026-11-26")},
		{ExceptionRef: report.ExceptionRef{ID: "E-closed", Metric: "orphaned_accounts", Scope: "okta/svc-*", Expires: "2027-01-01"}, Status: "closed", ExpiresEnd: day("2027-01-01")},
		{ExceptionRef: report.ExceptionRef{ID: "E-other", Metric: "privileged_accounts", Scope: "*", Expires: "2027-01-01"}, Status: "open", ExpiresEnd: day("2027-01-01")},
	}
	r := evaluate(t, d, excs)
	orphaned := r.Raw["orphaned_accounts"]
	assert.Equal(t, 3.0, *orphaned.Value, "only the exception expiring today still waives")
	require.Len(t, orphaned.Waived, 1)
	assert.Equal(t, "E-today", orphaned.Waived[0].Exception)
	assert.Equal(t, "okta/svc-a", orphaned.Waived[0].Scope)
	assert.Equal(t, 2.0, *val(t, r, "open_exceptions"), "E-today (expires on the as-of date), E-other; closed ones never count")
	assert.Equal(t, 1.0, *val(t, r, "expired_exceptions"))
}

package okta_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/sources/okta"
)

const configHead = `project = "okta-e2e"
owner "o" {}
category "detection_response"       { owner = "o" }
category "prevention_controls"      { owner = "o" }
category "identity_access"          { owner = "o" }
category "vulnerability_management" { owner = "o" }
category "operational_hygiene"      { owner = "o" }
category "compliance_signals"       { owner = "o" }
`

// accountsCSV is the fake org's users (testdata/) written by hand as an
// accounts export, following the field mapping of okta.md: the statuses
// that can sign in read active, the role is the highest active admin
// role, mfa is known for the active privileged users only, and the
// deprovisioned user is left out.
const accountsCSV = `system,login,role,privileged,status,mfa,created_at,last_active_at
okta,alice@acme.example,super_admin,true,active,true,2024-03-01T09:00:00Z,2026-11-18T08:30:00Z
okta,bob@acme.example,org_admin,true,active,false,2024-05-10T09:00:00Z,2026-11-10T17:05:12Z
okta,carol@acme.example,app_admin,true,active,false,2023-01-01T09:00:00Z,2026-10-30T12:00:00Z
okta,dave@acme.example,,,active,,2025-01-15T09:00:00Z,
okta,erin@acme.example,,,active,,2022-06-01T09:00:00Z,2025-02-01T10:00:00Z
okta,frank@acme.example,org_admin,true,suspended,,2021-04-01T09:00:00Z,2024-01-01T10:00:00Z
okta,gina@acme.example,,,staged,,2024-01-01T09:00:00Z,
okta,hank@acme.example,,,active,,2025-12-01T09:00:00Z,
okta,ivan@acme.example,,,active,,2024-02-01T09:00:00Z,2026-11-19T07:00:00Z
okta,judy@acme.example,read_only_admin,true,active,true,2024-02-01T09:00:00Z,2026-09-30T07:00:00Z
okta,leo@acme.example,,,active,,2026-11-13T09:00:00Z,
`

var asOf = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// evaluate runs the pipeline (config, collection, evaluation) over the
// given source blocks and returns the report's metrics by id.
func evaluate(t *testing.T, sourcesHCL string, files map[string]string) map[string]report.Metric {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(configHead+sourcesHCL), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	snap := a.Collect(context.Background(), asOf, nil)
	for _, part := range snap.Parts {
		require.Empty(t, part.Error, part.ID())
	}
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	out := map[string]report.Metric{}
	for _, m := range r.Metrics {
		out[m.ID] = m
	}
	return out
}

// The okta source feeds the identity metrics and the MFA compliance check
// the same values as the same users given as an accounts export.
func TestOktaFeedsTheMetricsLikeAnAccountsExport(t *testing.T) {
	org, token := okta.FakeOrg(t)
	t.Setenv("OKTA_API_TOKEN", token)
	t.Setenv("OKTA_ACCESS_TOKEN", "")

	fromOkta := evaluate(t, `
source "okta" "workforce" {
  org_url = "`+org+`"
}
`, nil)
	fromCSV := evaluate(t, `
source "accounts" "export" {
  paths = ["accounts.csv"]
}
`, map[string]string{"accounts.csv": accountsCSV})

	for id, want := range map[string]float64{
		"privileged_accounts": 4, // alice, bob, carol (password expired), judy (recovery); not frank (suspended)
		"orphaned_accounts":   3, // dave (never signed in, created long ago), erin, hank (provisioned)
		"compliance_drift":    2, // bob and carol: privileged, no second factor
	} {
		o, c := fromOkta[id], fromCSV[id]
		require.NotNil(t, o.Value, "%s from okta: %s %s", id, o.Status, o.Error)
		require.NotNil(t, c.Value, "%s from csv: %s %s", id, c.Status, c.Error)
		assert.Equal(t, want, *o.Value, id)
		assert.Equal(t, *c.Value, *o.Value, id)
		assert.Equal(t, c.Status, o.Status, id)
		assert.Len(t, o.Evidence.Records, int(want), id)
		assert.Equal(t, c.Evidence.Records, o.Evidence.Records, "%s: the same accounts (scope system/login)", id)
		if id != "compliance_drift" {
			assert.Equal(t, []string{"okta.workforce"}, o.Sources, id)
		}
	}
}

// A failed read makes the metrics the source feeds an error.
func TestOktaFailureIsAMetricError(t *testing.T) {
	org, _ := okta.FakeOrg(t)
	t.Setenv("OKTA_API_TOKEN", "wrong-token")
	dir := t.TempDir()
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(configHead+`
source "okta" "workforce" {
  org_url = "`+org+`"
}
`), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	snap := a.Collect(context.Background(), asOf, nil)
	require.Len(t, snap.Parts, 1)
	assert.Contains(t, snap.Parts[0].Error, "okta API GET /api/v1/users: 401 Unauthorized")
	assert.NotContains(t, snap.Parts[0].Error, "wrong-token")
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	for _, m := range r.Metrics {
		if m.ID == "privileged_accounts" || m.ID == "orphaned_accounts" {
			assert.Equal(t, report.StatusError, m.Status, m.ID)
			assert.Equal(t, "source failed: okta.workforce", m.Error)
		}
	}
}

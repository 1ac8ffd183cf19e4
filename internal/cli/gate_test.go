package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The gated metrics `posture init` leaves without a source: the scaffold
// configures none (compliance_drift and expired_exceptions need none).
var scaffoldUnmeasured = []string{"audit_findings", "config_drift_events", "high_critical_vulnerabilities",
	"manual_prod_changes", "orphaned_accounts", "repeat_findings", "security_header_drift",
	"tls_downgrade_attempts", "token_expiry_compliance"}

// scaffolded runs `posture init` into a temporary folder.
func scaffolded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	code, _, errs := run(t, dir, "-q", "init")
	require.Equal(t, ExitOK, code, errs)
	return dir
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(text)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func ungate(ids ...string) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteString("metric \"" + id + "\" { gate = false }\n")
	}
	return b.String()
}

// A fresh scaffold measures nothing: its gate must not pass.
func TestGateFailsClosedOnAFreshScaffold(t *testing.T) {
	dir := scaffolded(t)
	for _, cmd := range [][]string{{"gate"}, {"eval"}, {"-q", "report"}} {
		code, out, errs := run(t, dir, cmd...)
		assert.Equal(t, ExitFail, code, "%v: a gated metric nobody measures fails the gate\n%s%s", cmd, out, errs)
		assert.Contains(t, errs, "posture: gate failed: 9 gated metrics not measured ("+strings.Join(scaffoldUnmeasured, ", ")+"): "+
			"configure a source that feeds them (`posture metrics` shows which kinds do) or set gate = false in their metric block", cmd)
		assert.NotContains(t, errs, "gate passed", cmd)
		assert.NotContains(t, errs, "failed their target", "nothing failed its target: %v", cmd)
	}
	// The table says it too (its footer), separately from failing metrics.
	_, out, _ := run(t, dir, "gate")
	assert.Contains(t, out, "\ngate failed: 9 gated metrics not measured (audit_findings, ")
}

// gate = false in a metric's block takes it out of the gate.
func TestGateFalseStopsAnUnmeasuredMetricBlocking(t *testing.T) {
	dir := scaffolded(t)
	cfg := filepath.Join(dir, "posture.hcl")
	appendFile(t, cfg, ungate(scaffoldUnmeasured[1:]...))
	code, _, errs := run(t, dir, "gate")
	assert.Equal(t, ExitFail, code, errs)
	assert.Contains(t, errs, "gate failed: 1 gated metric not measured (audit_findings): configure a source that feeds it "+
		"(`posture metrics` shows which kinds do) or set gate = false in its metric block")

	appendFile(t, cfg, ungate(scaffoldUnmeasured[0]))
	code, out, errs := run(t, dir, "gate")
	assert.Equal(t, ExitOK, code, out+errs)
	assert.Contains(t, errs, "gate passed: 2 gated metrics on target")
	assert.NotContains(t, out+errs, "not measured")
}

// A gated metric whose sources gave nothing to compute from (no_data) does
// not pass either.
func TestGateFailsOnNoData(t *testing.T) {
	dir := fixture(t, map[string]string{
		"posture.hcl": baseConfig + `source "incidents" "ir" { paths = ["incidents.csv"] }
metric "mttr_hours" {
  gate = true
  target { max = 24 }
}
`,
		"incidents.csv": "id,title,severity,started_at,detected_at,resolved_at\n",
	})
	code, r, errs := evalJSON(t, dir)
	assert.Equal(t, ExitFail, code, errs)
	assert.Equal(t, "no_data", string(metric(t, r, "mttr_hours").Status))
	assert.Contains(t, errs, "gate failed: 1 gated metric not measured (mttr_hours): check that the sources of mttr_hours hold data "+
		"in the window (they gave nothing to compute from) or set gate = false in its metric block")

	code, _, errs = run(t, dir, "gate")
	assert.Equal(t, ExitFail, code, errs)
	assert.Contains(t, errs, "not measured (mttr_hours)")
	code, _, errs = run(t, dir, "gate", "--metrics", "privileged_accounts")
	assert.Equal(t, ExitOK, code, "only the chosen metrics count: %s", errs)
}

// gate --metrics: a chosen metric that is not measured fails too, gated by
// the config or not.
func TestGateChosenMetricNotMeasured(t *testing.T) {
	dir := fixture(t, nil)
	code, _, errs := run(t, dir, "gate", "--metrics", "privileged_accounts,mttd_hours")
	assert.Equal(t, ExitFail, code, errs)
	assert.Contains(t, errs, "gate failed: 1 gated metric not measured (mttd_hours): configure a source that feeds it "+
		"(`posture metrics` shows which kinds do) or leave it out of --metrics")
	code, _, errs = run(t, dir, "gate", "--metrics", ",")
	assert.Equal(t, ExitError, code, "no metric to gate on is an error, not a pass: %s", errs)
}

// Errors take precedence over failed and unmeasured metrics (exit 2).
func TestGateErrorBeatsNotMeasured(t *testing.T) {
	dir := scaffolded(t)
	appendFile(t, filepath.Join(dir, "posture.hcl"), `source "accounts" "iam" { paths = ["missing.csv"] }`+"\n")
	code, _, errs := run(t, dir, "gate")
	assert.Equal(t, ExitError, code, errs)
	assert.Contains(t, errs, "missing.csv")
}

// Inside GitHub Actions: an ::error annotation and the step summary's
// "Not measured (gated)" section for each gated metric nobody measures.
func TestGateNotMeasuredInGitHubActions(t *testing.T) {
	dir := scaffolded(t)
	appendFile(t, filepath.Join(dir, "posture.hcl"), ungate(scaffoldUnmeasured[1:]...))
	summary := filepath.Join(dir, "summary.md")
	code, _, errs := runEnv(t, dir, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, "gate")
	assert.Equal(t, ExitFail, code, errs)
	assert.Contains(t, errs, "::error title=posture audit_findings not measured::Open audit findings (audit_findings, owner security): "+
		"not measured: no configured source feeds it; configure a source that feeds it (`posture metrics` shows which kinds do) "+
		"or set gate = false in its metric block")
	md, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Not measured (gated)\n")
	assert.Contains(t, string(md), "**Gate:** ❌ failed")
	assert.NotContains(t, errs, "::error title=posture orphaned_accounts", "ungated: no annotation")
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

// run executes the CLI in-process and returns exit code, stdout, stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd, err := os.Getwd()
	require.NoError(t, err)
	if dir != "" {
		require.NoError(t, os.Chdir(dir))
		defer func() { _ = os.Chdir(wd) }()
	}
	code := Run(context.Background(), append([]string{"posture"}, args...), strings.NewReader(""), &out, &errb, func(k string) string {
		if k == "POSTURE_AS_OF" {
			return "2026-11-27"
		}
		return ""
	})
	return code, out.String(), errb.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

const baseConfig = `project = "Test"
window_days = 30
exceptions = ["exceptions.hcl"]
policies = ["policies"]
owner "security" { github = ["sec"] }
category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "security" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "security" }
category "compliance_signals"       { owner = "security" }
source "accounts" "iam" { paths = ["accounts.csv"] }
source "tokens" "api"   { paths = ["tokens.csv"] }
` + ungatedUnfed

// ungatedUnfed takes the gated catalogue metrics baseConfig's sources cannot
// feed out of its gate, as a user would: a gate never passes on a gated
// metric that is not measured (docs/github-actions.md).
const ungatedUnfed = `metric "audit_findings" { gate = false }
metric "config_drift_events" { gate = false }
metric "high_critical_vulnerabilities" { gate = false }
metric "manual_prod_changes" { gate = false }
metric "repeat_findings" { gate = false }
metric "security_header_drift" { gate = false }
metric "tls_downgrade_attempts" { gate = false }
`

const okAccounts = `system,login,role,privileged,status,mfa,created_at,last_active_at
okta,alice,admin,true,active,true,2025-01-01,2026-11-20
okta,bob,user,false,active,true,2025-01-01,2026-11-20
`

const staleAccounts = okAccounts + `okta,carol,user,false,active,true,2025-01-01,2026-01-01
`

const okTokens = `id,account,created_at,expires_at,revoked
t1,alice,2026-11-01,2026-12-01,false
`

const okExceptions = `exception "EXC-1" {
  metric = "orphaned_accounts"
  scope = "okta/svc-*"
  reason = "service accounts are rotated by vault"
  owner = "security"
  approved_by = "ciso"
  expires = "2026-12-31"
}
`

const customPolicy = `package custom

# METADATA
# title: Accounts
# custom:
#   id: account_total
#   category: identity_access
#   unit: count
#   inputs: [accounts]
account_total := {"value": count(input.accounts), "items": count(input.accounts), "records": [], "waived": []}
`

const customTest = `package custom_test

import data.custom

test_counts if {
	custom.account_total.value == 1 with input as {"accounts": [{}]}
}
`

func fixture(t *testing.T, overrides map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"posture.hcl":               baseConfig,
		"accounts.csv":              okAccounts,
		"tokens.csv":                okTokens,
		"exceptions.hcl":            okExceptions,
		"policies/custom.rego":      customPolicy,
		"policies/custom_test.rego": customTest,
	}
	for k, v := range overrides {
		files[k] = v
	}
	writeFiles(t, dir, files)
	return dir
}

func evalJSON(t *testing.T, dir string, args ...string) (int, *report.Report, string) {
	t.Helper()
	code, out, errs := run(t, dir, append([]string{"eval", "--format", "json"}, args...)...)
	var r report.Report
	if out != "" {
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	}
	return code, &r, errs
}

func metric(t *testing.T, r *report.Report, id string) report.Metric {
	t.Helper()
	for _, m := range r.Metrics {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("metric %s not in report", id)
	return report.Metric{}
}

func TestEvalFixture(t *testing.T) {
	dir := fixture(t, nil)
	code, r, errs := evalJSON(t, dir)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, report.Schema, r.Schema)
	assert.Equal(t, "2026-11-27T00:00:00Z", r.AsOf)
	assert.Len(t, r.Metrics, 27, "26 built-in + 1 custom")
	assert.Equal(t, 1.0, *metric(t, r, "privileged_accounts").Value)
	assert.Equal(t, report.StatusPass, metric(t, r, "orphaned_accounts").Status)
	assert.Equal(t, report.StatusUnmeasured, metric(t, r, "mttd_hours").Status)
	assert.Nil(t, metric(t, r, "mttd_hours").Value)
	assert.Equal(t, 2.0, *metric(t, r, "account_total").Value, "custom metric joins the catalogue")
	assert.Equal(t, report.StatusTracked, metric(t, r, "account_total").Status)
	assert.Equal(t, "security", metric(t, r, "account_total").Owner, "owner from its category")
	require.Len(t, r.Inputs, 2)
	assert.Len(t, r.Inputs[0].SHA256, 64)
}

func TestGlobalFlagsAfterSubcommand(t *testing.T) {
	dir := fixture(t, nil)
	c1, o1, _ := run(t, dir, "--format", "json", "eval")
	c2, o2, _ := run(t, dir, "eval", "--format=json")
	require.Equal(t, 0, c1)
	require.Equal(t, 0, c2)
	assert.Equal(t, o1, o2)
}

func TestGateExitCodes(t *testing.T) {
	t.Run("passes", func(t *testing.T) {
		code, _, errs := run(t, fixture(t, nil), "gate")
		assert.Equal(t, ExitOK, code, errs)
	})
	t.Run("gated metric fails", func(t *testing.T) {
		code, out, errs := run(t, fixture(t, map[string]string{"accounts.csv": staleAccounts}), "gate")
		assert.Equal(t, ExitFail, code)
		assert.Contains(t, out, "orphaned_accounts")
		assert.Contains(t, errs, "orphaned_accounts")
	})
	t.Run("waived finding passes", func(t *testing.T) {
		acc := okAccounts + "okta,svc-backup,user,false,active,true,2025-01-01,2026-01-01\n"
		code, _, errs := run(t, fixture(t, map[string]string{"accounts.csv": acc}), "gate")
		assert.Equal(t, ExitOK, code, errs)
	})
	t.Run("soft target only warns", func(t *testing.T) {
		cfg := baseConfig + "metric \"orphaned_accounts\" {\n  target {\n    max = 0\n    soft = true\n  }\n}\n"
		code, _, errs := run(t, fixture(t, map[string]string{"accounts.csv": staleAccounts, "posture.hcl": cfg}), "gate")
		assert.Equal(t, ExitOK, code, errs)
	})
	t.Run("only listed metrics", func(t *testing.T) {
		code, _, errs := run(t, fixture(t, map[string]string{"accounts.csv": staleAccounts}), "gate", "--metrics", "privileged_accounts")
		assert.Equal(t, ExitOK, code, errs)
	})
	t.Run("source error fails closed", func(t *testing.T) {
		dir := fixture(t, nil)
		require.NoError(t, os.Remove(filepath.Join(dir, "tokens.csv")))
		code, _, errs := run(t, dir, "gate", "--metrics", "privileged_accounts")
		assert.Equal(t, ExitError, code)
		assert.Contains(t, errs, "tokens.csv")
	})
}

func TestBadInputExit2NamingFileAndLine(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string
		want  []string
	}{
		{"malformed config", map[string]string{"posture.hcl": baseConfig + "source \"accounts\" \"x\" {\n  paths = [\"a\"\n"},
			[]string{"validate"}, []string{"posture.hcl:22,11-12: Unterminated tuple constructor"}},
		{"unknown metric id", map[string]string{"posture.hcl": baseConfig + "metric \"made_up\" { gate = true }\n"},
			[]string{"validate"}, []string{"posture.hcl:21,1-17: Unknown metric"}},
		{"category without owner", map[string]string{"posture.hcl": strings.Replace(baseConfig, "category \"compliance_signals\"       { owner = \"security\" }\n", "", 1)},
			[]string{"validate"}, []string{"Metrics without an owner", "expired_exceptions"}},
		{"exception missing a field", map[string]string{"exceptions.hcl": strings.Replace(okExceptions, "  reason = \"service accounts are rotated by vault\"\n", "", 1)},
			[]string{"validate"}, []string{"exceptions.hcl:1,19-19: Missing required argument", "\"reason\" is required"}},
		{"exception for unknown metric", map[string]string{"exceptions.hcl": strings.Replace(okExceptions, "orphaned_accounts", "orphans", 1)},
			[]string{"validate"}, []string{"exceptions.hcl:1,1-18: Unknown metric"}},
		{"missing source file", map[string]string{"posture.hcl": baseConfig + "source \"incidents\" \"ir\" { paths = [\"incidents.csv\"] }\n"},
			[]string{"eval"}, []string{"incidents.csv: no such file"}},
		{"corrupt CSV row", map[string]string{"accounts.csv": okAccounts + "okta,dave,user,maybe,active,true,2025-01-01,2026-11-20\n"},
			[]string{"eval"}, []string{"accounts.csv:4"}},
		{"rego syntax error", map[string]string{"policies/broken.rego": "package broken\n\nx := {\n\ny := 1\n"},
			[]string{"validate"}, []string{"policies/broken.rego:5", "rego_parse_error"}},
		{"rego uses http.send", map[string]string{"policies/net.rego": "package net_use\n\nx := http.send({\"method\": \"get\", \"url\": \"http://example.com\"})\n"},
			[]string{"validate"}, []string{"policies/net.rego:3", "http.send"}},
		{"bad as-of", nil, []string{"eval", "--as-of", "yesterday"}, []string{"--as-of"}},
		{"bad format", nil, []string{"eval", "--format", "yaml"}, []string{"unknown output format"}},
		{"missing config", map[string]string{}, []string{"-c", "nope.hcl", "validate"}, []string{"nope.hcl"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := fixture(t, tc.files)
			code, out, errs := run(t, dir, tc.args...)
			assert.Equal(t, ExitError, code, "stdout: %s\nstderr: %s", out, errs)
			for _, w := range tc.want {
				assert.Contains(t, errs, w)
			}
		})
	}
}

func TestSourceErrorMakesItsMetricsError(t *testing.T) {
	dir := fixture(t, map[string]string{"tokens.csv": "id,account,created_at,expires_at,revoked\nt1,alice,not-a-date,,false\n"})
	code, r, errs := evalJSON(t, dir)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "tokens.csv:2")
	m := metric(t, r, "token_expiry_compliance")
	assert.Equal(t, report.StatusError, m.Status)
	assert.Nil(t, m.Value, "never a silent 0")
	assert.Equal(t, report.StatusPass, metric(t, r, "orphaned_accounts").Status, "other sources' metrics intact")
	assert.Equal(t, report.StatusError, metric(t, r, "compliance_drift").Status, "compliance runs over the whole snapshot")
}

func TestPostureTest(t *testing.T) {
	t.Run("built-in and custom pass", func(t *testing.T) {
		dir := fixture(t, nil)
		code, out, errs := run(t, dir, "test", "policies")
		assert.Equal(t, ExitOK, code, out+errs)
		assert.Regexp(t, `PASS: \d+/\d+`, out)
	})
	t.Run("failing test exits 1", func(t *testing.T) {
		dir := fixture(t, map[string]string{"policies/custom_test.rego": strings.Replace(customTest, "== 1", "== 2", 1)})
		code, out, _ := run(t, dir, "test", "policies")
		assert.Equal(t, ExitFail, code)
		assert.Contains(t, out, "FAIL  data.custom_test.test_counts")
	})
	t.Run("no tests found exits 2", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"p/x.rego": "package x\n\ny := 1\n"})
		code, out, errs := run(t, dir, "test", "p")
		assert.Equal(t, ExitError, code, out)
		assert.Contains(t, errs, "no tests found in p")
		code, _, errs = run(t, dir, "test", "missing")
		assert.Equal(t, ExitError, code)
		assert.Contains(t, errs, "missing")
	})
	t.Run("syntax error exits 2", func(t *testing.T) {
		dir := fixture(t, map[string]string{"policies/bad_test.rego": "package bad_test\n\ntest_x if {\n\tinput.x ==\n}\n"})
		code, _, errs := run(t, dir, "test", "policies")
		assert.Equal(t, ExitError, code)
		assert.Contains(t, errs, "policies/bad_test.rego:5")
	})
}

func TestSnapshotThenEvalIsTheSame(t *testing.T) {
	dir := fixture(t, nil)
	code, out, errs := run(t, dir, "snapshot", "--out", "snap")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "2 sources")
	for _, f := range []string{"manifest.json", "accounts.iam.json", "tokens.api.json"} {
		assert.FileExists(t, filepath.Join(dir, "snap", f))
	}
	_, fresh, _ := evalJSON(t, dir)
	code, stored, errs := evalJSON(t, dir, "--snapshot", "snap")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, fresh.Metrics, stored.Metrics)
	assert.Equal(t, fresh.Inputs, stored.Inputs, "same sha256 per input")

	// A tampered snapshot is refused.
	p := filepath.Join(dir, "snap", "accounts.iam.json")
	b, _ := os.ReadFile(p)
	require.NoError(t, os.WriteFile(p, append(b, ' '), 0o644))
	code, _, errs = run(t, dir, "eval", "--snapshot", "snap")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "does not match the manifest")
}

func TestExplainShowsRecordsAndWaivers(t *testing.T) {
	acc := staleAccounts + "okta,svc-backup,user,false,active,true,2025-01-01,2026-01-01\n"
	dir := fixture(t, map[string]string{"accounts.csv": acc})
	code, out, errs := run(t, dir, "explain", "orphaned_accounts")
	require.Equal(t, 0, code, errs) // explaining is not gating
	assert.Contains(t, out, "okta/carol")
	assert.Contains(t, out, "okta/svc-backup  by EXC-1")
	assert.Contains(t, out, "service accounts are rotated by vault")

	code, out, _ = run(t, dir, "explain", "privileged_accounts", "--format", "json")
	require.Equal(t, 0, code)
	var x explained
	require.NoError(t, json.Unmarshal([]byte(out), &x))
	require.Len(t, x.Counted, 1)
	assert.Equal(t, "okta/alice", x.Counted[0].Record)
}

func TestOutputFormats(t *testing.T) {
	dir := fixture(t, map[string]string{"accounts.csv": staleAccounts})
	for _, f := range []string{"table", "markdown", "sarif", "junit", "json"} {
		code, out, errs := run(t, dir, "eval", "--format", f)
		assert.Equal(t, ExitFail, code, errs)
		assert.Contains(t, out, "orphaned_accounts", f)
	}
	code, _, _ := run(t, dir, "eval", "--format", "sarif", "-o", "out/results.sarif")
	assert.Equal(t, ExitFail, code)
	b, err := os.ReadFile(filepath.Join(dir, "out", "results.sarif"))
	require.NoError(t, err)
	var sarif map[string]any
	require.NoError(t, json.Unmarshal(b, &sarif))
	assert.Equal(t, "2.1.0", sarif["version"])
}

func TestInitScaffoldValidates(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "init")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "posture.hcl")
	for _, f := range []string{"posture.hcl", "exceptions.hcl", "policies/example.rego", "policies/example_test.rego", ".github/workflows/posture.yml"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	code, out, errs = run(t, dir, "validate")
	assert.Equal(t, 0, code, out+errs)
	code, out, errs = run(t, dir, "test", "policies")
	assert.Equal(t, 0, code, out+errs)
	code, _, errs = run(t, dir, "init")
	assert.Equal(t, ExitError, code, "never overwrites")
	assert.Contains(t, errs, "already exists")
}

func TestMetricsLists(t *testing.T) {
	dir := fixture(t, nil)
	code, out, errs := run(t, dir, "metrics")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "privileged_accounts")
	assert.Contains(t, out, "accounts.iam")
	assert.Contains(t, out, "— (unmeasured)")
	code, out, _ = run(t, dir, "metrics", "--format", "json")
	require.Equal(t, 0, code)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	assert.Len(t, rows, 27)
}

func TestHoistGlobals(t *testing.T) {
	got := hoistGlobals([]string{"posture", "gate", "--metrics", "a,b", "-c", "x.hcl", "--quiet", "--format=json"})
	assert.Equal(t, []string{"posture", "-c", "x.hcl", "--quiet", "--format=json", "gate", "--metrics", "a,b"}, got)
}

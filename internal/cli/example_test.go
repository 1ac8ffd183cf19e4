package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExampleMatchesExpected evaluates the bundled example and compares
// every metric with the values computed independently in its expected.md.
func TestExampleMatchesExpected(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(root, "expected.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| \\d+ \\| `([a-z0-9_]+)`[^|]*\\| ([0-9.]+|null) \\| \\**([a-z_]+)\\**")
	rows := row.FindAllStringSubmatch(string(md), -1)
	require.Len(t, rows, 27, "expected.md lists 26 catalogue metrics and the custom one")

	code, r, errs := evalJSON(t, "", "-c", filepath.Join(root, "posture.hcl"), "--as-of", "2026-11-27")
	require.Equal(t, ExitFail, code, errs)
	// Exit 1 for two reasons, named apart: the failing gated metrics, and the
	// gated security_header_drift that no source measures.
	assert.Contains(t, errs, "posture: gate failed: 7 gated metrics failed their target: audit_findings, compliance_drift, "+
		"config_drift_events, expired_exceptions, high_critical_vulnerabilities, tls_downgrade_attempts, token_expiry_compliance\n")
	assert.Contains(t, errs, "posture: gate failed: 1 gated metric not measured (security_header_drift): configure a source that feeds it")
	require.Len(t, r.Metrics, 27)
	for _, x := range rows {
		m := metric(t, r, x[1])
		assert.Equal(t, x[3], string(m.Status), x[1])
		if x[2] == "null" {
			assert.Nil(t, m.Value, x[1])
			continue
		}
		want, _ := strconv.ParseFloat(x[2], 64)
		if assert.NotNil(t, m.Value, x[1]) {
			assert.Equal(t, want, *m.Value, x[1])
		}
	}
}

// TestExampleLiveSourcesValidate uncomments the example's live sources
// (headers, tls, github): a user enables them with one edit.
func TestExampleLiveSourcesValidate(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "posture.hcl"))
	require.NoError(t, err)
	live, _ := uncommentSources(t, string(b))
	for _, kind := range []string{`source "headers"`, `source "tls"`, `source "github"`} {
		require.Contains(t, live, "\n"+kind, "the example shows a %s block", kind)
	}
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(root)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "posture.hcl"), []byte(live), 0o644))
	code, out2, errs := run(t, "", "-c", filepath.Join(dir, "posture.hcl"), "metrics")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out2, "headers.public")
	assert.Contains(t, out2, "github.org (members)")
}

// TestExamplePolicyTests runs the example's own Rego tests with the
// built-in ones, as `posture test` does.
func TestExamplePolicyTests(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos/policies")
	require.NoError(t, err)
	code, out, errs := run(t, "", "test", root)
	require.Equal(t, ExitOK, code, out+errs)
	assert.Regexp(t, `PASS: (\d+)/(\d+)`, out)
}

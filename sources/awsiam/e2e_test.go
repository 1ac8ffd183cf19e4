package awsiam_test

import (
	"context"
	"github.com/localizevideos/posture/sources/awsiam"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
)

const e2eHead = `project = "aws"
owner "o" {}
category "detection_response"       { owner = "o" }
category "prevention_controls"      { owner = "o" }
category "identity_access"          { owner = "o" }
category "vulnerability_management" { owner = "o" }
category "operational_hygiene"      { owner = "o" }
category "compliance_signals"       { owner = "o" }
`

var e2eMetrics = []string{"privileged_accounts", "orphaned_accounts", "token_expiry_compliance"}

// evaluate runs the pipeline (config, collection, evaluation) on the given
// source blocks and returns the identity metrics by id.
func evaluate(t *testing.T, sourcesHCL string, files map[string]string) map[string]report.Metric {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(e2eHead+sourcesHCL), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	snap := a.Collect(context.Background(), asOf, nil)
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	out := map[string]report.Metric{}
	for _, m := range r.Metrics {
		out[m.ID] = m
	}
	for _, id := range e2eMetrics {
		require.Contains(t, out, id)
	}
	return out
}

// The same facts read from fake IAM (two accounts through assumed roles)
// and given as accounts and tokens files measure the same.
func TestEndToEndEqualsTables(t *testing.T) {
	awsiam.Isolate(t)
	f := awsiam.NewStandardFake(t)
	aws := evaluate(t, `
source "aws_iam" "org" {
  role_arns    = ["arn:aws:iam::123456789012:role/posture-audit", "arn:aws:iam::111111111111:role/posture-audit"]
  endpoint_url = "`+f.URL()+`"
}
`, nil)

	acc, err := os.ReadFile(filepath.Join("testdata", "equivalent", "accounts.csv"))
	require.NoError(t, err)
	tok, err := os.ReadFile(filepath.Join("testdata", "equivalent", "tokens.csv"))
	require.NoError(t, err)
	tables := evaluate(t, `
source "accounts" "iam" { paths = ["accounts.csv"] }
source "tokens" "iam"   { paths = ["tokens.csv"] }
`, map[string]string{"accounts.csv": string(acc), "tokens.csv": string(tok)})

	want := map[string]float64{"privileged_accounts": 5, "orphaned_accounts": 2, "token_expiry_compliance": 0}
	for _, id := range e2eMetrics {
		a, b := aws[id], tables[id]
		require.NotNil(t, a.Value, "%s: %s %s", id, a.Status, a.Error)
		require.NotNil(t, b.Value, "%s: %s %s", id, b.Status, b.Error)
		assert.Equal(t, want[id], *a.Value, id)
		assert.Equal(t, *b.Value, *a.Value, id)
		assert.Equal(t, b.Status, a.Status, id)
		assert.Equal(t, b.Evidence.Items, a.Evidence.Items, id)
		assert.Equal(t, []string{"aws_iam.org"}, a.Sources, id)
	}
	assert.Equal(t, 6, aws["token_expiry_compliance"].Evidence.Items, "live keys: every active key, none compliant (keys never expire)")
	// Accounts are recorded by <system>/<login> either way.
	assert.Equal(t, tables["privileged_accounts"].Evidence.Records, aws["privileged_accounts"].Evidence.Records)
	assert.Equal(t, []string{
		"aws:111111111111/<root_account>", "aws:111111111111/frank",
		"aws:123456789012/<root_account>", "aws:123456789012/alice", "aws:123456789012/carol",
	}, aws["privileged_accounts"].Evidence.Records)
	assert.Equal(t, tables["orphaned_accounts"].Evidence.Records, aws["orphaned_accounts"].Evidence.Records)
}

// A failed read makes the metrics it feeds errors (exit 2), naming the call.
func TestEndToEndFailure(t *testing.T) {
	awsiam.Isolate(t)
	f := awsiam.NewStandardFake(t)
	f.Deny("GenerateCredentialReport")
	m := evaluate(t, `
source "aws_iam" "org" {
  endpoint_url = "`+f.URL()+`"
  max_attempts = 2
}
`, nil)
	for _, id := range e2eMetrics {
		assert.Equal(t, report.StatusError, m[id].Status, id)
		assert.Equal(t, "source failed: aws_iam.org", m[id].Error, id)
	}
}

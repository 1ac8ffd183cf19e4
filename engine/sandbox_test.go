package engine_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/snapshot"
)

func engineWith(t *testing.T, files map[string]string) (*engine.Engine, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(dir+"/"+name, []byte(body), 0o644))
	}
	mods, err := engine.ParseFS(policies.FS, "policies/")
	require.NoError(t, err)
	custom, err := engine.ParseDirs([]string{dir}, func(p string) string { return strings.TrimPrefix(p, dir+"/") })
	if err != nil {
		return nil, err
	}
	return engine.New(context.Background(), append(mods, custom...), func(f string) bool { return strings.HasPrefix(f, "policies/") })
}

const probe = `package probe

# METADATA
# title: Probe
# custom:
#   id: probe_now
#   category: compliance_signals
#   unit: count
#   inputs: ["*"]
probe_now := {"value": count(env), "records": [sprintf("%d", [time.now_ns()])]}

env := object.get(opa.runtime(), "env", {})
`

func TestSandbox(t *testing.T) {
	t.Setenv("POSTURE_SECRET_TOKEN", "ghp_should_never_be_visible")
	e, err := engineWith(t, map[string]string{"probe.rego": probe})
	require.NoError(t, err)
	snap := &snapshot.Snapshot{AsOf: asOf}
	in, err := engine.BuildInput(snap, asOf, settings, nil)
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	r := ev.Raw["probe_now"]
	require.NoError(t, r.Err)
	assert.Equal(t, 0.0, *r.Value, "opa.runtime() exposes no environment")
	assert.Equal(t, []string{"1795737600000000000"}, r.Records, "time.now_ns() is the as-of instant")

	for _, fn := range []string{`http.send({"method": "get", "url": "http://127.0.0.1"})`, `net.lookup_ip_addr("localhost")`, `net.cidr_contains("10.0.0.0/8", "10.1.1.1")`} {
		_, err := engineWith(t, map[string]string{"net.rego": "package netuse\n\nx := " + fn + "\n"})
		require.Error(t, err, fn)
		assert.Contains(t, err.Error(), "net.rego:3", fn)
		assert.Contains(t, err.Error(), "undefined function", fn)
	}
}

func TestConftestStylePoliciesOverConfigFiles(t *testing.T) {
	e, err := engineWith(t, map[string]string{"k8s.rego": `package main

deny contains msg if {
	some c in input.spec.containers
	c.securityContext.privileged
	msg := sprintf("container %s is privileged", [c.name])
}

violation contains "no resource limits" if {
	some c in input.spec.containers
	not c.resources.limits
}
`})
	require.NoError(t, err)
	pod := map[string]any{"spec": map[string]any{"containers": []any{
		map[string]any{"name": "api", "securityContext": map[string]any{"privileged": true}},
	}}}
	ok := map[string]any{"spec": map[string]any{"containers": []any{
		map[string]any{"name": "web", "resources": map[string]any{"limits": map[string]any{"cpu": "1"}}},
	}}}
	snap := &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{{Source: "cfg", Kind: "config_files", Data: snapshot.Data{
		ConfigFiles: []snapshot.ConfigFile{
			{Path: "k8s/api.yaml", SHA256: "x", Format: "yaml", Content: pod, Origin: "k8s/api.yaml"},
			{Path: "k8s/web.yaml", SHA256: "y", Format: "yaml", Content: ok, Origin: "k8s/web.yaml"},
		},
		Baseline: &snapshot.Baseline{Present: true, Files: map[string]string{"k8s/api.yaml": "x", "k8s/web.yaml": "y"}},
	}}}}
	in, err := engine.BuildInput(snap, asOf, settings, nil)
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	require.Len(t, ev.Compliance, 1, "two messages on one file are one (check, resource) pair")
	assert.Equal(t, "main:k8s/api.yaml", ev.Compliance[0].Scope)
	assert.Equal(t, 1.0, *ev.Raw["compliance_drift"].Value)
	assert.Equal(t, 0.0, *ev.Raw["config_drift_events"].Value)
}

func TestCustomMetricErrors(t *testing.T) {
	_, err := engineWith(t, map[string]string{"dup.rego": strings.ReplaceAll(probe, "probe_now", "orphaned_accounts")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `metric "orphaned_accounts" is already declared`)

	_, err = engineWith(t, map[string]string{"unit.rego": strings.Replace(probe, "unit: count", "unit: furlongs", 1)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unit.rego:10: metric \"probe_now\": custom.unit must be one of")

	// A policy that errors at evaluation makes only its metric an error.
	e, err := engineWith(t, map[string]string{"div.rego": strings.Replace(probe, `count(env)`, `1 / count(input.accounts)`, 1)})
	require.NoError(t, err)
	in, err := engine.BuildInput(&snapshot.Snapshot{AsOf: asOf}, asOf, settings, nil)
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	assert.ErrorContains(t, ev.Raw["probe_now"].Err, "div.rego")
	assert.NoError(t, ev.Raw["orphaned_accounts"].Err)
}

package policies

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/require"
)

// syntheticInput builds a deterministic policy input document. Scale 1 is 1k accounts,
// tokens, vulnerabilities, deployments and events of each type, 100 incidents and config
// files, 50 endpoints, 200 exceptions. Every collection grows linearly with scale except
// the exceptions (config-sized).
func syntheticInput(scale int) map[string]any {
	const (
		asOf = int64(1795737600000)
		day  = int64(86400000)
	)
	// a cheap deterministic pseudo-random sequence
	seed := uint64(42)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	ms := func() int64 { return asOf - int64(rnd(120))*day - int64(rnd(86400000)) }
	pick := func(xs ...any) any { return xs[rnd(len(xs))] }
	n := func(k int) int { return k * scale }

	events := map[string]any{}
	for _, typ := range []string{"login_failed", "login_success", "invalid_user", "http_forbidden", "authz_fail", "rate_limited", "tls_downgrade", "ban"} {
		list := make([]any, 0, n(1000))
		for i := range n(1000) {
			list = append(list, map[string]any{"ts_ms": ms(), "time": "", "source": "s", "origin": fmt.Sprintf("%s.log:%d", typ, i), "ip": fmt.Sprintf("10.0.%d.%d", i%256, (i/256)%256)})
		}
		events[typ] = list
	}
	var incidents, alerts, accounts, tokens, audits, vulns, deploys, configs, endpoints, tlsEPs, findings, excs []any
	for i := range n(100) {
		incidents = append(incidents, map[string]any{"id": fmt.Sprint(i), "severity": pick("sev1", "sev2", "sev3"), "started_at_ms": ms() - day, "detected_at_ms": ms(), "resolved_at_ms": ms(), "origin": fmt.Sprintf("inc:%d", i)})
		audits = append(audits, map[string]any{"id": fmt.Sprint(i), "status": pick("open", "closed"), "opened_at_ms": ms(), "origin": fmt.Sprintf("audit:%d", i)})
		configs = append(configs, map[string]any{"path": fmt.Sprintf("cfg/%d.yaml", i), "sha256": fmt.Sprintf("h%d", i%7), "format": "yaml", "origin": fmt.Sprintf("cfg/%d.yaml", i)})
	}
	baseline := map[string]any{}
	for i := 5; i < n(100)+5; i++ {
		baseline[fmt.Sprintf("cfg/%d.yaml", i)] = fmt.Sprintf("h%d", i%5)
	}
	for i := range n(500) {
		alerts = append(alerts, map[string]any{"id": fmt.Sprint(i), "fired_at_ms": ms(), "incident_id": pick("", "INC-1"), "origin": fmt.Sprintf("alert:%d", i)})
	}
	for i := range n(1000) {
		accounts = append(accounts, map[string]any{"system": fmt.Sprintf("sys%d", i%10), "login": fmt.Sprintf("u%d", i), "role": pick("member", "admin"), "privileged": false, "status": pick("", "active", "disabled"), "mfa": pick(true, false, nil), "created_at_ms": ms() - 200*day, "last_active_at_ms": ms() - int64(rnd(100))*day, "origin": fmt.Sprintf("acc:%d", i)})
		tokens = append(tokens, map[string]any{"id": fmt.Sprint(i), "account": "a", "created_at_ms": ms(), "expires_at_ms": ms() + int64(rnd(200))*day, "revoked": rnd(10) == 0, "origin": fmt.Sprintf("tok:%d", i)})
		key := fmt.Sprintf("CVE-%d|pkg|img", i%n(700))
		v := map[string]any{"key": key, "id": strings.Split(key, "|")[0], "severity": pick("low", "medium", "high", "critical"), "state": pick("open", "open", "fixed", "dismissed"), "first_seen_ms": ms() - 30*day, "origin": fmt.Sprintf("vuln:%d", i)}
		if v["state"] == "fixed" {
			v["fixed_at_ms"] = ms()
		}
		vulns = append(vulns, v)
		sha := fmt.Sprintf("s%d", rnd(n(50)))
		deploys = append(deploys, map[string]any{"id": fmt.Sprint(i), "repo": fmt.Sprintf("org/r%d", i%20), "environment": "production", "production": true, "sha": sha, "task": "deploy", "description": "", "creator": pick("github-actions[bot]", "alice"), "created_at_ms": ms(), "status": pick("success", "failure"), "successful": rnd(10) < 7, "previous_success_sha": pick(nil, sha, "s0"), "origin": fmt.Sprintf("deploy:%d", i)})
	}
	good := map[string]any{
		"strict-transport-security": []any{"max-age=31536000"},
		"content-security-policy":   []any{"default-src 'self'; script-src 'self' 'unsafe-inline' 'nonce-x'; frame-ancestors 'none'"},
		"x-content-type-options":    []any{"nosniff"},
		"referrer-policy":           []any{"no-referrer, strict-origin"},
	}
	for i := range n(50) {
		headers := map[string]any{}
		if i%2 == 1 {
			headers = good
		}
		u := fmt.Sprintf("https://e%d.example/", i)
		endpoints = append(endpoints, map[string]any{"url": u, "final_url": u, "status": 200, "redirects": []any{}, "headers": headers, "origin": u})
		tlsEPs = append(tlsEPs, map[string]any{"address": fmt.Sprintf("h%d:443", i), "accepted_versions": []any{"TLS1.2", pick("TLS1.1", "TLS1.3")}, "cert_not_after_ms": ms() + 60*day, "cert_not_after": "", "cert_verified": i%5 != 0, "origin": fmt.Sprintf("h%d", i)})
	}
	for i := range n(300) {
		check := pick("compliance.tls", "compliance.identity").(string)
		findings = append(findings, map[string]any{"check": check, "resource": fmt.Sprintf("r%d", i), "scope": fmt.Sprintf("%s:r%d", check, i), "msg": "m"})
	}
	metrics := []string{"security_header_drift", "orphaned_accounts", "high_critical_vulnerabilities", "config_drift_events", "compliance_drift"}
	for i := range 200 {
		scope, re := fmt.Sprintf("sys%d/u%d", i%10, i), fmt.Sprintf("^sys%d/u%d$", i%10, i)
		if i%2 == 0 {
			scope, re = scope+"*", strings.TrimSuffix(re, "$")+".*$"
		}
		excs = append(excs, map[string]any{"id": fmt.Sprintf("EXC-%03d", i), "metric": metrics[i%len(metrics)], "scope": scope, "scope_regex": re, "expires": "2026-12-31", "expires_end_ms": asOf + 40*day, "status": pick("open", "closed"), "origin": "exceptions.hcl:1"})
	}
	return map[string]any{
		"as_of": "2026-11-27T00:00:00Z", "as_of_ms": asOf, "as_of_date": "2026-11-27",
		"window": map[string]any{"days": 30, "start_ms": asOf - 30*day, "end_ms": asOf},
		"settings": map[string]any{
			"inactive_days": 90, "inactive_cutoff_ms": asOf - 90*day,
			"max_token_lifetime_days": 90, "max_token_lifetime_ms": 90 * day,
			"production_environments": []any{"production"}, "automation_actors": []any{"github-actions[bot]"},
			"trend_tolerance_pct": 10,
		},
		"sources": map[string]any{}, "events": events,
		"incidents": incidents, "alerts": alerts, "accounts": accounts, "tokens": tokens,
		"audit_findings": audits, "deployments": deploys, "vulnerabilities": vulns,
		"config_files": configs, "endpoints": endpoints, "tls_endpoints": tlsEPs,
		"baseline":            map[string]any{"present": true, "files": baseline},
		"exceptions":          excs,
		"compliance_findings": findings,
	}
}

// BenchmarkMetrics evaluates every built-in metric and compliance check over the
// synthetic input at scale 1 and 10; ns/op should grow about tenfold between them.
//
//	go test -run '^$' -bench Metrics ./policies/
func BenchmarkMetrics(b *testing.B) {
	ctx := context.Background()
	var query strings.Builder
	for id, category := range catalogue {
		fmt.Fprintf(&query, "%s := data.posture.metrics.%s.%s\n", id, category, id)
	}
	query.WriteString("tls := data.compliance.tls.deny\nidentity := data.compliance.identity.deny\n")

	var opts []func(*rego.Rego)
	for name, m := range loadModules(b) {
		if !strings.HasSuffix(name, "_test.rego") {
			opts = append(opts, rego.ParsedModule(m))
		}
	}
	pq, err := rego.New(append(opts, rego.Query(query.String()))...).PrepareForEval(ctx)
	require.NoError(b, err)

	for _, scale := range []int{1, 10} {
		input, err := ast.InterfaceToValue(syntheticInput(scale))
		require.NoError(b, err)
		b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
			for b.Loop() {
				rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
				if err != nil || len(rs) != 1 {
					b.Fatalf("eval: %v (%d results)", err, len(rs))
				}
			}
		})
	}
}

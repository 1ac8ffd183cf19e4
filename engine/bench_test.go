package engine_test

import (
	"context"
	"fmt"
	"github.com/localizevideos/posture/report"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/snapshot"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func stamp(t time.Time) (*string, *int64) {
	s := t.UTC().Format(time.RFC3339)
	ms := t.UnixMilli()
	return &s, &ms
}

// genSnapshot builds a realistic snapshot at scale n (n=1: ~1k accounts,
// 1k findings, 100 incidents, 5k log events).
func genSnapshot(n int) (*snapshot.Snapshot, int) {
	var d snapshot.Data
	day := 24 * time.Hour
	at := func(i, spread int) time.Time { return asOf.Add(-time.Duration(i%spread) * time.Hour) }
	for i := 0; i < 100*n; i++ {
		inc := snapshot.Incident{ID: fmt.Sprintf("INC-%d", i), Severity: fmt.Sprintf("sev%d", 1+i%4), Origin: fmt.Sprintf("incidents.csv:%d", i+2)}
		inc.StartedAt, inc.StartedAtMS = stamp(at(i, 24*60).Add(-3 * time.Hour))
		inc.DetectedAt, inc.DetectedAtMS = stamp(at(i, 24*60))
		if i%3 != 0 {
			inc.ResolvedAt, inc.ResolvedAtMS = stamp(at(i, 24*60).Add(5 * time.Hour))
		}
		d.Incidents = append(d.Incidents, inc)
		a := snapshot.Alert{ID: fmt.Sprintf("AL-%d", i), Origin: "alerts.csv"}
		a.FiredAt, a.FiredAtMS = stamp(at(i, 24*60))
		if i%2 == 0 {
			a.IncidentID = inc.ID
		}
		d.Alerts = append(d.Alerts, a)
	}
	for i := 0; i < 1000*n; i++ {
		mfa := i%7 != 0
		acc := snapshot.Account{System: []string{"aws", "okta", "github"}[i%3], Login: fmt.Sprintf("user%d", i), Role: []string{"user", "admin", "developer"}[i%3], Status: []string{"", "active", "disabled"}[i%3], MFA: &mfa, Origin: "accounts.csv"}
		acc.CreatedAt, acc.CreatedAtMS = stamp(asOf.Add(-400 * day))
		acc.LastActiveAt, acc.LastActiveAtMS = stamp(asOf.Add(-time.Duration(i%200) * day))
		d.Accounts = append(d.Accounts, acc)
		tok := snapshot.Token{ID: fmt.Sprintf("tok%d", i), Account: acc.Login, Revoked: i%5 == 0, Origin: "tokens.csv"}
		tok.CreatedAt, tok.CreatedAtMS = stamp(asOf.Add(-30 * day))
		tok.ExpiresAt, tok.ExpiresAtMS = stamp(asOf.Add(time.Duration(i%120) * day))
		d.Tokens = append(d.Tokens, tok)
		v := snapshot.Vulnerability{ID: fmt.Sprintf("CVE-2026-%d", i%500), Package: fmt.Sprintf("pkg%d", i%50), Target: fmt.Sprintf("img%d", i%20), Severity: []string{"critical", "high", "medium", "low"}[i%4], State: "open", Origin: "trivy.json"}
		if i%10 == 0 {
			v.State = "fixed"
			v.FirstSeen, v.FirstSeenMS = stamp(asOf.Add(-20 * day))
			v.FixedAt, v.FixedAtMS = stamp(asOf.Add(-time.Duration(i%15) * day))
		}
		v.Key = v.ID + "|" + v.Package + "|" + v.Target
		d.Vulnerabilities = append(d.Vulnerabilities, v)
	}
	for i := 0; i < 200*n; i++ {
		dep := snapshot.Deployment{ID: fmt.Sprint(i), Environment: []string{"production", "staging"}[i%2], SHA: fmt.Sprintf("sha%d", i%40), Creator: "github-actions[bot]", Status: "success", Origin: "deployments.json"}
		dep.CreatedAt, dep.CreatedAtMS = stamp(at(i, 24*40))
		d.Deployments = append(d.Deployments, dep)
	}
	for i := 0; i < 5000*n; i++ {
		typ := snapshot.EventTypes[i%len(snapshot.EventTypes)]
		ts := at(i, 24*45)
		d.AddEvent(typ, snapshot.Event{TimeMS: ts.UnixMilli(), Time: ts.Format(time.RFC3339), Source: "logs", Origin: fmt.Sprintf("auth.log:%d", i), IP: fmt.Sprintf("10.0.%d.%d", i%250, i%7)})
	}
	d.Baseline = &snapshot.Baseline{Present: true, Files: map[string]string{}}
	for i := 0; i < 50*n; i++ {
		p := fmt.Sprintf("deploy/f%d.yaml", i)
		d.ConfigFiles = append(d.ConfigFiles, snapshot.ConfigFile{Path: p, SHA256: "a", Format: "text"})
		d.Baseline.Files[p] = map[bool]string{true: "a", false: "b"}[i%10 != 0]
	}
	p := &snapshot.Part{Source: "gen", Kind: "generated", Data: d}
	return &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{p}}, d.Count()
}

// genExceptions returns 20·n exceptions as the pipeline gives them to the
// engine (app.Exceptions).
func genExceptions(n int) []engine.Exception {
	var out []*config.Exception
	for i := 0; i < 20*n; i++ {
		out = append(out, &config.Exception{ExceptionRef: report.ExceptionRef{ID: fmt.Sprintf("EXC-%d", i), Metric: "high_critical_vulnerabilities", Scope: fmt.Sprintf("CVE-2026-%d|*", i), Expires: "2026-12-31"}, Status: "open", ExpiresEnd: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return app.Exceptions(out, "")
}

func newEngine(tb testing.TB) *engine.Engine {
	mods, err := engine.ParseFS(policies.FS, "policies/")
	require.NoError(tb, err)
	e, err := engine.New(context.Background(), mods, func(f string) bool { return strings.HasPrefix(f, "policies/") })
	require.NoError(tb, err)
	return e
}

var settings = engine.Settings{WindowDays: 30, InactiveDays: 90, MaxTokenLifetimeDays: 90,
	ProductionEnvironments: []string{"production"}, AutomationActors: []string{"github-actions[bot]"}, TrendTolerancePct: 10}

func TestGeneratedSnapshotEvaluates(t *testing.T) {
	e := newEngine(t)
	require.Len(t, e.Definitions, 26)
	snap, _ := genSnapshot(1)
	in, err := engine.BuildInput(snap, asOf, settings, genExceptions(1))
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	for id, r := range ev.Raw {
		require.NoError(t, r.Err, id)
	}
	// Cross-check a few values against the generator.
	require.Equal(t, 5.0, *ev.Raw["config_drift_events"].Value, "every tenth file differs from the baseline")
}

// BenchmarkEvaluate measures the whole evaluation (input build + conversion
// + every metric) and reports ns per record.
func BenchmarkEvaluate(b *testing.B) {
	e := newEngine(b)
	for _, n := range []int{1, 10} {
		snap, records := genSnapshot(n)
		excs := genExceptions(n)
		b.Run(fmt.Sprintf("scale=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				in, err := engine.BuildInput(snap, asOf, settings, excs)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.Evaluate(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(records), "ns/record")
		})
	}
}

// BenchmarkBuildInput measures the input build alone: merging the parts
// and converting the document to OPA's AST.
func BenchmarkBuildInput(b *testing.B) {
	snap, records := genSnapshot(10)
	excs := genExceptions(10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := engine.BuildInput(snap, asOf, settings, excs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(records), "ns/record")
}

// BenchmarkEvaluateCategory evaluates one category's metrics at a time
// (lib.rego plus the category's file; the compliance checks only with
// compliance_signals, whose compliance_drift reads their findings) on the
// prebuilt input at scale 10, so a change to one category's Rego can be
// compared with benchstat on its own:
//
//	go test -run '^$' -bench EvaluateCategory -count 6 ./engine/ > new.txt
func BenchmarkEvaluateCategory(b *testing.B) {
	mods, err := engine.ParseFS(policies.FS, "policies/")
	require.NoError(b, err)
	snap, _ := genSnapshot(10)
	in, err := engine.BuildInput(snap, asOf, settings, genExceptions(10))
	require.NoError(b, err)
	builtin := func(f string) bool { return strings.HasPrefix(f, "policies/") }
	for _, category := range []string{"compliance_signals", "detection_response", "identity_access", "operational_hygiene", "prevention_controls", "vulnerability_management"} {
		var subset []*engine.Module
		for _, m := range mods {
			switch {
			case m.Test:
			case strings.HasSuffix(m.Name, "/lib.rego"), strings.HasSuffix(m.Name, "/"+category+".rego"),
				category == "compliance_signals" && strings.Contains(m.Name, "/compliance/"):
				subset = append(subset, m)
			}
		}
		e, err := engine.New(context.Background(), subset, builtin)
		require.NoError(b, err)
		require.NotEmpty(b, e.Definitions, category)
		b.Run(category, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ev, err := e.Evaluate(context.Background(), in)
				if err != nil {
					b.Fatal(err)
				}
				for id, r := range ev.Raw {
					if r.Err != nil {
						b.Fatalf("%s: %v", id, r.Err)
					}
				}
			}
			b.ReportMetric(float64(len(e.Definitions)), "metrics")
		})
	}
}

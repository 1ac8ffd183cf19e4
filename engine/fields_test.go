package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/snapshot"
)

// observed compiles one module and returns the paths the analysis keeps.
func observed(t *testing.T, src string) []string {
	t.Helper()
	m, err := ast.ParseModuleWithOpts("p.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	require.NoError(t, err)
	c := ast.NewCompiler()
	c.Compile(map[string]*ast.Module{"p.rego": m})
	require.False(t, c.Failed(), "%v", c.Errors)
	// As the engine does, the public rules are queried.
	var queried []string
	for _, r := range c.Modules["p.rego"].Rules {
		if name := r.Head.Ref()[0].String(); !strings.HasPrefix(name, "_") {
			queried = append(queried, r.Ref().GroundPrefix().String())
		}
	}
	return observedFields(c, queried).Fields()
}

func TestObservedFields(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"field reads through a variable", `package p
n := count([e.origin | some e in input.events[t]; e.ts_ms > 0])`,
			[]string{"events.*.*.origin", "events.*.*.ts_ms.**"}},
		{"a record passed to a built-in is observed whole", `package p
n := count([1 | some a in input.accounts; count(a) > 2])`,
			[]string{"accounts.*.**"}},
		{"a record in a rule's output is observed whole", `package p
xs := [a | some a in input.accounts; a.mfa == false]`,
			[]string{"accounts.*.**"}},
		{"through a function's parameter", `package p
active(a) if a.status == "active"
n := count([a.login | some a in input.accounts; active(a)])`,
			[]string{"accounts.*.login", "accounts.*.status.**"}},
		{"a function returning its record observes it", `package p
id(a) := a
n := count([x | some a in input.accounts; x := id(a)])`,
			[]string{"accounts.*.**"}},
		{"through a comprehension bound to a variable", `package p
n := count([x.expires_at_ms | some x in live]) if {
	live := [t | some t in input.tokens; not t.revoked]
}`,
			[]string{"tokens.*.expires_at_ms", "tokens.*.revoked.**"}},
		{"through a rule whose value is a collection of records", `package p
_active := [e | some e in input.exceptions; e.status == "open"]
ids := {e.id | some e in _active}`,
			[]string{"exceptions.*.id.**", "exceptions.*.status.**"}},
		{"a set of records compares them whole", `package p
_prod contains d if { some d in input.deployments; d.production }
shas := {d.sha | some d in _prod}`,
			[]string{"deployments.*.**"}},
		{"a queried rule's value leaves whole", `package p
prod := [d | some d in input.deployments; d.production]`,
			[]string{"deployments.*.**"}},
		{"a ref above the rules holds their values", `package p
_x.prod := [d | some d in input.deployments; d.production]
all := data.p._x`,
			[]string{"deployments.*.**"}},
		{"object.get names the field", `package p
n := sum([object.get(e, "weight", 1) | some e in input.events.login_failed])`,
			[]string{"events.login_failed.*.weight.**"}},
		{"iterating a record's keys keeps them", `package p
n := count({k | some a in input.accounts; some k, _ in a})`,
			[]string{"accounts.*.*"}},
		{"a field that is only tested for existence is kept", `package p
n := count([1 | some i; input.tokens[i].expires_at])`,
			[]string{"tokens.*.expires_at.**"}},
		{"two tracked values unified are compared whole", `package p
n := count([1 | x := input.accounts[_].login; x = input.tokens[_].account])`,
			[]string{"accounts.*.login.**", "tokens.*.account.**"}},
		{"iterating the input's keys keeps them", `package p
n := count([1 | some k, v in input])`,
			[]string{"*"}},
		{"counting a comprehension of records needs none of their fields", `package p
n := count(live) if { live := [t | some t in input.tokens; not t.revoked] }`,
			[]string{"tokens.*.revoked.**"}},
		{"counting a record counts its fields", `package p
n := count([1 | some t in input.tokens; count(t) > 3])`,
			[]string{"tokens.*.**"}},
		{"scalar settings", `package p
n := input.window.start_ms + input.settings.inactive_cutoff_ms`,
			[]string{"settings.inactive_cutoff_ms.**", "window.start_ms.**"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, observed(t, c.src))
		})
	}
}

func TestObservedFieldsKeepEverything(t *testing.T) {
	for name, src := range map[string]string{
		"the whole input":      "package p\nx := input",
		"with input":           "package p\nx if { y with input as {} }\ny := input.a",
		"with a part of input": "package p\nx if { y with input.a as {} }\ny := input.a.b",
		"the input in a call":  "package p\nx := json.marshal(input)",
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, []string{"**"}, observed(t, src))
		})
	}
}

// The policies see the same results over the projected input as over the
// whole one, on every collection of a realistic snapshot, and fewer terms.
func TestProjectionGivesTheSameResults(t *testing.T) {
	e := builtinEngine(t)
	snap := sampleSnapshot()
	asOf := snap.AsOf
	full, err := BuildInput(snap, asOf, testSettings, nil)
	require.NoError(t, err)
	projected, err := e.Input(snap, asOf, testSettings, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, full.Doc["events"], projected.Doc["events"], "Doc stays whole")
	assert.Less(t, len(projected.Value.String()), len(full.Value.String())*2/3)

	// The events converted while the parts are read (EventStream), their
	// records released, give the same input.
	streamedSnap := sampleSnapshot()
	stream := e.EventStream(asOf, testSettings)
	for _, p := range streamedSnap.Parts {
		require.NoError(t, stream.Add(p))
		assert.Nil(t, p.Data.Events, "released")
	}
	streamed, err := e.Input(streamedSnap, asOf, testSettings, nil, nil, stream)
	require.NoError(t, err)
	assert.True(t, projected.Value.Compare(streamed.Value) == 0, "streamed input equals the projected one")

	a, err := e.Evaluate(context.Background(), full)
	require.NoError(t, err)
	for name, in := range map[string]*Input{"projected": projected, "streamed": streamed} {
		b, err := e.Evaluate(context.Background(), in)
		require.NoError(t, err)
		require.Equal(t, len(a.Raw), len(b.Raw))
		for id, ra := range a.Raw {
			assert.Equal(t, ra, b.Raw[id], name+" "+id)
		}
	}
}

var testSettings = Settings{WindowDays: 30, InactiveDays: 90, MaxTokenLifetimeDays: 90,
	ProductionEnvironments: []string{"production"}, AutomationActors: []string{"bot"}, TrendTolerancePct: 5}

func msp(t time.Time) *int64 { v := t.UnixMilli(); return &v }

func str(s string) *string { return &s }

func boolp(b bool) *bool { return &b }

func builtinEngine(t *testing.T) *Engine {
	mods, err := ParseFS(policies.FS, "policies/")
	require.NoError(t, err)
	e, err := New(context.Background(), mods, func(f string) bool { return strings.HasPrefix(f, "policies/") })
	require.NoError(t, err)
	return e
}

// sampleSnapshot has records of every built-in collection the metrics read,
// with the fields the policies do not read filled in too.
func sampleSnapshot() *snapshot.Snapshot {
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	at := func(d int) time.Time { return asOf.Add(-time.Duration(d) * 24 * time.Hour) }
	d := snapshot.Data{Events: map[string]snapshot.EventList{}}
	for i, typ := range []string{"login_failed", "login_success", "rate_limited", "ban", "tls_downgrade", "http_forbidden", "invalid_user", "authz_fail"} {
		var es []snapshot.Event
		for j := 0; j < 5+i; j++ {
			tm := at(j * 4)
			es = append(es, snapshot.Event{TimeMS: tm.UnixMilli(), Time: tm.Format(time.RFC3339), Source: "s", Origin: "log:" + typ + ":" + string(rune('a'+j)),
				IP: "198.51.100." + string(rune('1'+j%3)), User: "u", Detail: "detail text", Weight: int64(j % 2 * 3)})
		}
		d.Events[typ] = snapshot.EventsOf(es...)
	}
	for i := 0; i < 6; i++ {
		d.Accounts = append(d.Accounts, snapshot.Account{Login: "user" + string(rune('a'+i)), Role: []string{"admin", "member"}[i%2], Status: []string{"active", "suspended", ""}[i%3],
			MFA: boolp(i%2 == 0), Privileged: i%3 == 0, LastActiveAt: str(at(i * 40).Format(time.RFC3339)), LastActiveAtMS: msp(at(i * 40)), Origin: "accounts.csv:" + string(rune('2'+i)), Source: "s", System: "idp"})
		d.Tokens = append(d.Tokens, snapshot.Token{ID: "t" + string(rune('a'+i)), Account: "user" + string(rune('a'+i)), CreatedAtMS: msp(at(i * 30)), ExpiresAtMS: msp(at(-i * 50)), Revoked: i == 4, Origin: "tokens.csv:" + string(rune('2'+i)), Source: "s"})
		d.Incidents = append(d.Incidents, snapshot.Incident{ID: "INC-" + string(rune('1'+i)), Severity: []string{"sev1", "sev2"}[i%2], StartedAtMS: msp(at(i + 2)), DetectedAtMS: msp(at(i + 1)), ResolvedAtMS: msp(at(i)), Origin: "inc.csv:" + string(rune('2'+i)), Source: "s", Title: "t"})
		d.Alerts = append(d.Alerts, snapshot.Alert{ID: "A" + string(rune('1'+i)), FiredAtMS: msp(at(i)), IncidentID: []string{"INC-1", ""}[i%2], Origin: "alerts.csv:" + string(rune('2'+i)), Source: "s"})
		d.Deployments = append(d.Deployments, snapshot.Deployment{ID: string(rune('1' + i)), Repo: "org/api", Environment: []string{"production", "staging"}[i%2], SHA: "sha" + string(rune('a'+i%3)),
			Creator: []string{"alice", "bot"}[i%2], Task: "deploy", Status: []string{"success", "failure"}[i%3/2], CreatedAtMS: msp(at(i)), Origin: "gh:" + string(rune('1'+i)), Source: "s"})
		d.Vulnerabilities = append(d.Vulnerabilities, snapshot.Vulnerability{ID: "CVE-2026-" + string(rune('1'+i)), Key: "CVE-2026-" + string(rune('1'+i)) + "|img", Severity: []string{"critical", "high", "low"}[i%3],
			State: []string{"open", "fixed"}[i%2], FirstSeenMS: msp(at(i * 10)), Origin: "trivy.json:" + string(rune('1'+i)), Source: "s", Package: "openssl", Version: "1.0", Scanner: "trivy"})
		d.AuditFindings = append(d.AuditFindings, snapshot.AuditFinding{ID: "F" + string(rune('1'+i)), Status: []string{"open", "closed"}[i%2], OpenedAtMS: msp(at(i * 20)), Origin: "audit.csv:" + string(rune('2'+i)), Source: "s", Title: "x"})
	}
	return &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{{Source: "s", Kind: "sample", Data: d}}}
}

// A custom policy reading a field no built-in metric reads gets it.
func TestProjectionKeepsWhatCustomPoliciesRead(t *testing.T) {
	mods, err := ParseFS(policies.FS, "policies/")
	require.NoError(t, err)
	custom, err := parse("custom/detail.rego", []byte(`package custom

# METADATA
# title: Detailed failures
# custom:
#   id: detailed_failures
#   category: prevention_controls
#   unit: count
#   inputs: [events.login_failed]
detailed_failures := {"value": count(xs), "items": count(xs), "records": xs} if {
	xs := [e.origin | some e in input.events.login_failed; e.detail == "detail text"; e.user == "u"]
}
`))
	require.NoError(t, err)
	e, err := New(context.Background(), append(mods, custom), func(f string) bool { return strings.HasPrefix(f, "policies/") })
	require.NoError(t, err)
	assert.Contains(t, e.ObservedFields(), "events.login_failed.*.detail.**")
	in, err := e.Input(sampleSnapshot(), sampleSnapshot().AsOf, testSettings, nil, nil, nil)
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	r := ev.Raw["detailed_failures"]
	require.NoError(t, r.Err)
	assert.Equal(t, 5.0, *r.Value) // the five login_failed events, all in the window
}

func TestInternerSharesRepeatedValuesAndStopsOnUniqueOnes(t *testing.T) {
	var in interner
	a, b := in.term("open"), in.term(strings.Clone("open"))
	assert.Same(t, a, b, "equal values share one term")
	assert.Equal(t, ast.String("open"), a.Value)
	for i := 0; i < maxInterned; i++ {
		in.term(fmt.Sprintf("origin:%d", i))
	}
	assert.True(t, in.off.Load(), "a field of unique values stops being interned")
	assert.Nil(t, in.m, "and its map is dropped")
	c, d := in.term("open"), in.term("open")
	assert.NotSame(t, c, d)
	assert.Equal(t, c.Value, d.Value)
}

package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

type stubCfg struct {
	Mode string `hcl:"mode"`
}

type stub struct{ mode string }

func (s stub) Collect(_ context.Context, env sources.Env) (*sources.Result, error) {
	switch s.mode {
	case "panic":
		panic("boom")
	case "error":
		return nil, errors.New("upstream said no")
	}
	return &sources.Result{Notes: []string{"collected as " + env.ID()}}, nil
}

func init() {
	sources.Register(sources.Kind{
		Name:  "accounts_stub",
		Build: sources.Typed(func(c *stubCfg) (stub, error) { return stub{mode: c.Mode}, nil }),
	})
	sources.Register(sources.Kind{
		Name:  "alerts_stub",
		Build: sources.Typed(func(c *stubCfg) (stub, error) { return stub{mode: c.Mode}, nil }),
	})
}

const cfg = `project = "t"
owner "o" {}
category "detection_response"       { owner = "o" }
category "prevention_controls"      { owner = "o" }
category "identity_access"          { owner = "o" }
category "vulnerability_management" { owner = "o" }
category "operational_hygiene"      { owner = "o" }
category "compliance_signals"       { owner = "o" }
source "accounts_stub" "crashes" { mode = "panic" }
source "accounts_stub" "fails"   { mode = "error" }
source "accounts_stub" "works"   { mode = "ok" }
`

func TestCollectIsolatesFailingSources(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(cfg), 0o644))
	a, err := Load(context.Background(), p)
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var reported []string
	snap := a.Collect(context.Background(), asOf, func(p *snapshot.Part, _ time.Duration) { reported = append(reported, p.Source) })
	assert.ElementsMatch(t, []string{"crashes", "fails", "works"}, reported, "one progress line per source")
	require.Len(t, snap.Parts, 3)
	byName := map[string]string{}
	for _, p := range snap.Parts {
		byName[p.Source] = p.Error
		sum, err := p.Digest()
		require.NoError(t, err)
		assert.Len(t, sum, 64)
	}
	assert.Contains(t, byName["crashes"], `source accounts_stub.crashes crashed: boom`)
	assert.Equal(t, "upstream said no", byName["fails"])
	assert.Empty(t, byName["works"])

	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	status := map[string]report.Status{}
	for _, m := range r.Metrics {
		status[m.ID] = m.Status
	}
	assert.Equal(t, report.StatusError, status["compliance_drift"], "runs over the whole snapshot: needs every source")
	assert.Equal(t, report.StatusTracked, status["open_exceptions"], "fed by the config, not by a source")
	assert.Equal(t, report.StatusUnmeasured, status["privileged_accounts"], "the stub kind feeds no metric")
}

// Parts are ordered by (kind, name) whatever the order of the blocks, and
// each source knows its kind: two sources may share a name.
func TestCollectOrdersPartsByKindAndName(t *testing.T) {
	body := strings.Join(strings.SplitAfter(cfg, "\n")[:8], "") + `
source "alerts_stub" "b"   { mode = "ok" }
source "accounts_stub" "b" { mode = "ok" }
source "alerts_stub" "a"   { mode = "ok" }
source "accounts_stub" "c" { mode = "ok" }
`
	dir := t.TempDir()
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	a, err := Load(context.Background(), p)
	require.NoError(t, err)
	snap := a.Collect(context.Background(), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), nil)
	var ids, notes []string
	for _, p := range snap.Parts {
		ids = append(ids, p.ID())
		notes = append(notes, p.Notes...)
	}
	want := []string{"accounts_stub.b", "accounts_stub.c", "alerts_stub.a", "alerts_stub.b"}
	assert.Equal(t, want, ids)
	assert.Equal(t, []string{"collected as accounts_stub.b", "collected as accounts_stub.c", "collected as alerts_stub.a", "collected as alerts_stub.b"}, notes)

	// A stored snapshot reads back in the same order.
	out := filepath.Join(dir, "snap")
	_, err = snapshot.Write(out, "t", &snapshot.Snapshot{AsOf: snap.AsOf, Parts: []*snapshot.Part{snap.Parts[3], snap.Parts[1], snap.Parts[2], snap.Parts[0]}})
	require.NoError(t, err)
	back, _, err := snapshot.Read(out)
	require.NoError(t, err)
	ids = ids[:0]
	for _, p := range back.Parts {
		ids = append(ids, p.ID())
	}
	assert.Equal(t, want, ids)
}

// The config's title heads the dashboard and the Markdown report; without
// one they read "<project> security posture". No product phase is
// hard-coded in any rendered output.
func TestTitleReachesTheRenderedReports(t *testing.T) {
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	render := func(t *testing.T, config string) (md, index string) {
		t.Helper()
		dir := t.TempDir()
		p := filepath.Join(dir, "posture.hcl")
		require.NoError(t, os.WriteFile(p, []byte(config), 0o644))
		a, err := Load(context.Background(), p)
		require.NoError(t, err)
		r, _, err := a.Evaluate(context.Background(), a.Collect(context.Background(), asOf, nil), asOf, false)
		require.NoError(t, err)
		_, mdB, err := publish.Dated(r)
		require.NoError(t, err)
		indexB, _, err := publish.Derived([]*report.Report{r})
		require.NoError(t, err)
		for _, out := range [][]byte{mdB, indexB} {
			assert.NotContains(t, string(out), "PHASE-38")
		}
		return string(mdB), string(indexB)
	}

	md, index := render(t, cfg)
	assert.True(t, strings.HasPrefix(md, "# t security posture — 2026-11-27\n"), md[:80])
	assert.Contains(t, index, "<h1>t security posture</h1>")

	md, index = render(t, strings.Replace(cfg, `project = "t"`, "project = \"t\"\ntitle = \"LocalizeVideos security KPIs\"", 1))
	assert.True(t, strings.HasPrefix(md, "# LocalizeVideos security KPIs — 2026-11-27\n"), md[:80])
	assert.Contains(t, index, "<h1>LocalizeVideos security KPIs</h1>")
	assert.Contains(t, index, "<title>LocalizeVideos security KPIs · 2026-11-27</title>")
	assert.NotContains(t, index, "security posture")
}

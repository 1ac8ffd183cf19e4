package app_test

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
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// A source kind that brings a new collection needs its own package, one
// registration and the policies that read it: this test is such a package
// (the widget kind, its collection "widgets" and a metric reading
// input.widgets), with no change to the engine, the ledger or the snapshot.

// widget is the record of the new collection.
type widget struct {
	Name   string `json:"name"`
	Broken bool   `json:"broken"`
	Source string `json:"source"`
	Origin string `json:"origin"`
}

var widgets = snapshot.NewCollection[widget]("widgets")

type widgetConfig struct {
	Names  []string `hcl:"names"`
	Broken []string `hcl:"broken,optional"`
	Fail   bool     `hcl:"fail,optional"`
}

type widgetSource struct{ cfg *widgetConfig }

func (s *widgetSource) Collect(_ context.Context, env sources.Env) (*sources.Result, error) {
	if s.cfg.Fail {
		return nil, os.ErrNotExist
	}
	res := &sources.Result{}
	for _, n := range s.cfg.Names {
		broken := false
		for _, b := range s.cfg.Broken {
			broken = broken || b == n
		}
		widgets.Add(&res.Data, widget{Name: n, Broken: broken, Source: env.ID(), Origin: "widget:" + n})
	}
	return res, nil
}

func init() {
	sources.Register(sources.Kind{
		Name:        "widget_list",
		Summary:     "widgets (test only)",
		Collections: []snapshot.Provided{{Collection: widgets.Name()}},
		Build:       sources.Typed(func(c *widgetConfig) (*widgetSource, error) { return &widgetSource{cfg: c}, nil }),
	})
}

const widgetPolicy = `package custom.widgets

import rego.v1

# METADATA
# title: Broken widgets
# description: Widgets whose broken flag is set.
# custom:
#   id: broken_widgets
#   category: operational_hygiene
#   unit: count
#   target:
#     max: 0
#   gate: false
#   inputs: [widgets]
broken_widgets := {"value": count(rows), "items": count(rows), "records": sort(rows), "waived": []} if {
	rows := [w.origin | some w in input.widgets; w.broken]
}
`

const widgetConfigHead = `project = "w"
policies = ["policies"]
owner "o" {}
category "detection_response"       { owner = "o" }
category "prevention_controls"      { owner = "o" }
category "identity_access"          { owner = "o" }
category "vulnerability_management" { owner = "o" }
category "operational_hygiene"      { owner = "o" }
category "compliance_signals"       { owner = "o" }
`

func evalWidgets(t *testing.T, sourcesHCL string) (report.Metric, *snapshot.Snapshot) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "policies"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "policies", "widgets.rego"), []byte(widgetPolicy), 0o644))
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(widgetConfigHead+sourcesHCL), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	snap := a.Collect(context.Background(), asOf, nil)
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	for _, m := range r.Metrics {
		if m.ID == "broken_widgets" {
			return m, snap
		}
	}
	t.Fatal("broken_widgets is not in the report")
	return report.Metric{}, nil
}

func TestNewCollectionEndToEnd(t *testing.T) {
	m, snap := evalWidgets(t, `
source "widget_list" "shop" {
  names  = ["a", "b", "c"]
  broken = ["b"]
}
source "widget_list" "lab" {
  names  = ["d"]
  broken = ["d"]
}
`)
	assert.Equal(t, report.StatusFail, m.Status)
	require.NotNil(t, m.Value)
	assert.Equal(t, 2.0, *m.Value)
	assert.Equal(t, []string{"widget:b", "widget:d"}, m.Evidence.Records)
	assert.Equal(t, []string{"widget_list.lab", "widget_list.shop"}, m.Sources)

	// The collection is counted, written and read back with the snapshot.
	dir := filepath.Join(t.TempDir(), "snap")
	man, err := snapshot.Write(dir, "w", snap)
	require.NoError(t, err)
	records := 0
	for _, e := range man.Sources {
		records += e.Records
	}
	assert.Equal(t, 4, records)
	back, _, err := snapshot.Read(dir)
	require.NoError(t, err)
	var names []string
	for _, p := range back.Parts {
		for _, w := range widgets.Of(&p.Data) {
			names = append(names, w.Name)
		}
	}
	assert.Equal(t, []string{"d", "a", "b", "c"}, names, "parts by (kind, name): lab before shop")
	for i, p := range back.Parts {
		assert.Equal(t, snap.Parts[i].SHA256, p.SHA256)
	}
}

func TestNewCollectionUnmeasuredAndFailed(t *testing.T) {
	m, _ := evalWidgets(t, "")
	assert.Equal(t, report.StatusUnmeasured, m.Status, "no source provides widgets")

	m, _ = evalWidgets(t, `
source "widget_list" "shop" {
  names = ["a"]
  fail  = true
}
`)
	assert.Equal(t, report.StatusError, m.Status)
	assert.Equal(t, "source failed: widget_list.shop", m.Error)
}

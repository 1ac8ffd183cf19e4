package app

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/report"
)

func TestExceptionsCompileScopesAndKeepOrigins(t *testing.T) {
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	excs := Exceptions([]*config.Exception{{ExceptionRef: report.ExceptionRef{ID: "E-1", Metric: "orphaned_accounts", Scope: "okta/svc-*", Owner: "iam", ApprovedBy: "ciso", Expires: "2026-12-31"}, Reason: "service accounts", ExpiresEnd: end, Status: "open", Range: hcl.Range{Filename: "exceptions.hcl", Start: hcl.Pos{Line: 3, Column: 1}, End: hcl.Pos{Line: 3, Column: 20}}}}, "")
	require.Len(t, excs, 1)
	assert.Equal(t, engine.Exception{ExceptionRef: report.ExceptionRef{ID: "E-1", Metric: "orphaned_accounts", Scope: "okta/svc-*", Owner: "iam", ApprovedBy: "ciso", Expires: "2026-12-31"}, ScopeRegex: `^okta/svc-(?s:.*)$`, ScopePrefix: "okta/svc-", Reason: "service accounts", ExpiresEnd: end, Status: "open", Origin: "exceptions.hcl:3,1-20", Declared: "exceptions.hcl:3"}, excs[0])
	assert.Empty(t, Exceptions(nil, ""))

	// Declared is relative to the config's folder when the file is inside it.
	dir := t.TempDir()
	in := Exceptions([]*config.Exception{{ExceptionRef: report.ExceptionRef{ID: "E-2"}, Range: hcl.Range{Filename: filepath.Join(dir, "policy", "exceptions.hcl"), Start: hcl.Pos{Line: 7, Column: 1}}}}, dir)
	assert.Equal(t, "policy/exceptions.hcl:7", in[0].Declared)
	out := Exceptions([]*config.Exception{{ExceptionRef: report.ExceptionRef{ID: "E-3"}, Range: hcl.Range{Filename: "/elsewhere/exceptions.hcl", Start: hcl.Pos{Line: 2, Column: 1}}}}, dir)
	assert.Equal(t, "/elsewhere/exceptions.hcl:2", out[0].Declared)
}

func TestSettingsFromTheConfig(t *testing.T) {
	c := &config.Config{WindowDays: 7, InactiveDays: 60, MaxTokenLifetimeDays: 30,
		ProductionEnvironments: []string{"prod"}, AutomationActors: []string{"bot"}, TrendTolerancePct: 5}
	assert.Equal(t, engine.Settings{WindowDays: 7, InactiveDays: 60, MaxTokenLifetimeDays: 30,
		ProductionEnvironments: []string{"prod"}, AutomationActors: []string{"bot"}, TrendTolerancePct: 5}, Settings(c))
}

func TestResolveAppliesOwnersTargetsAndGates(t *testing.T) {
	ptr := func(v float64) *float64 { return &v }
	owner, gate, trend := "appsec", false, "down"
	defs := []*engine.Definition{
		{ID: "a", Category: "identity_access", Target: report.Target{Max: ptr(0)}, Gate: true, Better: "down"},
		{ID: "b", Category: "identity_access", Target: report.Target{Min: ptr(95)}, Better: "up"},
	}
	cfg := &config.Config{
		Categories: []*config.Category{{Name: "identity_access", Owner: "iam"}},
		Metrics:    []*config.MetricOverride{{ID: "b", Owner: &owner, Gate: &gate, Target: &config.Target{Max: ptr(3), Trend: &trend}}},
	}
	res, err := Resolve(cfg, defs)
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.Equal(t, "iam", res[0].Owner)
	assert.True(t, res[0].Gate)
	assert.Equal(t, report.Target{Max: ptr(0)}, res[0].Target, "no metric block: the catalogue default")
	assert.Equal(t, "appsec", res[1].Owner)
	assert.False(t, res[1].Gate)
	assert.Equal(t, report.Target{Max: ptr(3), Trend: "down"}, res[1].Target, "a configured target replaces the default as a whole")
	assert.Equal(t, "up", res[1].Better, "the catalogue's direction stays")

	cfg.Categories = nil
	cfg.Metrics = append(cfg.Metrics, &config.MetricOverride{ID: "nope"})
	_, err = Resolve(cfg, defs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"nope" is not in the catalogue`)
	assert.Contains(t, err.Error(), "Metrics without an owner")
}

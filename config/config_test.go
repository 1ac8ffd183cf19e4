package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/sources"
)

type fakeCfg struct {
	Paths []string `hcl:"paths"`
}

func init() {
	sources.Register(sources.Kind{
		Name:  "fake_log",
		Build: sources.Typed(func(*fakeCfg) (sources.Source, error) { return nil, nil }),
	})
	sources.Register(sources.Kind{
		Name:  "fake_err",
		Build: sources.Typed(func(*fakeCfg) (sources.Source, error) { return nil, nil }),
	})
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

const good = `
project = "LocalizeVideos"
window_days = 14
reports_dir = "out/reports"
exceptions = ["exceptions.hcl"]
automation_actors = ["github-actions[bot]"]

owner "security" { github = ["sec-lead"] }
owner "platform" { github = ["plat-oncall", "sre-lead"] }
category "identity_access" { owner = "security" }

metric "privileged_accounts" {
  owner = "platform"
  gate  = true
  target { max = 5 }
}

source "fake_log" "a" { paths = ["a.log"] }
source "fake_log" "b" { paths = ["b.log"] }

exception "INLINE-1" {
  metric = "orphaned_accounts"
  scope = "okta/*"
  reason = "r"
  owner = "security"
  expires = "2026-12-31"
}
`

const goodExceptions = `
exception "EXC-007" {
  metric      = "security_header_drift"
  scope       = "https://legacy.localizevideos.example/#csp"
  reason      = "legacy player"
  owner       = "platform"
  approved_by = "ciso"
  expires     = "2026-12-31"
  status      = "Closed"
}
`

func TestLoadGood(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "posture.hcl", good)
	write(t, dir, "exceptions.hcl", goodExceptions)
	c, err := config.Load(p)
	require.NoError(t, err)
	assert.Equal(t, "LocalizeVideos", c.Project)
	assert.Equal(t, 14, c.WindowDays)
	assert.Equal(t, 90, c.InactiveDays, "default")
	assert.Equal(t, config.DefaultEvidenceLimit, c.EvidenceLimit, "default")
	assert.False(t, c.CommitSnapshots, "snapshots stay out of git by default")
	assert.Equal(t, []string{"production", "prod"}, c.ProductionEnvironments, "default")
	assert.Equal(t, filepath.Join(dir, "out/reports"), c.ReportsDir, "relative to the config's folder")
	assert.Equal(t, filepath.Join(dir, "security/snapshots"), c.SnapshotsDir)
	require.Len(t, c.Sources, 2, "two sources of one kind coexist")
	m := c.Metric("privileged_accounts")
	require.NotNil(t, m)
	assert.Equal(t, "platform", *m.Owner)
	assert.True(t, *m.Gate)
	require.NotNil(t, m.Target.Max)
	assert.Equal(t, 5.0, *m.Target.Max)
	assert.Nil(t, m.Target.Min, "a target block replaces the default as a whole")
	require.Len(t, c.Exceptions, 2)
	assert.Equal(t, "INLINE-1", c.Exceptions[0].ID)
	assert.Equal(t, "open", c.Exceptions[0].Status, "status defaults to open")
	e := c.Exceptions[1]
	assert.Equal(t, "closed", e.Status, "status compared case-insensitively")
	assert.Equal(t, "2026-12-31", e.Expires)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), e.ExpiresEnd, "valid through the whole day")
}

func TestExceptionActiveThroughExpiryDay(t *testing.T) {
	e := &config.Exception{Status: "open", ExpiresEnd: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	assert.True(t, e.Active(time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)))
	assert.False(t, e.Active(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	e.Status = "closed"
	assert.False(t, e.Active(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"syntax", "project = \"x\"\nowner \"a\" {\n", "posture.hcl:2"},
		{"unknown attribute", "project = \"x\"\nbogus = 1\n", "posture.hcl:2,1-6: Unsupported argument"},
		{"wrong type", "project = \"x\"\nwindow_days = \"many\"\n", "posture.hcl:2,16-20: Unsuitable value type"},
		{"unknown source kind", "project = \"x\"\n\nsource \"carrier_pigeon\" \"x\" { paths = [] }\n", "posture.hcl:3,8-24: Unknown source kind"},
		{"unknown owner", "project = \"x\"\ncategory \"identity_access\" { owner = \"nobody\" }\n", "posture.hcl:2,1-27: Unknown owner"},
		{"missing project", "window_days = 3\n", "Missing required argument"},
		{"source attribute", "project = \"x\"\nsource \"fake_log\" \"a\" {\n  paths = [\"a\"]\n  colour = 1\n}\n", "posture.hcl:4,3-9: Unsupported argument"},
		{"negative window", "project = \"x\"\nwindow_days = -1\n", "posture.hcl:2,15-17: Invalid value"},
		{"zero evidence_limit", "project = \"x\"\nevidence_limit = 0\n", "posture.hcl:2,18-19: Invalid value; evidence_limit must be a positive number of records"},
		{"bad trend", "project = \"x\"\nmetric \"m\" {\n target { trend = \"sideways\" }\n}\n", "posture.hcl:3,2-8: Invalid trend"},
		{"duplicate source", "project = \"x\"\nsource \"fake_log\" \"a\" { paths = [\"a\"] }\nsource \"fake_log\" \"a\" { paths = [\"a\"] }\n", "posture.hcl:3,1-22: Duplicate source block"},
		{"missing exceptions file", "project = \"x\"\nexceptions = [\"nope.hcl\"]\n", "posture.hcl:2,14-26: Exceptions file not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := write(t, dir, "posture.hcl", tc.body)
			_, err := config.Load(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestExceptionErrors(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"missing expires", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n}\n", "exceptions.hcl:1,16-16: Missing required argument; The argument \"expires\" is required"},
		{"missing reason", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  owner = \"o\"\n  expires = \"2026-01-01\"\n}\n", "The argument \"reason\" is required"},
		{"bad date", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n  expires = \"soon\"\n}\n", "exceptions.hcl:6,13-19: Invalid expires date"},
		{"bad status", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n  expires = \"2026-01-01\"\n  status = \"maybe\"\n}\n", "exceptions.hcl:7,12-19: Invalid status"},
		{"duplicate", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n  expires = \"2026-01-01\"\n}\nexception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n  expires = \"2026-01-01\"\n}\n", "exceptions.hcl:8,1-15: Duplicate exception"},
		{"unknown attribute", "exception \"E1\" {\n  metric = \"m\"\n  scope = \"s\"\n  reason = \"r\"\n  owner = \"o\"\n  expires = \"2026-01-01\"\n  ticket = \"X\"\n}\n", "exceptions.hcl:7,3-9: Unsupported argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := write(t, dir, "exceptions.hcl", tc.body)
			_, err := config.LoadExceptions(p, "exceptions.hcl")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestScopeRegex(t *testing.T) {
	cases := []struct {
		pattern, scope string
		match          bool
	}{
		{"okta/*", "okta/svc-backup", true},
		{"*", "https://a.example/x#csp", true},
		{"https://*.example/#csp", "https://legacy.a.example/#csp", true}, // * crosses '.' and '/'
		{"https://legacy.example/#csp", "https://legacyXexample/#csp", false},
		{"CVE-2024-?|*", "CVE-2024-1|openssl|img", true},
		{"CVE-2024-?|*", "CVE-2024-12|openssl|img", false}, // '?' is exactly one character
		{"CVE-2024-?", "CVE-2024-12", false},
		{"a[b]c", "a[b]c", true},
		{"a[b]c", "abc", false},
		{"okta/*", "aws/okta/x", false},
	}
	for _, tc := range cases {
		re := config.ScopeRegex(tc.pattern)
		ok := strings.HasPrefix(re, "^") && strings.HasSuffix(re, "$")
		require.True(t, ok)
		assert.Equal(t, tc.match, mustMatch(t, re, tc.scope), "%s ~ %s", tc.pattern, tc.scope)
	}
}

func TestDuplicateExceptionAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "posture.hcl", good)
	write(t, dir, "exceptions.hcl", strings.Replace(goodExceptions, "EXC-007", "INLINE-1", 1))
	_, err := config.Load(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `exception "INLINE-1" was already declared at`)
}

func mustMatch(t *testing.T, re, s string) bool {
	t.Helper()
	return regexp.MustCompile(re).MatchString(s)
}

// A source is identified by its kind and its name, as Terraform's two-label
// blocks: two kinds may use the same name.
func TestSourcesAreIdentifiedByKindAndName(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "posture.hcl", `project = "x"
source "fake_log" "edge" { paths = ["access.log"] }
source "fake_err" "edge" { paths = ["error.log"] }
`)
	c, err := config.Load(p)
	require.NoError(t, err)
	require.Len(t, c.Sources, 2)
	assert.Equal(t, "fake_log.edge", c.Sources[0].ID())
	assert.Equal(t, "fake_err.edge", c.Sources[1].ID())
}

// Only a repeated (kind, name) pair is an error, and it names both blocks.
func TestRepeatedSourcePairNamesBothBlocks(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "posture.hcl", `project = "x"
source "fake_log" "edge" { paths = ["a.log"] }
source "fake_err" "edge" { paths = ["b.log"] }

source "fake_log" "edge" {
  paths = ["c.log"]
}
`)
	_, err := config.Load(p)
	require.Error(t, err)
	var ce *config.Error
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Diags, 1, "the other kind's edge is no duplicate: %v", err)
	assert.Contains(t, err.Error(), `posture.hcl:5,1-25: Duplicate source block; source "fake_log" "edge" is already declared at `)
	assert.Contains(t, err.Error(), `posture.hcl:2,1-25 (a source is identified by its kind and name)`)
}

func TestAutomationActorsDefault(t *testing.T) {
	cases := []struct {
		name, attr string
		want       []string
	}{
		{"not given", "", []string{"github-actions[bot]"}},
		{"explicit empty list", "automation_actors = []\n", []string{}},
		{"explicit list", "automation_actors = [\"deploy-bot\"]\n", []string{"deploy-bot"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := write(t, dir, "posture.hcl", "project = \"x\"\n"+tc.attr)
			c, err := config.Load(p)
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.AutomationActors)
		})
	}
}

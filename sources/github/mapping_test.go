package github

import (
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBody(t *testing.T) {
	for _, tc := range []struct {
		name, body        string
		started, detected string
	}{
		{"plain lines", "Started: 2026-11-01T08:00:00Z\nDetected: 2026-11-01T09:00:00Z", "2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"},
		{"crlf, case, 'at'", "started at: 2026-11-01T08:00:00Z\r\nDETECTED AT:2026-11-01T09:00:00Z\r\n", "2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"},
		{"markdown emphasis and lists", "- **Started:** 2026-11-01T08:00:00Z\n* __Detected__: `2026-11-01T09:00:00Z`", "2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"},
		{"block quote", "> Started: 2026-11-01T08:00:00Z", "2026-11-01T08:00:00Z", ""},
		{"issue form", "### Summary\n\nDisk full\n\n### Started at\n\n2026-11-01T08:00:00Z\n\n### Detected at\n\n2026-11-01T09:00:00Z\n", "2026-11-01T08:00:00Z", "2026-11-01T09:00:00Z"},
		{"issue form without response", "### Started at\n\n_No response_\n\n### Detected at\n\n2026-11-01T09:00:00Z", "", "2026-11-01T09:00:00Z"},
		{"issue form: empty section then heading", "### Started at\n\n### Detected at\n\n2026-11-01T09:00:00Z", "", "2026-11-01T09:00:00Z"},
		{"first wins", "Started: 2026-11-01T08:00:00Z\nStarted: 2026-11-02T08:00:00Z", "2026-11-01T08:00:00Z", ""},
		{"words mentioning started are not fields", "We started the rollback at 10:00.\nThe alert was detected quickly.", "", ""},
		{"other headings ignored", "## Timeline\nStarted: 2026-11-01T08:00:00Z", "2026-11-01T08:00:00Z", ""},
		{"empty", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ParseBody(tc.body)
			assert.Equal(t, tc.started, f.Started)
			assert.Equal(t, tc.detected, f.Detected)
		})
	}
}

func TestSeverityFromLabels(t *testing.T) {
	for _, tc := range []struct {
		labels    []string
		raw, norm string
	}{
		{[]string{"incident", "SEV-1"}, "SEV-1", "sev1"},
		{[]string{"sev 2"}, "sev 2", "sev2"},
		{[]string{"Sev3"}, "Sev3", "sev3"},
		{[]string{"severity: sev4"}, "severity: sev4", "sev4"},
		{[]string{"sev3", "SEV-2"}, "SEV-2", "sev2"},
		{[]string{"sev5", "severe", "sev"}, "", ""},
		{nil, "", ""},
	} {
		raw, norm := SeverityFromLabels(tc.labels)
		assert.Equal(t, tc.raw, raw, "%v", tc.labels)
		assert.Equal(t, tc.norm, norm, "%v", tc.labels)
	}
}

func TestNormalizeReason(t *testing.T) {
	for in, want := range map[string]string{
		"false positive": "false_positive", "false_positive": "false_positive", "False Positive": "false_positive",
		"won't fix": "wont_fix", "wont_fix": "wont_fix", "used in tests": "used_in_tests",
		"tolerable_risk": "tolerable_risk", "": "", " no-bandwidth ": "no_bandwidth",
	} {
		assert.Equal(t, want, NormalizeReason(in), in)
	}
}

func tsp(t time.Time) *gh.Timestamp { return &gh.Timestamp{Time: t} }

func TestSecretScanningStates(t *testing.T) {
	c := &collector{name: "org", apiURL: "https://api.github.com"}
	r := repoRef{"acme", "web"}
	for _, tc := range []struct {
		state, resolution string
		want, reason      string
		fixed             bool
	}{
		{"open", "", "open", "", false},
		{"resolved", "revoked", "fixed", "", true},
		{"resolved", "", "fixed", "", true},
		{"resolved", "false_positive", "dismissed", "false_positive", false},
		{"resolved", "wont_fix", "dismissed", "wont_fix", false},
		{"resolved", "used_in_tests", "dismissed", "used_in_tests", false},
		{"resolved", "pattern_edited", "dismissed", "pattern_edited", false},
		{"resolved", "pattern_deleted", "dismissed", "pattern_deleted", false},
	} {
		a := &gh.SecretScanningAlert{
			Number: gh.Int(3), State: gh.String(tc.state), SecretType: gh.String("npm_access_token"),
			CreatedAt: tsp(now0.Add(-time.Hour)), ResolvedAt: tsp(now0), Secret: gh.String("npm_SECRET"),
		}
		if tc.resolution != "" {
			a.Resolution = gh.String(tc.resolution)
		}
		v := c.fromSecretScanning(r, a)
		assert.Equal(t, tc.want, v.State, tc.resolution)
		assert.Equal(t, tc.reason, v.DismissedFor, tc.resolution)
		assert.Equal(t, tc.fixed, v.FixedAt != nil, tc.resolution)
		assert.Equal(t, "critical", v.Severity)
		assert.Equal(t, "secret:npm_access_token|npm_access_token|acme/web", v.Key)
		assert.Equal(t, "https://api.github.com/repos/acme/web/secret-scanning/alerts/3", v.Origin, "no html_url: API URL")
		assert.NotContains(t, v.Title+v.Key+v.Package+v.ID, "SECRET")
	}
}

func TestCodeScanningSeverityAndStates(t *testing.T) {
	for _, tc := range []struct {
		level, sev, ruleSev, want string
	}{
		{"critical", "error", "", "critical"},
		{"", "error", "", "high"},
		{"", "warning", "", "medium"},
		{"", "note", "", "low"},
		{"", "none", "", "low"},
		{"", "", "error", "high"},
		{"", "", "", "unknown"},
	} {
		a := &gh.Alert{Rule: &gh.Rule{SecuritySeverityLevel: strOrNil(tc.level), Severity: strOrNil(tc.sev)}, RuleSeverity: strOrNil(tc.ruleSev)}
		assert.Equal(t, tc.want, codeScanningSeverity(a), "%+v", tc)
	}

	c := &collector{name: "org", apiURL: "https://ghe.example.com/api/v3"}
	r := repoRef{"acme", "web"}
	v := c.fromCodeScanning(r, &gh.Alert{Number: gh.Int(4), RuleID: gh.String("go/sql-injection"), State: gh.String("closed"), ClosedAt: tsp(now0)})
	assert.Equal(t, "fixed", v.State)
	require.NotNil(t, v.FixedAt)
	assert.Equal(t, "go/sql-injection", v.ID)
	assert.Equal(t, "https://ghe.example.com/api/v3/repos/acme/web/code-scanning/alerts/4", v.Origin)
	v = c.fromCodeScanning(r, &gh.Alert{Number: gh.Int(5), State: gh.String("closed"), DismissedReason: gh.String("won't fix")})
	assert.Equal(t, "dismissed", v.State)
	assert.Equal(t, "wont_fix", v.DismissedFor)
	assert.Equal(t, "code-scanning-5", v.ID)
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func TestDependabotFallbacks(t *testing.T) {
	c := &collector{name: "org", apiURL: "https://api.github.com"}
	r := repoRef{"acme", "web"}
	v := c.fromDependabot(r, &gh.DependabotAlert{
		Number: gh.Int(9), State: gh.String("open"),
		SecurityAdvisory:      &gh.DependabotSecurityAdvisory{CVEID: gh.String("CVE-2026-0001")},
		SecurityVulnerability: &gh.AdvisoryVulnerability{Package: &gh.VulnerabilityPackage{Name: gh.String("left-pad")}, Severity: gh.String("low")},
	})
	assert.Equal(t, "CVE-2026-0001|left-pad|acme/web", v.Key)
	assert.Equal(t, "low", v.Severity)
	assert.Nil(t, v.FirstSeen)
	v = c.fromDependabot(r, &gh.DependabotAlert{Number: gh.Int(10)})
	assert.Equal(t, "dependabot-10||acme/web", v.Key)
	assert.Equal(t, "unknown", v.Severity)
	assert.Equal(t, "open", v.State)
}

func TestIssueMapping(t *testing.T) {
	c := &collector{name: "org", apiURL: "https://api.github.com"}
	r := repoRef{"acme", "web"}
	created := now0.Add(-48 * time.Hour)
	closed := now0.Add(-24 * time.Hour)
	is := &gh.Issue{Number: gh.Int(7), Title: gh.String("x"), State: gh.String("closed"), StateReason: gh.String("completed"),
		CreatedAt: tsp(created), ClosedAt: tsp(closed), Body: gh.String("Started: yesterday-ish\nDetected: soon")}
	in, ok, notes := c.fromIssue(r, is)
	require.True(t, ok)
	assert.Nil(t, in.StartedAt)
	require.NotNil(t, in.DetectedAt)
	assert.Equal(t, created.UnixMilli(), *in.DetectedAtMS)
	assert.Equal(t, closed.UnixMilli(), *in.ResolvedAtMS)
	assert.Equal(t, []string{
		`acme/web#7: started at "yesterday-ish" is not a time: left unknown`,
		`acme/web#7: detected at "soon" is not a time: created_at used`,
	}, notes)

	is.Body = gh.String("Started: 2026-11-19T10:00:00Z (approx.)\nDetected: 2026-11-19 11:00:00+00:00 by pager")
	in, _, _ = c.fromIssue(r, is)
	assert.Equal(t, "2026-11-19T10:00:00Z", *in.StartedAt)
	assert.Equal(t, "2026-11-19T11:00:00Z", *in.DetectedAt)

	for _, reason := range []string{"not_planned", "duplicate"} {
		is.StateReason = gh.String(reason)
		_, ok, _ = c.fromIssue(r, is)
		assert.False(t, ok, reason)
	}
	is.State, is.StateReason = gh.String("open"), gh.String("reopened")
	in, ok, _ = c.fromIssue(r, is)
	assert.True(t, ok)
	assert.Nil(t, in.ResolvedAt, "an open (reopened) incident is not resolved")
}

func TestPagesGuardAgainstLoops(t *testing.T) {
	n := 0
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		n++
		return &gh.Response{NextPage: 2}, nil
	})
	assert.ErrorContains(t, err, "pagination does not end")
	assert.Equal(t, 2, n)
	n = 0
	err = pagesByCursor(func(cursor) (*gh.Response, error) {
		n++
		return &gh.Response{After: "same"}, nil
	})
	assert.ErrorContains(t, err, "pagination does not end")
	assert.Equal(t, 2, n)
}

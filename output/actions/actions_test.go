package actions

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/tracker"
)

func f(v float64) *float64 { return &v }

func sample() *report.Report {
	r := &report.Report{Schema: report.Schema, Project: "T", AsOf: "2026-11-27T00:00:00Z", WindowDays: 30, Metrics: []report.Metric{
		{ID: "tls", Title: "TLS downgrades", Owner: "platform", Unit: "count", Value: f(43), Status: report.StatusFail,
			Target: report.Target{Max: f(0)}, Gate: true, Trend: report.Trend{Direction: report.TrendWorsening}},
		{ID: "tokens", Title: "Token expiry", Owner: "identity", Unit: "percent", Value: f(71.4), Status: report.StatusWarn,
			Target: report.Target{Min: f(100), Soft: true}, Trend: report.Trend{Direction: report.TrendStable}},
		{ID: "headers", Title: "Header drift", Owner: "platform", Unit: "count", Status: report.StatusUnmeasured, Gate: true,
			Trend: report.Trend{Direction: report.TrendInsufficient}},
		{ID: "mttd", Title: "MTTD", Owner: "soc", Unit: "hours", Value: f(2), Status: report.StatusPass,
			Target: report.Target{Max: f(4)}, Trend: report.Trend{Direction: report.TrendStable}},
		{ID: "broken", Title: "Broken", Owner: "soc", Unit: "count", Status: report.StatusError, Error: "100% of\nlines bad"},
	}}
	r.Summarise()
	return r
}

func TestAnnotate(t *testing.T) {
	var b bytes.Buffer
	Annotate(&b, sample(), output.Options{})
	assert.Equal(t, "::error title=posture tls::TLS downgrades (tls, owner platform): 43, target max 0, status fail, trend worsening\n"+
		"::warning title=posture tokens::Token expiry (tokens, owner identity): 71.4 percent, target min 100 (soft), status warn, trend stable\n"+
		"::error title=posture headers not measured::Header drift (headers, owner platform): not measured: no configured source feeds it; "+
		"configure a source that feeds it (`posture metrics` shows which kinds do) or set gate = false in its metric block\n"+
		"::error title=posture broken::Broken (broken, owner soc): error: 100%25 of%0Alines bad\n", b.String())

	b.Reset()
	Annotate(&b, sample(), output.Options{Only: []string{"mttd", "tokens"}})
	assert.Equal(t, 1, strings.Count(b.String(), "::"+"warning"), b.String())
	assert.NotContains(t, b.String(), "::error")

	b.Reset()
	Warning(&b, "posture issues", "label kpi:x: 50%")
	assert.Equal(t, "::warning title=posture issues::label kpi:x: 50%25\n", b.String())
}

func TestStepSummary(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, StepSummary(&b, sample(), output.Options{Only: []string{"tls"}, Charts: true, ConfigPath: "x.hcl"}))
	assert.Contains(t, b.String(), "# T security posture — 2026-11-27")
	assert.Contains(t, b.String(), "As of `2026-11-27T00:00:00Z`, window 30 days, 1 metrics.")
	assert.NotContains(t, b.String(), "## Trends", "the summary has no charts")
}

func TestIssuesSummary(t *testing.T) {
	s := &tracker.Summary{Repo: "o/r", Created: 1, LabelsCreated: 1, Actions: []tracker.Action{
		{Kind: tracker.KindLabel, Title: "kpi:tls"},
		{Kind: tracker.KindCreate, Metric: "tls", Number: 3, URL: "https://github.example/o/r/issues/3"},
	}}
	var b bytes.Buffer
	require.NoError(t, IssuesSummary(&b, s, true))
	assert.Equal(t, "\n### posture issues in o/r\n\nissues in o/r: 1 created, 0 updated, 0 commented, 0 closed, 0 reopened, 1 labels created\n\n"+
		"| action | metric | issue |\n|---|---|---|\n| label | `kpi:tls` |  |\n| create | tls | [#3](https://github.example/o/r/issues/3) |\n"+
		"\n**The issues step failed**; the next run resumes without duplicates.\n", b.String())
}

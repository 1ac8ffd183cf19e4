package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/report/publish"
)

// boundedReport builds a report of three metrics whose evidence holds n
// records and n/10 waived findings each, and returns the sizes of its dated
// JSON and Markdown files.
func boundedReport(t *testing.T, n, limit int) (jsonSize, mdSize int, ev *engine.Evaluation) {
	t.Helper()
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	ev = &engine.Evaluation{Input: &engine.Input{AsOf: asOf}, Raw: map[string]*engine.Raw{}}
	var metrics []*engine.Resolved
	for _, id := range []string{"failed_login_rate", "open_vulnerabilities", "high_critical_vulnerabilities"} {
		metrics = append(metrics, &engine.Resolved{Definition: &engine.Definition{ID: id, Title: id, Category: "c", Unit: "count",
			Inputs: []string{engine.InputAlways}}, Owner: "security"})
		raw := &engine.Raw{Items: n}
		v := float64(n)
		raw.Value = &v
		for i := range n {
			raw.Records = append(raw.Records, fmt.Sprintf("data/logs/access.log:%d", i+1))
		}
		for i := range n / 10 {
			raw.Waived = append(raw.Waived, engine.RawWaived{Scope: fmt.Sprintf("CVE-2026-%05d@registry.example/app:%d", i, i), Exception: fmt.Sprintf("EXC-%05d", i), Origin: fmt.Sprintf("exceptions.hcl:%d", 7*i+1)})
		}
		ev.Raw[id] = raw
	}
	r := engine.Build(ev, metrics, nil, engine.Options{Project: "p", WindowDays: 30, EvidenceLimit: limit})
	for _, m := range r.Metrics {
		if limit == 0 {
			limit = engine.MaxEvidenceRecords
		}
		require.LessOrEqual(t, len(m.Evidence.Records), limit)
		require.LessOrEqual(t, len(m.Evidence.Waived), limit)
		assert.Equal(t, n, m.Evidence.RecordsTotal, "records_total keeps the whole count")
		assert.Equal(t, n/10, m.Evidence.WaivedTotal, "waived_total keeps the whole count")
		assert.Equal(t, n/10, m.Evidence.WaivedCount())
	}
	j, md, err := publish.Dated(r)
	require.NoError(t, err)
	return len(j), len(md), ev
}

// TestReportSizeBounded: the dated report (JSON and Markdown), which is
// committed every day, does not grow with the volume of data; only the
// snapshot does.
func TestReportSizeBounded(t *testing.T) {
	j10, md10, _ := boundedReport(t, 10_000, 0)
	j100, md100, _ := boundedReport(t, 100_000, 0)
	within := func(a, b int) bool { return float64(b) <= 1.1*float64(a) && float64(a) <= 1.1*float64(b) }
	assert.True(t, within(j10, j100), "JSON %d bytes at 10x, %d at 100x", j10, j100)
	assert.True(t, within(md10, md100), "Markdown %d bytes at 10x, %d at 100x", md10, md100)
	assert.Less(t, j100, 64<<10, "a 3-metric report stays small")
	t.Logf("dated JSON %d / %d bytes, Markdown %d / %d bytes (10x / 100x records)", j10, j100, md10, md100)

	// A larger evidence_limit keeps more, still bounded.
	j, _, _ := boundedReport(t, 100_000, 100)
	assert.Greater(t, j, j100)
	jb, _, _ := boundedReport(t, 10_000, 100)
	assert.True(t, within(j, jb), "limit 100: %d / %d", jb, j)
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/rollup"
	"github.com/localizevideos/posture/report/synthetic"
)

// generateQuarter stores 90 daily reports 2026-08-01 .. 2026-10-29 of two
// metrics: m_day (the day of the month, trend down, owner security) and
// m_gate (0, then 3 in October; max 0, gated, owner platform).
func generateQuarter(t *testing.T, dir string) {
	t.Helper()
	rs := synthetic.Generate(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), 90, []synthetic.Spec{
		{ID: "m_day", Title: "Day of month", Category: "detection_response", Owner: "security", Unit: "hours",
			Target: report.Target{Trend: "down"}, Value: func(d time.Time) *float64 { v := float64(d.Day()); return &v }},
		{ID: "m_gate", Title: "Gated count", Category: "operational_hygiene", Owner: "platform", Unit: "count",
			Target: report.Target{Max: func() *float64 { v := 0.0; return &v }()}, Gate: true,
			Value: func(d time.Time) *float64 {
				v := 0.0
				if d.Month() == time.October {
					v = 3
				}
				return &v
			}},
	}, synthetic.Options{Project: "Test", WindowDays: 30, TolPct: 10})
	require.NoError(t, synthetic.WriteJSON(filepath.Join(dir, reportsDir), rs))
}

func TestAggregateMonth(t *testing.T) {
	dir := fixture(t, nil)
	generateQuarter(t, dir)
	code, out, errs := run(t, dir, "aggregate", "--month", "2026-09")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, filepath.Join(reportsDir, "monthly", "2026-09.md"))
	b, err := os.ReadFile(filepath.Join(dir, reportsDir, "monthly", "2026-09.json"))
	require.NoError(t, err)
	var m rollup.Monthly
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, 30, m.Reports)
	require.Equal(t, "m_day", m.Metrics[0].ID)
	d := m.Metrics[0]
	assert.Equal(t, 30.0, *d.MonthEnd.Value)
	assert.Equal(t, 1.0, *d.Min)
	assert.Equal(t, 30.0, *d.Max)
	assert.Equal(t, 15.5, *d.Mean)
	assert.Equal(t, 30, d.Reports)
	assert.Equal(t, -1.0, *d.Change, "against 2026-08-31 (31)")
	md, err := os.ReadFile(filepath.Join(dir, reportsDir, "monthly", "2026-09.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| `m_day` Day of month | security | 30 h | 1 h | 30 h | 15.5 h | 30 |")

	code, out, _ = run(t, dir, "--format", "json", "aggregate", "--month", "2026-10")
	require.Equal(t, ExitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	assert.Equal(t, 29, m.Reports)

	code, _, errs = run(t, dir, "aggregate", "--month", "2026-12")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "no report in the period")
	assert.NoFileExists(t, filepath.Join(dir, reportsDir, "monthly", "2026-12.md"))
	code, _, errs = run(t, dir, "aggregate", "--month", "Dec")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "YYYY-MM")
	code, _, _ = run(t, dir, "aggregate")
	assert.Equal(t, ExitError, code, "--month is required")
}

func TestReviewQuarter(t *testing.T) {
	dir := fixture(t, map[string]string{
		reportsDir + "/issues.json": `{"m_gate": {"number": 7, "url": "https://github.com/o/r/issues/7", "state": "open"}}`,
	})
	generateQuarter(t, dir)
	code, _, errs := run(t, dir, "review", "--quarter", "2026-Q4")
	require.Equal(t, ExitOK, code, errs)
	b, err := os.ReadFile(filepath.Join(dir, reportsDir, "quarterly", "2026-Q4.json"))
	require.NoError(t, err)
	var q rollup.Quarterly
	require.NoError(t, json.Unmarshal(b, &q))
	assert.Equal(t, []string{"m_gate"}, q.Attention, "m_day (29 vs 30) is stable")
	assert.Equal(t, []string{"EXC-1"}, func() (ids []string) {
		for _, e := range q.Exceptions.Open {
			ids = append(ids, e.ID)
		}
		return
	}(), "the fixture's exception expires 2026-12-31")
	assert.Len(t, q.Exceptions.ExpiringNextQuarter, 1)
	md, err := os.ReadFile(filepath.Join(dir, reportsDir, "quarterly", "2026-Q4.md"))
	require.NoError(t, err)
	s := string(md)
	assert.Contains(t, s, "| `m_gate` Gated count (gate) | platform | 3 | ❌ fail | +3 since 2026-09-30 | fail, worsened | [#7](https://github.com/o/r/issues/7) (open) |")
	assert.Contains(t, s, "### platform\n\n- [ ] `m_gate`: bring Gated count back on target")
	assert.Contains(t, s, "### security\n\n- [ ] renew or close exception EXC-1 (orphaned_accounts) before it expires on 2026-12-31")

	code, _, errs = run(t, dir, "review", "--quarter", "2027-Q1")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "no report in the period")
	code, _, errs = run(t, dir, "review", "--quarter", "2026-4")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "YYYY-Qn")
}

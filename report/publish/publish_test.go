package publish

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

func f(v float64) *float64 { return &v }

func sample(date string, v float64) *report.Report {
	r := &report.Report{
		Schema: report.Schema, Project: `Localize "Videos"`, AsOf: date + "T00:00:00Z", WindowDays: 30,
		Inputs: []report.Input{},
		Metrics: []report.Metric{
			{ID: "open_vulnerabilities", Title: "Open vulnerabilities", Category: "vulnerability_management", Owner: "security",
				Unit: "count", Value: f(v), Status: report.StatusPass, Target: report.Target{Trend: "down"},
				Trend:    report.Trend{Direction: report.TrendInsufficient},
				Evidence: report.Evidence{Waived: []report.Waived{}, Records: []string{}},
				Series:   []report.Point{{AsOf: "2026-11-01T00:00:00Z", Value: f(v + 1)}, {AsOf: date + "T00:00:00Z", Value: f(v)}}},
		},
	}
	r.Summarise()
	return r
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func TestWriteReplacesOnlyItsDate(t *testing.T) {
	dir := t.TempDir()
	for i, d := range []string{"2026-11-25", "2026-11-26", "2026-11-27"} {
		_, err := Write(dir, sample(d, float64(10+i)))
		require.NoError(t, err)
	}
	before := readAll(t, dir)
	assert.Len(t, before, 3*2+2)
	for name := range before {
		assert.False(t, strings.HasPrefix(name, "."), "no temporary file left: %s", name)
	}

	// Re-run the middle date with another value.
	files, err := Write(dir, sample("2026-11-26", 99))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "2026-11-26.json"), files.JSON)
	after := readAll(t, dir)
	require.Len(t, after, len(before))
	for _, n := range []string{"2026-11-25.json", "2026-11-25.md", "2026-11-27.json", "2026-11-27.md"} {
		assert.Equal(t, before[n], after[n], "%s must stay byte-identical", n)
	}
	assert.NotEqual(t, before["2026-11-26.json"], after["2026-11-26.json"])
	assert.Contains(t, string(after["2026-11-26.json"]), `"value": 99`)
	// metrics.prom keeps the latest date's values, not the re-run one's.
	assert.Equal(t, before[MetricsFile], after[MetricsFile])
	assert.Contains(t, string(after[MetricsFile]), `posture_metric_value{id="open_vulnerabilities",category="vulnerability_management",owner="security",unit="count"} 12`)

	// The dated JSON is the report itself.
	r, err := store.LoadReport(filepath.Join(dir, "2026-11-26.json"))
	require.NoError(t, err)
	assert.Equal(t, sample("2026-11-26", 99), r)

	// The dashboard covers every dated report.
	idx := string(after[IndexFile])
	assert.Contains(t, idx, "3 reports in history")
	assert.Contains(t, idx, "Localize &#34;Videos&#34;")
}

func TestWriteUsesDashboardRenderer(t *testing.T) {
	dir := t.TempDir()
	var got []string
	RenderDashboard = func(w io.Writer, rs []*report.Report) error {
		got = nil
		for _, r := range rs {
			got = append(got, r.AsOf[:10])
		}
		_, err := io.WriteString(w, "<html>dashboard</html>")
		return err
	}
	defer func(orig func(io.Writer, []*report.Report) error) { RenderDashboard = orig }(RenderDashboard)
	_, err := Write(dir, sample("2026-11-27", 1))
	require.NoError(t, err)
	_, err = Write(dir, sample("2026-11-25", 1)) // out of order
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-11-25", "2026-11-27"}, got, "every dated report, oldest first")
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	require.NoError(t, err)
	assert.Equal(t, "<html>dashboard</html>", string(b))

	// A renderer error writes nothing at all.
	RenderDashboard = func(io.Writer, []*report.Report) error { return errors.New("boom") }
	before := readAll(t, dir)
	_, err = Write(dir, sample("2026-11-28", 1))
	require.Error(t, err)
	assert.Equal(t, before, readAll(t, dir))
}

func TestWriteRefusesBrokenHistoryNamingTheFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "2026-11-01.json"), []byte("{"), 0o644))
	_, err := Write(dir, sample("2026-11-27", 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "2026-11-01.json")
	_, statErr := os.Stat(filepath.Join(dir, "2026-11-27.json"))
	assert.True(t, os.IsNotExist(statErr), "nothing written")
}

func TestMarkdownHasMermaidChart(t *testing.T) {
	_, md, err := Dated(sample("2026-11-27", 12))
	require.NoError(t, err)
	s := string(md)
	assert.Contains(t, s, "## Trends")
	assert.Contains(t, s, "```mermaid\nxychart-beta\n    title \"Open vulnerabilities\"\n    x-axis [\"11-01\", \"11-27\"]\n    y-axis \"count\"\n    line [13, 12]\n```")
}

package history

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/store"
)

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
}

func rep(date string, v string) string {
	return `{"schema": "posture.report/v1", "as_of": "` + date + `T00:00:00Z", "metrics": [{"id": "m", "value": ` + v + `}]}`
}

func TestLoadAndLoadAll(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "2026-11-27.json", rep("2026-11-27", "3"))
	write(t, dir, "2026-11-25.json", rep("2026-11-25", "1"))
	write(t, dir, "2026-11-26.json", rep("2026-11-26", "null"))
	write(t, dir, "2026-11-24.json", `{"schema": "other/v1"}`)
	write(t, dir, "baseline.json", `{}`)
	write(t, dir, "vulnerabilities.json", `{}`)
	write(t, dir, "2026-11-28.md", `# not json`)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "monthly"), 0o755))

	h, err := Load(dir, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-11-25", "2026-11-26"}, h.Dates, "strictly before the as-of date; other schemas skipped")
	pts := h.Points("m")
	require.Len(t, pts, 2)
	assert.Equal(t, 1.0, *pts[0].Value)
	assert.Nil(t, pts[1].Value)

	all, err := LoadAll(dir)
	require.NoError(t, err)
	var dates []string
	for _, d := range all {
		dates = append(dates, d.Date)
	}
	assert.Equal(t, []string{"2026-11-25", "2026-11-26", "2026-11-27"}, dates)
	assert.Equal(t, filepath.Join(dir, "2026-11-27.json"), all[2].Path)
	assert.Len(t, Reports(all), 3)
	assert.Equal(t, h, Before(all, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)), "Before on LoadAll is Load")

	r, err := LoadRange(dir, "2026-11-26", "2026-11-26")
	require.NoError(t, err)
	require.Len(t, r, 1)
	assert.Equal(t, "2026-11-26", r[0].Date)

	none, err := LoadAll(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	assert.Empty(t, none)
}

// TestLoadStopsAtAnUnreadableReport: a report that cannot be read is an
// error, not skipped like a file of another schema (how each way of
// being corrupt reads is store's, store/store_test.go).
func TestLoadStopsAtAnUnreadableReport(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "2026-11-25.json", `{"schema": `)
	_, err := LoadAll(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "2026-11-25.json"))
	_, err = Load(dir, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	assert.ErrorContains(t, err, "2026-11-25.json")

	write(t, dir, "2026-11-25.json", `{"schema": "posture.report/v2"}`)
	_, err = LoadAll(dir)
	assert.ErrorIs(t, err, store.ErrNewerFormat)
	h, err := Load(dir, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err, "a report of the as-of date itself is not read")
	assert.Empty(t, h.Dates)
}

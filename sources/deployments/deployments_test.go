package deployments

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func collect(t *testing.T, base string, cfg sources.FileConfig) (*sources.Result, error) {
	t.Helper()
	env := sources.Env{Name: "deploys", BaseDir: base, AsOf: sourcetest.AsOf, Zone: time.UTC}
	return sourcetest.CollectKind(context.Background(), t, "deployments", &cfg, env)
}

func TestDeploymentsJSON(t *testing.T) {
	res, err := collect(t, "testdata", sources.FileConfig{Paths: []string{"deployments.json"}})
	require.NoError(t, err)
	d := res.Data.Deployments
	require.Len(t, d, 3)

	a := d[0]
	assert.Equal(t, "1180442071", a.ID, "numeric id as written, not 1.180442071e+09")
	assert.Equal(t, "localizevideos/web", a.Repo)
	assert.Equal(t, "production", a.Environment)
	assert.Equal(t, "9f2c1e4a7b3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f", a.SHA)
	assert.Equal(t, "github-actions[bot]", a.Creator, "creator object of the GitHub API")
	assert.Equal(t, "success", a.Status)
	assert.Equal(t, []string{"success", "in_progress", "queued"}, a.Statuses)
	require.NotNil(t, a.CreatedAt)
	assert.Equal(t, "2026-11-03T10:12:44Z", *a.CreatedAt)
	assert.Equal(t, "deployments.json:2", a.Origin)
	assert.Equal(t, "deploys", a.Source)

	b := d[1]
	assert.Equal(t, "deploy:rollback", b.Task, "kept as is; rollback is the policies' call")
	assert.Equal(t, "sre-lead", b.Creator)
	assert.Equal(t, "inactive", b.Status)
	assert.Equal(t, []string{"inactive", "success"}, b.Statuses)
	assert.Equal(t, "2026-11-04T08:00:00Z", *b.CreatedAt)

	c := d[2]
	assert.Equal(t, "staging-77", c.ID)
	assert.Equal(t, "", c.Repo)
	assert.Equal(t, "", c.Description, "null = empty")
	assert.Equal(t, []string{"failure"}, c.Statuses, "statuses always include the status")
	assert.Equal(t, "2026-11-02T15:00:00Z", *c.CreatedAt)
}

func TestDeploymentsCSV(t *testing.T) {
	res, err := collect(t, "testdata", sources.FileConfig{Paths: []string{"deployments.csv"}})
	require.NoError(t, err)
	d := res.Data.Deployments
	require.Len(t, d, 2)
	assert.Equal(t, `Roll back to v41, "bad" migration`, d[0].Description)
	assert.Equal(t, "error", d[0].Status)
	assert.Equal(t, []string{"queued", "in_progress", "error"}, d[0].Statuses)
	assert.Equal(t, "deployments.csv:2", d[0].Origin)
	assert.Equal(t, "success", d[1].Status)
	assert.Equal(t, []string{"success"}, d[1].Statuses)
}

func TestDeploymentsErrors(t *testing.T) {
	_, err := collect(t, "testdata", sources.FileConfig{Paths: []string{"deployments.jsonl"}})
	require.Error(t, err)
	assert.Equal(t, `deployments.jsonl:2: unrecognised time "not a date" (column created_at)`, err.Error())

	_, err = collect(t, "testdata", sources.FileConfig{Paths: []string{"missing.json"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.json: no such file")

	dir := sourcetest.DirWith(t, "d.json",
		"[\n{\"id\": 1, \"environment\": \"production\", \"created_at\": \"2026-11-01\", \"creator\": {\"id\": 5}}\n]")
	_, err = collect(t, dir, sources.FileConfig{Paths: []string{"d.json"}})
	require.Error(t, err)
	assert.Equal(t, "d.json:2: expected a login or an object with a login (column creator)", err.Error())

	sourcetest.WriteFile(t, filepath.Join(dir, "e.csv"), "id,environment\n1,production\n")
	_, err = collect(t, dir, sources.FileConfig{Paths: []string{"e.csv"}})
	require.Error(t, err)
	assert.Equal(t, "e.csv:1: required column missing (column created_at)", err.Error())
}

func TestStatusesOnly(t *testing.T) {
	dir := sourcetest.DirWith(t, "d.json",
		`[{"id": 1, "environment": "production", "created_at": "2026-11-01", "statuses": ["SUCCESS", "success", "Inactive"]}]`)
	res, err := collect(t, dir, sources.FileConfig{Paths: []string{"d.json"}})
	require.NoError(t, err)
	d := res.Data.Deployments[0]
	assert.Equal(t, "", d.Status)
	assert.Equal(t, []string{"success", "inactive"}, d.Statuses)
}

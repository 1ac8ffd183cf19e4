package github

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

func collectCached(t *testing.T, f *fake, cacheDir string) ([]byte, *Source) {
	t.Helper()
	tr := true
	s, _ := build(t, f, Config{GraphQL: &tr})
	env := envWith(tokenEnv(), nil)
	env.CacheDir = cacheDir
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	b, err := json.Marshal(res.Data)
	require.NoError(t, err)
	return b, s
}

// A second identical collection is answered with 304s (no quota) and one
// GraphQL query (the fingerprints of both repositories), and gives the
// same records. Only the secret scanning
// list, whose answers carry the secrets and are never stored, is asked in
// full (its two pages).
func TestUnchangedRerunCostsNoQuota(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	dir := filepath.Join(t.TempDir(), ".cache")

	first, _ := collectCached(t, f, dir)
	assert.Positive(t, f.Quota())
	assert.Equal(t, 4, f.GraphQLPoints(), "fingerprints: 1; api: 1 query, web: 2 (2 deployments and 2 issues a page)")
	f.ResetQuota()
	f.ResetRequests()

	second, _ := collectCached(t, f, dir)
	assert.Equal(t, string(first), string(second))
	assert.Equal(t, 2, f.Quota(), "every REST answer a 304 but the secret scanning pages: %v", f.Log(""))
	assert.Equal(t, 1, f.GraphQLPoints(), "the fingerprints")
	assert.Len(t, f.Log("POST /graphql"), 1)
	assert.NotEmpty(t, f.Requests())

	// The cache never holds the token.
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.NotContains(t, string(data), testToken)
			for _, secret := range []string{"sk_live_SECRETVALUE0001", "AKIASECRETVALUE0002", "xoxb-SECRETVALUE0003"} {
				assert.NotContains(t, string(data), secret, "secret scanning answers are never stored")
			}
		}
		return nil
	}))
	assert.DirExists(t, filepath.Join(dir, "github"))

	// A new deployment changes the list: that repository is read again.
	web := f.Repo("acme/web")
	web.Deployments = append([]map[string]any{ghfake.Deployment("acme/web", 104, "production", "sha4", "deploy", "Deploy v4", now0)}, web.Deployments...)
	web.Deployments[0]["url"] = f.APIURL() + "repos/acme/web/deployments/104"
	web.Statuses[104] = []map[string]any{ghfake.DeploymentStatus(10, "in_progress", now0)}
	f.ResetQuota()
	third, _ := collectCached(t, f, dir)
	assert.Contains(t, string(third), `"id":"104"`)
	assert.Equal(t, 3, f.GraphQLPoints(), "the fingerprints, then web only")

	// Its newest status is not settled: the next run asks again even
	// though the list is unchanged, and sees the success.
	web.Statuses[104] = append([]map[string]any{ghfake.DeploymentStatus(11, "success", now0)}, web.Statuses[104]...)
	f.ResetQuota()
	fourth, _ := collectCached(t, f, dir)
	assert.Equal(t, 3, f.GraphQLPoints())
	assert.Contains(t, string(fourth), `"status":"success","statuses":["success","in_progress"]`)
}

// No cache folder (sources.Env.CacheDir ""), or cache = false: nothing is
// stored, nothing probed.
func TestCacheOff(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	dir := t.TempDir()
	fa, tr := false, true
	s, _ := build(t, f, Config{GraphQL: &tr, Cache: &fa, Collect: []string{PartDeployments}})
	env := envWith(tokenEnv(), nil)
	env.CacheDir = dir
	_, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries)
	for _, l := range f.Log("GET ") {
		assert.False(t, strings.Contains(l, "/deployments"), l)
	}
}

// An organisation of 20 repositories with 10 deployments each: one
// GraphQL query of 1 point per repository on the first run (deployments
// and incident issues) and one for the fingerprints of all 20, where
// reading per repository took 15 (three alert lists, the deployment list,
// ten status lists, the issues); on an unchanged re-run the fingerprints
// and the organisation's secret scanning list, which is never cached.
func TestOrgScaleQuota(t *testing.T) {
	f := newFake(t)
	f.MaxPerPage = 100
	const repos, deps = 20, 10
	for i := 0; i < repos; i++ {
		full := fmt.Sprintf("acme/r%02d", i)
		r := f.Repo(full)
		r.Dependabot = []map[string]any{ghfake.DependabotAlert{Number: 1, State: "open", GHSA: "GHSA-aaaa-bbbb-cccc", Package: "x", Severity: "high", Created: day(3)}.JSON(full)}
		for d := deps; d >= 1; d-- {
			id := int64(i*100 + d)
			r.Deployments = append(r.Deployments, ghfake.Deployment(full, id, "production", "sha", "deploy", "", day(20-d)))
			r.Statuses[id] = []map[string]any{ghfake.DeploymentStatus(id, "success", day(20-d))}
		}
	}
	dir := filepath.Join(t.TempDir(), ".cache")
	collectCached(t, f, dir)
	// user, owners, 2FA filter, repository list, three organisation alert
	// lists: 7; no REST request per repository.
	assert.Equal(t, 7, f.Quota())
	assert.Equal(t, repos+1, f.GraphQLPoints())
	f.ResetQuota()
	collectCached(t, f, dir)
	assert.Equal(t, 1, f.Quota(), "the secret scanning list (never cached)")
	assert.Equal(t, 1, f.GraphQLPoints(), "the fingerprints")
}

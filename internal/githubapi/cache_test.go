package githubapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/internal/retry"
)

func TestCacheRevalidatesWith304(t *testing.T) {
	f := ghfake.New()
	defer f.Close()
	f.Token = "ghp_cachetoken0123456789"
	f.MaxPerPage = 1
	f.Owners["acme"] = "Organization"
	f.Repo("acme/a")
	f.Repo("acme/b")
	dir := t.TempDir()
	list := func(token string) []string {
		c, _, err := New(Options{APIURL: f.APIURL(), Token: token, CacheDir: dir, Retry: retry.Options{Budget: -1}})
		require.NoError(t, err)
		var names []string
		opts := &ghListOpts{}
		for {
			rs, resp, err := c.Repositories.ListByOrg(context.Background(), "acme", &opts.RepositoryListByOrgOptions)
			require.NoError(t, err)
			for _, r := range rs {
				names = append(names, r.GetName())
			}
			if resp.NextPage == 0 {
				return names
			}
			opts.Page = resp.NextPage
		}
	}
	assert.Equal(t, []string{"a", "b"}, list(f.Token))
	assert.Equal(t, 2, f.Quota())
	// The same requests again: 304s, no quota, the same answers (and
	// their Link headers, which page the list).
	assert.Equal(t, []string{"a", "b"}, list(f.Token))
	assert.Equal(t, 2, f.Quota(), "304s cost nothing")
	assert.Len(t, f.Requests(), 4)

	// Another credential does not share the entries.
	f.Token = "ghp_othertoken9876543210"
	assert.Equal(t, []string{"a", "b"}, list(f.Token))
	assert.Equal(t, 4, f.Quota())

	// A change is seen: a new ETag, a 200.
	f.Repo("acme/c")
	assert.Equal(t, []string{"a", "b", "c"}, list(f.Token))

	// Neither credential is in the cache, by name or content.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		for _, tok := range []string{"ghp_cachetoken0123456789", "ghp_othertoken9876543210"} {
			assert.False(t, strings.Contains(string(data), tok) || strings.Contains(e.Name(), tok))
		}
	}
}

func TestIdentityHidesTheToken(t *testing.T) {
	a := Identity(Options{Token: "ghp_a"})
	assert.NotEqual(t, a, Identity(Options{Token: "ghp_b"}))
	assert.NotContains(t, a, "ghp_a")
	assert.Equal(t, Identity(Options{App: &App{ID: 1, InstallationID: 2}}), Identity(Options{App: &App{ID: 1, InstallationID: 2, PrivateKeyPath: "x"}}))
}

type ghListOpts struct{ gh.RepositoryListByOrgOptions }

// Secret scanning answers (which carry the leaked secrets) are never
// stored; the folder ignores itself in git.
func TestCacheKeepsNoSecrets(t *testing.T) {
	f := ghfake.New()
	defer f.Close()
	f.Owners["acme"] = "Organization"
	f.Repo("acme/a").SecretScanning = []map[string]any{ghfake.SecretScanningAlert{Number: 1, State: "open", SecretType: "stripe", Secret: "sk_live_LEAKED"}.JSON("acme/a")}
	dir := t.TempDir()
	c, _, err := New(Options{APIURL: f.APIURL(), Token: "t", CacheDir: dir})
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		_, _, err = c.SecretScanning.ListAlertsForOrg(context.Background(), "acme", nil)
		require.NoError(t, err)
		_, _, err = c.Users.Get(context.Background(), "acme")
		require.NoError(t, err)
	}
	assert.Equal(t, 3, f.Quota(), "the secret scanning list is asked in full each time")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, ".gitignore and the user")
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		assert.NotContains(t, string(data), "sk_live_LEAKED")
	}
	ig, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	require.NoError(t, err)
	assert.Contains(t, string(ig), "*")
}

package cli

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoSecretInAnyOutput runs `posture report` with a GitHub token set,
// against a loopback GitHub API and a site that sets a session cookie and
// echoes the request's Authorization back, then greps every file written
// and everything printed for the token and the cookie value.
func TestNoSecretInAnyOutput(t *testing.T) {
	const token = "ghp_SuperSecretToken0123456789abcdefABCD"
	const cookie = "s3ss10n-v4lu3-th4t-must-n0t-l34k"
	t.Setenv("GITHUB_TOKEN", token)

	var authed atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer "+token || r.Header.Get("Authorization") == "token "+token {
			authed.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/orgs/acme/members"):
			_, _ = w.Write([]byte(`[{"login":"alice","id":1,"type":"User"}]`))
		case strings.HasSuffix(r.URL.Path, "/users/acme"):
			_, _ = w.Write([]byte(`{"login":"acme","type":"Organization"}`))
		default:
			_, _ = w.Write([]byte(`[]`))
		}
	}))
	defer api.Close()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: cookie, Path: "/", Secure: true, HttpOnly: true})
		w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte("ok"))
	}))
	defer site.Close()

	cfg := baseConfig + `
source "github" "org" {
  owner   = "acme"
  collect = ["members"]
  api_url = "` + api.URL + `/api/v3/"
}
source "headers" "site" { urls = ["` + site.URL + `/"] }
`
	dir := fixture(t, map[string]string{"posture.hcl": cfg})
	code, out, errs := run(t, dir, "report")
	require.Contains(t, []int{ExitOK, ExitFail}, code, errs)
	require.Greater(t, authed.Load(), int32(0), "the token was used")

	var files int
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files++
		assert.NotContains(t, string(b), token, p)
		assert.NotContains(t, string(b), cookie, p)
		return nil
	}))
	assert.Greater(t, files, 10, "snapshot and report files were written")
	for _, s := range []string{out, errs} {
		assert.NotContains(t, s, token)
		assert.NotContains(t, s, cookie)
	}
	snap, err := os.ReadFile(filepath.Join(dir, "security/snapshots/2026-11-27/headers.site.json"))
	require.NoError(t, err)
	assert.Contains(t, string(snap), "session; Path=/; HttpOnly; Secure", "cookie name and attributes are kept")
	gh, err := os.ReadFile(filepath.Join(dir, "security/snapshots/2026-11-27/github.org.json"))
	require.NoError(t, err)
	assert.Contains(t, string(gh), `"login":"alice"`)
}

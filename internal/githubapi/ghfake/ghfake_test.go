package ghfake

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, s *Server, path, token string) (*http.Response, []map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.APIURL()+strings.TrimPrefix(path, "/"), nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var items []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&items)
	return resp, items
}

// The fake itself must behave like GitHub where its clients' correctness
// depends on it: no credentials, no data; a wrong prefix is refused.
func TestFakeRefusesWhatGitHubRefuses(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Token = "t0ken"
	f.Owners["acme"] = "Organization"
	resp, err := http.Get(f.APIURL() + "orgs/acme/members")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = http.Get(f.URL + "/elsewhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotAcceptable, resp.StatusCode)
	assert.Equal(t, []string{"GET /orgs/acme/members"}, f.Log(""), "API requests are logged; others are refused before")
}

func TestIssueListFiltersAndPages(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.MaxPerPage = 2
	r := f.Repo("acme/web")
	for _, i := range []Issue{
		{Number: 7, Title: "a", Labels: []string{"incident"}},
		{Number: 3, Title: "b", Labels: []string{"Incident", "sev1"}, State: "closed"},
		{Number: 5, Title: "c", Labels: []string{"incident"}, PullRequest: true},
		{Title: "d", Labels: []string{"other"}},
	} {
		r.AddIssue(i)
	}
	numbers := func(items []map[string]any) []float64 {
		var out []float64
		for _, i := range items {
			out = append(out, i["number"].(float64))
		}
		return out
	}
	_, items := get(t, f, "repos/acme/web/issues?state=all&labels=incident", "")
	assert.Equal(t, []float64{5, 3}, numbers(items), "newest first (GitHub's default), first page")
	resp, items := get(t, f, "repos/acme/web/issues?state=all&labels=incident&page=2", "")
	assert.Equal(t, []float64{7}, numbers(items))
	assert.Contains(t, resp.Header.Get("Link"), `rel="prev"`)
	_, items = get(t, f, "repos/acme/web/issues?state=all&labels=INCIDENT,sev1&direction=asc", "")
	assert.Equal(t, []float64{3}, numbers(items))
	_, items = get(t, f, "repos/acme/web/issues?direction=asc", "")
	assert.Equal(t, []float64{7, 5}, numbers(items), "open ones by default, oldest first")
	assert.Equal(t, "https://github.com/acme/web/issues/7", items[0]["html_url"])
	assert.Contains(t, items[1], "pull_request", "pull requests are listed too, as on GitHub")
	_, items = get(t, f, "repos/acme/web/issues?direction=asc&page=2", "")
	assert.Equal(t, []float64{8}, numbers(items), "d got the next free number")

	// An edit makes an issue the most recently updated.
	require.True(t, r.EditIssue(7, func(i *Issue) { i.Title = "a2" }))
	_, items = get(t, f, "repos/acme/web/issues?state=all&sort=updated", "")
	assert.Equal(t, []float64{7, 8}, numbers(items))
}

func TestInjectedFaultsAnswerInOrder(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Repo("acme/web")
	f.Inject("GET /repos/acme/web", Fault{Status: 502}, Fault{Status: 429, Header: http.Header{"Retry-After": {"3"}}})
	resp, _ := get(t, f, "repos/acme/web", "")
	assert.Equal(t, 502, resp.StatusCode)
	resp, _ = get(t, f, "repos/acme/web?x=1", "")
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	resp, _ = get(t, f, "repos/acme/web", "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 3, f.Count("GET /repos/acme/web"))
	assert.Equal(t, []string{"GET /repos/acme/web?x=1"}, f.Log("GET /repos/acme/web?"))
}

// The PAT listing has GitHub's shape (null expiry, token_expired from the
// clock), pages by number, and refuses other credentials than the App's
// installation token when asked to, as GitHub does.
func TestPersonalAccessTokensShapeAndAccess(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Owners["acme"] = "Organization"
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	f.PATs = []map[string]any{
		PAT{ID: 1, Owner: "alice", Granted: now.AddDate(0, -1, 0)}.JSON(now),
		PAT{ID: 2, Owner: "bob", Granted: now.AddDate(0, -2, 0), Expires: now.AddDate(0, 0, -1)}.JSON(now),
		PAT{ID: 3, Owner: "carol", Granted: now.AddDate(0, -1, 0), Expires: now.AddDate(0, 1, 0)}.JSON(now),
	}
	resp, items := get(t, f, "orgs/acme/personal-access-tokens?per_page=2", "")
	require.Len(t, items, 2)
	assert.Contains(t, resp.Header.Get("Link"), `page=2`)
	assert.Nil(t, items[0]["token_expires_at"])
	assert.Equal(t, false, items[0]["token_expired"])
	assert.Equal(t, true, items[1]["token_expired"])
	assert.Equal(t, "bob", items[1]["owner"].(map[string]any)["login"])
	_, items = get(t, f, "orgs/acme/personal-access-tokens?per_page=2&page=2", "")
	require.Len(t, items, 1)
	assert.Equal(t, false, items[0]["token_expired"])

	f.PATsAppOnly = true
	resp, _ = get(t, f, "orgs/acme/personal-access-tokens", "ghp_user")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	f.PATsAppOnly, f.PATsOff = false, &Off{Status: 404, Message: "Not Found"}
	resp, _ = get(t, f, "orgs/acme/personal-access-tokens", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

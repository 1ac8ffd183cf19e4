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

func TestOrgAlertsCarryTheirRepository(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Owners["acme"] = "Organization"
	f.MaxPerPage = 1
	for _, full := range []string{"acme/b", "acme/a"} {
		f.Repo(full).Dependabot = []map[string]any{DependabotAlert{Number: 1, State: "open", GHSA: "GHSA-1", Package: "p", Severity: "low"}.JSON(full)}
	}
	f.Repo("acme/b").Off["dependabot"] = Off{Status: 404}
	f.Repo("acme/c").SecretScanning = []map[string]any{SecretScanningAlert{Number: 2, State: "open", SecretType: "x"}.JSON("acme/c")}

	resp, items := get(t, f, "orgs/acme/dependabot/alerts?per_page=100", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, items, 1, "b's feature is off")
	assert.Equal(t, "acme/a", items[0]["repository"].(map[string]any)["full_name"])
	resp, items = get(t, f, "orgs/acme/secret-scanning/alerts", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, items, 1)
	assert.Equal(t, "acme/c", items[0]["repository"].(map[string]any)["full_name"])

	f.OrgAlertsOff = map[string]Off{"code-scanning": {Status: 403, Message: "Resource not accessible by integration"}}
	resp, _ = get(t, f, "orgs/acme/code-scanning/alerts", "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestETagAndQuota(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Owners["acme"] = "Organization"
	f.Clock = func() time.Time { return time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC) }
	resp, _ := get(t, f, "users/acme", "")
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "4999", resp.Header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "1767265200", resp.Header.Get("X-RateLimit-Reset"))

	req, _ := http.NewRequest(http.MethodGet, f.APIURL()+"users/acme", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Equal(t, "4999", resp.Header.Get("X-RateLimit-Remaining"), "a 304 costs nothing")
	assert.Equal(t, 1, f.Quota())

	resp, err = http.Get(f.APIURL() + "rate_limit")
	require.NoError(t, err)
	var rl struct {
		Resources map[string]struct{ Limit, Remaining, Used int } `json:"resources"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rl))
	resp.Body.Close()
	assert.Equal(t, 4999, rl.Resources["core"].Remaining)
	assert.Equal(t, 5000, rl.Resources["graphql"].Remaining)
	assert.Equal(t, 1, f.Quota(), "GET /rate_limit is free")
}

func TestGraphQLDeployments(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.MaxPerPage = 1
	r := f.Repo("acme/web")
	r.Deployments = []map[string]any{Deployment("acme/web", 2, "production", "s2", "deploy", "", time.Time{}), Deployment("acme/web", 1, "staging", "s1", "deploy", "", time.Time{})}
	r.Statuses[2] = []map[string]any{DeploymentStatus(5, "success", time.Time{}), DeploymentStatus(4, "in_progress", time.Time{})}
	post := func(vars string) map[string]any {
		resp, err := http.Post(f.GraphQLURL(), "application/json", strings.NewReader(`{"query":"query($owner: String!, $name: String!, $after: String) { repository(owner: $owner, name: $name) { deployments(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { databaseId creator { __typename login } statuses(last: 100) { nodes { state } } } pageInfo { hasNextPage endCursor } } } }","variables":`+vars+`}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	out := post(`{"owner":"acme","name":"web"}`)
	deps := out["data"].(map[string]any)["repository"].(map[string]any)["deployments"].(map[string]any)
	nodes := deps["nodes"].([]any)
	require.Len(t, nodes, 1)
	n := nodes[0].(map[string]any)
	assert.EqualValues(t, 2, n["databaseId"])
	assert.Equal(t, map[string]any{"__typename": "Bot", "login": "deploy-bot"}, n["creator"])
	assert.Equal(t, []any{map[string]any{"state": "IN_PROGRESS"}, map[string]any{"state": "SUCCESS"}}, n["statuses"].(map[string]any)["nodes"], "oldest first")
	pi := deps["pageInfo"].(map[string]any)
	assert.Equal(t, true, pi["hasNextPage"])

	out = post(`{"owner":"acme","name":"web","after":"` + pi["endCursor"].(string) + `"}`)
	deps = out["data"].(map[string]any)["repository"].(map[string]any)["deployments"].(map[string]any)
	assert.Equal(t, false, deps["pageInfo"].(map[string]any)["hasNextPage"])

	out = post(`{"owner":"acme","name":"ghost"}`)
	errs := out["errors"].([]any)
	assert.Equal(t, "NOT_FOUND", errs[0].(map[string]any)["type"])
	assert.Equal(t, 3, f.GraphQLPoints())
	assert.Equal(t, 0, f.Quota(), "GraphQL has its own points")

	f.NoGraphQL = true
	resp, err := http.Post(f.GraphQLURL(), "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

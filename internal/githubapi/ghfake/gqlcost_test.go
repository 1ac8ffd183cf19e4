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

// postGraphQL sends a query and returns the decoded answer.
func postGraphQL(t *testing.T, f *Server, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	resp, err := http.Post(f.GraphQLURL(), "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

// The points a query costs follow GitHub's documented formula: every
// connection needs one request per node of the connections around it, the
// sum divided by 100 and rounded to the nearest, at least 1.
func TestGraphQLCostFollowsGitHubsFormula(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		cost  int
	}{
		{"one connection", `query { repository(owner: "acme", name: "web") { deployments(first: 1) { totalCount } } }`, 1},
		// 1 + 100 (statuses under 100 deployments) + 1 + 47 = 149: 1.49 rounds to 1.
		{"deployments with statuses and 47 issues", `query { repository(owner: "acme", name: "web") {
			deployments(first: 100) { nodes { statuses(last: 100) { nodes { state } } } }
			issues(first: 47) { nodes { labels(first: 100) { nodes { name } } } } } }`, 1},
		// 1 + 100 + 1 + 50 = 152: 2 points.
		{"deployments with statuses and 50 issues", `query { repository(owner: "acme", name: "web") {
			deployments(first: 100) { nodes { statuses(last: 100) { nodes { state } } } }
			issues(first: 50) { nodes { labels(first: 10) { nodes { name } } } } } }`, 2},
		// three aliases of 1 + 100: 303 requests, 3 points.
		{"aliases", `query { a: repository(owner: "acme", name: "web") { deployments(first: 100) { nodes { statuses(first: 5) { totalCount } } } }
			b: repository(owner: "acme", name: "web") { deployments(first: 100) { nodes { statuses(first: 5) { totalCount } } } }
			c: repository(owner: "acme", name: "web") { deployments(first: 100) { nodes { statuses(first: 5) { totalCount } } } } }`, 3},
		// 50 aliases of two connections of first: 1 (fingerprints): 100, 1 point.
		{"fingerprints", "query {" + strings.Repeat(` r: repository(owner: "acme", name: "web") { deployments(first: 100) { totalCount } issues(first: 1) { totalCount } }`, 50) + " }", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cost, err := GraphQLCost(tc.query, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.cost, cost)

			f := New()
			t.Cleanup(f.Close)
			f.Repo("acme/web").Deployments = []map[string]any{Deployment("acme/web", 1, "production", "s", "deploy", "", time.Time{})}
			out := postGraphQL(t, f, strings.Replace(tc.query, "query {", "query { rateLimit { cost remaining }", 1), nil)
			require.Nil(t, out["errors"])
			rl := out["data"].(map[string]any)["rateLimit"].(map[string]any)
			assert.EqualValues(t, tc.cost, rl["cost"])
			assert.EqualValues(t, 5000-tc.cost, rl["remaining"])
			assert.Equal(t, tc.cost, f.GraphQLPoints(), "charged")
		})
	}
}

// A query GitHub would refuse is refused the same way, and costs nothing.
func TestGraphQLValidationErrors(t *testing.T) {
	f := New()
	t.Cleanup(f.Close)
	f.Repo("acme/web")
	for _, tc := range []struct{ query, want string }{
		{`query { repository(owner: "acme", name: "web") { deployments { totalCount } } }`, "You must provide a `first` or `last` value to properly paginate the `deployments` connection."},
		{`query { repository(owner: "acme", name: "web") { issues(first: 101) { totalCount } } }`, "Requesting 101 records on the `issues` connection exceeds the `first` limit of 100 records."},
		{`query { repository(owner: "acme", name: "web") { stars } }`, "Field 'stars' doesn't exist on type 'Repository'"},
		{`query { repository(owner: $o, name: "web") { name } }`, "Variable $o is used by anonymous query but not declared"},
	} {
		out := postGraphQL(t, f, tc.query, nil)
		errs, _ := out["errors"].([]any)
		require.NotEmpty(t, errs, tc.query)
		assert.Equal(t, tc.want, errs[0].(map[string]any)["message"])
		assert.Nil(t, out["data"])
	}
	assert.Zero(t, f.GraphQLPoints())

	// Aliases, filters and orders; a missing repository is null with a
	// NOT_FOUND error at its path.
	r := f.Repo("acme/web")
	r.AddIssue(Issue{Number: 1, Title: "old", Labels: []string{"incident"}, State: "closed", StateReason: "completed", Closed: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	r.AddIssue(Issue{Number: 2, Title: "new", Labels: []string{"Incident"}, Created: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	r.AddIssue(Issue{Number: 3, Title: "pr", Labels: []string{"incident"}, PullRequest: true})
	r.AddIssue(Issue{Number: 4, Title: "other", Labels: []string{"bug"}})
	out := postGraphQL(t, f, `query($labels: [String!]) {
	  w: repository(owner: "acme", name: "web") { hasIssuesEnabled
	    byCreation: issues(first: 10, labels: $labels, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { number state stateReason closedAt } }
	    closed: issues(first: 10, labels: $labels, states: [CLOSED]) { totalCount } }
	  g: repository(owner: "acme", name: "ghost") { name } }`, map[string]any{"labels": []string{"incident"}})
	w := out["data"].(map[string]any)["w"].(map[string]any)
	assert.Equal(t, true, w["hasIssuesEnabled"])
	by := w["byCreation"].(map[string]any)
	assert.EqualValues(t, 2, by["totalCount"], "pull requests are not issues")
	nodes := by["nodes"].([]any)
	assert.EqualValues(t, 2, nodes[0].(map[string]any)["number"])
	assert.Equal(t, map[string]any{"number": 1.0, "state": "CLOSED", "stateReason": "COMPLETED", "closedAt": "2026-01-02T00:00:00Z"}, nodes[1])
	assert.EqualValues(t, 1, w["closed"].(map[string]any)["totalCount"])
	assert.Nil(t, out["data"].(map[string]any)["g"])
	e := out["errors"].([]any)[0].(map[string]any)
	assert.Equal(t, "NOT_FOUND", e["type"])
	assert.Equal(t, []any{"g"}, e["path"])
}

package github

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

// deploymentWorld is world's repositories with deployment urls on the
// fake's API base, as a server gives them (the GraphQL path builds them).
func deploymentWorld(f *fake) {
	world(f)
	for _, full := range []string{"acme/web", "acme/api"} {
		for _, d := range f.Repo(full).Deployments {
			d["url"] = fmt.Sprintf("%srepos/%s/deployments/%v", f.APIURL(), full, d["id"])
		}
	}
}

func deploymentsPart(t *testing.T, f *fake, graphql bool) ([]byte, *Source, error) {
	t.Helper()
	s, _ := build(t, f, Config{Repos: []string{"api", "web"}, Collect: []string{PartDeployments}, GraphQL: &graphql, Concurrency: 1})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	if err != nil {
		return nil, s, err
	}
	b, err := json.Marshal(res.Data.Deployments)
	require.NoError(t, err)
	return b, s, nil
}

func TestGraphQLDeploymentsSameRecordsAsREST(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	rest, _, err := deploymentsPart(t, f, false)
	require.NoError(t, err)
	assert.Equal(t, 3, f.Count("GET /repos/acme/web/deployments/103/statuses")+f.Count("GET /repos/acme/web/deployments/102/statuses")+f.Count("GET /repos/acme/web/deployments/101/statuses")-1)
	f.ResetRequests()

	gql, s, err := deploymentsPart(t, f, true)
	require.NoError(t, err)
	assert.JSONEq(t, string(rest), string(gql))
	assert.Equal(t, string(rest), string(gql))
	assert.Contains(t, string(gql), `"statuses":["success","in_progress","queued"]`)
	// api: one query; web: two (3 deployments, 2 a page). No REST list.
	assert.Equal(t, []string{"GET /rate_limit", "POST /graphql", "POST /graphql", "POST /graphql"}, f.Log(""))
	assert.Empty(t, s.Notes())
}

func TestGraphQLNotAvailableFallsBackToREST(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	rest, _, err := deploymentsPart(t, f, false)
	require.NoError(t, err)
	f.ResetRequests()
	f.NoGraphQL = true
	gql, s, err := deploymentsPart(t, f, true)
	require.NoError(t, err)
	assert.Equal(t, string(rest), string(gql))
	assert.Equal(t, 1, f.Count("POST /graphql"), "asked once, then REST")
	assert.Equal(t, []string{"acme: no GraphQL API (404): deployments read with the REST lists"}, s.Notes())
}

func TestGraphQLMissingRepository(t *testing.T) {
	f := newFake(t)
	tr := true
	s, _ := build(t, f, Config{Repos: []string{"ghost"}, Collect: []string{PartDeployments}, GraphQL: &tr})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "repository acme/ghost not found")
}

func TestGraphQLManyStatusesReadWithREST(t *testing.T) {
	f := newFake(t)
	f.MaxPerPage = 100
	r := f.Repo("acme/web")
	r.Deployments = []map[string]any{ghfake.Deployment("acme/web", 1, "production", "sha", "deploy", "", day(1))}
	for i := 130; i > 0; i-- {
		st := "in_progress"
		if i == 1 {
			st = "success" // the oldest: beyond GraphQL's newest 100
		}
		r.Statuses[1] = append(r.Statuses[1], ghfake.DeploymentStatus(int64(i), st, day(1)))
	}
	tr := true
	s, _ := build(t, f, Config{Repos: []string{"web"}, Collect: []string{PartDeployments}, GraphQL: &tr})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Deployments, 1)
	assert.Equal(t, []string{"in_progress", "success"}, res.Data.Deployments[0].Statuses)
	assert.Len(t, f.Log("GET /repos/acme/web/deployments/1/statuses"), 2)
}

func TestGraphQLPointsExhaustedFailsClearly(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	f.GraphQLLimit = 1 // the first query leaves 0 points; the reset is up to an hour away
	tr, fa := true, false
	s, _ := build(t, f, Config{Repos: []string{"api", "web"}, Collect: []string{PartDeployments}, GraphQL: &tr, RequireQuota: &fa, Concurrency: 1})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limited until")
	assert.Equal(t, 1, f.Count("POST /graphql"))
}

func TestGraphQLURL(t *testing.T) {
	assert.Equal(t, "https://api.github.com/graphql", graphqlURL("https://api.github.com/"))
	assert.Equal(t, "https://ghe.example.com/api/graphql", graphqlURL("https://ghe.example.com/api/v3/"))
	f := newFake(t)
	assert.Equal(t, f.GraphQLURL(), graphqlURL(f.APIURL()))
	assert.True(t, strings.HasSuffix(f.GraphQLURL(), "/api/graphql"))
}

package github

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

// bigWorld: acme/big has 230 deployments (some without a status, one with
// 130 statuses, some deployed by commit, some by a user) and 150 issues
// labelled incident (open, closed as completed, not planned, duplicate or
// without a reason, with and without body times, some unreadable), pull
// requests with the label and unlabelled issues; acme/small one of each;
// acme/noissues has issues turned off.
func bigWorld(f *fake) {
	f.MaxPerPage = 100
	big := f.Repo("acme/big")
	for i := 230; i >= 1; i-- { // newest first
		id := int64(i)
		created := now0.Add(-time.Duration(240-i) * time.Hour)
		d := ghfake.Deployment("acme/big", id, []string{"production", "staging"}[i%2], fmt.Sprintf("sha%d", i), "deploy", fmt.Sprintf("Deploy %d", i), created)
		d["url"] = fmt.Sprintf("%srepos/acme/big/deployments/%d", f.APIURL(), id)
		if i%7 == 0 {
			d["ref"] = d["sha"] // deployed by commit
		}
		if i%11 == 0 {
			d["creator"] = ghfake.User("alice", "User")
		}
		big.Deployments = append(big.Deployments, d)
		switch {
		case i == 200:
			for k := 130; k >= 1; k-- {
				st := "in_progress"
				if k == 1 {
					st = "queued"
				}
				big.Statuses[id] = append(big.Statuses[id], ghfake.DeploymentStatus(id*1000+int64(k), st, created))
			}
		case i%5 == 0: // no status
		case i%3 == 0:
			big.Statuses[id] = []map[string]any{ghfake.DeploymentStatus(id*10+3, "failure", created), ghfake.DeploymentStatus(id*10+2, "in_progress", created), ghfake.DeploymentStatus(id*10+1, "in_progress", created)}
		default:
			big.Statuses[id] = []map[string]any{ghfake.DeploymentStatus(id*10+2, "success", created), ghfake.DeploymentStatus(id*10+1, "queued", created)}
		}
	}
	for i := 1; i <= 170; i++ {
		created := now0.Add(-time.Duration(400-2*i) * time.Hour)
		is := ghfake.Issue{Number: i, Title: fmt.Sprintf("Incident %d", i), Labels: []string{"incident", fmt.Sprintf("sev%d", 1+i%4)}, Created: created}
		switch i % 6 {
		case 0:
			is.State = "open"
			is.Body = fmt.Sprintf("Started: %s\nDetected: %s", created.Add(-time.Hour).Format(time.RFC3339), created.Add(-30*time.Minute).Format(time.RFC3339))
		case 1:
			is.State, is.StateReason, is.Closed = "closed", "completed", created.Add(5*time.Hour)
			is.Body = "### Started at\n\n" + created.Add(-2*time.Hour).Format("2006-01-02 15:04:05Z") + "\n"
		case 2:
			is.State, is.StateReason, is.Closed = "closed", "not_planned", created.Add(time.Hour)
		case 3:
			is.State, is.StateReason, is.Closed = "closed", "duplicate", created.Add(time.Hour)
		case 4:
			is.State, is.Closed = "closed", created.Add(3*time.Hour) // before state reasons
			is.Body = "Started: yesterday-ish\nDetected: soon"       // unreadable: notes
		case 5:
			is.State = "open"
			is.Labels = []string{"Sev 2", "incident", "SEV-1"}
		}
		switch {
		case i%25 == 0:
			is.PullRequest = true
		case i%31 == 0:
			is.Labels = []string{"bug"}
		}
		big.AddIssue(is)
	}

	small := f.Repo("acme/small")
	small.Deployments = []map[string]any{ghfake.Deployment("acme/small", 9001, "production", "abc", "deploy", "", day(2))}
	small.Deployments[0]["url"] = f.APIURL() + "repos/acme/small/deployments/9001"
	small.AddIssue(ghfake.Issue{Number: 1, Title: "Outage", Labels: []string{"incident"}, State: "closed", StateReason: "completed", Created: day(5), Closed: day(4)})

	off := f.Repo("acme/noissues")
	off.Deployments = []map[string]any{ghfake.Deployment("acme/noissues", 9101, "production", "abc", "deploy", "", day(2))}
	off.Deployments[0]["url"] = f.APIURL() + "repos/acme/noissues/deployments/9101"
	off.Statuses[9101] = []map[string]any{ghfake.DeploymentStatus(1, "success", day(2))}
	off.Off["issues"] = ghfake.Off{Status: 410, Message: "Issues are disabled for this repo"}
}

// reading is what a collection gave: the deployment and incident records
// as JSON, and the notes, sorted.
type reading struct{ deployments, incidents, notes string }

func readRecords(t *testing.T, f *fake, graphql bool, cacheDir string) reading {
	t.Helper()
	s, _ := build(t, f, Config{Repos: []string{"big", "small", "noissues"}, Collect: []string{PartDeployments, PartIncidents}, GraphQL: &graphql, Concurrency: 2})
	env := envWith(tokenEnv(), nil)
	env.CacheDir = cacheDir
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	d, err := json.Marshal(res.Data.Deployments)
	require.NoError(t, err)
	in, err := json.Marshal(res.Data.Incidents)
	require.NoError(t, err)
	notes := s.Notes()
	sort.Strings(notes)
	return reading{string(d), string(in), strings.Join(notes, "\n")}
}

// The GraphQL reading gives the records of the REST lists byte for byte,
// past 100 deployments and 100 incident issues, from a cold cache and
// from the cache.
func TestGraphQLRecordsByteIdenticalToREST(t *testing.T) {
	f := newFake(t)
	bigWorld(f)
	rest := readRecords(t, f, false, "")
	assert.Equal(t, 0, f.GraphQLPoints())
	assert.Contains(t, rest.deployments, `"statuses":[]`)
	assert.Contains(t, rest.deployments, `"statuses":["in_progress","queued"]`, "130 statuses")
	assert.Contains(t, rest.incidents, `"id":"acme/big#169"`)
	assert.Contains(t, rest.notes, "acme/noissues: incidents skipped: issues are disabled")
	assert.Contains(t, rest.notes, "is not a time")
	var deps, incs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(rest.deployments), &deps))
	require.NoError(t, json.Unmarshal([]byte(rest.incidents), &incs))
	assert.Len(t, deps, 232)
	assert.Greater(t, len(incs), 100)

	f.ResetQuota()
	f.ResetRequests()
	gql := readRecords(t, f, true, "")
	assert.Equal(t, rest, gql)
	// big: 230 deployments and 159 issues labelled incident: three queries
	// of 100 deployments and 47 issues, then one of the last 18 issues, 1
	// point each; small and noissues: one each.
	assert.Equal(t, 6, f.GraphQLPoints())
	assert.Len(t, f.Log("GET /repos/acme/big/deployments/200/statuses"), 2, "130 statuses: the REST list")
	assert.Empty(t, f.Log("GET /repos/acme/big/issues"))
	assert.Empty(t, f.Log("GET /repos/acme/big/deployments?"))

	dir := filepath.Join(t.TempDir(), ".cache")
	cold := readRecords(t, f, true, dir)
	assert.Equal(t, rest, cold)
	f.ResetQuota()
	f.ResetRequests()
	warm := readRecords(t, f, true, dir)
	assert.Equal(t, rest, warm)
	assert.Equal(t, 1+4, f.GraphQLPoints(), "the fingerprints of the three repositories; big again: its newest deployment has no status and is less than a day old")
	assert.Equal(t, 0, repoQueries(f, "small")+repoQueries(f, "noissues"))
	assert.Zero(t, f.Quota())
}

// repoQueries counts the GraphQL queries that read repository name in
// full (the fingerprint queries name their repositories $n0, $n1...).
func repoQueries(f *fake, name string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Path == "/graphql" && strings.Contains(r.Body, `"name":"`+name+`"`) {
			n++
		}
	}
	return n
}

// A re-run after one repository changed (a new deployment, a new incident,
// a new status, an edited incident) reads that repository again, and only
// it, and gives the records of a cold run.
func TestRerunRereadsOnlyTheChangedRepository(t *testing.T) {
	f := newFake(t)
	f.MaxPerPage = 100
	for _, name := range []string{"a", "b", "c"} {
		full := "acme/" + name
		r := f.Repo(full)
		for i := 3; i >= 1; i-- {
			id := int64(len(name)*100 + int(name[0])*10 + i)
			r.Deployments = append(r.Deployments, ghfake.Deployment(full, id, "production", "sha", "deploy", "", day(10-i)))
			r.Deployments[len(r.Deployments)-1]["url"] = fmt.Sprintf("%srepos/%s/deployments/%d", f.APIURL(), full, id)
			r.Statuses[id] = []map[string]any{ghfake.DeploymentStatus(id*10, "success", day(10-i))}
		}
		r.AddIssue(ghfake.Issue{Number: 1, Title: "Outage " + name, Labels: []string{"incident", "sev2"}, State: "closed", StateReason: "completed", Created: day(20), Closed: day(19)})
	}
	collect := func(dir string) string {
		tr := true
		s, _ := build(t, f, Config{Collect: []string{PartDeployments, PartIncidents}, GraphQL: &tr})
		env := envWith(tokenEnv(), nil)
		env.CacheDir = dir
		res, err := s.Collect(context.Background(), env)
		require.NoError(t, err)
		b, err := json.Marshal(res.Data)
		require.NoError(t, err)
		return string(b)
	}
	dir := filepath.Join(t.TempDir(), ".cache")
	collect(dir)

	for _, tc := range []struct {
		name, repo string
		change     func()
	}{
		{"new deployment", "b", func() {
			r := f.Repo("acme/b")
			d := ghfake.Deployment("acme/b", 999, "production", "sha9", "deploy", "", day(1))
			d["url"] = f.APIURL() + "repos/acme/b/deployments/999"
			r.Deployments = append([]map[string]any{d}, r.Deployments...)
			r.Statuses[999] = []map[string]any{ghfake.DeploymentStatus(9990, "success", day(1))}
		}},
		{"new incident", "c", func() {
			f.Repo("acme/c").AddIssue(ghfake.Issue{Number: 2, Title: "Leak", Labels: []string{"incident", "sev1"}, Created: day(1)})
		}},
		{"status change", "a", func() {
			r := f.Repo("acme/a")
			id := toID(r.Deployments[0]["id"])
			r.Statuses[id] = append([]map[string]any{ghfake.DeploymentStatus(id*10+1, "inactive", day(1))}, r.Statuses[id]...)
		}},
		{"edited incident", "b", func() {
			require.True(t, f.Repo("acme/b").EditIssue(1, func(i *ghfake.Issue) { i.Labels = []string{"incident", "sev1"} }))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.change()
			f.ResetRequests()
			f.ResetQuota()
			got := collect(dir)
			for _, name := range []string{"a", "b", "c"} {
				want := 0
				if name == tc.repo {
					want = 1
				}
				assert.Equal(t, want, repoQueries(f, name), name)
			}
			assert.Equal(t, 2, f.GraphQLPoints(), "the fingerprints, and the changed repository")
			cold := collect(filepath.Join(t.TempDir(), ".cache"))
			assert.Equal(t, cold, got, "the records of a cold run")
		})
	}
}

func toID(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// The queries the source sends cost 1 point each by GitHub's formula (the
// fake computes it from the query's shape), and no more could be read at
// that cost.
func TestQueriesCostOnePoint(t *testing.T) {
	vars := map[string]any{"owner": "acme", "name": "web", "labels": []any{"incident"}}
	for _, q := range []string{repoQuery(true, true, issuesBeside), repoQuery(true, false, 100), repoQuery(false, true, 100)} {
		cost, err := ghfake.GraphQLCost(q, vars)
		require.NoError(t, err, q)
		assert.Equal(t, 1, cost, q)
	}
	cost, err := ghfake.GraphQLCost(repoQuery(true, true, issuesBeside+1), vars)
	require.NoError(t, err)
	assert.Equal(t, 2, cost, "one more issue a page costs 2 points")

	for _, parts := range [][]string{{PartDeployments, PartIncidents}, {PartDeployments}, {PartIncidents}} {
		s, err := New(&Config{Owner: "acme", Collect: parts})
		require.NoError(t, err)
		c := &collector{src: s}
		n := c.fingerprintBatch()
		fv := map[string]any{"labels": []any{"incident"}}
		for i := 0; i < n; i++ {
			fv[fmt.Sprintf("o%d", i)], fv[fmt.Sprintf("n%d", i)] = "acme", fmt.Sprintf("r%d", i)
		}
		cost, err := ghfake.GraphQLCost(c.fingerprintQuery(n), fv)
		require.NoError(t, err)
		assert.Equal(t, 1, cost, "%v: %d repositories a query", parts, n)
		assert.GreaterOrEqual(t, n, 50)
	}
}

// GraphQL failures fail the source with an error naming the request: a
// 502 (after the retries), an answer's errors, a spent rate limit; the
// fingerprint query too.
func TestGraphQLErrorsFailClearly(t *testing.T) {
	isGraphQL := func(r ghfake.Request) bool { return r.Path == "/graphql" }
	for _, tc := range []struct {
		name  string
		fault ghfake.Fault
		cache bool
		want  []string
	}{
		{"502", ghfake.Fault{Status: 502, Body: `{"message":"Server Error"}`}, false,
			[]string{"github source org: acme/api: deployments and incident issues (GraphQL POST ", "/api/graphql)", "502"}},
		{"errors", ghfake.Fault{Status: 200, Body: `{"data":null,"errors":[{"type":"INTERNAL","message":"Something went wrong while executing your query."}]}`}, false,
			[]string{"github source org: acme/api: deployments and incident issues (GraphQL POST ", "INTERNAL Something went wrong while executing your query."}},
		{"rate limited", ghfake.Fault{Status: 200, Body: `{"errors":[{"type":"RATE_LIMITED","code":"graphql_rate_limit","message":"API rate limit already exceeded for user ID 1."}]}`}, false,
			[]string{"github source org: acme/api: deployments and incident issues (GraphQL POST ", "GraphQL rate limit spent (RATE_LIMITED: API rate limit already exceeded for user ID 1.): wait for the reset, or set graphql = false"}},
		{"fingerprints", ghfake.Fault{Status: 502}, true,
			[]string{"github source org: fingerprints of 2 repositories (acme/api to acme/web) (GraphQL POST ", "502"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			deploymentWorld(f)
			fault := tc.fault
			fault.Match = isGraphQL
			f.AddFault(&fault)
			tr := true
			s, _ := build(t, f, Config{Repos: []string{"api", "web"}, Collect: []string{PartDeployments, PartIncidents}, GraphQL: &tr, Concurrency: 1})
			env := envWith(tokenEnv(), nil)
			if tc.cache {
				env.CacheDir = filepath.Join(t.TempDir(), ".cache")
			}
			_, err := s.Collect(context.Background(), env)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), testToken)
		})
	}
}

// A server without GraphQL is found by the first query (here the
// fingerprints, with the cache): everything is read with the REST lists,
// with one note, and the records are the same.
func TestNoGraphQLWithCacheReadsREST(t *testing.T) {
	f := newFake(t)
	bigWorld(f)
	rest := readRecords(t, f, false, "")
	f.ResetRequests()
	f.NoGraphQL = true
	s, _ := build(t, f, Config{Repos: []string{"big", "small", "noissues"}, Collect: []string{PartDeployments, PartIncidents}, GraphQL: new(bool), Concurrency: 2})
	*s.cfg.GraphQL = true
	env := envWith(tokenEnv(), nil)
	env.CacheDir = filepath.Join(t.TempDir(), ".cache")
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	d, err := json.Marshal(res.Data.Deployments)
	require.NoError(t, err)
	in, err := json.Marshal(res.Data.Incidents)
	require.NoError(t, err)
	assert.Equal(t, rest.deployments, string(d))
	assert.Equal(t, rest.incidents, string(in))
	assert.Equal(t, 1, f.Count("POST /graphql"), "asked once, then REST")
	assert.Contains(t, s.Notes(), "acme: no GraphQL API (404): deployments and incident issues read with the REST lists")
}

// The budget line counts one GraphQL point a repository, plus the
// fingerprint queries with the cache, and no REST request per repository;
// without GraphQL, the REST lists.
func TestBudgetLineCountsTheGraphQLReading(t *testing.T) {
	for _, tc := range []struct {
		graphql, cache bool
		want           string
	}{
		{true, true, "github: ~3 requests needed, 4995 remaining (resets at 2026-11-20T11:00:00Z); ~3 GraphQL points, 5000 remaining"},
		{false, false, "github: ~9 requests needed, 4995 remaining (resets at 2026-11-20T11:00:00Z)"},
	} {
		f := newFake(t)
		world(f)
		g := tc.graphql
		s, _ := build(t, f, Config{GraphQL: &g})
		env := envWith(tokenEnv(), nil)
		if tc.cache {
			env.CacheDir = filepath.Join(t.TempDir(), ".cache")
		}
		out := &said{}
		env.Say = out.say
		_, err := s.Collect(context.Background(), env)
		require.NoError(t, err)
		assert.Equal(t, []string{tc.want}, out.lines)
		if tc.graphql {
			assert.Equal(t, 3+1, f.GraphQLPoints(), "the estimate is a floor: web's 3 deployments are 2 a page here")
		}
	}
}

// With the cache, a missing repository has no fingerprint (its alias is
// null, with NOT_FOUND): it is read in full, which names it.
func TestMissingRepositoryWithCache(t *testing.T) {
	f := newFake(t)
	deploymentWorld(f)
	tr := true
	s, _ := build(t, f, Config{Repos: []string{"web", "ghost"}, Collect: []string{PartDeployments, PartIncidents}, GraphQL: &tr, Concurrency: 1})
	env := envWith(tokenEnv(), nil)
	env.CacheDir = filepath.Join(t.TempDir(), ".cache")
	_, err := s.Collect(context.Background(), env)
	require.Error(t, err)
	assert.Equal(t, "github source org: repository acme/ghost not found (404): check repos and the token's access", err.Error())
}

package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

// A github source whose GraphQL queries fail (an answer's errors, a spent
// rate limit; sources/github tests the 502 that outlasts the retries) makes
// eval exit 2 with the source's error, which names the request (here the
// fingerprint query that comes first with the cache); the token is never
// shown.
func TestGitHubGraphQLFailureExits2(t *testing.T) {
	const token = "ghp_CLItestTOKEN0123456789abcdefghijklmn"
	t.Setenv("GITHUB_TOKEN", token) // the sources read the process's environment
	for name, fault := range map[string]ghfake.Fault{
		"errors":       {Status: 200, Body: `{"errors":[{"type":"INTERNAL","message":"Something went wrong while executing your query."}]}`},
		"rate limited": {Status: 200, Body: `{"errors":[{"type":"RATE_LIMITED","code":"graphql_rate_limit","message":"API rate limit already exceeded for user ID 1."}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			f := ghfake.New()
			t.Cleanup(f.Close)
			f.Token = token
			f.Owners["acme"] = "Organization"
			f.Repo("acme/web").Deployments = []map[string]any{ghfake.Deployment("acme/web", 1, "production", "s", "deploy", "", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))}
			fault.Match = func(r ghfake.Request) bool { return r.Path == "/graphql" }
			f.AddFault(&fault)
			cfg := baseConfig + `source "github" "org" {
  owner   = "acme"
  api_url = "` + f.APIURL() + `"
  repos   = ["web"]
  collect = ["deployments", "incidents"]
}
`
			dir := fixture(t, map[string]string{"posture.hcl": cfg})
			var out, errb bytes.Buffer
			code := Run(context.Background(), []string{"posture", "--config", dir + "/posture.hcl", "eval"}, strings.NewReader(""), &out, &errb, func(k string) string {
				return map[string]string{"POSTURE_AS_OF": "2026-11-27"}[k]
			})
			assert.Equal(t, ExitError, code, errb.String())
			assert.Contains(t, errb.String(), "source github.org: github source org: fingerprint of acme/web (GraphQL POST ")
			assert.NotContains(t, errb.String()+out.String(), token)
		})
	}
}

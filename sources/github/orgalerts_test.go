package github

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/snapshot"
)

func alertsPart(t *testing.T, f *fake, cfg Config) ([]byte, *Source) {
	t.Helper()
	cfg.Collect = []string{PartAlerts}
	s, _ := build(t, f, cfg)
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	b, err := json.Marshal(res.Data.Vulnerabilities)
	require.NoError(t, err)
	return b, s
}

// Reading every repository of an organisation lists its alerts with the
// three organisation endpoints: the same records, byte for byte, as the
// lists of each repository.
func TestOrgAlertEndpoints(t *testing.T) {
	f := newFake(t)
	world(f)
	f.Repo("other/x").Dependabot = []map[string]any{ // another owner's: never listed
		ghfake.DependabotAlert{Number: 1, State: "open", GHSA: "GHSA-xxxx-xxxx-xxxx", Package: "x", Severity: "low", Created: day(1)}.JSON("other/x"),
	}
	f.Owners["other"] = "Organization"

	perRepo, _ := alertsPart(t, f, Config{Repos: []string{"api", "web"}})
	assert.Len(t, f.Log("GET /repos/acme/web/dependabot/alerts"), 3)
	f.ResetRequests()

	org, s := alertsPart(t, f, Config{})
	var vs []snapshot.Vulnerability
	require.NoError(t, json.Unmarshal(org, &vs))
	require.Len(t, vs, 12)
	assert.Equal(t, string(perRepo), string(org))

	for _, l := range f.Log("") {
		assert.False(t, strings.Contains(l, "/alerts") && strings.HasPrefix(l, "GET /repos/"), "no alert list per repository: %s", l)
	}
	assert.Len(t, f.Log("GET /orgs/acme/dependabot/alerts"), 3, "6 alerts, 2 a page")
	assert.Len(t, f.Log("GET /orgs/acme/code-scanning/alerts"), 2)
	assert.Len(t, f.Log("GET /orgs/acme/secret-scanning/alerts"), 2)
	assert.Empty(t, s.Notes())
}

// A refused organisation endpoint (not an owner or security manager, or a
// server without it) falls back to the lists of each repository, with a
// note; the other kinds stay organisation-wide.
func TestOrgAlertEndpointRefusedFallsBack(t *testing.T) {
	f := newFake(t)
	world(f)
	perRepo, _ := alertsPart(t, f, Config{Repos: []string{"api", "web"}})
	f.ResetRequests()
	f.OrgAlertsOff = map[string]ghfake.Off{"secret-scanning": {Status: 404, Message: "Not Found"}}

	org, s := alertsPart(t, f, Config{})
	assert.Equal(t, string(perRepo), string(org))
	assert.Len(t, f.Log("GET /repos/acme/web/secret-scanning/alerts"), 2)
	assert.Empty(t, f.Log("GET /repos/acme/web/dependabot/alerts"))
	notes := strings.Join(s.Notes(), "\n")
	assert.Contains(t, notes, "acme: the organisation's secret scanning alerts are not readable (404 Not Found): read per repository")
	assert.Contains(t, notes, "acme/api: secret scanning alerts skipped")
}

// Another failure of an organisation endpoint is the source's error.
func TestOrgAlertEndpointFailure(t *testing.T) {
	f := newFake(t)
	world(f)
	f.Inject("GET /orgs/acme/code-scanning/alerts", ghfake.Fault{Status: 400, Body: `{"message":"bad"}`})
	s, _ := build(t, f, Config{Collect: []string{PartAlerts}})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "github source org: the organisation's code scanning alerts")
}

package github

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/snapshot"
)

func ptr[T any](v T) *T { return &v }

// pats fills the fake with five tokens (three pages of two): no expiry,
// expired, expiring in the future, and two more.
func pats(f *fake) {
	f.PATs = []map[string]any{
		ghfake.PAT{ID: 31, TokenID: 901, Owner: "alice", Name: "ci", Granted: day(100), Expires: day(-20), LastUsed: day(1)}.JSON(now0),
		ghfake.PAT{ID: 7, TokenID: 902, Owner: "bob", Name: "forever", Granted: day(400)}.JSON(now0),
		ghfake.PAT{ID: 12, TokenID: 903, Owner: "carol", Name: "old", Granted: day(200), Expires: day(10)}.JSON(now0),
		ghfake.PAT{ID: 40, TokenID: 904, Owner: "alice", Name: "long", Granted: day(30), Expires: day(-335), Selection: "all"}.JSON(now0),
		ghfake.PAT{ID: 9, TokenID: 905, Owner: "dave", Name: "script", Granted: day(5), Expires: day(-25)}.JSON(now0),
	}
}

func TestPersonalAccessTokensPagesAndMapping(t *testing.T) {
	f := newFake(t)
	f.Admins = []string{"alice"}
	pats(f)
	s, _ := build(t, f, Config{Collect: []string{"members"}, PersonalAccessTokens: true})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"members", "tokens"}, res.Provides)
	assert.Equal(t, []string{
		"GET /orgs/acme/personal-access-tokens?per_page=100",
		"GET /orgs/acme/personal-access-tokens?page=2&per_page=100",
		"GET /orgs/acme/personal-access-tokens?page=3&per_page=100",
	}, f.Log("GET /orgs/acme/personal-access-tokens"), "every page, 100 asked for (the fake caps at 2)")

	toks := res.Data.Tokens
	require.Len(t, toks, 5)
	var ids []string
	for _, tk := range toks {
		ids = append(ids, tk.ID)
		assert.Equal(t, "org", tk.Source)
		assert.False(t, tk.Revoked, "expired is not revoked")
	}
	assert.Equal(t, []string{"github-pat:7", "github-pat:9", "github-pat:12", "github-pat:31", "github-pat:40"}, ids, "by grant id")
	byID := map[string]snapshot.Token{}
	for _, tk := range toks {
		byID[tk.ID] = tk
	}

	never := byID["github-pat:7"]
	assert.Equal(t, "bob", never.Account)
	assert.Nil(t, never.ExpiresAt, "null expiry: never expires")
	assert.Nil(t, never.ExpiresAtMS)
	require.NotNil(t, never.CreatedAt)
	assert.Equal(t, day(400).UnixMilli(), *never.CreatedAtMS, "created_at is access_granted_at")
	assert.Equal(t, f.APIURL()+"orgs/acme/personal-access-tokens/7", never.Origin)

	expired := byID["github-pat:12"]
	require.NotNil(t, expired.ExpiresAtMS)
	assert.Equal(t, day(10).UnixMilli(), *expired.ExpiresAtMS, "expired: the expiry is kept, which makes it not live")

	future := byID["github-pat:31"]
	assert.Equal(t, "alice", future.Account)
	assert.Equal(t, day(-20).UnixMilli(), *future.ExpiresAtMS)
	assert.Equal(t, day(100).UnixMilli(), *future.CreatedAtMS)
	assert.Empty(t, s.Notes())
}

func TestPersonalAccessTokensOnlyWhenAsked(t *testing.T) {
	f := newFake(t)
	f.Admins = []string{"alice"}
	pats(f)
	s, _ := build(t, f, Config{Collect: []string{"members"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"members"}, res.Provides)
	assert.Empty(t, res.Data.Tokens)
	assert.Empty(t, f.Log("GET /orgs/acme/personal-access-tokens"))

	// "tokens" in collect turns the part on too: a tokens-only source.
	f.ResetRequests()
	s, _ = build(t, f, Config{Collect: []string{"tokens"}})
	res, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"tokens"}, res.Provides)
	assert.Len(t, res.Data.Tokens, 5)
	assert.Empty(t, f.Log("GET /orgs/acme/members"))

	s, err = New(&Config{Owner: "acme"})
	require.NoError(t, err)
	assert.Equal(t, []string{"members", "alerts", "deployments", "incidents"}, s.parts, "not by default")
	s, err = New(&Config{Owner: "acme", PersonalAccessTokens: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"members", "alerts", "deployments", "incidents", "tokens"}, s.parts)
}

// An enabled part that the token may not read is a source error naming the
// request and the permission, never a silent skip.
func TestPersonalAccessTokensRefusedIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*fake)
		code  string
	}{
		{"user token", func(f *fake) { f.PATsAppOnly = true }, "403 Resource not accessible by personal access token"},
		{"not found", func(f *fake) { f.PATsOff = &ghfake.Off{Status: 404, Message: "Not Found"} }, "404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			pats(f)
			tc.setup(f)
			s, _ := build(t, f, Config{Collect: []string{"members"}, PersonalAccessTokens: true})
			_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, "github source org: tokens: GET /orgs/acme/personal-access-tokens needs a GitHub App installation token with the organization_personal_access_tokens: read permission")
			assert.Contains(t, msg, "GET "+f.APIURL()+"orgs/acme/personal-access-tokens")
			assert.Contains(t, msg, tc.code)
			assert.NotContains(t, msg, testToken)
			assert.Equal(t, 1, f.Count("GET /orgs/acme/personal-access-tokens"), "a refusal is not retried")
		})
	}
}

func TestPersonalAccessTokensWithGitHubApp(t *testing.T) {
	dir := t.TempDir()
	key := writeKey(t, dir)
	f := newFake(t)
	pats(f)
	f.PATsAppOnly = true
	f.Token = "ghs_INSTALLATIONtoken0000000000000000000"
	f.App = &ghfake.App{ID: 4242, InstallationID: 777, Key: &key.PublicKey, Token: f.Token}
	s, rec := build(t, f, Config{Collect: []string{"tokens"}, AppID: 4242, InstallationID: 777, PrivateKeyPath: "keys/app.pem"})
	f.Clock = rec.Now
	env := envWith(nil, nil)
	env.BaseDir = dir
	res, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	assert.Len(t, res.Data.Tokens, 5)
}

func TestPersonalAccessTokensOfAUserIsAnError(t *testing.T) {
	f := newFake(t)
	f.Owners = map[string]string{"octocat": "User"}
	s, _ := build(t, f, Config{Owner: "octocat", Collect: []string{"tokens"}})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	assert.EqualError(t, err, "github source org: tokens: octocat is a user account: fine-grained personal access tokens are listed for organisations only (GET /orgs/octocat/personal-access-tokens)")
	assert.Empty(t, f.Log("GET /orgs/"))
}

func TestTwoFactorModes(t *testing.T) {
	tr, fa := true, false
	mfa := func(accts []snapshot.Account) map[string]*bool {
		out := map[string]*bool{}
		for _, a := range accts {
			out[a.Login] = a.MFA
		}
		return out
	}
	const filter = "GET /orgs/acme/members?filter=2fa_disabled"

	// Default: read, MFA false for the 2fa_disabled ones, true for the others.
	f := newFake(t)
	f.Admins, f.No2FA = []string{"alice", "bob"}, []string{"bob"}
	s, _ := build(t, f, Config{Collect: []string{"members"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, map[string]*bool{"alice": &tr, "bob": &fa}, mfa(res.Data.Accounts))
	assert.Len(t, f.Log(filter), 1)

	// two_factor = true and readable: the same.
	f.ResetRequests()
	s, _ = build(t, f, Config{Collect: []string{"members"}, TwoFactor: ptr(true)})
	res, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, map[string]*bool{"alice": &tr, "bob": &fa}, mfa(res.Data.Accounts))

	// two_factor = false: not asked, unknown, no note.
	f.ResetRequests()
	s, _ = build(t, f, Config{Collect: []string{"members"}, TwoFactor: ptr(false)})
	res, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	assert.Equal(t, map[string]*bool{"alice": nil, "bob": nil}, mfa(res.Data.Accounts))
	assert.Empty(t, f.Log(filter))
	assert.Empty(t, res.Notes)

	// two_factor = true and refused: a source error naming the request.
	for _, code := range []int{403, 422} {
		f.TwoFA = &ghfake.Off{Status: code, Message: "Only owners can use this filter."}
		s, _ = build(t, f, Config{Collect: []string{"members"}, TwoFactor: ptr(true)})
		_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "github source org: members: GET /orgs/acme/members?filter=2fa_disabled (two_factor = true): only an organisation owner may use the 2fa_disabled filter")
		assert.Contains(t, err.Error(), "Only owners can use this filter.")
	}

	// two_factor = true of a user owner: an error.
	f.Owners["octocat"] = "User"
	s, _ = build(t, f, Config{Owner: "octocat", Collect: []string{"members"}, TwoFactor: ptr(true)})
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	assert.ErrorContains(t, err, "two_factor = true: octocat is a user account")

	// two_factor = true without the members part: a config error.
	_, err = New(&Config{Owner: "acme", Collect: []string{"alerts"}, TwoFactor: ptr(true)})
	assert.EqualError(t, err, "two_factor = true: the two-factor state is read with the members part, which collect leaves out")
	_, err = New(&Config{Owner: "acme", Collect: []string{"alerts"}, TwoFactor: ptr(false)})
	assert.NoError(t, err)
}

func TestTwoFactorRefusedByDefaultIsANote(t *testing.T) {
	f := newFake(t)
	f.Admins = []string{"alice"}
	f.TwoFA = &ghfake.Off{Status: 403, Message: "Must be an organization owner."}
	s, _ := build(t, f, Config{Collect: []string{"members"}})
	res, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err)
	require.Len(t, res.Data.Accounts, 1)
	assert.Nil(t, res.Data.Accounts[0].MFA)
	assert.Equal(t, []string{"members: 2FA status of acme not readable: the token is not an organisation owner (403): mfa left unknown"}, res.Notes)
	assert.True(t, strings.HasPrefix(s.Notes()[0], "members: 2FA status"))
}

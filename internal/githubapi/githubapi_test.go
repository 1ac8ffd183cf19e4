package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/internal/retry"
)

const testToken = "ghs_TESTTOKEN0123456789abcdef"

func TestFromEnv(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	assert.Equal(t, Settings{Token: "a", APIURL: "https://ghe.example.com/api/v3"},
		FromEnv(env(map[string]string{"GITHUB_TOKEN": " a\n", "GH_TOKEN": "b", "GITHUB_API_URL": " https://ghe.example.com/api/v3 "})))
	assert.Equal(t, Settings{Token: "b"}, FromEnv(env(map[string]string{"GITHUB_TOKEN": "  ", "GH_TOKEN": "b"})), "a blank GITHUB_TOKEN is unset")
	assert.Equal(t, Settings{}, FromEnv(env(nil)))
	assert.Equal(t, Settings{}, FromEnv(nil))
}

func TestNewClientURLs(t *testing.T) {
	c, _, err := New(Options{})
	require.NoError(t, err)
	assert.Equal(t, "https://api.github.com/", c.BaseURL.String())
	c, _, err = New(Options{APIURL: "https://api.github.com"})
	require.NoError(t, err)
	assert.Equal(t, "https://api.github.com/", c.BaseURL.String())
	c, _, err = New(Options{APIURL: "https://ghe.example.com/api/v3"})
	require.NoError(t, err)
	assert.Equal(t, "https://ghe.example.com/api/v3/", c.BaseURL.String())
	c, _, err = New(Options{APIURL: "https://ghe.example.com"})
	require.NoError(t, err)
	assert.Equal(t, "https://ghe.example.com/api/v3/", c.BaseURL.String())
	_, _, err = New(Options{APIURL: "https://user:" + testToken + "@ghe.example.com/api/v3"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	_, _, err = New(Options{APIURL: "ftp://x"})
	assert.Error(t, err)
}

func TestAPIURLErrorsNameTheSetting(t *testing.T) {
	_, _, err := New(Options{APIURL: "ftp://x"})
	assert.EqualError(t, err, `GITHUB_API_URL: "ftp://x" is not an http(s) URL such as https://ghe.example.com/api/v3`)
	_, _, err = New(Options{APIURL: "https://u:" + testToken + "@ghe.example.com", Setting: "api_url"})
	assert.EqualError(t, err, "api_url: credentials in the URL are not allowed; use GITHUB_TOKEN")
	assert.EqualError(t, CheckAPIURL("ghe.example.com/api/v3?access_token="+testToken),
		`"ghe.example.com/api/v3" is not an http(s) URL such as https://ghe.example.com/api/v3`)
	assert.NoError(t, CheckAPIURL(" http://127.0.0.1:8080/api/v3/ "))
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.github.com":                                        "https://api.github.com",
		"https://ghe.example.com/api/v3/":                               "https://ghe.example.com/api/v3/",
		"https://user:pass@ghe.example.com/api/v3":                      "https://ghe.example.com/api/v3",
		"https://" + testToken + "@ghe.example.com":                     "https://ghe.example.com",
		"https://ghe.example.com/api/v3?access_token=" + testToken:      "https://ghe.example.com/api/v3",
		"https://ghe.example.com/api/v3/?a=1&token=" + testToken + "#x": "https://ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3#access_token=" + testToken:      "https://ghe.example.com/api/v3",
		"ftp://x":                                "ftp://x",
		"user:" + testToken + "@ghe.example.com": "ghe.example.com",
		"https://u:p%zz@ghe.example.com/x?t=" + testToken: "https://ghe.example.com/x",
		"http://a b/?access_token=" + testToken:           "http://a b/",
		"":                                                "",
	} {
		got := RedactURL(in)
		assert.Equal(t, want, got, in)
		assert.NotContains(t, got, testToken, in)
		assert.NotContains(t, got, "pass", in)
	}
}

func TestRedact(t *testing.T) {
	err := RedactError(assert.AnError, "")
	assert.Equal(t, assert.AnError, err)
	e2 := RedactError(errorString("bad credentials: Bearer "+testToken), testToken)
	assert.NotContains(t, e2.Error(), testToken)
	assert.Contains(t, e2.Error(), "Bearer ***")
}

type errorString string

func (e errorString) Error() string { return string(e) }

// Errors are classified by the status GitHub answered; the token goes in
// the Authorization header only.
func TestErrorClassification(t *testing.T) {
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.Token = testToken
	repo := f.Repo("acme/web")
	repo.AddLabel(ghfake.Label{Name: "security-kpi"})
	noWait := retry.Options{MaxAttempts: 2, MaxWait: time.Minute, Sleep: func(context.Context, time.Duration) error { return nil }}
	c, _, err := New(Options{APIURL: f.APIURL(), Token: testToken, Retry: noWait})
	require.NoError(t, err)
	ctx := context.Background()

	_, _, err = c.Repositories.Get(ctx, "acme", "ghost")
	assert.Equal(t, http.StatusNotFound, StatusOf(err))
	assert.True(t, IsNotFound(err))
	assert.Equal(t, "Not Found", MessageOf(err))

	_, _, err = c.Issues.CreateLabel(ctx, "acme", "web", &gh.Label{Name: gh.String("Security-KPI")})
	assert.True(t, AlreadyExists(err), "%v", err)
	assert.False(t, MayHaveSucceeded(err))

	f.Inject("GET /repos/acme/web", ghfake.Fault{Status: 503}, ghfake.Fault{Status: 503})
	_, _, err = c.Repositories.Get(ctx, "acme", "web")
	assert.Equal(t, http.StatusServiceUnavailable, StatusOf(err))
	assert.True(t, MayHaveSucceeded(err))

	f.Inject("GET /repos/acme/web", ghfake.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}})
	_, _, err = c.Repositories.Get(ctx, "acme", "web")
	assert.ErrorIs(t, err, retry.ErrRateLimited)
	assert.Zero(t, StatusOf(err))
	assert.False(t, MayHaveSucceeded(err), "a rate-limited request was not processed")

	assert.True(t, MayHaveSucceeded(fmt.Errorf("write: %w", errors.New("connection reset"))), "no answer: it may have been done")
	assert.False(t, MayHaveSucceeded(context.Canceled))

	bad, _, err := New(Options{APIURL: f.APIURL(), Token: "wrong"})
	require.NoError(t, err)
	_, _, err = bad.Repositories.Get(ctx, "acme", "web")
	assert.Equal(t, http.StatusUnauthorized, StatusOf(err))
	assert.Equal(t, "Bad credentials", MessageOf(err))
	assert.NotContains(t, err.Error(), "wrong")
	for _, r := range f.Requests() {
		assert.Contains(t, []string{"Bearer " + testToken, "Bearer wrong"}, r.Auth)
	}
}

// Package githubapi is posture's one GitHub REST API client stack, shared
// by the `github` source kind (docs/configuration.md#github) and the issues
// step (docs/github-actions.md#kpi-issues-posture-issues):
//
//   - Settings: the token ($GITHUB_TOKEN, else $GH_TOKEN) and the API URL
//     ($GITHUB_API_URL), read in this one place from a getenv function;
//   - New: a go-github client for api.github.com or a GitHub Enterprise
//     Server URL (checked, and /api/v3/ added to a bare host), authenticated
//     with a token or as a GitHub App installation, whose requests all go
//     through the retrying transport of internal/retry (backoff on 5xx and
//     network errors, Retry-After / X-RateLimit-Reset waits, the request
//     budget);
//   - StatusOf, MessageOf and the predicates on them: how an API error is
//     told apart (refused credentials, missing, rate limited, 5xx...);
//   - RedactURL and RedactError: what a message may show of a URL or an
//     error that could carry the token.
//
// Tokens, the App key and Authorization headers never reach an error.
package githubapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/retry"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// Settings are what the environment says about GitHub.
type Settings struct {
	// Token is $GITHUB_TOKEN, else $GH_TOKEN (spaces around it dropped; ""
	// when neither is set).
	Token string
	// APIURL is $GITHUB_API_URL ("" when unset).
	APIURL string
}

// FromEnv reads the Settings through getenv (nil reads nothing).
func FromEnv(getenv func(string) string) Settings {
	if getenv == nil {
		return Settings{}
	}
	tok := strings.TrimSpace(getenv("GITHUB_TOKEN"))
	if tok == "" {
		tok = strings.TrimSpace(getenv("GH_TOKEN"))
	}
	return Settings{Token: tok, APIURL: strings.TrimSpace(getenv("GITHUB_API_URL"))}
}

// App is a GitHub App installation to authenticate as.
type App struct {
	ID, InstallationID int64
	// PrivateKeyPath is the App's PEM key, read when the client is built.
	// Errors name it as private_key_path (the setting it comes from).
	PrivateKeyPath string
}

// Options build a client.
type Options struct {
	// APIURL is the REST API base: "" or https://api.github.com for
	// GitHub.com, else a GitHub Enterprise Server URL
	// (https://ghe.example.com/api/v3, or the bare host, to which /api/v3/
	// is added).
	APIURL string
	// Setting names where APIURL comes from in errors ("api_url";
	// default "GITHUB_API_URL").
	Setting string
	// Token authenticates every request (Authorization: Bearer); "" sends
	// none. Ignored when App is set.
	Token string
	// App, when set, authenticates as the App installation: an RS256 JWT
	// signed with the key is exchanged for an installation token, renewed
	// shortly before it expires.
	App *App
	// Transport is the network below the retries (nil:
	// http.DefaultTransport).
	Transport http.RoundTripper
	// CacheDir, when set, keeps an HTTP cache of GET answers there (see
	// cacheTransport): requests are conditional (If-None-Match), and a 304
	// Not Modified, which costs no quota, serves the stored body. It sits
	// below the retrying transport, so every revalidation still counts
	// against the request budget.
	CacheDir string
	// Retry tunes the retrying transport (zero values: its defaults). Its
	// Now is also the clock of the App JWT.
	Retry retry.Options
}

// New returns a go-github client whose requests (the App's token requests
// included) go through one retrying transport, and that transport, for its
// request count.
func New(o Options) (*gh.Client, *retry.Transport, error) {
	setting := o.Setting
	if setting == "" {
		setting = "GITHUB_API_URL"
	}
	apiURL := strings.TrimSpace(o.APIURL)
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if err := CheckAPIURL(apiURL); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", setting, err)
	}
	now := o.Retry.Now
	if now == nil {
		now = time.Now
	}
	base := o.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	if isCacheDir(o.CacheDir) {
		base = &cacheTransport{next: base, dir: o.CacheDir, identity: Identity(o)}
	}
	rt := retry.New(base, o.Retry)
	var src tokenSource = staticToken(o.Token)
	if o.App != nil {
		app, err := newAppTokens(*o.App, apiURL, setting, rt, now)
		if err != nil {
			return nil, nil, err
		}
		src = app
	}
	c, err := newClient(&authTransport{next: rt, src: src}, apiURL, setting)
	if err != nil {
		return nil, nil, err
	}
	return c, rt, nil
}

// newClient builds a go-github client over rt for apiURL.
func newClient(rt http.RoundTripper, apiURL, setting string) (*gh.Client, error) {
	c := gh.NewClient(&http.Client{Transport: rateShield{next: rt}})
	if strings.TrimRight(apiURL, "/") != DefaultAPIURL {
		var err error
		if c, err = c.WithEnterpriseURLs(apiURL, apiURL); err != nil {
			return nil, fmt.Errorf("%s %q: %w", setting, RedactURL(apiURL), err)
		}
	}
	c.UserAgent = "posture"
	return c, nil
}

// CheckAPIURL accepts an absolute http(s) URL without credentials. Its
// errors quote the URL redacted.
func CheckAPIURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL such as https://ghe.example.com/api/v3", RedactURL(raw))
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not allowed; use GITHUB_TOKEN")
	}
	return nil
}

// RedactURL is what a message may show of a URL: no user info (user:pass@),
// no query (?access_token=...) and no fragment. Text that does not parse as
// a URL is cut at its first '?' or '#', and anything up to an '@' after the
// scheme is dropped.
func RedactURL(raw string) string {
	s := strings.TrimSpace(raw)
	if u, err := url.Parse(s); err == nil && u.Opaque == "" {
		u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
		return u.String()
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		start := 0
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			start = i + len("://")
		}
		s = s[:start] + s[at+1:]
	}
	return s
}

// Redact replaces every occurrence of secret in s (a message about to be
// printed) with "***".
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}

// RedactError wraps err so that its message never carries secret.
func RedactError(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redacted{msg: Redact(err.Error(), secret), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// rateShield hides X-RateLimit-Reset on successful responses that spent the
// last request of the window: go-github would otherwise refuse every later
// request by itself until the reset, without asking the server. The retry
// transport below is the one place that decides how long to wait, and fails
// clearly when the wait is too long.
type rateShield struct{ next http.RoundTripper }

func (s rateShield) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err == nil && resp != nil && resp.StatusCode < 400 && resp.Header.Get("X-RateLimit-Remaining") == "0" {
		resp.Header.Del("X-RateLimit-Reset")
	}
	return resp, err
}

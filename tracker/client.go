package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/retry"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// ClientOptions build the GitHub client of the tracker.
type ClientOptions struct {
	// APIURL is the REST API base: empty for GitHub.com, or a GitHub
	// Enterprise Server URL (https://ghe.example.com/api/v3, or the bare
	// host, to which /api/v3/ is added).
	APIURL string
	// Token authenticates every request (Authorization: Bearer). It never
	// appears in errors or logs.
	Token string
	// Transport is the network below the retries (nil: http.DefaultTransport).
	Transport http.RoundTripper
	// Retry tunes the retrying transport (zero values: its defaults).
	Retry retry.Options
}

// NewClient returns a go-github client whose requests go through the
// retrying transport (backoff on 5xx and network errors for idempotent
// requests, Retry-After / X-RateLimit-Reset on 403 and 429 for all), and the
// transport, for its request count.
func NewClient(o ClientOptions) (*gh.Client, *retry.Transport, error) {
	rt := retry.New(o.Transport, o.Retry)
	hc := &http.Client{Transport: rateShield{next: rt}}
	c := gh.NewClient(hc)
	if o.APIURL != "" && strings.TrimRight(o.APIURL, "/") != strings.TrimRight(DefaultAPIURL, "/") {
		u, err := url.Parse(o.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, nil, fmt.Errorf("GITHUB_API_URL %q: want an http(s) URL such as https://ghe.example.com/api/v3", RedactURL(o.APIURL))
		}
		if u.User != nil {
			return nil, nil, fmt.Errorf("GITHUB_API_URL %q: credentials in the URL are not supported; use GITHUB_TOKEN", RedactURL(o.APIURL))
		}
		c, err = c.WithEnterpriseURLs(o.APIURL, o.APIURL)
		if err != nil {
			return nil, nil, fmt.Errorf("GITHUB_API_URL %q: %v", RedactURL(o.APIURL), err)
		}
	}
	if o.Token != "" {
		c = c.WithAuthToken(o.Token)
	}
	c.UserAgent = "posture"
	return c, rt, nil
}

// RedactURL drops credentials, query and fragment from a URL for messages.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

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

// IsNotFound tells whether err is GitHub's 404 (a repository that does not
// exist or that the token cannot see).
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// Hint adds what to check to the common GitHub errors.
func Hint(err error) string {
	switch statusOf(err) {
	case http.StatusUnauthorized:
		return "the token was refused: check GITHUB_TOKEN / GH_TOKEN"
	case http.StatusForbidden:
		return "the token lacks a permission: the workflow needs `permissions: issues: write` (or a token with the issues scope)"
	case http.StatusNotFound:
		return "repository not found, or not visible to the token: check --repo / GITHUB_REPOSITORY and the token's access"
	}
	if errors.Is(err, retry.ErrBudgetExhausted) {
		return "the run's request budget is spent"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return ""
}

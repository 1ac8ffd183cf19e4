package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// Environment variables holding the credentials.
const (
	envAPIToken    = "OKTA_API_TOKEN"
	envAccessToken = "OKTA_ACCESS_TOKEN"
)

// client sends GET requests to one Okta org. Its errors name the API and
// the request (method and path), never the credentials.
type client struct {
	org     *url.URL
	http    *http.Client
	rt      *retry.Transport
	auth    string // Authorization header value
	secret  string // the token, redacted from every message
	setting string // the environment variable the token came from
	sleep   func(context.Context, time.Duration) error
	now     func() time.Time
	// paceBelow: when the last answer left this many requests or fewer in
	// the rate-limit window, the next request waits for its reset.
	paceBelow int
	maxWait   time.Duration

	mu        sync.Mutex
	remaining int // -1: unknown
	reset     time.Time
}

// credentials reads the token from the environment: $OKTA_API_TOKEN (SSWS),
// else $OKTA_ACCESS_TOKEN (Bearer).
func credentials(getenv func(string) string) (auth, secret, setting string, err error) {
	if tok := strings.TrimSpace(getenv("OKTA_API_TOKEN")); tok != "" {
		return "SSWS " + tok, tok, envAPIToken, nil
	}
	if tok := strings.TrimSpace(getenv("OKTA_ACCESS_TOKEN")); tok != "" {
		return "Bearer " + tok, tok, envAccessToken, nil
	}
	return "", "", "", fmt.Errorf("no credentials: set %s (an Okta API token) or %s (an OAuth 2.0 access token with the okta.users.read and okta.roles.read scopes)", envAPIToken, envAccessToken)
}

// APIError is an answer of the Okta API that is not a success.
type APIError struct {
	Method  string
	Path    string // the request's path, without its query
	Status  int
	Code    string // Okta's errorCode (E0000011)
	Summary string // Okta's errorSummary
	Hint    string
}

func (e *APIError) Error() string {
	return httpapi.Describe("okta API", e.Method, e.Path, e.Status, e.Code, e.Summary, e.Hint)
}

// requestError wraps a failure without an answer (network, budget, a rate
// limit longer than the retries wait) with the request it was.
type requestError struct {
	Method, Path string
	Err          error
}

func (e *requestError) Error() string {
	return fmt.Sprintf("okta API %s %s: %v", e.Method, e.Path, e.Err)
}

func (e *requestError) Unwrap() error { return e.Err }

// get reads one page of rawURL (absolute, on the org) into out and returns
// the next page's URL ("" on the last page): the Link header's rel="next",
// or nextHref when the body carried one.
func (c *client) get(ctx context.Context, rawURL string, out any, nextHref func() string) (string, error) {
	u, err := c.onOrg(rawURL)
	if err != nil {
		return "", err
	}
	if err := c.pace(ctx, u.Path); err != nil {
		return "", err
	}
	req, err := httpapi.NewRequest(ctx, http.MethodGet, u.String(), nil, c.auth)
	if err != nil {
		return "", &requestError{http.MethodGet, u.Path, err}
	}
	resp, err := httpapi.Do(c.http, req)
	if err != nil {
		return "", &requestError{http.MethodGet, u.Path, err}
	}
	defer httpapi.Drain(resp)
	c.observe(resp.Header)
	if resp.StatusCode != http.StatusOK {
		return "", c.apiError(u.Path, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return "", &requestError{http.MethodGet, u.Path, fmt.Errorf("reading the answer: %w", err)}
	}
	next := nextLink(resp.Header)
	if nextHref != nil {
		if h := nextHref(); h != "" {
			next = h
		}
	}
	if next == "" {
		return "", nil
	}
	nu, err := u.Parse(next)
	if err != nil {
		return "", &requestError{http.MethodGet, u.Path, fmt.Errorf("next page link: %w", err)}
	}
	if nu.String() == u.String() {
		return "", nil // a next link to the same page would never end
	}
	return nu.String(), nil
}

// onOrg parses rawURL and refuses one off the org: the token is sent to
// the org only, whatever a next link says.
func (c *client) onOrg(rawURL string) (*url.URL, error) {
	u, err := c.org.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("okta API: bad URL: %w", err)
	}
	if u.Scheme != c.org.Scheme || !strings.EqualFold(u.Host, c.org.Host) {
		return nil, fmt.Errorf("okta API: a next page link points to %s://%s, not to the org %s: refused", u.Scheme, u.Host, c.org)
	}
	u.User, u.Fragment = nil, ""
	return u, nil
}

// apiError reads Okta's error body and says what to do about it.
func (c *client) apiError(path string, resp *http.Response) error {
	e := &APIError{Method: http.MethodGet, Path: path, Status: resp.StatusCode}
	var body struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
	}
	if b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10)); err == nil && json.Unmarshal(b, &body) == nil {
		e.Code, e.Summary = clip(body.ErrorCode), clip(body.ErrorSummary)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Hint = "the credentials were refused: check " + c.setting
	case http.StatusForbidden:
		e.Hint = "the credentials may not read this: use a token of an admin who may read users and roles (read-only admin), or OAuth scopes okta.users.read and okta.roles.read"
	case http.StatusTooManyRequests:
		e.Hint = "rate limited after retries: run again later, lower concurrency, or raise the org's rate limits"
	}
	return e
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// observe remembers the rate-limit window the answer announced.
func (c *client) observe(h http.Header) {
	rem, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")))
	if err != nil {
		return
	}
	reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remaining, c.reset = rem, time.Unix(reset, 0)
}

// pace waits for the window's reset before a request when the last answer
// left paceBelow requests or fewer, so that a long run does not spend the
// org's whole rate limit (other integrations share it). A wait longer
// than maxWait is not taken: the server decides (429, then the retries).
func (c *client) pace(ctx context.Context, path string) error {
	c.mu.Lock()
	wait := time.Duration(0)
	if c.remaining >= 0 && c.remaining <= c.paceBelow {
		wait = c.reset.Sub(c.now())
	}
	c.mu.Unlock()
	if wait <= 0 || wait > c.maxWait {
		return nil
	}
	if err := c.sleep(ctx, wait); err != nil {
		return &requestError{http.MethodGet, path, err}
	}
	return nil
}

var linkRE = regexp.MustCompile(`<([^>]*)>([^<]*)`)

// nextLink returns the rel="next" target of the Link headers (Okta sends
// one header per relation: <...>; rel="self" and <...>; rel="next").
func nextLink(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, m := range linkRE.FindAllStringSubmatch(v, -1) {
			for _, p := range strings.Split(m[2], ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return strings.TrimSpace(m[1])
					}
				}
			}
		}
	}
	return ""
}

// redactString removes the token from a message.
func (c *client) redactString(s string) string {
	if c == nil {
		return s
	}
	return httpapi.Secrets{c.secret}.Redact(s)
}

// Package httpapi is the HTTP plumbing the API source kinds share: base
// URL checks, redaction of credentials from messages, the retrying client
// that follows no redirect, requests, and bounded reads of answers.
//
// The kinds word their own messages: what this package returns is meant
// to be wrapped (or, for the base URL checks, matched with errors.Is).
package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/localizevideos/posture/internal/retry"
)

// Why ParseBase refuses a URL.
var (
	ErrNotURL      = errors.New("not an absolute URL")
	ErrScheme      = errors.New("not an http or https URL")
	ErrCredentials = errors.New("credentials in the URL")
	ErrQuery       = errors.New("a query or fragment in the URL")
	ErrPlainHTTP   = errors.New("plain http to a host that is not loopback")
)

// ParseBase parses raw as the base URL of an API: absolute, http or https,
// without user info, query or fragment; plain http only to a loopback
// host when httpsOnly. The path (a context path such as /jira) is kept,
// without its trailing slash. The caller trims raw first if it wants to.
func ParseBase(raw string, httpsOnly bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, ErrNotURL
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, ErrScheme
	}
	if u.User != nil {
		return nil, ErrCredentials
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, ErrQuery
	}
	if httpsOnly && u.Scheme == "http" && !Loopback(u.Hostname()) {
		return nil, ErrPlainHTTP
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Loopback reports whether host is localhost or a loopback address.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL is what a message may show of a URL: no user info, query or
// fragment.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
		return u.String()
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		start := 0
		if i := strings.Index(raw, "://"); i >= 0 && i < at {
			start = i + len("://")
		}
		raw = raw[:start] + raw[at+1:]
	}
	return raw
}

// Secrets are the credentials a collection holds; no message shows them.
type Secrets []string

// Add keeps the non-empty values.
func (s *Secrets) Add(values ...string) {
	for _, v := range values {
		if v != "" {
			*s = append(*s, v)
		}
	}
}

// Redact replaces every secret in msg with "***", the longest first (a
// secret that contains another is replaced whole).
func (s Secrets) Redact(msg string) string {
	sorted := slices.Clone(s)
	slices.SortStableFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, v := range sorted {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "***")
		}
	}
	return msg
}

// Wrap returns err as "<prefix>: <err>" with every secret redacted from
// the text; errors.Is and errors.As still see err (a budget spent, a
// context canceled).
func (s Secrets) Wrap(prefix string, err error) error {
	return &Error{msg: s.Redact(prefix + ": " + err.Error()), err: err}
}

// Error is an error whose text is redacted.
type Error struct {
	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

func (e *Error) Unwrap() error { return e.err }

// BasicAuth returns the Authorization value of basic authentication and
// its encoded part, which is a secret as much as the password.
func BasicAuth(user, pass string) (header, encoded string) {
	encoded = base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return "Basic " + encoded, encoded
}

// ClientOptions say how NewClient builds a client.
type ClientOptions struct {
	// Transport is the round tripper below the retries (tests' fakes); nil
	// means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// ResponseHeaderTimeout, when set, bounds the wait for an answer's
	// headers on the default transport (not on a given Transport).
	ResponseHeaderTimeout time.Duration
	// Retry configures internal/retry.
	Retry retry.Options
	// Timeout bounds a whole request, retries included (0: none).
	Timeout time.Duration
}

// NewClient returns a client on the retrying transport of internal/retry
// that follows no redirect: a redirect would carry the Authorization
// header to wherever it points, so its answer is returned as it is, for
// the caller to say where it went.
func NewClient(o ClientOptions) (*http.Client, *retry.Transport) {
	base := o.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.ResponseHeaderTimeout > 0 {
			t.ResponseHeaderTimeout = o.ResponseHeaderTimeout
		}
		base = t
	}
	rt := retry.New(base, o.Retry)
	return &http.Client{Transport: rt, Timeout: o.Timeout, CheckRedirect: NoRedirect}, rt
}

// NoRedirect is a CheckRedirect that returns the redirect's answer.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// NewRequest is a request that asks for JSON as posture, with auth as its
// Authorization header ("" for none).
func NewRequest(ctx context.Context, method, rawURL string, body io.Reader, auth string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "posture")
	return req, nil
}

// Do sends req. Its error is the transport's without the *url.Error
// around it, whose text carries the whole URL (query included).
func Do(c *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	return resp, nil
}

// Timeout reports whether err (from Do) is a timeout.
func Timeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// TooLargeError is an answer larger than ReadBody accepts.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response larger than %d MiB", e.Max>>20)
}

// ReadBody reads r to its end, refusing more than max bytes with a
// *TooLargeError.
func ReadBody(r io.Reader, max int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if int64(len(body)) > max {
		return nil, &TooLargeError{Max: max}
	}
	return body, nil
}

// Drain reads what is left of an answer's body (a bounded amount, so the
// connection can be reused) and closes it.
func Drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// Describe is the text of an answer that is not a success: "<api>
// <method> <path>: <status> <status text>", then " (<kind>: <detail>)" or
// " (<detail>)" as the body gave them, then ": <hint>" when there is one.
func Describe(api, method, path string, status int, kind, detail, hint string) string {
	msg := fmt.Sprintf("%s %s %s: %d %s", api, method, path, status, http.StatusText(status))
	switch {
	case kind != "" && detail != "":
		msg += fmt.Sprintf(" (%s: %s)", kind, detail)
	case detail != "":
		msg += " (" + detail + ")"
	}
	if hint != "" {
		msg += ": " + hint
	}
	return msg
}

// Refusal says what an answer that is not a success means and what to
// do about it; the kind wraps its error with the API, method and path.
type Refusal struct {
	// Credentials is what to check on a 401: the variables that hold them.
	Credentials string
	// Forbidden is what a 403 means, said after it ("" says nothing more).
	Forbidden string
	// Setting is the attribute holding the URL, named on a redirect
	// ("base_url"), and Site what that URL is of ("site", "server").
	Setting, Site string
	// RateLimited gives a 429 its own message (else "status 429").
	RateLimited bool
	// BadRequest is what a 400 refused ("the query"; "" gives "status 400").
	BadRequest string
}

// Err is nil for a 200; else the error of status code, with detail (":
// <what the body says>", or "") and location, the Location header of a
// redirect, which it shows without query or credentials.
func (r Refusal) Err(code int, location, detail string) error {
	switch {
	case code == http.StatusOK:
		return nil
	case code == http.StatusUnauthorized:
		return fmt.Errorf("authentication refused (401%s): check %s", detail, r.Credentials)
	case code == http.StatusForbidden && r.Forbidden != "":
		return fmt.Errorf("access refused (403%s): %s", detail, r.Forbidden)
	case code == http.StatusForbidden:
		return fmt.Errorf("access refused (403%s)", detail)
	case code == http.StatusTooManyRequests && r.RateLimited:
		return fmt.Errorf("rate limited (429%s), still after the retries", detail)
	case code >= 300 && code < 400:
		return fmt.Errorf("redirected (%d) to %s: set %s to the %s's own URL", code, RedactURL(location), r.Setting, r.Site)
	case code == http.StatusBadRequest && r.BadRequest != "":
		return fmt.Errorf("%s was refused (400%s)", r.BadRequest, detail)
	}
	return fmt.Errorf("status %d%s", code, detail)
}

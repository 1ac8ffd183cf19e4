// Package logquery holds what the query source kinds (loki,
// elasticsearch) share: their event parts (one per event type), the
// weighted events they record (one per query: the count it returned),
// the window and timeout attributes, the endpoint check, credentials from
// the environment and the redaction of secrets from messages.
package logquery

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Defaults shared by the query kinds.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultWindowDays = 30 // posture's default window_days
	MaxWindowDays     = 3650
	MaxSamples        = 3   // sample lines (hits) kept per query
	MaxSampleChars    = 160 // characters kept of one sample line
	DefaultBudget     = 500 // requests of one collection, retries included
)

// Collections are the collections of a query kind: every event type, each
// its own part, so that a source provides (and a metric counts as
// measured by it) only the event types it has a query for.
func Collections() []snapshot.Provided {
	out := make([]snapshot.Provided, len(snapshot.EventTypes))
	for i, t := range snapshot.EventTypes {
		out[i] = snapshot.Provided{Collection: snapshot.EventCollection(t), Part: t}
	}
	return out
}

// CheckType checks a query block's label: an event type.
func CheckType(label string) (string, error) {
	t := strings.TrimSpace(label)
	if !slices.Contains(snapshot.EventTypes, t) {
		return "", fmt.Errorf("query %q: not an event type (%s)", label, strings.Join(snapshot.EventTypes, ", "))
	}
	return t, nil
}

// Timeout reads the timeout attribute ("" for the default).
func Timeout(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("timeout %q: want a positive duration such as \"30s\" or \"2m\"", s)
	}
	return d, nil
}

// CheckWindowDays checks a window_days override (0: none).
func CheckWindowDays(days int) error {
	if days < 0 || days > MaxWindowDays {
		return fmt.Errorf("window_days must be between 1 and %d", MaxWindowDays)
	}
	return nil
}

// WindowDays is the window a collection covers: the override, else the
// config's window_days, else DefaultWindowDays.
func WindowDays(override int, env sources.Env) int {
	switch {
	case override > 0:
		return override
	case env.WindowDays > 0:
		return env.WindowDays
	}
	return DefaultWindowDays
}

// Event is the event one query's result stands for: at as_of (the count
// covers the window that ends there), of weight count (left out when 1,
// as a log line's event). A count of 0 makes no event.
func Event(env sources.Env, origin, detail string, count int64) snapshot.Event {
	at := env.AsOf.UTC()
	e := snapshot.Event{
		TimeMS: at.UnixMilli(),
		Time:   at.Format(time.RFC3339),
		Source: env.ID(),
		Origin: origin,
		Detail: detail,
	}
	if count > 1 {
		e.Weight = count
	}
	return e
}

// Detail is an event's detail: the query's event type, then up to
// MaxSamples sample lines, each on one line and clipped.
func Detail(typ string, samples []string) string {
	if len(samples) == 0 {
		return typ
	}
	if len(samples) > MaxSamples {
		samples = samples[:MaxSamples]
	}
	lines := make([]string, len(samples))
	for i, s := range samples {
		lines[i] = Clip(s, MaxSampleChars)
	}
	return typ + "; samples: " + strings.Join(lines, " | ")
}

// Clip collapses white space and cuts s to n characters (runes).
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "..."
}

// CheckEndpoint accepts an http(s) URL of a host, with an optional path
// prefix (a gateway's /loki), without credentials, query or fragment. It
// returns it without a trailing slash.
func CheckEndpoint(raw, example, envHint string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("the endpoint URL is required (%s)", example)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not a URL such as %s", s, example)
	}
	if u.User != nil {
		return nil, fmt.Errorf("credentials in the URL are not allowed; set %s", envHint)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: give the URL without a query or fragment, such as %s", s, example)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q: the URL must be http or https", s)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: strings.TrimRight(u.Path, "/")}, nil
}

// Auth is the Authorization header a source sends, read from the
// environment, and the secrets to redact from messages.
type Auth struct {
	Header  string   // Authorization value; "" for none
	Secrets []string // never printed
	Setting string   // the environment variables the credentials came from
}

// BasicOrToken reads a token (sent as "<scheme> <token>") from tokenVar,
// else a user name and password (basic auth) from userVar and passVar.
// Neither set: no Authorization header (an open endpoint, or one behind
// a proxy that authenticates).
func BasicOrToken(getenv func(string) string, scheme, tokenVar, userVar, passVar string) (Auth, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if tok := strings.TrimSpace(getenv(tokenVar)); tok != "" {
		return Auth{Header: scheme + " " + tok, Secrets: []string{tok}, Setting: tokenVar}, nil
	}
	user, pass := getenv(userVar), getenv(passVar)
	if user == "" && pass == "" {
		return Auth{}, nil
	}
	if user == "" || pass == "" {
		return Auth{}, fmt.Errorf("set both %s and %s (basic authentication), or %s", userVar, passVar, tokenVar)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	req.SetBasicAuth(user, pass)
	h := req.Header.Get("Authorization")
	return Auth{Header: h, Secrets: []string{pass, strings.TrimPrefix(h, "Basic ")}, Setting: userVar + "/" + passVar}, nil
}

// Redact removes the secrets from s, the longest first (a password may
// be part of no encoding, but an encoding is never part of a password).
func (a Auth) Redact(s string) string {
	secrets := slices.Clone(a.Secrets)
	slices.SortFunc(secrets, func(x, y string) int { return len(y) - len(x) })
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// Hooks are the tests' replacements; zero values mean the real thing.
type Hooks struct {
	Base  http.RoundTripper
	Sleep func(context.Context, time.Duration) error
}

// Client is an *http.Client on the retrying transport of internal/retry
// (backoff on 5xx and network errors, waits on 429's Retry-After), with
// every request marked retryable: the query kinds only read, even with
// POST (Elasticsearch's _count and _search).
func Client(h Hooks) (*http.Client, *retry.Transport) {
	rt := retry.New(h.Base, retry.Options{
		Budget:    DefaultBudget,
		Sleep:     h.Sleep,
		Retryable: func(*http.Request) bool { return true },
	})
	return &http.Client{Transport: rt}, rt
}

// QueryError is the failure of one query, naming it (never a secret).
type QueryError struct {
	Type string
	Err  error
}

func (e *QueryError) Error() string { return fmt.Sprintf("query %q: %v", e.Type, e.Err) }

func (e *QueryError) Unwrap() error { return e.Err }

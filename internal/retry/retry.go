// Package retry is an http.RoundTripper for API clients (the github and
// okta sources, the GitHub issues writer): it retries transient failures
// with exponential backoff and jitter, waits out rate limits the server
// announces, and caps the number of requests a run may send.
//
// What is retried:
//
//   - 5xx responses (except 501 Not Implemented) and network errors, for
//     idempotent requests only: GET and HEAD, and any request the caller marks
//     retryable (WithRetryable on its context, or Options.Retryable);
//   - rate limits, for every method (a rate-limited request was not
//     processed): a 429, or a 403 that carries a rate-limit signal. The wait is
//     the Retry-After header (seconds or an HTTP date), else, when
//     X-RateLimit-Remaining is 0, the X-RateLimit-Reset instant (epoch
//     seconds; GitHub's names), else the same pair under Okta's names
//     (X-Rate-Limit-Remaining 0, X-Rate-Limit-Reset). A 429 without any
//     signal backs off like a 5xx. A 403 without them is a permission error
//     and is returned as it is.
//
// Caps: Options.MaxAttempts tries per request (then the last response or
// error is returned as it is); a wait longer than Options.MaxWait fails at
// once with a *RateLimitError ("rate limited until <time>") instead of
// hanging; Options.Budget requests per Transport (every attempt counts), after
// which requests fail with a *BudgetError ("request budget of N exhausted").
//
// A request body is replayed with req.GetBody; a request with a body but no
// GetBody is sent once and never retried. The transport never reads or
// prints request headers, so credentials set below or above it stay out of
// its errors.
package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultMaxAttempts = 5
	DefaultMaxWait     = 60 * time.Second
	DefaultBudget      = 5000
	DefaultBaseDelay   = time.Second
	DefaultMaxDelay    = 30 * time.Second
)

// Options tunes a Transport. Zero values take the defaults.
type Options struct {
	// MaxAttempts is the number of tries of one request, the first included
	// (default 5).
	MaxAttempts int
	// MaxWait is the longest single wait (backoff or rate limit) the
	// transport accepts (default 60 s). A rate limit that lasts longer fails
	// with a *RateLimitError.
	MaxWait time.Duration
	// Budget is the number of requests (attempts) the Transport may send in
	// its life (default 5000; negative means unlimited).
	Budget int
	// BaseDelay is the first backoff (default 1 s); each further attempt
	// doubles it, up to MaxDelay (default 30 s). The wait drawn is between
	// half the delay and the full delay (jitter).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Retryable marks further requests as safe to retry on 5xx and network
	// errors (GET and HEAD always are).
	Retryable func(*http.Request) bool
	// Sleep waits d or until ctx is done (default: a timer). Tests record.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to read X-RateLimit-Reset and HTTP dates
	// (default time.Now).
	Now func() time.Time
	// Rand returns a number in [0, 1) for the jitter (default math/rand/v2).
	Rand func() float64
	// OnWait, when set, is told about each wait before it starts (for
	// logs or progress). It gets no request headers.
	OnWait func(Wait)
}

// Wait describes one wait of the transport.
type Wait struct {
	Method  string
	URL     string // without query string
	Attempt int    // the attempt that failed, from 1
	Reason  string // "status 502", "rate limited (429)", "network error"
	Delay   time.Duration
}

// Transport is the retrying RoundTripper. It is safe for concurrent use.
type Transport struct {
	base     http.RoundTripper
	opts     Options
	requests atomic.Int64
}

// New wraps base (http.DefaultTransport when nil).
func New(base http.RoundTripper, opts Options) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Budget == 0 {
		opts.Budget = DefaultBudget
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = DefaultBaseDelay
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.MaxDelay > opts.MaxWait {
		opts.MaxDelay = opts.MaxWait
	}
	if opts.BaseDelay > opts.MaxDelay {
		opts.BaseDelay = opts.MaxDelay
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	return &Transport{base: base, opts: opts}
}

// Requests returns the number of requests (attempts) sent so far.
func (t *Transport) Requests() int { return int(t.requests.Load()) }

// Budget returns the request budget (negative: unlimited).
func (t *Transport) Budget() int { return t.opts.Budget }

// ErrBudgetExhausted is matched (errors.Is) by every *BudgetError.
var ErrBudgetExhausted = errors.New("request budget exhausted")

// BudgetError is returned when the Transport's request budget is spent.
type BudgetError struct{ Budget int }

func (e *BudgetError) Error() string {
	return fmt.Sprintf("request budget of %d exhausted", e.Budget)
}

// Is makes errors.Is(err, ErrBudgetExhausted) true.
func (e *BudgetError) Is(target error) bool { return target == ErrBudgetExhausted }

// ErrRateLimited is matched (errors.Is) by every *RateLimitError.
var ErrRateLimited = errors.New("rate limited")

// RateLimitError is returned when the server asks for a wait longer than
// Options.MaxWait.
type RateLimitError struct {
	Until   time.Time     // when the server allows requests again
	Wait    time.Duration // how long that was from the response
	MaxWait time.Duration
	Status  int // 403 or 429 (or 5xx with Retry-After)
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited until %s (status %d; a wait of %s is longer than the %s allowed)",
		e.Until.UTC().Format(time.RFC3339), e.Status, e.Wait.Round(time.Second), e.MaxWait)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

type retryableKey struct{}

// WithRetryable marks the requests made with ctx as safe to retry on 5xx
// and network errors, whatever their method (for example a POST that
// creates nothing twice, such as minting an access token).
func WithRetryable(ctx context.Context) context.Context {
	return context.WithValue(ctx, retryableKey{}, true)
}

// IsRetryable tells whether req may be retried after a 5xx or a network
// error under opts: GET, HEAD, or marked by WithRetryable or opts.Retryable.
func (t *Transport) IsRetryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, "":
		return true
	}
	if v, _ := req.Context().Value(retryableKey{}).(bool); v {
		return true
	}
	return t.opts.Retryable != nil && t.opts.Retryable(req)
}

// RoundTrip sends req, retrying as the package documentation says.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	idempotent := t.IsRetryable(req)
	for attempt := 1; ; attempt++ {
		if err := t.take(); err != nil {
			closeBody(req)
			return nil, err
		}
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("replaying the request body: %w", err)
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		last := attempt >= t.opts.MaxAttempts || !replayable

		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if last || !idempotent {
				return nil, err
			}
			if werr := t.wait(ctx, req, attempt, "network error", t.backoff(attempt), time.Time{}, 0); werr != nil {
				return nil, werr
			}
			continue
		}

		delay, until, reason, retry := t.classify(resp, attempt, idempotent)
		if !retry || (last && delay <= t.opts.MaxWait) {
			return resp, nil
		}
		drain(resp)
		if werr := t.wait(ctx, req, attempt, reason, delay, until, resp.StatusCode); werr != nil {
			return nil, werr
		}
	}
}

// classify decides whether resp is retried and after how long. until is set
// when the server named the instant.
func (t *Transport) classify(resp *http.Response, attempt int, idempotent bool) (delay time.Duration, until time.Time, reason string, retry bool) {
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusForbidden:
		d, u, ok := t.rateLimitWait(resp.Header)
		if !ok {
			if code == http.StatusForbidden {
				return 0, time.Time{}, "", false // a permission error
			}
			return t.backoff(attempt), time.Time{}, "rate limited (429)", true
		}
		return d, u, fmt.Sprintf("rate limited (%d)", code), true
	case code >= 500 && code != http.StatusNotImplemented:
		if !idempotent {
			return 0, time.Time{}, "", false
		}
		if d, u, ok := t.retryAfter(resp.Header); ok {
			if d > t.opts.MaxWait {
				return 0, time.Time{}, "", false // the server is down for longer: report it as it is
			}
			return d, u, fmt.Sprintf("status %d", code), true
		}
		return t.backoff(attempt), time.Time{}, fmt.Sprintf("status %d", code), true
	}
	return 0, time.Time{}, "", false
}

// resetHeaders are the (remaining, reset) header pairs that announce a
// rate-limit window: GitHub's, then Okta's. A pair is a signal when its
// remaining count is 0 and its reset is an instant in epoch seconds.
var resetHeaders = [][2]string{
	{"X-RateLimit-Remaining", "X-RateLimit-Reset"},
	{"X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"},
}

// rateLimitWait reads Retry-After, else the reset instant of the first
// header pair of resetHeaders whose remaining count is 0.
func (t *Transport) rateLimitWait(h http.Header) (time.Duration, time.Time, bool) {
	if d, u, ok := t.retryAfter(h); ok {
		return d, u, true
	}
	for _, pair := range resetHeaders {
		if d, u, ok := t.resetWait(h, pair[0], pair[1]); ok {
			return d, u, true
		}
	}
	return 0, time.Time{}, false
}

// resetWait reads the reset header when the remaining header is 0.
func (t *Transport) resetWait(h http.Header, remaining, resetName string) (time.Duration, time.Time, bool) {
	if strings.TrimSpace(h.Get(remaining)) != "0" {
		return 0, time.Time{}, false
	}
	reset, err := strconv.ParseInt(strings.TrimSpace(h.Get(resetName)), 10, 64)
	if err != nil || reset <= 0 {
		return 0, time.Time{}, false
	}
	until := time.Unix(reset, 0)
	d := until.Sub(t.opts.Now())
	if d < time.Second {
		// The reset is due (or our clock runs ahead): try again shortly.
		d = time.Second
	}
	return d, until, true
}

// retryAfter reads Retry-After: delay seconds or an HTTP date.
func (t *Transport) retryAfter(h http.Header) (time.Duration, time.Time, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, time.Time{}, false
	}
	now := t.opts.Now()
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			secs = 0
		}
		if secs > int64(365*24*time.Hour/time.Second) {
			secs = int64(365 * 24 * time.Hour / time.Second)
		}
		d := time.Duration(secs) * time.Second
		return d, now.Add(d), true
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, at, true
	}
	return 0, time.Time{}, false
}

// backoff is BaseDelay·2^(attempt-1), capped at MaxDelay, with the wait
// drawn in [delay/2, delay).
func (t *Transport) backoff(attempt int) time.Duration {
	d := t.opts.BaseDelay
	for i := 1; i < attempt && d < t.opts.MaxDelay; i++ {
		d *= 2
	}
	if d > t.opts.MaxDelay {
		d = t.opts.MaxDelay
	}
	half := d / 2
	j := t.opts.Rand()
	if j < 0 || j >= 1 {
		j = 0
	}
	return half + time.Duration(float64(d-half)*j)
}

func (t *Transport) wait(ctx context.Context, req *http.Request, attempt int, reason string, d time.Duration, until time.Time, status int) error {
	if d > t.opts.MaxWait {
		if until.IsZero() {
			until = t.opts.Now().Add(d)
		}
		return &RateLimitError{Until: until, Wait: d, MaxWait: t.opts.MaxWait, Status: status}
	}
	if t.opts.OnWait != nil {
		u := *req.URL
		u.RawQuery, u.User, u.Fragment = "", nil, ""
		t.opts.OnWait(Wait{Method: req.Method, URL: u.String(), Attempt: attempt, Reason: reason, Delay: d})
	}
	if d <= 0 {
		return ctx.Err()
	}
	return t.opts.Sleep(ctx, d)
}

// take counts one request against the budget.
func (t *Transport) take() error {
	n := t.requests.Add(1)
	if t.opts.Budget >= 0 && n > int64(t.opts.Budget) {
		t.requests.Add(-1)
		return &BudgetError{Budget: t.opts.Budget}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// drain reads a little of the body (so the connection can be reused) and
// closes it.
func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// closeBody closes the request body, as a RoundTripper must even on errors.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

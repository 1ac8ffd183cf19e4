package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// recorder is an injected clock and sleeper: waits are recorded and advance
// the clock, nothing sleeps.
type recorder struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (r *recorder) Now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	r.now = r.now.Add(d)
	return ctx.Err()
}

func (r *recorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// script serves the given handlers in turn (the last one repeats) and
// records the request bodies.
type script struct {
	mu     sync.Mutex
	steps  []http.HandlerFunc
	calls  int
	bodies []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	i := s.calls
	s.calls++
	b, _ := io.ReadAll(r.Body)
	s.bodies = append(s.bodies, string(b))
	if i >= len(s.steps) {
		i = len(s.steps) - 1
	}
	h := s.steps[i]
	s.mu.Unlock()
	h(w, r)
}

func (s *script) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"message":"`+http.StatusText(code)+`"}`)
	}
}

func ok(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"ok":true}`) }

func setup(t *testing.T, opts Options, steps ...http.HandlerFunc) (*http.Client, *Transport, *script, *recorder, string) {
	t.Helper()
	sc := &script{steps: steps}
	srv := httptest.NewServer(sc)
	t.Cleanup(srv.Close)
	rec := &recorder{now: t0}
	opts.Sleep = rec.Sleep
	opts.Now = rec.Now
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0.5 }
	}
	tr := New(nil, opts)
	return &http.Client{Transport: tr}, tr, sc, rec, srv.URL
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, error) {
	t.Helper()
	resp, err := c.Get(url)
	if err == nil {
		t.Cleanup(func() { _ = resp.Body.Close() })
	}
	return resp, err
}

func TestRetries5xxWithBackoff(t *testing.T) {
	c, tr, sc, rec, url := setup(t, Options{}, status(502), status(503), status(500), ok)
	resp, err := get(t, c, url+"/x")
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 4, sc.Calls())
	assert.Equal(t, 4, tr.Requests())
	// base 1s doubling, jitter 0.5 → 0.75 of the delay.
	assert.Equal(t, []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second}, rec.Waits())
}

func TestJitterStaysWithinHalfAndFullDelay(t *testing.T) {
	for _, j := range []float64{0, 0.25, 0.999} {
		tr := New(nil, Options{Rand: func() float64 { return j }})
		for attempt := 1; attempt <= 8; attempt++ {
			d := tr.backoff(attempt)
			full := DefaultBaseDelay << (attempt - 1)
			if full > DefaultMaxDelay {
				full = DefaultMaxDelay
			}
			assert.GreaterOrEqual(t, d, full/2)
			assert.Less(t, d, full+1)
		}
	}
}

func TestGivesUpAfterMaxAttemptsReturningLastResponse(t *testing.T) {
	c, _, sc, rec, url := setup(t, Options{MaxAttempts: 3}, status(502))
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, 3, sc.Calls())
	assert.Len(t, rec.Waits(), 2)
}

func TestDefaultMaxAttemptsIsFive(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(500))
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, 5, sc.Calls())
}

func TestNotImplementedIsNotRetried(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(501), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 501, resp.StatusCode)
	assert.Equal(t, 1, sc.Calls())
}

func TestPostIsNotRetriedOn5xxUnlessMarked(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(502), ok)
	resp, err := c.Post(url, "application/json", strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, 1, sc.Calls())

	c, _, sc, _, url = setup(t, Options{}, status(502), ok)
	req, err := http.NewRequestWithContext(WithRetryable(context.Background()), http.MethodPost, url, strings.NewReader(`{"a":1}`))
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`}, sc.bodies, "the body is replayed with GetBody")

	c, _, sc, _, url = setup(t, Options{Retryable: func(r *http.Request) bool { return r.Method == http.MethodPut }}, status(503), ok)
	req, err = http.NewRequest(http.MethodPut, url, strings.NewReader("x"))
	require.NoError(t, err)
	resp, err = c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, sc.Calls())
}

func TestBodyWithoutGetBodyIsSentOnce(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(429, "Retry-After", "1"), ok)
	req, err := http.NewRequestWithContext(WithRetryable(context.Background()), http.MethodPost, url, io.NopCloser(strings.NewReader("x")))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, 1, sc.Calls())
}

func TestRetryAfterSeconds429And403(t *testing.T) {
	for _, code := range []int{429, 403} {
		c, _, sc, rec, url := setup(t, Options{}, status(code, "Retry-After", "7"), ok)
		resp, err := get(t, c, url)
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, 2, sc.Calls())
		assert.Equal(t, []time.Duration{7 * time.Second}, rec.Waits(), "status %d", code)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	at := t0.Add(42 * time.Second).Format(http.TimeFormat)
	c, _, _, rec, url := setup(t, Options{}, status(429, "Retry-After", at), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []time.Duration{42 * time.Second}, rec.Waits())
}

func TestRateLimitResetWhenRemainingZero(t *testing.T) {
	reset := strconv.FormatInt(t0.Add(30*time.Second).Unix(), 10)
	c, _, sc, rec, url := setup(t, Options{},
		status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, sc.Calls())
	assert.Equal(t, []time.Duration{30 * time.Second}, rec.Waits())
}

// Okta names the pair X-Rate-Limit-Remaining / X-Rate-Limit-Reset (and sends
// them with every answer): a 429 whose remaining count is 0 waits for the
// reset; a 403 whose remaining count is not 0 is a permission error.
func TestOktaRateLimitResetWhenRemainingZero(t *testing.T) {
	reset := strconv.FormatInt(t0.Add(20*time.Second).Unix(), 10)
	c, _, sc, rec, url := setup(t, Options{},
		status(429, "X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", reset), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, sc.Calls())
	assert.Equal(t, []time.Duration{20 * time.Second}, rec.Waits(), "the reset, not a backoff")

	c, _, sc, rec, url = setup(t, Options{},
		status(403, "X-Rate-Limit-Limit", "600", "X-Rate-Limit-Remaining", "599", "X-Rate-Limit-Reset", reset), ok)
	resp, err = get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 403, resp.StatusCode)
	assert.Equal(t, 1, sc.Calls())
	assert.Empty(t, rec.Waits())

	far := t0.Add(10 * time.Minute)
	c, _, _, _, url = setup(t, Options{},
		status(429, "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", strconv.FormatInt(far.Unix(), 10)), ok)
	_, err = get(t, c, url)
	assert.ErrorContains(t, err, "rate limited until 2026-11-20T10:10:00Z (status 429")
}

func TestRateLimitIsRetriedForPost(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(403, "Retry-After", "2"), ok)
	resp, err := c.Post(url, "text/plain", strings.NewReader("body"))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []string{"body", "body"}, sc.bodies)
}

func TestPlain403IsNotRetried(t *testing.T) {
	for _, hdr := range [][]string{
		nil,
		{"X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "1999999999"},
		{"X-RateLimit-Remaining", "0"}, // no reset: no signal
	} {
		c, _, sc, rec, url := setup(t, Options{}, status(403, hdr...), ok)
		resp, err := get(t, c, url)
		require.NoError(t, err)
		assert.Equal(t, 403, resp.StatusCode)
		assert.Equal(t, 1, sc.Calls())
		assert.Empty(t, rec.Waits())
	}
}

func Test429WithoutSignalBacksOff(t *testing.T) {
	c, _, sc, rec, url := setup(t, Options{}, status(429), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 2, sc.Calls())
	assert.Equal(t, []time.Duration{750 * time.Millisecond}, rec.Waits())
}

func TestLongRateLimitFailsClearly(t *testing.T) {
	reset := t0.Add(45 * time.Minute)
	c, _, sc, rec, url := setup(t, Options{},
		status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10)), ok)
	_, err := get(t, c, url)
	require.Error(t, err)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.True(t, errors.Is(err, ErrRateLimited))
	assert.Equal(t, reset.Unix(), rl.Until.Unix())
	assert.Contains(t, err.Error(), "rate limited until 2026-11-20T10:45:00Z")
	assert.Equal(t, 1, sc.Calls())
	assert.Empty(t, rec.Waits(), "never hangs")

	c, _, _, _, url = setup(t, Options{MaxWait: 5 * time.Second}, status(429, "Retry-After", "6"), ok)
	_, err = get(t, c, url)
	assert.ErrorContains(t, err, "rate limited until 2026-11-20T10:00:06Z")
}

func TestLong503RetryAfterReturnsResponse(t *testing.T) {
	c, _, sc, _, url := setup(t, Options{}, status(503, "Retry-After", "3600"), ok)
	resp, err := get(t, c, url)
	require.NoError(t, err)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, 1, sc.Calls())
}

func TestBudget(t *testing.T) {
	c, tr, sc, _, url := setup(t, Options{Budget: 3}, status(502), ok)
	resp, err := get(t, c, url) // 502, 200: two requests
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	resp, err = get(t, c, url) // third request
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	_, err = get(t, c, url)
	require.Error(t, err)
	assert.ErrorContains(t, err, "request budget of 3 exhausted")
	assert.True(t, errors.Is(err, ErrBudgetExhausted))
	var be *BudgetError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 3, be.Budget)
	assert.Equal(t, 3, tr.Requests())
	assert.Equal(t, 3, sc.Calls())
}

func TestBudgetCountsRetriesAndStopsMidRetry(t *testing.T) {
	c, tr, sc, _, url := setup(t, Options{Budget: 2}, status(502))
	_, err := get(t, c, url)
	assert.ErrorContains(t, err, "request budget of 2 exhausted")
	assert.Equal(t, 2, sc.Calls())
	assert.Equal(t, 2, tr.Requests())
}

func TestDefaultBudget(t *testing.T) {
	assert.Equal(t, 5000, New(nil, Options{}).Budget())
	assert.Equal(t, -1, New(nil, Options{Budget: -1}).Budget())
}

// failing fails the first n round trips with a network error.
type failing struct {
	n    int
	seen int
	next http.RoundTripper
}

func (f *failing) RoundTrip(r *http.Request) (*http.Response, error) {
	f.seen++
	if f.seen <= f.n {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return f.next.RoundTrip(r)
}

func TestNetworkErrorsAreRetriedForGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(ok))
	defer srv.Close()
	rec := &recorder{now: t0}
	var waits []Wait
	tr := New(&failing{n: 2, next: http.DefaultTransport}, Options{Sleep: rec.Sleep, Now: rec.Now, Rand: func() float64 { return 0 },
		OnWait: func(w Wait) { waits = append(waits, w) }})
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL + "/p?secret=1")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second}, rec.Waits())
	require.Len(t, waits, 2)
	assert.Equal(t, "network error", waits[0].Reason)
	assert.Equal(t, srv.URL+"/p", waits[0].URL, "no query string in reports")

	// A POST is not retried after a network error.
	tr = New(&failing{n: 1, next: http.DefaultTransport}, Options{Sleep: rec.Sleep, Now: rec.Now})
	_, err = (&http.Client{Transport: tr}).Post(srv.URL, "text/plain", strings.NewReader("x"))
	assert.ErrorContains(t, err, "connection refused")
}

func TestContextCancelStopsWaiting(t *testing.T) {
	sc := &script{steps: []http.HandlerFunc{status(502)}}
	srv := httptest.NewServer(sc)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	tr := New(nil, Options{Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := (&http.Client{Transport: tr}).Do(req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, sc.Calls())
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, sleep(context.Background(), 0))
}

func TestConcurrentUseCountsEveryRequest(t *testing.T) {
	c, tr, _, _, url := setup(t, Options{}, ok)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(url)
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 20, tr.Requests())
}

// With the real timer, a cancellation during a Retry-After wait ends the
// wait at once: the request returns the context's error, the server sees
// no second attempt.
func TestCancelDuringRetryAfterWaitReturnsPromptly(t *testing.T) {
	sc := &script{steps: []http.HandlerFunc{status(429, "Retry-After", "30")}}
	srv := httptest.NewServer(sc)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	tr := New(nil, Options{OnWait: func(w Wait) {
		assert.Equal(t, 30*time.Second, w.Delay)
		close(waiting)
	}})
	go func() {
		<-waiting
		time.Sleep(50 * time.Millisecond) // inside the wait
		cancel()
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := (&http.Client{Transport: tr}).Do(req)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second, "the 30 s wait is cut short")
	assert.Equal(t, 1, sc.Calls())
}

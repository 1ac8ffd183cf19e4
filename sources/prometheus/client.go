package prometheus

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// queryPath is the instant query endpoint, below the base URL.
const queryPath = "/api/v1/query"

// maxBody caps what is read of one response: a query that returns one
// number answers in a few hundred bytes.
const maxBody = 8 << 20

// maxAttempts: a 5xx or a network error is retried twice (a query that
// timed out on the server would time out again).
const maxAttempts = 3

// apiResponse is the envelope of every answer of the HTTP API.
type apiResponse struct {
	Status    string   `json:"status"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// client sends the queries of one collection.
type client struct {
	base    *url.URL
	http    *http.Client
	auth    string // the Authorization header value; "" for none
	secrets []string
	timeout time.Duration
}

func (s *Source) newClient(env sources.Env) (*client, error) {
	c := &client{base: s.base, timeout: s.timeout}
	tok := strings.TrimSpace(env.Env(EnvToken))
	user := strings.TrimSpace(env.Env(EnvUsername))
	pass := env.Env(EnvPassword)
	switch {
	case tok != "":
		c.auth = "Bearer " + tok
		c.secrets = append(c.secrets, tok)
	case user != "" || pass != "":
		if user == "" || pass == "" {
			return nil, fmt.Errorf("basic auth needs both %s and %s", EnvUsername, EnvPassword)
		}
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
		c.auth = "Basic " + basic
		c.secrets = append(c.secrets, basic, pass)
	}
	if c.auth != "" && s.base.Scheme == "http" && !loopback(s.base.Hostname()) {
		return nil, fmt.Errorf("url %s: use https when credentials are set (they would be sent in clear)", s.base)
	}
	slices.SortFunc(c.secrets, func(a, b string) int { return len(b) - len(a) })
	base := s.transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	rt := retry.New(base, retry.Options{MaxAttempts: maxAttempts, Sleep: s.sleep})
	// The server stops the query at its timeout; the client waits a little
	// longer for that answer, which says why.
	c.http = &http.Client{Transport: rt, Timeout: s.timeout + 10*time.Second,
		// A redirect would carry the Authorization header to wherever it
		// points: refuse it and say where it went.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c, nil
}

// queryURL is the URL of an instant query at t (the record's origin: no
// credential is ever part of it).
func (c *client) queryURL(promql string, t time.Time) string {
	u := *c.base
	u.Path = c.base.Path + queryPath
	q := url.Values{}
	q.Set("query", promql)
	q.Set("time", formatTime(t))
	u.RawQuery = q.Encode()
	return u.String()
}

// formatTime writes t as the API's Unix seconds with milliseconds.
func formatTime(t time.Time) string {
	ms := t.UnixMilli()
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// instant runs promql at t and returns its value as one number, and the
// server's warnings.
func (c *client) instant(ctx context.Context, promql string, t time.Time) (float64, []string, error) {
	u := c.queryURL(promql, t)
	// The server's own timeout, so a long query stops there and says so.
	u += "&timeout=" + url.QueryEscape(c.timeout.String())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, c.fail(err)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "posture")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			if ue.Timeout() {
				return 0, nil, c.fail(fmt.Errorf("no answer within %s (timeout): narrow the query or raise timeout", c.timeout))
			}
			err = ue.Err // its text carries the whole URL
		}
		return 0, nil, c.fail(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, c.fail(fmt.Errorf("reading the response: %w", err))
	}
	if len(body) > maxBody {
		return 0, nil, c.fail(fmt.Errorf("response larger than %d MiB: the query returns more than one number", maxBody>>20))
	}
	var r apiResponse
	jsonErr := json.Unmarshal(body, &r)
	code := resp.StatusCode
	switch {
	case jsonErr == nil && r.Status == "error":
		// 400 bad_data, 422 execution, 503 timeout or canceled: the body
		// says which.
		return 0, nil, c.fail(fmt.Errorf("the server refused the query (%d %s: %s)", code, r.ErrorType, clip(r.Error)))
	case code == http.StatusUnauthorized:
		return 0, nil, c.fail(fmt.Errorf("authentication refused (401): check %s, or %s and %s", EnvToken, EnvUsername, EnvPassword))
	case code == http.StatusForbidden:
		return 0, nil, c.fail(errors.New("access refused (403)"))
	case code >= 300 && code < 400:
		return 0, nil, c.fail(fmt.Errorf("redirected (%d) to %s: set url to the server's own URL", code, redactURL(resp.Header.Get("Location"))))
	case code != http.StatusOK:
		return 0, nil, c.fail(fmt.Errorf("status %d%s", code, bodyHint(body)))
	case jsonErr != nil || r.Status != "success":
		return 0, nil, c.fail(errors.New("the answer is not the Prometheus HTTP API's JSON: is url a Prometheus server?"))
	}
	v, err := value(r.Data.ResultType, r.Data.Result)
	if err != nil {
		return 0, nil, c.fail(err)
	}
	return v, r.Warnings, nil
}

// value reads a result as one number: a scalar, or the sum of the values
// of a vector's series (0 when it has none).
func value(resultType string, raw json.RawMessage) (float64, error) {
	switch resultType {
	case "scalar":
		var s [2]any
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("the scalar result is not [time, \"value\"]")
		}
		return sampleValue(s[1])
	case "vector":
		var vec []struct {
			Value     [2]any `json:"value"`
			Histogram any    `json:"histogram"`
		}
		if err := json.Unmarshal(raw, &vec); err != nil {
			return 0, fmt.Errorf("the vector result is not a list of samples")
		}
		sum := 0.0
		for _, s := range vec {
			if s.Histogram != nil {
				return 0, errors.New("the query returns native histograms: count them with histogram_count() or sum() of a counter")
			}
			v, err := sampleValue(s.Value[1])
			if err != nil {
				return 0, err
			}
			sum += v
		}
		return sum, nil
	case "matrix":
		return 0, errors.New("the query returns a range vector (matrix), not a number: wrap the range in a function, e.g. sum(increase(metric[${window}]))")
	case "string":
		return 0, errors.New("the query returns a string, not a number")
	}
	return 0, fmt.Errorf("unknown result type %q", resultType)
}

// sampleValue parses a sample's value, which the API sends as a string.
func sampleValue(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("a sample value is %v, not a string", v)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("a sample value %q is not a number", clip(s))
	}
	return f, nil
}

// count turns a query's value into a count of events: the value rounded
// to the nearest whole number (increase() extrapolates and so gives
// fractions). NaN, infinities and negative values are errors.
func count(v float64) (int64, error) {
	switch {
	case math.IsNaN(v):
		return 0, errors.New("the query returns NaN (no data over the range, or a division by zero), not a count")
	case math.IsInf(v, 0) || v > 1e15:
		return 0, fmt.Errorf("the query returns %v, not a count", v)
	case v < -0.5:
		return 0, fmt.Errorf("the query returns %v: a count cannot be negative", v)
	}
	return int64(math.Round(v)), nil
}

// fail wraps err with the endpoint, with every secret replaced by "***".
func (c *client) fail(err error) error {
	msg := fmt.Sprintf("GET %s: %v", c.base.Path+queryPath, err)
	for _, s := range c.secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return &apiError{msg: msg, err: err}
}

type apiError struct {
	msg string
	err error
}

func (e *apiError) Error() string { return e.msg }

// Unwrap keeps retry.ErrBudgetExhausted and context errors visible to
// errors.Is.
func (e *apiError) Unwrap() error { return e.err }

// bodyHint is ": <first line of a short text body>", "" for anything else.
func bodyHint(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return ": " + clip(s)
}

// clip shortens a message from the server to 300 bytes.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// Collect runs every query at the as-of instant and records each count as
// one weighted event.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	c, err := s.newClient(env)
	if err != nil {
		return nil, err
	}
	asOf := env.AsOf.UTC()
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	at := asOf.Truncate(time.Millisecond)
	res := &sources.Result{}
	env.Report(0, len(s.cfg.Queries))
	for i, q := range s.cfg.Queries {
		promql, err := expand(q.PromQL, env.WindowDays)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q.Event, err)
		}
		v, warnings, err := c.instant(ctx, promql, at)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q.Event, err)
		}
		n, err := count(v)
		if err != nil {
			return nil, fmt.Errorf("query %q: %s: %w", q.Event, promql, err)
		}
		origin := c.queryURL(promql, at)
		for _, w := range warnings {
			res.Notes = append(res.Notes, fmt.Sprintf("query %q: the server warns: %s", q.Event, clip(w)))
		}
		res.Notes = append(res.Notes, fmt.Sprintf("query %q counted %d (%s at %s)", q.Event, n, promql, at.Format(time.RFC3339)))
		if n > 0 {
			stamp, ms := timefmt.Stamp(at)
			res.Data.AddEvent(q.Event, snapshot.Event{
				TimeMS: ms,
				Time:   stamp,
				Source: env.ID(),
				Origin: origin,
				Detail: q.Event,
				Weight: n,
			})
		}
		res.Provides = append(res.Provides, q.Event)
		env.Report(i+1, len(s.cfg.Queries))
	}
	slices.Sort(res.Provides)
	return res, nil
}

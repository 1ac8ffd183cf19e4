package loki

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/sources/internal/logquery"
)

// Paths of the query API.
const (
	pathQuery      = "/loki/api/v1/query"
	pathQueryRange = "/loki/api/v1/query_range"
)

// client sends GET requests to one Loki. Its errors name the API and the
// request's path, never the credentials nor the query string.
type client struct {
	base   *url.URL
	http   *http.Client
	auth   logquery.Auth
	tenant string
}

// APIError is an answer of Loki that is not a success.
type APIError struct {
	Path    string
	Status  int
	Message string // Loki's plain-text error (or the error of a JSON body), clipped
	Hint    string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("loki API GET %s: %d %s", e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += " (" + e.Message + ")"
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// answer is the envelope of the query endpoints.
type answer struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// get reads path with the query parameters into an answer.
func (c *client) get(ctx context.Context, path string, params url.Values) (*answer, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("loki API GET %s: %w", path, err)
	}
	if c.auth.Header != "" {
		req.Header.Set("Authorization", c.auth.Header)
	}
	if c.tenant != "" {
		req.Header.Set("X-Scope-OrgID", c.tenant)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "posture")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL carries the query
		}
		return nil, fmt.Errorf("loki API GET %s: %w", path, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, c.apiError(path, resp)
	}
	var a answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&a); err != nil {
		return nil, fmt.Errorf("loki API GET %s: reading the answer: %w", path, err)
	}
	if a.Status != "success" {
		return nil, &APIError{Path: path, Status: resp.StatusCode, Message: logquery.Clip(a.ErrorType+" "+a.Error, 200)}
	}
	return &a, nil
}

// apiError reads Loki's error body (plain text; a JSON object with an
// error in recent versions) and says what to do about it.
func (c *client) apiError(path string, resp *http.Response) error {
	e := &APIError{Path: path, Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var j answer
	if json.Unmarshal(b, &j) == nil && j.Error != "" {
		b = []byte(j.Error)
	}
	e.Message = logquery.Clip(c.auth.Redact(string(b)), 200)
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.Hint = "the credentials were refused: check " + orNone(c.auth.Setting)
	case http.StatusForbidden:
		e.Hint = "the credentials may not read this tenant's logs"
	case http.StatusBadRequest:
		e.Hint = "check the query's LogQL"
	case http.StatusTooManyRequests:
		e.Hint = "rate limited after retries: run again later, or raise the tenant's query limits"
	}
	return e
}

func orNone(setting string) string {
	if setting == "" {
		return "the credentials (none set: set " + EnvToken + ", or " + EnvUsername + " and " + EnvPassword + ")"
	}
	return setting
}

// count runs a metric query at asOf and adds the values of the series it
// returns (an instant vector or a scalar); an empty vector is 0.
func (c *client) count(ctx context.Context, logql string, asOf time.Time) (int64, error) {
	a, err := c.get(ctx, pathQuery, url.Values{
		"query": {logql},
		"time":  {strconv.FormatInt(asOf.UnixNano(), 10)},
	})
	if err != nil {
		return 0, err
	}
	var values [][2]any
	switch a.Data.ResultType {
	case "vector":
		var series []struct {
			Value [2]any `json:"value"`
		}
		if err := json.Unmarshal(a.Data.Result, &series); err != nil {
			return 0, fmt.Errorf("loki API GET %s: reading the vector: %w", pathQuery, err)
		}
		for _, s := range series {
			values = append(values, s.Value)
		}
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(a.Data.Result, &v); err != nil {
			return 0, fmt.Errorf("loki API GET %s: reading the scalar: %w", pathQuery, err)
		}
		values = append(values, v)
	default:
		return 0, fmt.Errorf("loki API GET %s: the query returned %s, not a count: write a metric query such as sum(count_over_time({job=\"nginx\"} |= \" 429 \" [${window}]))", pathQuery, orNone2(a.Data.ResultType))
	}
	total := 0.0
	for _, v := range values {
		s, ok := v[1].(string)
		if !ok {
			return 0, fmt.Errorf("loki API GET %s: a sample value is %v, not a number in a string", pathQuery, v[1])
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return 0, fmt.Errorf("loki API GET %s: the value %q is not a count", pathQuery, s)
		}
		total += f
	}
	if total > math.MaxInt64/2 {
		return 0, fmt.Errorf("loki API GET %s: the value %g is not a count", pathQuery, total)
	}
	return int64(math.Round(total)), nil
}

func orNone2(s string) string {
	if s == "" {
		return "no result type"
	}
	return s
}

// samples runs a log query over (start, end] and returns the newest
// lines, at most logquery.MaxSamples, newest first.
func (c *client) samples(ctx context.Context, selector string, start, end time.Time) ([]string, error) {
	a, err := c.get(ctx, pathQueryRange, url.Values{
		"query":     {selector},
		"limit":     {strconv.Itoa(logquery.MaxSamples)},
		"start":     {strconv.FormatInt(start.UnixNano(), 10)},
		"end":       {strconv.FormatInt(end.UnixNano(), 10)},
		"direction": {"backward"},
	})
	if err != nil {
		return nil, err
	}
	if a.Data.ResultType != "streams" {
		return nil, fmt.Errorf("loki API GET %s: the sample query returned %s, not log lines: write a log query such as {job=\"nginx\"} |= \" 429 \"", pathQueryRange, orNone2(a.Data.ResultType))
	}
	var streams []struct {
		Values [][2]string `json:"values"`
	}
	if err := json.Unmarshal(a.Data.Result, &streams); err != nil {
		return nil, fmt.Errorf("loki API GET %s: reading the streams: %w", pathQueryRange, err)
	}
	type line struct {
		ns   int64
		text string
	}
	var lines []line
	for _, s := range streams {
		for _, v := range s.Values {
			ns, err := strconv.ParseInt(v[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("loki API GET %s: the timestamp %q is not in nanoseconds", pathQueryRange, v[0])
			}
			lines = append(lines, line{ns, v[1]})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].ns > lines[j].ns })
	if len(lines) > logquery.MaxSamples {
		lines = lines[:logquery.MaxSamples]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSpace(l.text)
	}
	return out, nil
}

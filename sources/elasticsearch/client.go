package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/localizevideos/posture/sources/internal/logquery"
)

// client sends POST requests (searches: they only read) to one cluster.
// Its errors name the API and the request's path, never the credentials.
type client struct {
	base *url.URL
	http *http.Client
	auth logquery.Auth
}

// APIError is an answer of the cluster that is not a success.
type APIError struct {
	Path   string
	Status int
	Type   string // the error's type (index_not_found_exception)
	Reason string // the error's reason, clipped
	Hint   string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("elasticsearch API POST %s: %d %s", e.Path, e.Status, http.StatusText(e.Status))
	switch {
	case e.Type != "" && e.Reason != "":
		msg += fmt.Sprintf(" (%s: %s)", e.Type, e.Reason)
	case e.Reason != "":
		msg += " (" + e.Reason + ")"
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// shards is the _shards object of an answer.
type shards struct {
	Total    int `json:"total"`
	Failed   int `json:"failed"`
	Failures []struct {
		Reason struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"reason"`
	} `json:"failures"`
}

// post sends body to /<index>/<api> and decodes the answer into out.
func (c *client) post(ctx context.Context, index, api string, body any, out any) error {
	path := "/" + index + "/" + api
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("elasticsearch API POST %s: %w", path, err)
	}
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("elasticsearch API POST %s: %w", path, err)
	}
	if c.auth.Header != "" {
		req.Header.Set("Authorization", c.auth.Header)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "posture")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("elasticsearch API POST %s: %w", path, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return c.apiError(path, index, resp)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("elasticsearch API POST %s: reading the answer: %w", path, err)
	}
	var sh struct {
		Shards shards `json:"_shards"`
	}
	if err := json.Unmarshal(raw, &sh); err != nil {
		return fmt.Errorf("elasticsearch API POST %s: reading the answer: %w", path, err)
	}
	if sh.Shards.Failed > 0 {
		e := &APIError{Path: path, Status: resp.StatusCode,
			Reason: fmt.Sprintf("%d of %d shards failed", sh.Shards.Failed, sh.Shards.Total),
			Hint:   "the answer would be partial"}
		if len(sh.Shards.Failures) > 0 {
			r := sh.Shards.Failures[0].Reason
			e.Reason += "; " + logquery.Clip(r.Type+": "+r.Reason, 200)
		}
		return e
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("elasticsearch API POST %s: reading the answer: %w", path, err)
	}
	return nil
}

// apiError reads the error object ({"error": {"type", "reason"},
// "status"}) and says what to do about it.
func (c *client) apiError(path, index string, resp *http.Response) error {
	e := &APIError{Path: path, Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	var obj struct {
		Type      string `json:"type"`
		Reason    string `json:"reason"`
		RootCause []struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"root_cause"`
	}
	var str string
	switch {
	case json.Unmarshal(b, &body) == nil && json.Unmarshal(body.Error, &obj) == nil && obj.Type != "":
		e.Type, e.Reason = obj.Type, obj.Reason
		if e.Reason == "" && len(obj.RootCause) > 0 {
			e.Reason = obj.RootCause[0].Reason
		}
	case json.Unmarshal(body.Error, &str) == nil:
		e.Reason = str
	default:
		e.Reason = string(b)
	}
	e.Type = logquery.Clip(c.auth.Redact(e.Type), 80)
	e.Reason = logquery.Clip(c.auth.Redact(e.Reason), 200)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		setting := c.auth.Setting
		if setting == "" {
			setting = "the credentials (none set: set " + EnvAPIKey + ", or " + EnvUsername + " and " + EnvPassword + ")"
		}
		e.Hint = "the credentials were refused: check " + setting
	case resp.StatusCode == http.StatusForbidden:
		e.Hint = "the credentials may not read " + index + ": grant the read privilege on it"
	case resp.StatusCode == http.StatusNotFound:
		e.Hint = "no index matches " + index
	case resp.StatusCode == http.StatusBadRequest:
		e.Hint = "check the query DSL"
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Hint = "rate limited after retries: run again later"
	}
	return e
}

// count returns the number of documents of index that match q.
func (c *client) count(ctx context.Context, index string, q json.RawMessage) (int64, error) {
	var out struct {
		Count *int64 `json:"count"`
	}
	if err := c.post(ctx, index, "_count", map[string]any{"query": q}, &out); err != nil {
		return 0, err
	}
	if out.Count == nil || *out.Count < 0 {
		return 0, fmt.Errorf("elasticsearch API POST /%s/_count: the answer has no count", index)
	}
	return *out.Count, nil
}

// distinct returns the (approximate) number of distinct values of field
// among the documents of index that match q: a cardinality aggregation.
func (c *client) distinct(ctx context.Context, index string, q json.RawMessage, field string) (int64, error) {
	var out struct {
		Aggregations struct {
			N *struct {
				Value *float64 `json:"value"`
			} `json:"n"`
		} `json:"aggregations"`
	}
	body := map[string]any{
		"size":             0,
		"track_total_hits": false,
		"query":            q,
		"aggs": map[string]any{"n": map[string]any{"cardinality": map[string]any{
			"field": field, "precision_threshold": PrecisionThreshold,
		}}},
	}
	if err := c.post(ctx, index, "_search", body, &out); err != nil {
		return 0, err
	}
	n := out.Aggregations.N
	if n == nil || n.Value == nil || *n.Value < 0 || math.IsNaN(*n.Value) {
		return 0, fmt.Errorf("elasticsearch API POST /%s/_search: the answer has no aggregations.n.value", index)
	}
	return int64(math.Round(*n.Value)), nil
}

// samples returns the chosen fields of the newest documents that match q,
// at most logquery.MaxSamples, newest first: one line per document.
func (c *client) samples(ctx context.Context, index string, q json.RawMessage, timeField string, fields []string) ([]string, error) {
	var out struct {
		Hits struct {
			Hits []struct {
				ID     string         `json:"_id"`
				Source map[string]any `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	body := map[string]any{
		"size":             logquery.MaxSamples,
		"track_total_hits": false,
		"query":            q,
		"sort":             []any{map[string]any{timeField: map[string]any{"order": "desc"}}},
		"_source":          fields,
	}
	if err := c.post(ctx, index, "_search", body, &out); err != nil {
		return nil, err
	}
	var lines []string
	for _, h := range out.Hits.Hits {
		var parts []string
		for _, f := range fields {
			if v, ok := lookup(h.Source, f); ok {
				parts = append(parts, text(v))
			}
		}
		if len(parts) == 0 {
			parts = []string{"_id " + h.ID}
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return lines, nil
}

// lookup finds a dotted field in a _source: nested objects
// ({"source": {"ip": ...}}) or a flat key ("source.ip").
func lookup(src map[string]any, field string) (any, bool) {
	if v, ok := src[field]; ok {
		return v, true
	}
	head, rest, ok := strings.Cut(field, ".")
	for ok {
		if m, isMap := src[head].(map[string]any); isMap {
			if v, found := lookup(m, rest); found {
				return v, true
			}
		}
		var more string
		more, rest, ok = strings.Cut(rest, ".")
		head += "." + more
	}
	return nil, false
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

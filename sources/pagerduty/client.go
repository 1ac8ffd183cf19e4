package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// accept selects version 2 of the REST API.
const accept = "application/vnd.pagerduty+json;version=2"

// maxBody caps a response body read into memory.
const maxBody = 32 << 20

// collector is the state of one collection.
type collector struct {
	src    *Source
	env    sources.Env
	name   string // the source's name, for messages
	id     string // the source's id "pagerduty.<name>", which records carry
	apiURL string
	token  string
	http   *http.Client
	rt     *retry.Transport
}

func (s *Source) newCollector(env sources.Env, token string) *collector {
	base := s.base
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 2 * time.Minute
		base = t
	}
	var paced http.RoundTripper = rateLimitHeaders{base}
	if !s.noPace {
		paced = &pacer{base: paced, gap: time.Minute / time.Duration(s.cfg.RequestsPerMinute)}
	}
	// No redirect is followed: the key goes to api_url only.
	hc, rt := httpapi.NewClient(httpapi.ClientOptions{
		Transport: paced,
		Retry:     retry.Options{Budget: s.cfg.MaxRequests, Sleep: s.sleep, Now: s.now},
		Timeout:   5 * time.Minute,
	})
	return &collector{
		src: s, env: env, name: env.Name, id: env.ID(), apiURL: s.cfg.APIURL, token: token,
		http: hc, rt: rt,
	}
}

// rateLimitHeaders makes PagerDuty's rate-limit header understood by the
// retrying transport: a 429 that says how long to wait only in
// `ratelimit-reset` (seconds until the limit resets) gets the same value as
// Retry-After. Other responses pass as they are.
type rateLimitHeaders struct{ base http.RoundTripper }

func (t rateLimitHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "" {
		return resp, err
	}
	if v := strings.TrimSpace(resp.Header.Get("Ratelimit-Reset")); v != "" {
		if n, perr := strconv.ParseInt(v, 10, 64); perr == nil && n >= 0 {
			resp.Header.Set("Retry-After", strconv.FormatInt(n, 10))
		}
	}
	return resp, nil
}

// pacer spaces the requests (every attempt) by gap.
type pacer struct {
	base http.RoundTripper
	gap  time.Duration
	mu   sync.Mutex
	next time.Time
}

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	wait := p.next.Sub(now)
	p.next = p.next.Add(p.gap)
	p.mu.Unlock()
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			t.Stop()
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, req.Context().Err()
		case <-t.C:
		}
	}
	return p.base.RoundTrip(req)
}

// apiError is a response PagerDuty refused or failed.
type apiError struct {
	Method, Path string
	Status       int
	Message      string // PagerDuty's error message and details, when it gave one
}

func (e *apiError) Error() string {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("%s %s: the token was refused (%d): check %s (a REST API key with read access)", e.Method, e.Path, e.Status, TokenEnv)
	}
	msg := fmt.Sprintf("%s %s: status %d", e.Method, e.Path, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// errorBody is PagerDuty's error response.
type errorBody struct {
	Error struct {
		Message string   `json:"message"`
		Code    int      `json:"code"`
		Errors  []string `json:"errors"`
	} `json:"error"`
}

// get reads path?query into out. Errors name the method and path, never
// the query's secrets (there are none: the key travels in a header) nor any
// header.
func (c *collector) get(ctx context.Context, path string, query url.Values, out any) error {
	u := c.apiURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := httpapi.NewRequest(ctx, http.MethodGet, u, nil, "Token token="+c.token)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := httpapi.Do(c.http, req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("GET %s: %w", path, ctx.Err())
		}
		var be *retry.BudgetError
		if errors.As(err, &be) {
			return fmt.Errorf("GET %s: %w (raise max_requests)", path, err)
		}
		var rl *retry.RateLimitError
		if errors.As(err, &rl) {
			return fmt.Errorf("GET %s: PagerDuty's rate limit: %w", path, err)
		}
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := httpapi.ReadBody(resp.Body, maxBody)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		e := &apiError{Method: http.MethodGet, Path: path, Status: resp.StatusCode}
		var eb errorBody
		if json.Unmarshal(body, &eb) == nil && eb.Error.Message != "" {
			e.Message = eb.Error.Message
			if len(eb.Error.Errors) > 0 {
				e.Message += " (" + strings.Join(eb.Error.Errors, "; ") + ")"
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			msg := "still rate limited after the retries"
			if e.Message != "" {
				msg += ": " + e.Message
			}
			e.Message = msg
		}
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: the response is not the JSON expected: %w", path, err)
	}
	return nil
}

// redactErr replaces the key, wherever an error text would carry it, with
// "[redacted]". Nothing here puts it there; this is the last guard.
func redactErr(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), token, "[redacted]"))
}

package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// Paths of the search APIs, below the base URL.
const (
	cloudSearchPath  = "/rest/api/3/search/jql"
	serverSearchPath = "/rest/api/2/search"
)

// maxBody caps what is read of one response.
const maxBody = 64 << 20

// issue is one issue of a search page: its key and the requested fields,
// kept raw (a field's shape depends on its type).
type issue struct {
	Key    string                     `json:"key"`
	Fields map[string]json.RawMessage `json:"fields"`
}

// cloudPage is a page of GET /rest/api/3/search/jql.
type cloudPage struct {
	Issues        []issue `json:"issues"`
	NextPageToken string  `json:"nextPageToken"`
	IsLast        *bool   `json:"isLast"`
}

// serverPage is a page of GET /rest/api/2/search.
type serverPage struct {
	StartAt    int     `json:"startAt"`
	MaxResults int     `json:"maxResults"`
	Total      int     `json:"total"`
	Issues     []issue `json:"issues"`
}

// client sends the searches of one collection.
type client struct {
	cfg     *Config
	base    *url.URL
	http    *http.Client
	auth    string // the Authorization header value
	secrets httpapi.Secrets
	api     string // "Jira Cloud REST API" or "Jira Server REST API"
	envHint string // the variables that hold the credentials
}

func (s *Source) newClient(env sources.Env) (*client, error) {
	c := &client{cfg: &s.cfg, base: s.base}
	// Every credential the environment holds is kept out of messages,
	// whichever this deployment sends: a server may echo anything.
	for _, k := range []string{"JIRA_API_TOKEN", "JIRA_TOKEN"} {
		c.secrets.Add(strings.TrimSpace(env.Env(k)))
	}
	switch s.cfg.Deployment {
	case DeploymentServer:
		tok := strings.TrimSpace(env.Env("JIRA_TOKEN"))
		if tok == "" {
			return nil, errors.New("no credentials: set JIRA_TOKEN to a personal access token (deployment = \"server\")")
		}
		c.auth = "Bearer " + tok
		c.api, c.envHint = "Jira Server REST API", EnvToken
	default:
		email := strings.TrimSpace(env.Env("JIRA_EMAIL"))
		tok := strings.TrimSpace(env.Env("JIRA_API_TOKEN"))
		if email == "" || tok == "" {
			return nil, errors.New("no credentials: set JIRA_EMAIL and JIRA_API_TOKEN (an Atlassian API token; deployment = \"cloud\")")
		}
		var basic string
		c.auth, basic = httpapi.BasicAuth(email, tok)
		c.secrets.Add(basic)
		c.api, c.envHint = "Jira Cloud REST API", EnvEmail+" and "+EnvAPIToken
	}
	// A redirect is not followed: get says where it went.
	c.http, _ = httpapi.NewClient(httpapi.ClientOptions{
		Transport:             s.transport,
		ResponseHeaderTimeout: 2 * time.Minute,
		Retry:                 retry.Options{Budget: s.cfg.MaxRequests, Sleep: s.sleep, Now: s.now, Rand: s.rand},
		Timeout:               5 * time.Minute,
	})
	return c, nil
}

// search runs the query to its last page and returns every issue.
func (c *client) search(ctx context.Context, fields []string, report func(done, total int)) ([]issue, error) {
	if c.cfg.Deployment == DeploymentServer {
		return c.searchServer(ctx, fields, report)
	}
	return c.searchCloud(ctx, fields, report)
}

// searchCloud follows nextPageToken until isLast (or no token: the last
// page may leave the key out).
func (c *client) searchCloud(ctx context.Context, fields []string, report func(done, total int)) ([]issue, error) {
	var all []issue
	token := ""
	seen := map[string]bool{}
	for {
		q := url.Values{}
		q.Set("jql", c.cfg.JQL)
		q.Set("fields", strings.Join(fields, ","))
		q.Set("maxResults", strconv.Itoa(PageSize))
		if token != "" {
			q.Set("nextPageToken", token)
		}
		var page cloudPage
		if err := c.get(ctx, cloudSearchPath, q, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Issues...)
		last := (page.IsLast != nil && *page.IsLast) || page.NextPageToken == ""
		if last {
			report(len(all), len(all))
			return all, nil
		}
		if seen[page.NextPageToken] {
			return nil, fmt.Errorf("%s: GET %s: the same nextPageToken came back twice; stopping rather than reading pages again", c.api, cloudSearchPath)
		}
		seen[page.NextPageToken] = true
		token = page.NextPageToken
		// The enhanced search gives no total: at least one more page.
		report(len(all), len(all)+PageSize)
	}
}

// searchServer pages with startAt until total.
func (c *client) searchServer(ctx context.Context, fields []string, report func(done, total int)) ([]issue, error) {
	var all []issue
	for {
		q := url.Values{}
		q.Set("jql", c.cfg.JQL)
		q.Set("fields", strings.Join(fields, ","))
		q.Set("startAt", strconv.Itoa(len(all)))
		q.Set("maxResults", strconv.Itoa(PageSize))
		var page serverPage
		if err := c.get(ctx, serverSearchPath, q, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Issues...)
		total := page.Total
		if total < len(all) {
			total = len(all)
		}
		report(len(all), total)
		if len(page.Issues) == 0 || len(all) >= page.Total {
			if len(all) != total {
				report(len(all), len(all))
			}
			return all, nil
		}
	}
}

// get sends GET base+path?q and decodes a 200 answer into v. Errors name
// the API, the method and the path; never the query, never credentials.
func (c *client) get(ctx context.Context, path string, q url.Values, v any) error {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	req, err := httpapi.NewRequest(ctx, http.MethodGet, u.String(), nil, c.auth)
	if err != nil {
		return c.fail(path, err)
	}
	resp, err := httpapi.Do(c.http, req)
	if err != nil {
		return c.fail(path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := httpapi.ReadBody(resp.Body, maxBody)
	if err != nil {
		return c.fail(path, err)
	}
	refusal := httpapi.Refusal{
		Credentials: c.envHint,
		Forbidden:   "the account behind " + c.envHint + " may not use the API or browse these projects",
		Setting:     "base_url", Site: "site",
		RateLimited: true,
		BadRequest:  "the query",
	}
	if err := refusal.Err(resp.StatusCode, resp.Header.Get("Location"), message(body)); err != nil {
		return c.fail(path, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return c.fail(path, fmt.Errorf("the answer is not the expected JSON (%s): is base_url a Jira site?", clip(err.Error())))
	}
	return nil
}

// fail wraps err as "<API>: GET <path>: <err>", with every secret
// replaced by "***".
func (c *client) fail(path string, err error) error {
	return c.secrets.Wrap(fmt.Sprintf("%s: GET %s", c.api, c.base.Path+path), err)
}

// message reads Jira's error body ({"errorMessages": [...], "errors":
// {field: msg}}, or a gateway's {"message": ...}) as ": msg; msg", "" when
// it says nothing readable.
func message(body []byte) string {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		Message       string            `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	for _, m := range e.ErrorMessages {
		if m = strings.TrimSpace(m); m != "" {
			parts = append(parts, m)
		}
	}
	keys := make([]string, 0, len(e.Errors))
	for k := range e.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, k+": "+strings.TrimSpace(e.Errors[k]))
	}
	if m := strings.TrimSpace(e.Message); m != "" {
		parts = append(parts, m)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + clip(strings.Join(parts, "; "))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

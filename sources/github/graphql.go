package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
)

// GraphQL reading. A repository's deployments (each with its newest 100
// statuses) and its incident issues (each with its labels) are read with
// one query of 1 point: GitHub counts, for every connection, one request
// per node of the connections it sits in, sums them, divides by 100 and
// rounds to the nearest (at least 1), so deployments(first: 100) {
// statuses(last: 100) } costs 1 + 100 and issues(first: 47) { labels } 1 +
// 47: 149 requests, 1 point (150 would round to 2). Further pages (more
// than 100 deployments, 47 incident issues) are read with further queries of 1 point (a connection
// alone reads 100 a page).

// issuesBeside is the page of incident issues in a query that also reads
// deployments: the most that keeps the query at 1 point.
const issuesBeside = 47

const deploymentNodes = `nodes {
        databaseId environment commitOid task description createdAt
        ref { name }
        creator { __typename login }
        statuses(last: 100) { pageInfo { hasPreviousPage } nodes { state } }
      }
      pageInfo { hasNextPage endCursor }`

const issueNodes = `nodes {
        number title body url createdAt closedAt state stateReason
        labels(first: 100) { pageInfo { hasNextPage } nodes { name } }
      }
      pageInfo { hasNextPage endCursor }`

// repoQuery reads a page of a repository's deployments and/or incident
// issues (issuesFirst a page), newest first.
func repoQuery(deployments, issues bool, issuesFirst int) string {
	var b strings.Builder
	b.WriteString("query($owner: String!, $name: String!")
	if deployments {
		b.WriteString(", $depAfter: String")
	}
	if issues {
		b.WriteString(", $issAfter: String, $labels: [String!]")
	}
	b.WriteString(") {\n  rateLimit { cost remaining resetAt }\n  repository(owner: $owner, name: $name) {\n")
	if deployments {
		b.WriteString("    deployments(first: 100, after: $depAfter, orderBy: {field: CREATED_AT, direction: DESC}) {\n      " + deploymentNodes + "\n    }\n")
	}
	if issues {
		fmt.Fprintf(&b, "    hasIssuesEnabled\n    issues(first: %d, after: $issAfter, labels: $labels, orderBy: {field: CREATED_AT, direction: DESC}) {\n      %s\n    }\n", issuesFirst, issueNodes)
	}
	b.WriteString("  }\n}")
	return b.String()
}

type gqlRate struct {
	Cost      int       `json:"cost"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
}

type gqlPageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type gqlDeploymentNode struct {
	DatabaseID  int64     `json:"databaseId"`
	Environment string    `json:"environment"`
	CommitOID   string    `json:"commitOid"`
	Task        string    `json:"task"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
	Ref         *struct {
		Name string `json:"name"`
	} `json:"ref"`
	Creator *struct {
		Typename string `json:"__typename"`
		Login    string `json:"login"`
	} `json:"creator"`
	Statuses *struct {
		PageInfo struct {
			HasPreviousPage bool `json:"hasPreviousPage"`
		} `json:"pageInfo"`
		Nodes []struct {
			State string `json:"state"`
		} `json:"nodes"`
	} `json:"statuses"`
}

type gqlIssueNode struct {
	Number      int        `json:"number"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	URL         string     `json:"url"`
	CreatedAt   time.Time  `json:"createdAt"`
	ClosedAt    *time.Time `json:"closedAt"`
	State       string     `json:"state"`
	StateReason *string    `json:"stateReason"`
	Labels      struct {
		PageInfo gqlPageInfo `json:"pageInfo"`
		Nodes    []struct {
			Name string `json:"name"`
		} `json:"nodes"`
	} `json:"labels"`
}

type gqlRepoPage struct {
	Repository *struct {
		HasIssuesEnabled *bool `json:"hasIssuesEnabled"`
		Deployments      *struct {
			Nodes    []gqlDeploymentNode `json:"nodes"`
			PageInfo gqlPageInfo         `json:"pageInfo"`
		} `json:"deployments"`
		Issues *struct {
			Nodes    []gqlIssueNode `json:"nodes"`
			PageInfo gqlPageInfo    `json:"pageInfo"`
		} `json:"issues"`
	} `json:"repository"`
}

// gqlError is an entry of a GraphQL answer's errors.
type gqlError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// graphqlURL is the GraphQL endpoint beside the REST API base:
// https://api.github.com/graphql, and https://host/api/graphql for a
// GitHub Enterprise Server whose REST API is https://host/api/v3.
func graphqlURL(restBase string) string {
	base := strings.TrimRight(restBase, "/")
	if strings.HasSuffix(base, "/api/v3") {
		return strings.TrimSuffix(base, "/v3") + "/graphql"
	}
	return base + "/graphql"
}

// errNoGraphQL is the GraphQL endpoint answering 404: the REST lists are
// read instead.
var errNoGraphQL = errors.New("no GraphQL API")

// useGraphQL tells whether graphql is on (the default).
func (c *collector) useGraphQL() bool { return c.src.cfg.GraphQL == nil || *c.src.cfg.GraphQL }

// graphQL sends one query (what names it in errors) and decodes its data
// into data. It returns the answer's errors but a spent rate limit, which
// fails; after the answer it waits for the points to reset when the
// query's rateLimit says the next one would be refused.
func (c *collector) graphQL(ctx context.Context, what, query string, vars map[string]any, data any) ([]gqlError, error) {
	endpoint := graphqlURL(c.client.BaseURL.String())
	what += " (GraphQL POST " + githubapi.RedactURL(endpoint) + ")"
	req, err := c.client.NewRequest("POST", endpoint, map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, c.fail(what, err)
	}
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if _, err := c.client.Do(retry.WithRetryable(ctx), req, &res); err != nil {
		if githubapi.IsNotFound(err) {
			return nil, errNoGraphQL
		}
		return nil, c.fail(what, err)
	}
	for _, e := range res.Errors {
		if e.Type == "RATE_LIMITED" {
			return nil, fmt.Errorf("github source %s: %s: GraphQL rate limit spent (RATE_LIMITED: %s): wait for the reset, or set graphql = false", c.name, what, e.Message)
		}
	}
	var rl struct {
		RateLimit *gqlRate `json:"rateLimit"`
	}
	if len(res.Data) > 0 && string(res.Data) != "null" {
		if err := json.Unmarshal(res.Data, data); err != nil {
			return nil, fmt.Errorf("github source %s: %s: %w", c.name, what, err)
		}
		_ = json.Unmarshal(res.Data, &rl)
	} else if len(res.Errors) == 0 {
		return nil, fmt.Errorf("github source %s: %s: an answer without data", c.name, what)
	}
	if r := rl.RateLimit; r != nil && r.Remaining < r.Cost {
		if err := c.waitGraphQL(ctx, what, r.ResetAt); err != nil {
			return nil, err
		}
	}
	return res.Errors, nil
}

// gqlFailure is the source error of a GraphQL answer's errors.
func (c *collector) gqlFailure(r repoRef, what string, errs []gqlError) error {
	e := errs[0]
	if e.Type == "NOT_FOUND" && len(e.Path) <= 1 {
		return c.repoMissing(r)
	}
	return fmt.Errorf("github source %s: %s: %s (GraphQL POST %s): %s %s", c.name, r, what, githubapi.RedactURL(graphqlURL(c.client.BaseURL.String())), e.Type, e.Message)
}

// partsName names the parts read with GraphQL in messages.
func (c *collector) partsName() string {
	d, i := c.src.wants(PartDeployments), c.src.wants(PartIncidents)
	switch {
	case d && i:
		return "deployments and incident issues"
	case i:
		return "incident issues"
	}
	return "deployments"
}

// repoGraphQL reads the deployments and incident issues of r (those the
// source collects) with GraphQL, the records and notes those of the REST
// lists. notes are the notes the incidents give (also given to c.note).
func (c *collector) repoGraphQL(ctx context.Context, r repoRef) ([]snapshot.Deployment, []snapshot.Incident, []string, error) {
	what := c.partsName()
	wantD, wantI := c.src.wants(PartDeployments), c.src.wants(PartIncidents)
	var (
		deps           []snapshot.Deployment
		incs           []snapshot.Incident
		notes          []string
		depAfter       string
		issAfter       string
		depDone        = !wantD
		issDone        = !wantI
		depSeen, issSn = map[string]bool{}, map[string]bool{}
	)
	if wantD {
		deps = []snapshot.Deployment{}
	}
	for page := 0; !depDone || !issDone; page++ {
		if page >= maxPages {
			return nil, nil, nil, fmt.Errorf("github source %s: %s: %s (GraphQL): pagination does not end", c.name, r, what)
		}
		first := 100
		if !depDone && !issDone {
			first = issuesBeside
		}
		vars := map[string]any{"owner": r.Owner, "name": r.Name}
		if !depDone {
			vars["depAfter"] = nullable(depAfter)
		}
		if !issDone {
			vars["issAfter"] = nullable(issAfter)
			vars["labels"] = []string{c.src.cfg.IncidentLabel}
		}
		var data gqlRepoPage
		errs, err := c.graphQL(ctx, r.String()+": "+what, repoQuery(!depDone, !issDone, first), vars, &data)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(errs) > 0 {
			return nil, nil, nil, c.gqlFailure(r, what, errs)
		}
		repo := data.Repository
		if repo == nil {
			return nil, nil, nil, c.repoMissing(r)
		}
		if !depDone {
			if repo.Deployments == nil {
				return nil, nil, nil, fmt.Errorf("github source %s: %s: deployments (GraphQL): no deployments in the answer", c.name, r)
			}
			for _, n := range repo.Deployments.Nodes {
				d, err := c.fromDeploymentNode(ctx, r, n)
				if err != nil {
					return nil, nil, nil, err
				}
				deps = append(deps, d)
			}
			pi := repo.Deployments.PageInfo
			depDone = !pi.HasNextPage
			if !depDone {
				if pi.EndCursor == "" || depSeen[pi.EndCursor] {
					return nil, nil, nil, fmt.Errorf("github source %s: %s: deployments (GraphQL): pagination does not end", c.name, r)
				}
				depSeen[pi.EndCursor], depAfter = true, pi.EndCursor
			}
		}
		if !issDone {
			if repo.HasIssuesEnabled != nil && !*repo.HasIssuesEnabled {
				notes = append(notes, r.String()+": incidents skipped: issues are disabled")
				incs, issDone = nil, true
				continue
			}
			if repo.Issues == nil {
				return nil, nil, nil, fmt.Errorf("github source %s: %s: incident issues (GraphQL): no issues in the answer", c.name, r)
			}
			for _, n := range repo.Issues.Nodes {
				is, err := c.issueFromNode(ctx, r, n)
				if err != nil {
					return nil, nil, nil, err
				}
				in, ok, ns := c.fromIssue(r, is)
				notes = append(notes, ns...)
				if ok {
					incs = append(incs, in)
				}
			}
			pi := repo.Issues.PageInfo
			issDone = !pi.HasNextPage
			if !issDone {
				if pi.EndCursor == "" || issSn[pi.EndCursor] {
					return nil, nil, nil, fmt.Errorf("github source %s: %s: incident issues (GraphQL): pagination does not end", c.name, r)
				}
				issSn[pi.EndCursor], issAfter = true, pi.EndCursor
			}
		}
	}
	return deps, incs, notes, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// fromDeploymentNode maps a GraphQL deployment the way the REST one is.
func (c *collector) fromDeploymentNode(ctx context.Context, r repoRef, n gqlDeploymentNode) (snapshot.Deployment, error) {
	d := &gh.Deployment{
		ID: gh.Int64(n.DatabaseID), Environment: gh.String(n.Environment), SHA: gh.String(n.CommitOID),
		Task: gh.String(n.Task), Description: gh.String(n.Description),
		CreatedAt: &gh.Timestamp{Time: n.CreatedAt},
	}
	if n.Ref != nil {
		d.Ref = gh.String(n.Ref.Name)
	} else {
		d.Ref = gh.String(n.CommitOID) // deployed by commit: REST's ref is the sha
	}
	if n.Creator != nil {
		login := n.Creator.Login
		if n.Creator.Typename == "Bot" && !strings.HasSuffix(login, "[bot]") {
			login += "[bot]" // REST's spelling of an App's login
		}
		d.Creator = &gh.User{Login: gh.String(login)}
	}
	var states []string
	if n.Statuses != nil && n.Statuses.PageInfo.HasPreviousPage {
		// More than 100 statuses: the REST list has them all.
		var err error
		if states, err = c.restStatuses(ctx, r, n.DatabaseID); err != nil {
			return snapshot.Deployment{}, err
		}
	} else if n.Statuses != nil {
		for i := len(n.Statuses.Nodes) - 1; i >= 0; i-- { // newest first
			if st := strings.ToLower(strings.TrimSpace(n.Statuses.Nodes[i].State)); st != "" {
				states = append(states, st)
			}
		}
	}
	return c.fromDeployment(r, d, states), nil
}

// issueFromNode is a GraphQL issue as the REST list gives it (its labels
// read with REST when it has more than 100).
func (c *collector) issueFromNode(ctx context.Context, r repoRef, n gqlIssueNode) (*gh.Issue, error) {
	is := &gh.Issue{
		Number: gh.Int(n.Number), Title: gh.String(n.Title), Body: gh.String(n.Body), HTMLURL: gh.String(n.URL),
		State: gh.String(strings.ToLower(n.State)), CreatedAt: &gh.Timestamp{Time: n.CreatedAt},
	}
	if n.StateReason != nil {
		is.StateReason = gh.String(strings.ToLower(*n.StateReason))
	}
	if n.ClosedAt != nil {
		is.ClosedAt = &gh.Timestamp{Time: *n.ClosedAt}
	}
	if n.Labels.PageInfo.HasNextPage {
		opts := &gh.ListOptions{PerPage: 100}
		err := pagesByNumber(func(page int) (*gh.Response, error) {
			opts.Page = page
			ls, resp, err := c.client.Issues.ListLabelsByIssue(ctx, r.Owner, r.Name, n.Number, opts)
			is.Labels = append(is.Labels, ls...)
			return resp, err
		})
		if err != nil {
			return nil, c.notFound(ctx, r, fmt.Sprintf("labels of issue %d", n.Number), err)
		}
		return is, nil
	}
	for _, l := range n.Labels.Nodes {
		is.Labels = append(is.Labels, &gh.Label{Name: gh.String(l.Name)})
	}
	return is, nil
}

// waitGraphQL waits for the GraphQL points to reset (the query's
// rateLimit said the next one would be refused), up to the retry
// transport's longest wait; a longer wait fails clearly.
func (c *collector) waitGraphQL(ctx context.Context, what string, resetAt time.Time) error {
	now := time.Now
	if c.src.now != nil {
		now = c.src.now
	}
	d := resetAt.Sub(now())
	if d <= 0 {
		return nil
	}
	if d > retry.DefaultMaxWait {
		return c.fail(what, &retry.RateLimitError{Until: resetAt, Wait: d, MaxWait: retry.DefaultMaxWait, Status: 200})
	}
	sleep := c.src.sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return sleep(ctx, d)
}

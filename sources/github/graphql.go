package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
)

// deploymentsQuery reads one page of 100 deployments of a repository, newest
// first, each with its newest 100 statuses (a connection lists them oldest
// first: they are reversed), and the query's rate-limit cost.
const deploymentsQuery = `query($owner: String!, $name: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    deployments(first: 100, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
      nodes {
        databaseId environment commitOid task description createdAt
        ref { name }
        creator { __typename login }
        statuses(last: 100) { pageInfo { hasPreviousPage } nodes { state } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`

type gqlDeployments struct {
	Data struct {
		RateLimit *struct {
			Cost      int       `json:"cost"`
			Remaining int       `json:"remaining"`
			ResetAt   time.Time `json:"resetAt"`
		} `json:"rateLimit"`
		Repository *struct {
			Deployments struct {
				Nodes []struct {
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
				} `json:"nodes"`
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"deployments"`
		} `json:"repository"`
	} `json:"data"`
	Errors []struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"errors"`
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

// deploymentsGraphQL reads the deployments of r with one GraphQL query per
// 100 deployments (their statuses included), instead of one REST list of
// statuses per deployment. The records are those of the REST lists.
func (c *collector) deploymentsGraphQL(ctx context.Context, r repoRef) ([]snapshot.Deployment, error) {
	var out []snapshot.Deployment
	after := ""
	for page := 0; ; page++ {
		vars := map[string]any{"owner": r.Owner, "name": r.Name, "after": nil}
		if after != "" {
			vars["after"] = after
		}
		req, err := c.client.NewRequest("POST", graphqlURL(c.client.BaseURL.String()), map[string]any{"query": deploymentsQuery, "variables": vars})
		if err != nil {
			return nil, c.fail(r.String()+": deployments (GraphQL)", err)
		}
		var res gqlDeployments
		if _, err := c.client.Do(retry.WithRetryable(ctx), req, &res); err != nil {
			if githubapi.IsNotFound(err) {
				return nil, errNoGraphQL
			}
			return nil, c.fail(r.String()+": deployments (GraphQL)", err)
		}
		if len(res.Errors) > 0 {
			e := res.Errors[0]
			if e.Type == "NOT_FOUND" {
				return nil, c.repoMissing(r)
			}
			return nil, fmt.Errorf("github source %s: %s: deployments (GraphQL): %s %s", c.name, r, e.Type, e.Message)
		}
		repo := res.Data.Repository
		if repo == nil {
			return nil, c.repoMissing(r)
		}
		for _, n := range repo.Deployments.Nodes {
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
				if states, err = c.restStatuses(ctx, r, n.DatabaseID); err != nil {
					return nil, err
				}
			} else if n.Statuses != nil {
				for i := len(n.Statuses.Nodes) - 1; i >= 0; i-- { // newest first
					if st := strings.ToLower(strings.TrimSpace(n.Statuses.Nodes[i].State)); st != "" {
						states = append(states, st)
					}
				}
			}
			out = append(out, c.fromDeployment(r, d, states))
		}
		if rl := res.Data.RateLimit; rl != nil && rl.Remaining < rl.Cost {
			if err := c.waitGraphQL(ctx, rl.ResetAt); err != nil {
				return nil, err
			}
		}
		if !repo.Deployments.PageInfo.HasNextPage {
			return out, nil
		}
		if repo.Deployments.PageInfo.EndCursor == "" || repo.Deployments.PageInfo.EndCursor == after || page >= maxPages {
			return nil, fmt.Errorf("github source %s: %s: deployments (GraphQL): pagination does not end", c.name, r)
		}
		after = repo.Deployments.PageInfo.EndCursor
	}
}

// waitGraphQL waits for the GraphQL points to reset (the query's
// rateLimit said the next one would be refused), up to the retry
// transport's longest wait; a longer wait fails clearly.
func (c *collector) waitGraphQL(ctx context.Context, resetAt time.Time) error {
	now := time.Now
	if c.src.now != nil {
		now = c.src.now
	}
	d := resetAt.Sub(now())
	if d <= 0 {
		return nil
	}
	if d > retry.DefaultMaxWait {
		return c.fail("deployments (GraphQL)", &retry.RateLimitError{Until: resetAt, Wait: d, MaxWait: retry.DefaultMaxWait, Status: 200})
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

package github

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/snapshot"
)

// restStatuses lists the statuses of deployment id, newest first.
func (c *collector) restStatuses(ctx context.Context, r repoRef, id int64) ([]string, error) {
	var states []string
	sopts := &gh.ListOptions{PerPage: 100}
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		sopts.Page = page
		ss, resp, err := c.client.Repositories.ListDeploymentStatuses(ctx, r.Owner, r.Name, id, sopts)
		for _, s := range ss {
			if st := strings.ToLower(strings.TrimSpace(s.GetState())); st != "" {
				states = append(states, st)
			}
		}
		return resp, err
	})
	if err != nil {
		return nil, c.notFound(ctx, r, fmt.Sprintf("statuses of deployment %d", id), err)
	}
	return states, nil
}

// deploymentsREST lists the deployments, then the statuses of each.
func (c *collector) deploymentsREST(ctx context.Context, r repoRef) ([]snapshot.Deployment, error) {
	var deps []*gh.Deployment
	opts := &gh.DeploymentsListOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		opts.Page = page
		ds, resp, err := c.client.Repositories.ListDeployments(ctx, r.Owner, r.Name, opts)
		deps = append(deps, ds...)
		return resp, err
	})
	if err != nil {
		return nil, c.notFound(ctx, r, "deployments", err)
	}
	out := make([]snapshot.Deployment, 0, len(deps))
	for _, d := range deps {
		if d == nil {
			continue
		}
		states, err := c.restStatuses(ctx, r, d.GetID())
		if err != nil {
			return nil, err
		}
		out = append(out, c.fromDeployment(r, d, states))
	}
	return out, nil
}

// fromDeployment maps a deployment and its status states (newest first, as
// the API lists them).
func (c *collector) fromDeployment(r repoRef, d *gh.Deployment, states []string) snapshot.Deployment {
	id := strconv.FormatInt(d.GetID(), 10)
	out := snapshot.Deployment{
		ID:          id,
		Repo:        r.String(),
		Environment: d.GetEnvironment(),
		SHA:         d.GetSHA(),
		Ref:         d.GetRef(),
		Task:        d.GetTask(),
		Description: d.GetDescription(),
		Creator:     d.GetCreator().GetLogin(),
		Statuses:    []string{},
		Source:      c.id,
		Origin:      c.origin("", d.GetURL(), "repos/"+escape(r.Owner)+"/"+escape(r.Name)+"/deployments/"+id),
	}
	out.CreatedAt, out.CreatedAtMS = ts(d.CreatedAt)
	seen := map[string]bool{}
	for _, s := range states {
		if !seen[s] {
			seen[s] = true
			out.Statuses = append(out.Statuses, s)
		}
	}
	if len(states) > 0 {
		out.Status = states[0]
	}
	return out
}

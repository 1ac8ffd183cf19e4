package github

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/localizevideos/posture/internal/githubapi"
)

// estimate is what the rest of a collection will ask, once the
// repositories are known: REST requests (each counted against the
// rate-limit quota unless answered 304) and GraphQL points.
type estimate struct{ rest, points int }

// estimateRun counts, per repository, the requests of each part: the alert
// lists (three for the whole organisation when orgWide, else three per
// repository); with GraphQL, one query of 1 point for the deployments and
// the incident issues together, and with the cache one query of 1 point
// for the fingerprints of up to 50 repositories; without GraphQL the
// deployment list and at least one status list, and the incident issues.
// Pages beyond the first are not known in advance: the estimate is a
// floor.
func (c *collector) estimateRun(repos int, orgWide bool) estimate {
	var e estimate
	if c.src.wants(PartAlerts) {
		if orgWide {
			e.rest += 3
		} else {
			e.rest += 3 * repos
		}
	}
	wantD, wantI := c.src.wants(PartDeployments), c.src.wants(PartIncidents)
	switch {
	case !wantD && !wantI:
	case c.useGraphQL():
		e.points += repos
		if b := c.fingerprintBatch(); c.cacheDir != "" && b > 0 {
			e.points += (repos + b - 1) / b
		}
	default:
		if wantD {
			e.rest += 2 * repos
		}
		if wantI {
			e.rest += repos
		}
	}
	return e
}

// checkBudget asks GET /rate_limit (which costs no quota), shows
// "github: ~N requests needed, M remaining (resets at T)" and, with
// require_quota (the default), refuses to go on when the estimate exceeds
// the quota left or the max_requests budget left. A cache from an earlier
// run makes unchanged answers free: the quota is then not a reason to
// refuse. A server without rate limits (GET /rate_limit 404, GitHub
// Enterprise Server with rate limiting off) is not checked.
func (c *collector) checkBudget(ctx context.Context, repos int, orgWide bool) error {
	e := c.estimateRun(repos, orgWide)
	if e.rest == 0 && e.points == 0 {
		return nil
	}
	require := c.src.cfg.RequireQuota == nil || *c.src.cfg.RequireQuota
	if left := c.rt.Budget() - c.rt.Requests(); c.rt.Budget() > 0 && e.rest+e.points > left && require {
		return fmt.Errorf("github source %s: ~%d requests needed for %d repositories, but max_requests leaves %d: not started (raise max_requests)",
			c.name, e.rest+e.points, repos, left)
	}
	rl, _, err := c.client.RateLimit.Get(ctx)
	if err != nil {
		if !githubapi.IsNotFound(err) {
			c.note("%s: rate limit not readable (%s): the request estimate was not checked", c.owner, offReason(err))
		}
		return nil
	}
	core := rl.GetCore()
	if core == nil {
		return nil
	}
	reset := core.Reset.Time.UTC().Format(time.RFC3339)
	cached := c.hadCache
	line := fmt.Sprintf("github: ~%d requests needed, %d remaining (resets at %s)", e.rest, core.Remaining, reset)
	gql := rl.GetGraphQL()
	if e.points > 0 && gql != nil {
		line += fmt.Sprintf("; ~%d GraphQL points, %d remaining", e.points, gql.Remaining)
	}
	if cached {
		line += "; unchanged answers are free (cache)"
	}
	c.env.Sayf("%s", line)
	if !require || cached {
		return nil
	}
	if e.rest > core.Remaining {
		return fmt.Errorf("github source %s: ~%d requests needed for %d repositories, %d remaining until %s: not started (wait for the reset, or set require_quota = false)",
			c.name, e.rest, repos, core.Remaining, reset)
	}
	if gql != nil && e.points > gql.Remaining {
		return fmt.Errorf("github source %s: ~%d GraphQL points needed for %d repositories, %d remaining until %s: not started (wait for the reset, set graphql = false, or require_quota = false)",
			c.name, e.points, repos, gql.Remaining, gql.Reset.Time.UTC().Format(time.RFC3339))
	}
	return nil
}

// cacheFilled tells whether an earlier run left answers in dir.
func cacheFilled(dir string) bool {
	if dir == "" {
		return false
	}
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) > 0
}

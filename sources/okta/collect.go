package okta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/httpapi"
)

// Page sizes: the largest each list accepts.
const (
	usersPageSize     = 200
	assigneesPageSize = 100
)

// The API paths read.
const (
	pathUsers     = "/api/v1/users"
	pathAssignees = "/api/v1/iam/assignees/users"
)

// collector is the state of one collection.
type collector struct {
	src   *Source
	env   sources.Env
	id    string
	api   *client
	notes []string

	mu    sync.Mutex
	calls int // API calls answered, for progress
	plan  int // calls known to be needed
}

func (s *Source) newCollector(env sources.Env) (*collector, error) {
	auth, secret, setting, err := credentials(env.Env)
	if err != nil {
		return nil, err
	}
	sleep, now := s.sleep, s.now
	if sleep == nil {
		sleep = sleepCtx
	}
	if now == nil {
		now = time.Now
	}
	// No redirect is followed: the token goes to the org only.
	hc, rt := httpapi.NewClient(httpapi.ClientOptions{
		Transport:             s.base,
		ResponseHeaderTimeout: 2 * time.Minute,
		Retry:                 retry.Options{Budget: s.cfg.MaxRequests, Sleep: sleep, Now: now, Rand: s.rand},
	})
	api := &client{
		org: s.org, rt: rt, auth: auth, secret: secret, setting: setting, http: hc,
		sleep: sleep, now: now, paceBelow: s.cfg.Concurrency, maxWait: retry.DefaultMaxWait, remaining: -1,
	}
	return &collector{src: s, env: env, id: env.ID(), api: api}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *collector) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

func (c *collector) redact(err error) error {
	if c == nil || c.api == nil || c.api.secret == "" || !strings.Contains(err.Error(), c.api.secret) {
		return err
	}
	return errors.New(c.api.redactString(err.Error()))
}

// answered counts one API call and reports the progress: calls answered
// out of those known to be needed (one more while a list has a next page).
func (c *collector) answered(more int) {
	c.mu.Lock()
	c.calls++
	if c.plan < c.calls+more {
		c.plan = c.calls + more
	}
	done, total := c.calls, c.plan
	c.mu.Unlock()
	c.env.Report(done, total)
}

func (c *collector) expect(n int) {
	c.mu.Lock()
	c.plan += n
	c.mu.Unlock()
}

// oktaUser is what a user object of GET /api/v1/users carries that is
// read here.
type oktaUser struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	Created   *string `json:"created"`
	LastLogin *string `json:"lastLogin"`
	Profile   struct {
		Login string `json:"login"`
	} `json:"profile"`
}

// oktaRole is one admin role assignment of a user.
type oktaRole struct {
	Type           string `json:"type"`
	Status         string `json:"status"`
	AssignmentType string `json:"assignmentType"`
}

// oktaFactor is one enrolled factor of a user.
type oktaFactor struct {
	FactorType string `json:"factorType"`
	Status     string `json:"status"`
}

// assignees is a page of GET /api/v1/iam/assignees/users.
type assignees struct {
	Value []struct {
		ID string `json:"id"`
	} `json:"value"`
	Links struct {
		Next *struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
}

func (c *collector) run(ctx context.Context) (*sources.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := c.src.cfg

	users, err := c.listUsers(ctx, pathUsers+"?limit="+fmt.Sprint(usersPageSize))
	if err != nil {
		return nil, err
	}
	if cfg.IncludeDeprovisioned {
		q := url.Values{"filter": {`status eq "DEPROVISIONED"`}, "limit": {fmt.Sprint(usersPageSize)}}
		gone, err := c.listUsers(ctx, pathUsers+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		users = append(users, gone...)
	}
	seen := make(map[string]bool, len(users))
	accts := make([]snapshot.Account, 0, len(users))
	byID := make(map[string]int, len(users))
	for _, u := range users {
		if u.ID == "" || seen[u.ID] {
			continue
		}
		seen[u.ID] = true
		a, err := c.account(u)
		if err != nil {
			return nil, err
		}
		byID[u.ID] = len(accts)
		accts = append(accts, a)
	}

	// Admins: the users with role assignments, then each one's roles.
	adminIDs, err := c.listAssignees(ctx)
	if err != nil {
		return nil, err
	}
	var withRoles []string
	for _, id := range adminIDs {
		if _, ok := byID[id]; ok {
			withRoles = append(withRoles, id)
		}
	}
	c.expect(len(withRoles))
	roles := make([][]oktaRole, len(withRoles))
	err = c.each(ctx, len(withRoles), func(ctx context.Context, i int) error {
		var rs []oktaRole
		if _, err := c.api.get(ctx, c.userPath(withRoles[i])+"/roles", &rs, nil); err != nil {
			return err
		}
		roles[i] = rs
		c.answered(0)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, id := range withRoles {
		a := &accts[byID[id]]
		a.Role, a.Privileged = c.src.judgeRoles(roles[i])
	}

	// MFA: the enrolled factors of the users in scope.
	if !c.src.mfa {
		c.note("mfa: factors not read (mfa = false): mfa unknown for every account")
	} else {
		var scope []int
		for i := range accts {
			a := &accts[i]
			if a.Status != statusActive {
				continue
			}
			if cfg.MFAScope == ScopeActive || a.Privileged {
				scope = append(scope, i)
			}
		}
		c.expect(len(scope))
		err = c.each(ctx, len(scope), func(ctx context.Context, k int) error {
			a := &accts[scope[k]]
			var fs []oktaFactor
			if _, err := c.api.get(ctx, a.Origin+"/factors", &fs, nil); err != nil {
				return err
			}
			a.MFA = mfaOf(fs)
			c.answered(0)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if cfg.MFAScope == ScopePrivileged {
			c.note("mfa: factors read for the %d active privileged accounts (mfa_scope = privileged): mfa unknown for the others", len(scope))
		}
	}

	sort.SliceStable(accts, func(i, j int) bool {
		return strings.ToLower(accts[i].Login) < strings.ToLower(accts[j].Login)
	})
	c.mu.Lock()
	done := c.calls
	c.mu.Unlock()
	c.env.Report(done, done)
	res := &sources.Result{Notes: append([]string(nil), c.notes...)}
	res.Data.Accounts = accts
	return res, nil
}

// listUsers follows the Link header's next pages of a user listing.
func (c *collector) listUsers(ctx context.Context, first string) ([]oktaUser, error) {
	var all []oktaUser
	for next := first; next != ""; {
		var page []oktaUser
		n, err := c.api.get(ctx, next, &page, nil)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		more := 0
		if n != "" {
			more = 1
		}
		c.answered(more)
		next = n
	}
	return all, nil
}

// listAssignees lists the ids of the users holding an admin role (given
// to them or to one of their groups).
func (c *collector) listAssignees(ctx context.Context) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for next := fmt.Sprintf("%s?limit=%d", pathAssignees, assigneesPageSize); next != ""; {
		var page assignees
		n, err := c.api.get(ctx, next, &page, func() string {
			if page.Links.Next != nil {
				return page.Links.Next.Href
			}
			return ""
		})
		if err != nil {
			return nil, err
		}
		for _, v := range page.Value {
			if v.ID != "" && !seen[v.ID] {
				seen[v.ID] = true
				ids = append(ids, v.ID)
			}
		}
		more := 0
		if n != "" {
			more = 1
		}
		c.answered(more)
		next = n
	}
	return ids, nil
}

// each runs fn for 0..n-1 with the configured concurrency; the first error
// stops the others.
func (c *collector) each(ctx context.Context, n int, fn func(context.Context, int) error) error {
	if n == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for w := 0; w < min(c.src.cfg.Concurrency, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// userPath is the API URL of a user: every record's origin.
func (c *collector) userPath(id string) string {
	return c.src.org.String() + pathUsers + "/" + url.PathEscape(id)
}

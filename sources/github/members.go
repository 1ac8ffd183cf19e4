package github

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
)

// members lists the organisation owners (role admin), with MFA from the
// 2fa_disabled filter (see Config.TwoFactor). A user owner is its own only
// account.
func (c *collector) members(ctx context.Context, isOrg bool) ([]snapshot.Account, error) {
	tf := c.src.cfg.TwoFactor
	required, asked := tf != nil && *tf, tf == nil || *tf
	if !isOrg {
		if required {
			return nil, fmt.Errorf("github source %s: two_factor = true: %s is a user account, whose two-factor state the API does not give", c.name, c.owner)
		}
		c.note("members: %s is a user account: recorded as its only (owner) account, MFA unknown", c.owner)
		return []snapshot.Account{{
			System: "github", Login: c.owner, Role: "owner", Privileged: true, Status: "active",
			Source: c.id, Origin: c.profileURL(c.owner, ""),
		}}, nil
	}
	admins, err := c.listMembers(ctx, "")
	if err != nil {
		return nil, c.fail("owners of "+c.owner, err)
	}
	var no2fa []*gh.User
	mfaKnown := asked
	if asked {
		no2fa, err = c.listMembers(ctx, "2fa_disabled")
	}
	if asked && err != nil {
		what := "members: GET /orgs/" + c.owner + "/members?filter=2fa_disabled"
		switch code := githubapi.StatusOf(err); code {
		case http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity:
			if required {
				return nil, c.fail(what+" (two_factor = true): only an organisation owner may use the 2fa_disabled filter", err)
			}
			mfaKnown = false
			c.note("members: 2FA status of %s not readable: the token is not an organisation owner (%d): mfa left unknown", c.owner, code)
		default:
			return nil, c.fail(what, err)
		}
	}
	without := map[string]bool{}
	for _, u := range no2fa {
		without[strings.ToLower(u.GetLogin())] = true
	}
	seen := map[string]bool{}
	var out []snapshot.Account
	for _, u := range admins {
		login := u.GetLogin()
		if login == "" || seen[strings.ToLower(login)] {
			continue
		}
		seen[strings.ToLower(login)] = true
		a := snapshot.Account{
			System: "github", Login: login, Role: "admin", Privileged: true, Status: "active",
			Source: c.id, Origin: c.profileURL(login, u.GetHTMLURL()),
		}
		if mfaKnown {
			mfa := !without[strings.ToLower(login)]
			a.MFA = &mfa
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Login) < strings.ToLower(out[j].Login) })
	return out, nil
}

func (c *collector) listMembers(ctx context.Context, filter string) ([]*gh.User, error) {
	opts := &gh.ListMembersOptions{Role: "admin", Filter: filter, ListOptions: gh.ListOptions{PerPage: 100}}
	var users []*gh.User
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		opts.Page = page
		us, resp, err := c.client.Organizations.ListMembers(ctx, c.owner, opts)
		users = append(users, us...)
		return resp, err
	})
	return users, err
}

// profileURL is the user's html_url, else its API URL.
func (c *collector) profileURL(login, htmlURL string) string {
	if htmlURL != "" {
		return htmlURL
	}
	return c.apiItemURL("users/" + escape(login))
}

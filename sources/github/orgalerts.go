package github

import (
	"context"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
)

// readOrgAlerts reads the alert lists of the whole organisation (GET
// /orgs/{org}/dependabot/alerts, .../code-scanning/alerts,
// .../secret-scanning/alerts) when every repository is read: three paged
// lists instead of three per repository. The result maps a kind (a
// Scanner name) to the alerts of each listed repository (key: lower-cased
// owner/name), in the order the API lists them; a kind absent from it is
// read per repository (the organisation endpoint answered 403 or 404: the
// token is not an organisation owner or security manager, or the server
// predates it), with a note. Alerts of repositories outside repos are
// dropped, so the records are those of the per-repository lists.
func (c *collector) readOrgAlerts(ctx context.Context, repos []repoRef) (map[string]map[string][]snapshot.Vulnerability, error) {
	byName := make(map[string]repoRef, len(repos))
	for _, r := range repos {
		byName[strings.ToLower(r.String())] = r
	}
	out := map[string]map[string][]snapshot.Vulnerability{}
	add := func(kind string, repo *gh.Repository, conv func(repoRef) snapshot.Vulnerability) {
		r, ok := byName[strings.ToLower(repo.GetFullName())]
		if !ok {
			return
		}
		m := out[kind]
		if m == nil {
			m = map[string][]snapshot.Vulnerability{}
			out[kind] = m
		}
		key := strings.ToLower(r.String())
		m[key] = append(m[key], conv(r))
	}
	for _, kind := range []struct {
		scanner, what string
		read          func() error
	}{
		{ScannerDependabot, "Dependabot alerts", func() error {
			return pagesByCursor(func(cur cursor) (*gh.Response, error) {
				as, resp, err := c.client.Dependabot.ListOrgAlerts(ctx, c.owner, &gh.ListAlertsOptions{
					ListCursorOptions: gh.ListCursorOptions{PerPage: 100, After: cur.After}, ListOptions: gh.ListOptions{Page: cur.Page}})
				for _, a := range as {
					if a != nil {
						add(ScannerDependabot, a.GetRepository(), func(r repoRef) snapshot.Vulnerability { return c.fromDependabot(r, a) })
					}
				}
				return resp, err
			})
		}},
		{ScannerCodeScanning, "code scanning alerts", func() error {
			return pagesByCursor(func(cur cursor) (*gh.Response, error) {
				as, resp, err := c.client.CodeScanning.ListAlertsForOrg(ctx, c.owner, &gh.AlertListOptions{
					ListCursorOptions: gh.ListCursorOptions{PerPage: 100, After: cur.After}, ListOptions: gh.ListOptions{Page: cur.Page}})
				for _, a := range as {
					if a != nil {
						add(ScannerCodeScanning, a.GetRepository(), func(r repoRef) snapshot.Vulnerability { return c.fromCodeScanning(r, a) })
					}
				}
				return resp, err
			})
		}},
		{ScannerSecretScanning, "secret scanning alerts", func() error {
			return pagesByCursor(func(cur cursor) (*gh.Response, error) {
				as, resp, err := c.client.SecretScanning.ListAlertsForOrg(ctx, c.owner, &gh.SecretScanningAlertListOptions{
					ListCursorOptions: gh.ListCursorOptions{PerPage: 100, After: cur.After}, ListOptions: gh.ListOptions{Page: cur.Page}})
				for _, a := range as {
					if a != nil {
						add(ScannerSecretScanning, a.GetRepository(), func(r repoRef) snapshot.Vulnerability { return c.fromSecretScanning(r, a) })
					}
				}
				return resp, err
			})
		}},
	} {
		if err := kind.read(); err != nil {
			switch githubapi.StatusOf(err) {
			case http.StatusNotFound, http.StatusForbidden:
				delete(out, kind.scanner)
				c.note("%s: the organisation's %s are not readable (%s): read per repository", c.owner, kind.what, offReason(err))
				continue
			}
			return nil, c.fail("the organisation's "+kind.what, err)
		}
		if out[kind.scanner] == nil {
			out[kind.scanner] = map[string][]snapshot.Vulnerability{}
		}
	}
	return out, nil
}

package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
)

// orgPAT is one item of GET /orgs/{org}/personal-access-tokens ("List
// fine-grained personal access tokens with access to organization
// resources"), which go-github v60 does not wrap. Only the fields read are
// declared.
type orgPAT struct {
	ID                  int64         `json:"id"` // the grant's id (pat_id in the API's paths)
	Owner               *gh.User      `json:"owner"`
	RepositorySelection string        `json:"repository_selection"`
	AccessGrantedAt     *gh.Timestamp `json:"access_granted_at"`
	TokenExpired        bool          `json:"token_expired"`
	TokenExpiresAt      *gh.Timestamp `json:"token_expires_at"`
	TokenLastUsedAt     *gh.Timestamp `json:"token_last_used_at"`
}

// patPermission is what the tokens part needs, for error messages.
const patPermission = "a GitHub App installation token with the organization_personal_access_tokens: read permission"

// personalAccessTokens lists the organisation's fine-grained personal
// access tokens (100 a page) as Token records. The part is only collected
// when asked for, so a refusal is an error, never a silent skip.
func (c *collector) personalAccessTokens(ctx context.Context, isOrg bool) ([]snapshot.Token, error) {
	path := "orgs/" + escape(c.owner) + "/personal-access-tokens"
	if !isOrg {
		return nil, fmt.Errorf("github source %s: tokens: %s is a user account: fine-grained personal access tokens are listed for organisations only (GET /%s)", c.name, c.owner, path)
	}
	var pats []orgPAT
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		q := url.Values{"per_page": {"100"}}
		if page > 0 {
			q.Set("page", strconv.Itoa(page))
		}
		req, err := c.client.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		var items []orgPAT
		resp, err := c.client.Do(ctx, req, &items)
		pats = append(pats, items...)
		return resp, err
	})
	if err != nil {
		switch githubapi.StatusOf(err) {
		case http.StatusForbidden, http.StatusNotFound:
			return nil, c.fail(fmt.Sprintf("tokens: GET /%s needs %s", path, patPermission), err)
		}
		return nil, c.fail("tokens: GET /"+path, err)
	}
	sort.Slice(pats, func(i, j int) bool { return pats[i].ID < pats[j].ID })
	out := make([]snapshot.Token, 0, len(pats))
	seen := map[int64]bool{}
	for _, p := range pats {
		if p.ID == 0 || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		out = append(out, c.fromPAT(path, p))
	}
	return out, nil
}

// fromPAT maps one token. GitHub does not expose a token's creation time:
// CreatedAt is access_granted_at, when the organisation granted the token
// access (the token existed by then). ExpiresAt is token_expires_at (null:
// the token never expires). An expired token is not revoked: the expiry
// alone makes it not live.
func (c *collector) fromPAT(path string, p orgPAT) snapshot.Token {
	id := strconv.FormatInt(p.ID, 10)
	t := snapshot.Token{
		ID:      "github-pat:" + id,
		Account: p.Owner.GetLogin(),
		Source:  c.id,
		Origin:  c.apiItemURL(path + "/" + id),
	}
	t.CreatedAt, t.CreatedAtMS = ts(p.AccessGrantedAt)
	t.ExpiresAt, t.ExpiresAtMS = ts(p.TokenExpiresAt)
	if p.TokenExpired && t.ExpiresAt == nil {
		c.note("tokens: GitHub says token %s of %s expired but gives no expiry: recorded without one", t.ID, t.Account)
	}
	return t
}

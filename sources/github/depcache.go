package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
)

// settledStates are the statuses after which a deployment does not change
// without a newer deployment (which changes the deployment list): an
// active deployment becomes inactive when a newer one succeeds.
var settledStates = map[string]bool{"success": true, "failure": true, "error": true, "inactive": true}

// settleAfter: a deployment this old is settled whatever its status (one
// that never got a status, or that was abandoned).
const settleAfter = 24 * time.Hour

// cachedDeployments returns the deployment records of r the last run read
// with GraphQL when they cannot have changed: the first page of the REST
// deployment list (newest first), asked conditionally, was not modified
// (304, free of quota) and every deployment is settled (its newest status
// is success, failure, error or inactive, or it is more than a day old).
// Otherwise it returns ok false and the key to store the new records under
// ("" when there is no cache). GraphQL queries are not conditional: this
// is what makes an unchanged re-run cost no quota.
func (c *collector) cachedDeployments(ctx context.Context, r repoRef) (recs []snapshot.Deployment, ok bool, key string, err error) {
	if c.cacheDir == "" {
		return nil, false, "", nil
	}
	_, resp, err := c.client.Repositories.ListDeployments(ctx, r.Owner, r.Name, &gh.DeploymentsListOptions{ListOptions: gh.ListOptions{PerPage: 100}})
	if err != nil {
		return nil, false, "", c.notFound(ctx, r, "deployments", err)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return nil, false, "", nil
	}
	h := sha256.Sum256([]byte(c.identity + "\n" + c.id + "\n" + c.apiURL + "\n" + r.String() + "\n" + etag))
	key = filepath.Join(c.cacheDir, "deployments-"+hex.EncodeToString(h[:])+".json")
	if resp.Header.Get(githubapi.CacheHeader) != "revalidated" {
		return nil, false, key, nil
	}
	data, err := os.ReadFile(key)
	if err != nil || json.Unmarshal(data, &recs) != nil {
		return nil, false, key, nil
	}
	asOf := c.env.AsOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	for _, d := range recs {
		if settledStates[d.Status] {
			continue
		}
		if d.CreatedAtMS == nil || asOf.Sub(time.UnixMilli(*d.CreatedAtMS)) < settleAfter {
			return nil, false, key, nil
		}
	}
	if recs == nil {
		recs = []snapshot.Deployment{}
	}
	return recs, true, key, nil
}

// storeDeployments keeps the records for the next run (best effort).
func (c *collector) storeDeployments(key string, recs []snapshot.Deployment) {
	if key == "" {
		return
	}
	data, err := json.Marshal(recs)
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(key), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), key) != nil {
		_ = os.Remove(tmp.Name())
	}
}

package github

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
)

// The GraphQL cache. GraphQL queries cannot be conditional, so a re-run
// asks, for up to 50 repositories a query (1 point), a fingerprint of each:
// its newest 100 deployments (id, update time, newest status) and how many
// there are; the most recently updated incident issue and how many there
// are. A repository whose fingerprint is the one stored with its records
// by the last run, and whose deployments are all settled, keeps those
// records; the others are read again. The records are kept in the cache
// folder beside the HTTP cache (never an alert: secret scanning answers
// are not stored anywhere).

// settledStates are the statuses after which a deployment does not change
// without a newer deployment (which changes the fingerprint): an active
// deployment becomes inactive when a newer one succeeds.
var settledStates = map[string]bool{"success": true, "failure": true, "error": true, "inactive": true}

// settleAfter: a deployment this old is settled whatever its status (one
// that never got a status, or that was abandoned).
const settleAfter = 24 * time.Hour

// fingerprintRequests is what a repository's fingerprint costs in GraphQL
// requests: one per connection (deployments, issues); a query of 100
// requests is 1 point.
func (c *collector) fingerprintBatch() int {
	n := 0
	if c.src.wants(PartDeployments) {
		n++
	}
	if c.src.wants(PartIncidents) {
		n++
	}
	if n == 0 {
		return 0
	}
	return 100 / n
}

// fingerprintQuery asks the fingerprints of n repositories (aliases r0..).
func (c *collector) fingerprintQuery(n int) string {
	var b strings.Builder
	b.WriteString("query(")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$o%d: String!, $n%d: String!", i, i)
	}
	if c.src.wants(PartIncidents) {
		b.WriteString(", $labels: [String!]")
	}
	b.WriteString(") {\n  rateLimit { cost remaining resetAt }\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  r%d: repository(owner: $o%d, name: $n%d) {\n", i, i, i)
		if c.src.wants(PartDeployments) {
			b.WriteString("    deployments(first: 100, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { databaseId updatedAt latestStatus { state } } }\n")
		}
		if c.src.wants(PartIncidents) {
			b.WriteString("    hasIssuesEnabled\n    issues(first: 1, labels: $labels, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount nodes { number updatedAt } }\n")
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}")
	return b.String()
}

// fingerprint is what a repository's fingerprint holds.
type fingerprint struct {
	HasIssuesEnabled *bool `json:"hasIssuesEnabled,omitempty"`
	Deployments      *struct {
		TotalCount int `json:"totalCount"`
		Nodes      []struct {
			DatabaseID   int64  `json:"databaseId"`
			UpdatedAt    string `json:"updatedAt"`
			LatestStatus *struct {
				State string `json:"state"`
			} `json:"latestStatus"`
		} `json:"nodes"`
	} `json:"deployments,omitempty"`
	Issues *struct {
		TotalCount int `json:"totalCount"`
		Nodes      []struct {
			Number    int    `json:"number"`
			UpdatedAt string `json:"updatedAt"`
		} `json:"nodes"`
	} `json:"issues,omitempty"`
}

// readFingerprints asks the fingerprints of repos (cfg.Concurrency
// queries at a time) and keeps them in c.prints, by repository. A
// repository the answer has no data for (missing, refused) gets none and
// is read in full. A server without GraphQL sets noGraphQL.
func (c *collector) readFingerprints(ctx context.Context, repos []repoRef) error {
	batch := c.fingerprintBatch()
	if c.cacheDir == "" || !c.useGraphQL() || batch == 0 || len(repos) == 0 {
		return nil
	}
	c.prints = map[string]string{}
	var chunks [][]repoRef
	for i := 0; i < len(repos); i += batch {
		chunks = append(chunks, repos[i:min(i+batch, len(repos))])
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	jobs := make(chan []repoRef)
	for w := 0; w < min(c.src.cfg.Concurrency, len(chunks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range jobs {
				prints, err := c.fingerprints(ctx, chunk)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				for k, v := range prints {
					c.prints[k] = v
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, ch := range chunks {
		select {
		case jobs <- ch:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if errors.Is(firstErr, errNoGraphQL) {
		c.prints = nil
		c.noteNoGraphQL()
		return nil
	}
	return firstErr
}

// fingerprints asks the fingerprints of one batch.
func (c *collector) fingerprints(ctx context.Context, repos []repoRef) (map[string]string, error) {
	vars := map[string]any{}
	for i, r := range repos {
		vars["o"+strconv.Itoa(i)], vars["n"+strconv.Itoa(i)] = r.Owner, r.Name
	}
	if c.src.wants(PartIncidents) {
		vars["labels"] = []string{c.src.cfg.IncidentLabel}
	}
	var data map[string]json.RawMessage
	what := fmt.Sprintf("fingerprints of %d repositories (%s to %s)", len(repos), repos[0], repos[len(repos)-1])
	if len(repos) == 1 {
		what = "fingerprint of " + repos[0].String()
	}
	errs, err := c.graphQL(ctx, what, c.fingerprintQuery(len(repos)), vars, &data)
	if err != nil {
		return nil, err
	}
	failed := map[string]bool{}
	for _, e := range errs {
		if len(e.Path) == 0 {
			return nil, fmt.Errorf("github source %s: %s (GraphQL POST %s): %s %s", c.name, what, githubapi.RedactURL(graphqlURL(c.client.BaseURL.String())), e.Type, e.Message)
		}
		failed[fmt.Sprint(e.Path[0])] = true // read in full, which says why
	}
	out := map[string]string{}
	for i, r := range repos {
		alias := "r" + strconv.Itoa(i)
		raw, ok := data[alias]
		if failed[alias] || !ok || string(raw) == "null" {
			continue
		}
		var fp fingerprint
		if json.Unmarshal(raw, &fp) != nil {
			continue
		}
		b, _ := json.Marshal(fp)
		h := sha256.Sum256(b)
		out[r.String()] = hex.EncodeToString(h[:])
	}
	return out, nil
}

// repoCache is what the cache keeps of a repository.
type repoCache struct {
	Fingerprint string                `json:"fingerprint"`
	Deployments []snapshot.Deployment `json:"deployments"`
	Incidents   []snapshot.Incident   `json:"incidents"`
	Notes       []string              `json:"notes,omitempty"`
}

// repoCacheFile is where r's records are kept: a hash of the credential's
// identity, the source, the API, the repository and what is read.
func (c *collector) repoCacheFile(r repoRef) string {
	h := sha256.Sum256([]byte(strings.Join([]string{"graphql 2", c.identity, c.id, c.apiURL, r.String(),
		strconv.FormatBool(c.src.wants(PartDeployments)), strconv.FormatBool(c.src.wants(PartIncidents)), c.src.cfg.IncidentLabel}, "\n")))
	return filepath.Join(c.cacheDir, "repo-"+hex.EncodeToString(h[:])+".json")
}

// cachedRepo returns the records the last run read of r when its
// fingerprint is unchanged and its deployments are settled (newest status
// success, failure, error or inactive, or more than a day old).
func (c *collector) cachedRepo(r repoRef, print string) (*repoCache, bool) {
	data, err := os.ReadFile(c.repoCacheFile(r))
	if err != nil {
		return nil, false
	}
	var e repoCache
	if json.Unmarshal(data, &e) != nil || e.Fingerprint != print {
		return nil, false
	}
	asOf := c.env.AsOf
	if asOf.IsZero() {
		asOf = time.Now()
	}
	for _, d := range e.Deployments {
		if settledStates[d.Status] {
			continue
		}
		if d.CreatedAtMS == nil || asOf.Sub(time.UnixMilli(*d.CreatedAtMS)) < settleAfter {
			return nil, false
		}
	}
	if c.src.wants(PartDeployments) && e.Deployments == nil {
		e.Deployments = []snapshot.Deployment{}
	}
	return &e, true
}

// storeRepo keeps r's records for the next run (best effort).
func (c *collector) storeRepo(r repoRef, e *repoCache) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	if githubapi.PrepareCacheDir(c.cacheDir) != nil {
		return
	}
	key := c.repoCacheFile(r)
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

// repoRecords reads r's deployments and incidents with GraphQL, or takes
// them from the cache when its fingerprint says they are unchanged.
func (c *collector) repoRecords(ctx context.Context, r repoRef) ([]snapshot.Deployment, []snapshot.Incident, error) {
	print := c.prints[r.String()] // written before the repositories are read
	if print != "" {
		if e, ok := c.cachedRepo(r, print); ok {
			for _, n := range e.Notes {
				c.note("%s", n)
			}
			return e.Deployments, e.Incidents, nil
		}
	}
	deps, incs, notes, err := c.repoGraphQL(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range notes {
		c.note("%s", n)
	}
	if print != "" {
		c.storeRepo(r, &repoCache{Fingerprint: print, Deployments: deps, Incidents: incs, Notes: notes})
	}
	return deps, incs, nil
}

// noteNoGraphQL notes once that the server has no GraphQL API.
func (c *collector) noteNoGraphQL() {
	if c.noGraphQL.CompareAndSwap(false, true) {
		c.note("%s: no GraphQL API (404): %s read with the REST lists", c.owner, c.partsName())
	}
}

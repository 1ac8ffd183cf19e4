package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// repoRef is one repository to read.
type repoRef struct{ Owner, Name string }

func (r repoRef) String() string { return r.Owner + "/" + r.Name }

// collector is the state of one collection.
type collector struct {
	src    *Source
	env    sources.Env
	name   string // the source's name, for messages ("github source <name>")
	id     string // the source's id "github.<name>", which records carry
	owner  string
	client *gh.Client
	rt     *retry.Transport
	apiURL string

	mu     sync.Mutex
	notes  []string
	exists map[string]*repoCheck // lower-cased owner/name

	// orgAlerts are the alerts read with the organisation endpoints, by
	// kind then repository (see orgAlerts); nil when read per repository.
	orgAlerts map[string]map[string][]snapshot.Vulnerability
	// cacheDir holds the HTTP cache ("": none); identity is the hash of
	// the credential's identity that keys it.
	cacheDir, identity string
	hadCache           bool // an earlier run left answers in cacheDir
	// noGraphQL: the GraphQL endpoint answered 404 (REST from then on).
	noGraphQL atomic.Bool
	// prints are the repositories' fingerprints (see readFingerprints),
	// written before the repositories are read; nil without the cache.
	prints map[string]string
}

type repoCheck struct {
	once  sync.Once
	found bool
	err   error
}

func (s *Source) newCollector(env sources.Env) (*collector, error) {
	settings := githubapi.FromEnv(env.Env)
	apiURL, setting := s.cfg.APIURL, "api_url"
	if apiURL == "" {
		apiURL, setting = settings.APIURL, "GITHUB_API_URL"
	}
	if apiURL != "" { // checked before the token is looked at
		if err := githubapi.CheckAPIURL(apiURL); err != nil {
			return nil, fmt.Errorf("%s: %w", setting, err)
		}
	}
	base := s.base
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 2 * time.Minute
		base = t
	}
	opts := githubapi.Options{APIURL: apiURL, Setting: setting, Transport: base,
		Retry: retry.Options{Budget: s.cfg.MaxRequests, Sleep: s.sleep, Now: s.now, Rand: s.rand}}
	if s.cfg.AppID != 0 {
		path := s.cfg.PrivateKeyPath
		if !filepath.IsAbs(path) && env.BaseDir != "" {
			path = filepath.Join(env.BaseDir, path)
		}
		opts.App = &githubapi.App{ID: s.cfg.AppID, InstallationID: s.cfg.InstallationID, PrivateKeyPath: path}
	} else if settings.Token == "" {
		return nil, errors.New("no token: set GITHUB_TOKEN or configure a GitHub App")
	} else {
		opts.Token = settings.Token
	}
	cacheDir := ""
	if (s.cfg.Cache == nil || *s.cfg.Cache) && env.CacheDir != "" {
		cacheDir = filepath.Join(env.CacheDir, "github")
		opts.CacheDir = cacheDir
	}
	client, rt, err := githubapi.New(opts)
	if err != nil {
		return nil, err
	}
	return &collector{
		src: s, env: env, name: env.Name, id: env.ID(), owner: s.cfg.Owner, client: client, rt: rt,
		apiURL:   strings.TrimRight(client.BaseURL.String(), "/"),
		exists:   map[string]*repoCheck{},
		cacheDir: cacheDir, identity: githubapi.Identity(opts), hadCache: cacheFilled(cacheDir),
	}, nil
}

func (c *collector) note(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// fail wraps an API error with the source name and what was being read.
// Budget and rate-limit errors lose the request URL: the message is the
// point. No error carries request headers.
func (c *collector) fail(what string, err error) error {
	var be *retry.BudgetError
	if errors.As(err, &be) {
		return fmt.Errorf("github source %s: %s: %w (raise max_requests)", c.name, what, be)
	}
	var rl *retry.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("github source %s: %s: %w", c.name, what, rl)
	}
	return fmt.Errorf("github source %s: %s: %w", c.name, what, err)
}

func (c *collector) run(ctx context.Context) (*sources.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg := c.src.cfg
	res := &sources.Result{}

	var ownerType string
	if c.src.wants(PartMembers) || c.src.wants(PartTokens) || len(cfg.Repos) == 0 {
		u, _, err := c.client.Users.Get(ctx, c.owner)
		if err != nil {
			if githubapi.IsNotFound(err) {
				return nil, fmt.Errorf("github source %s: owner %q not found", c.name, c.owner)
			}
			return nil, c.fail("owner "+c.owner, err)
		}
		ownerType = u.GetType()
	}
	isOrg := !strings.EqualFold(ownerType, "User")

	// In a sharded run the owner's parts (members, tokens) are one unit of
	// work, keyed by the source's id; each repository is another.
	ownerUnit := c.env.Owns(c.id)
	if c.src.wants(PartMembers) && ownerUnit {
		accts, err := c.members(ctx, isOrg)
		if err != nil {
			return nil, err
		}
		res.Data.Accounts = accts
	}
	if c.src.wants(PartTokens) && ownerUnit {
		toks, err := c.personalAccessTokens(ctx, isOrg)
		if err != nil {
			return nil, err
		}
		res.Data.Tokens = toks
	}

	var repos []repoRef
	if len(cfg.Repos) > 0 {
		for _, r := range cfg.Repos {
			o, n := splitRepo(c.owner, r)
			repos = append(repos, repoRef{o, n})
		}
	} else if c.src.wants(PartAlerts) || c.src.wants(PartDeployments) || c.src.wants(PartIncidents) {
		var err error
		repos, err = c.listRepos(ctx, isOrg)
		if err != nil {
			return nil, err
		}
	}
	var owned []repoRef // this shard's repositories (all when not sharded)
	for _, r := range repos {
		if c.env.Owns(r.String()) {
			owned = append(owned, r)
		}
	}
	if err := c.checkBudget(ctx, len(owned), isOrg && len(cfg.Repos) == 0); err != nil {
		return nil, err
	}
	if len(cfg.Repos) == 0 && isOrg && c.src.wants(PartAlerts) && len(owned) > 0 {
		// Each shard reads the organisation's lists and keeps its own
		// repositories' alerts.
		var err error
		if c.orgAlerts, err = c.readOrgAlerts(ctx, owned); err != nil {
			return nil, err
		}
	}

	var units sources.Units
	if ownerUnit {
		units.Done(c.env, c.id, nil, res.Data.Counts(), 0)
	} else {
		units.Skip(c.env, c.id)
	}
	if err := c.readFingerprints(ctx, owned); err != nil {
		return nil, err
	}
	out, err := c.eachRepo(ctx, owned)
	if err != nil {
		return nil, err
	}
	k := 0
	for _, r := range repos {
		if !c.env.Owns(r.String()) {
			units.Skip(c.env, r.String())
			continue
		}
		if k >= len(out) { // the repositories were not read (no part wants them)
			units.Done(c.env, r.String(), nil, nil, 0)
			continue
		}
		o := out[k]
		k++
		res.Data.Vulnerabilities = append(res.Data.Vulnerabilities, o.vulns...)
		res.Data.Deployments = append(res.Data.Deployments, o.deployments...)
		res.Data.Incidents = append(res.Data.Incidents, o.incidents...)
		units.Done(c.env, r.String(), nil, map[string]int{snapshot.Vulnerabilities.Name(): len(o.vulns),
			snapshot.Deployments.Name(): len(o.deployments), snapshot.Incidents.Name(): len(o.incidents)}, 0)
	}
	res.Units = units.List(c.env)
	res.Provides = append([]string(nil), c.src.parts...)
	return res, nil
}

// repoOut is what one repository gave.
type repoOut struct {
	vulns       []snapshot.Vulnerability
	deployments []snapshot.Deployment
	incidents   []snapshot.Incident
}

// eachRepo reads the repositories with cfg.Concurrency workers. The first
// error stops the others; results keep the order of repos.
func (c *collector) eachRepo(ctx context.Context, repos []repoRef) ([]repoOut, error) {
	total := len(repos)
	out := make([]repoOut, total)
	if total == 0 || !(c.src.wants(PartAlerts) || c.src.wants(PartDeployments) || c.src.wants(PartIncidents)) {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	c.env.Report(0, total)
	jobs := make(chan int)
	workers := c.src.cfg.Concurrency
	if workers > total {
		workers = total
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r, err := c.readRepo(ctx, repos[i])
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				} else {
					out[i] = r
					done++
					c.env.Report(done, total)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range repos {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("github source %s: %w", c.name, err)
	}
	return out, nil
}

func (c *collector) readRepo(ctx context.Context, r repoRef) (repoOut, error) {
	var out repoOut
	if c.src.wants(PartAlerts) {
		v, err := c.alerts(ctx, r)
		if err != nil {
			return out, err
		}
		out.vulns = v
	}
	wantD, wantI := c.src.wants(PartDeployments), c.src.wants(PartIncidents)
	if (wantD || wantI) && c.useGraphQL() && !c.noGraphQL.Load() {
		d, in, err := c.repoRecords(ctx, r)
		if err == nil {
			out.deployments, out.incidents = d, in
			return out, nil
		}
		if !errors.Is(err, errNoGraphQL) {
			return out, err
		}
		c.noteNoGraphQL()
	}
	if wantD {
		d, err := c.deploymentsREST(ctx, r)
		if err != nil {
			return out, err
		}
		out.deployments = d
	}
	if wantI {
		in, err := c.incidents(ctx, r)
		if err != nil {
			return out, err
		}
		out.incidents = in
	}
	return out, nil
}

// listRepos lists every repository of the owner, sorted by name.
func (c *collector) listRepos(ctx context.Context, isOrg bool) ([]repoRef, error) {
	var repos []*gh.Repository
	var err error
	if isOrg {
		opts := &gh.RepositoryListByOrgOptions{Type: "all", ListOptions: gh.ListOptions{PerPage: 100}}
		err = pagesByNumber(func(page int) (*gh.Response, error) {
			opts.Page = page
			rs, resp, err := c.client.Repositories.ListByOrg(ctx, c.owner, opts)
			repos = append(repos, rs...)
			return resp, err
		})
	} else {
		opts := &gh.RepositoryListByUserOptions{Type: "owner", ListOptions: gh.ListOptions{PerPage: 100}}
		err = pagesByNumber(func(page int) (*gh.Response, error) {
			opts.Page = page
			rs, resp, err := c.client.Repositories.ListByUser(ctx, c.owner, opts)
			repos = append(repos, rs...)
			return resp, err
		})
	}
	if err != nil {
		return nil, c.fail("listing the repositories of "+c.owner, err)
	}
	out := make([]repoRef, 0, len(repos))
	for _, r := range repos {
		if r == nil || r.GetName() == "" {
			continue
		}
		o := r.GetOwner().GetLogin()
		if o == "" {
			o = c.owner
		}
		out = append(out, repoRef{o, r.GetName()})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].String()) < strings.ToLower(out[j].String()) })
	return out, nil
}

// repoExists tells (once per repository) whether r exists for this token.
func (c *collector) repoExists(ctx context.Context, r repoRef) (bool, error) {
	key := strings.ToLower(r.String())
	c.mu.Lock()
	chk := c.exists[key]
	if chk == nil {
		chk = &repoCheck{}
		c.exists[key] = chk
	}
	c.mu.Unlock()
	chk.once.Do(func() {
		_, _, err := c.client.Repositories.Get(ctx, r.Owner, r.Name)
		switch {
		case err == nil:
			chk.found = true
		case githubapi.IsNotFound(err):
			chk.found = false
		default:
			chk.err = err
		}
	})
	return chk.found, chk.err
}

// repoMissing returns the source error for a repository that does not exist.
func (c *collector) repoMissing(r repoRef) error {
	return fmt.Errorf("github source %s: repository %s not found (404): check repos and the token's access", c.name, r)
}

// notFound turns a 404 of a repository API into the missing-repository
// error when the repository itself does not exist.
func (c *collector) notFound(ctx context.Context, r repoRef, what string, err error) error {
	if githubapi.IsNotFound(err) {
		found, cerr := c.repoExists(ctx, r)
		if cerr != nil {
			return c.fail(r.String()+": "+what, cerr)
		}
		if !found {
			return c.repoMissing(r)
		}
	}
	return c.fail(r.String()+": "+what, err)
}

// maxPages guards against a server that keeps sending the same next link.
const maxPages = 10000

// pagesByNumber calls fetch for page 0 (the first), then resp.NextPage
// until it is 0.
func pagesByNumber(fetch func(page int) (*gh.Response, error)) error {
	page := 0
	seen := map[int]bool{}
	for n := 0; ; n++ {
		resp, err := fetch(page)
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		if seen[resp.NextPage] || n >= maxPages {
			return fmt.Errorf("pagination does not end (page %d again)", resp.NextPage)
		}
		seen[resp.NextPage] = true
		page = resp.NextPage
	}
}

// cursor is the position in a list that pages by cursor (after) or, on
// servers that page by number, by page.
type cursor struct {
	After string
	Page  int
}

// pagesByCursor calls fetch with the empty cursor, then follows the
// `after` cursor of the Link header's rel="next" (resp.After), or its page
// number when the server pages by number, until there is no next link.
func pagesByCursor(fetch func(cursor) (*gh.Response, error)) error {
	var cur cursor
	seen := map[cursor]bool{}
	for n := 0; ; n++ {
		resp, err := fetch(cur)
		if err != nil {
			return err
		}
		if resp == nil {
			return nil
		}
		var next cursor
		switch {
		case resp.After != "":
			next.After = resp.After
		case resp.NextPage != 0:
			next.Page = resp.NextPage
		default:
			return nil
		}
		if seen[next] || n >= maxPages {
			return errors.New("pagination does not end (same cursor again)")
		}
		seen[next] = true
		cur = next
	}
}

// apiItemURL is the API URL of a path, for records GitHub gives no URL.
func (c *collector) apiItemURL(path string) string {
	return c.apiURL + "/" + strings.TrimLeft(path, "/")
}

// escape is a path segment escape for URLs built by hand.
func escape(s string) string { return url.PathEscape(s) }

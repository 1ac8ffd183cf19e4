// Command ghscale is the "GitHub at organisation scale" benchmark
// (docs/performance.md): it fills the fake GitHub API of the tests
// (internal/githubapi/ghfake) with an organisation of -repos repositories,
// each with -deployments production deployments (two statuses each: in
// progress, then success), one alert of each kind and one incident issue,
// answering every request after -latency; then it runs the github source
// twice over it with the same cache folder (a first run and an unchanged
// re-run) and prints, per run, the requests sent, the REST answers counted
// against the rate limit (a 304 Not Modified is not), the GraphQL points
// spent (each query's cost by GitHub's formula, as the fake charges them),
// the quota-counted requests per repository (REST quota and GraphQL points
// together) and the wall time.
//
//	go run ./bench/ghscale -repos 2000 -deployments 20 -latency 50ms
//
// -legacy reads the way posture did before (no organisation alert lists,
// REST deployments with one status list each, no cache) for comparison.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/github"
)

const token = "ghp_BENCHtoken0123456789abcdefghijklmnop"

func main() {
	var (
		repos       = flag.Int("repos", 2000, "repositories of the organisation")
		deployments = flag.Int("deployments", 20, "deployments per repository")
		latency     = flag.Duration("latency", 50*time.Millisecond, "latency of every answer")
		concurrency = flag.Int("concurrency", github.DefaultConcurrency, "repositories read in parallel (the source's concurrency)")
		legacy      = flag.Bool("legacy", false, "read as before issue 14: per-repository alert lists, REST deployments, no cache")
		runs        = flag.Int("runs", 2, "collections with the same cache (the first, then unchanged re-runs)")
	)
	flag.Parse()
	now := time.Now().UTC()
	f := fill(*repos, *deployments, now)
	defer f.Close()
	f.Latency = *latency
	if *legacy {
		off := ghfake.Off{Status: 403, Message: "Resource not accessible by personal access token"}
		f.OrgAlertsOff = map[string]ghfake.Off{"dependabot": off, "code-scanning": off, "secret-scanning": off}
	}

	dir, err := os.MkdirTemp("", "ghscale-")
	check(err)
	defer os.RemoveAll(dir)
	gql, cache := !*legacy, !*legacy
	cfg := &github.Config{Owner: "bench", APIURL: f.APIURL(), GraphQL: &gql, Cache: &cache,
		Concurrency: *concurrency, MaxRequests: -1}
	cfg.MaxRequests = 10 * (*repos) * (*deployments + 5)
	src, err := github.New(cfg)
	check(err)

	mode := "current"
	if *legacy {
		mode = "legacy (before issue 14)"
	}
	fmt.Printf("# %d repositories x %d deployments, %s latency, concurrency %d, %s\n", *repos, *deployments, *latency, *concurrency, mode)
	fmt.Println("| run | requests sent | REST quota | GraphQL points | quota-counted per repository | wall time |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for run := 1; run <= *runs; run++ {
		f.ResetQuota()
		f.ResetRequests()
		env := sources.Env{Name: "org", Kind: "github", AsOf: now, Zone: time.UTC,
			CacheDir: filepath.Join(dir, ".cache"),
			Getenv:   func(k string) string { return map[string]string{"GITHUB_TOKEN": token}[k] },
			Say:      func(l string) { fmt.Fprintln(os.Stderr, "  "+l) }}
		start := time.Now()
		res, err := src.Collect(context.Background(), env)
		took := time.Since(start)
		check(err)
		if got, want := len(res.Data.Deployments), *repos**deployments; got != want {
			check(fmt.Errorf("run %d: %d deployments, want %d", run, got, want))
		}
		name := "first"
		if run > 1 {
			name = "unchanged re-run"
		}
		q, p := f.Quota(), f.GraphQLPoints()
		fmt.Printf("| %s | %d | %d | %d | %.3f | %.1f s |\n", name, len(f.Requests()), q, p, float64(q+p)/float64(*repos), took.Seconds())
	}
}

// fill builds the organisation.
func fill(repos, deployments int, now time.Time) *ghfake.Server {
	f := ghfake.New()
	f.Token = token
	f.QuotaLimit = 1 << 30 // the benchmark counts; it does not stop
	f.GraphQLLimit = 1 << 30
	f.Owners["bench"] = "Organization"
	f.Admins = []string{"alice", "bob"}
	f.Clock = func() time.Time { return now }
	day := func(d int) time.Time { return now.AddDate(0, 0, -d) }
	for i := 0; i < repos; i++ {
		full := fmt.Sprintf("bench/repo-%04d", i)
		r := f.Repo(full)
		r.Dependabot = []map[string]any{ghfake.DependabotAlert{Number: 1, State: "open", GHSA: "GHSA-aaaa-bbbb-cccc", Package: "lodash", Severity: "high", Created: day(9)}.JSON(full)}
		r.CodeScanning = []map[string]any{ghfake.CodeScanningAlert{Number: 1, State: "open", Rule: "js/xss", SecuritySeverity: "high", RuleSeverity: "error", Created: day(8)}.JSON(full)}
		r.SecretScanning = []map[string]any{ghfake.SecretScanningAlert{Number: 1, State: "resolved", Resolution: "revoked", SecretType: "github_pat", Created: day(7), Resolved: day(6)}.JSON(full)}
		for d := deployments; d >= 1; d-- { // newest first
			id := int64(i*1000 + d)
			created := day(deployments - d + 2)
			r.Deployments = append(r.Deployments, ghfake.Deployment(full, id, "production", fmt.Sprintf("sha%d", d), "deploy", "", created))
			r.Statuses[id] = []map[string]any{ghfake.DeploymentStatus(id*10+2, "success", created), ghfake.DeploymentStatus(id*10+1, "in_progress", created)}
		}
		r.AddIssue(ghfake.Issue{Title: "Outage", Labels: []string{"incident", "sev2"}, State: "closed", StateReason: "completed", Created: day(5), Closed: day(4)})
	}
	return f
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "ghscale:", err)
		os.Exit(1)
	}
}

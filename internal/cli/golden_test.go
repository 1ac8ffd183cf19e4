package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGoldenExample (testdata/golden)")

// goldenDir holds what TestGoldenExample renders, byte for byte.
const goldenDir = "testdata/golden"

// TestGoldenExample renders every output of the bundled example at a fixed
// as-of, with the tool version pinned, and compares each with its committed
// golden file: the five printed formats of eval and gate (with and without
// gate --metrics), the GitHub Actions annotations and step summaries, the
// report files (dated JSON and Markdown, the dashboard index.html,
// metrics.prom, the vulnerability ledger), the monthly aggregate and the
// quarterly review, the issue titles, bodies, comments and labels written
// to a fake GitHub by `posture issues` and `posture run`, the issues dry
// run, the synthetic demo history, and what metrics and explain print.
// Any change of a rendering shows here; when it is meant, rewrite the
// files with `go test ./internal/cli -run TestGoldenExample -update` and
// review the diff.
func TestGoldenExample(t *testing.T) {
	withIssuesNet(t)
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	dir := t.TempDir()
	// A copy of the example: its reports and snapshots are written in the copy.
	ex := filepath.Join(dir, "ex")
	require.NoError(t, os.CopyFS(ex, os.DirFS(root)))

	gh := ghfake.New().Repo("localizevideos/posture")
	defer gh.Close()

	got := map[string][]byte{}
	var codes []string
	// do runs posture in dir (paths print relative to it) with env only.
	do := func(name string, env map[string]string, args ...string) {
		t.Helper()
		var out, errb bytes.Buffer
		wd, err := os.Getwd()
		require.NoError(t, err)
		require.NoError(t, os.Chdir(dir))
		code := Run(context.Background(), append([]string{"posture"}, args...), strings.NewReader(""), &out, &errb,
			func(k string) string { return env[k] })
		require.NoError(t, os.Chdir(wd))
		codes = append(codes, fmt.Sprintf("%-22s exit %d: posture %s", name, code, strings.Join(args, " ")))
		if out.Len() > 0 {
			got[name+".stdout"] = out.Bytes()
		}
		if errb.Len() > 0 {
			got[name+".stderr"] = stableProgress(errb.Bytes())
		}
	}
	none := map[string]string{}
	c := []string{"-c", "ex/posture.hcl", "--no-color"}
	at := func(date string, args ...string) []string {
		return append(append(append([]string(nil), c...), "--as-of", date), args...)
	}

	// The printed formats.
	for _, f := range []string{"table", "json", "markdown", "sarif", "junit"} {
		do("eval."+f, none, at("2026-11-27", "--format", f, "eval")...)
		do("gate-metrics."+f, none, at("2026-11-27", "--format", f, "gate", "--metrics", "mttr_hours,security_header_drift,open_vulnerabilities")...)
	}
	do("gate", none, at("2026-11-27", "gate")...)
	do("metrics", none, append(c, "metrics")...)
	do("explain", none, at("2026-11-27", "explain", "mttr_hours")...)

	// GitHub Actions: annotations on stderr, the step summary in a file.
	actions := func(summary string) map[string]string {
		return map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": filepath.Join(dir, summary)}
	}
	do("actions-eval", actions("actions-eval.summary.md"), at("2026-11-27", "eval")...)
	do("actions-gate", actions("actions-gate.summary.md"), at("2026-11-27", "gate")...)
	do("actions-gate-metrics", actions("actions-gate-metrics.summary.md"), at("2026-11-27", "gate", "--metrics", "mttr_hours,security_header_drift")...)

	// The report files, the issues of two reports, the rollups.
	github := map[string]string{"GITHUB_TOKEN": "t", "GITHUB_API_URL": gh.APIURL(), "GITHUB_REPOSITORY": "localizevideos/posture"}
	do("report-2026-10-27", none, at("2026-10-27", "report")...)
	do("issues-dry-run", none, at("2026-10-27", "issues", "--dry-run", "--repo", "localizevideos/posture")...)
	do("issues-dry-run.json", none, at("2026-10-27", "--format", "json", "issues", "--dry-run", "--repo", "localizevideos/posture")...)
	do("issues-2026-10-27", github, at("2026-10-27", "issues")...)
	run := actions("run.summary.md")
	for k, v := range github {
		run[k] = v
	}
	for k, v := range map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_WORKSPACE": dir,
		"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"} {
		run[k] = v
	}
	do("run-2026-11-27", run, at("2026-11-27", "run")...)
	do("aggregate", none, append(c, "aggregate", "--month", "2026-11")...)
	do("review", none, append(c, "review", "--quarter", "2026-Q4")...)
	do("demo-history", none, at("2026-11-27", "demo-history", "--days", "2", "--out", "demo")...)

	got["exit-codes.txt"] = []byte(strings.Join(codes, "\n") + "\n")
	got["github.txt"] = ghDump(gh)
	reports := filepath.Join(ex, "security", "reports")
	require.NoError(t, filepath.WalkDir(reports, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "baseline.json" { // the baseline is the example's input
			return err
		}
		rel, err := filepath.Rel(reports, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got["reports/"+filepath.ToSlash(rel)] = pinnedSnapshot(t, ex, b)
		return nil
	}))
	// The demo's dated files render as the reports' do: its dashboard only.
	got["demo/index.html"], err = os.ReadFile(filepath.Join(dir, "demo", "index.html"))
	require.NoError(t, err)
	for _, s := range []string{"actions-eval", "actions-gate", "actions-gate-metrics", "run"} {
		b, err := os.ReadFile(filepath.Join(dir, s+".summary.md"))
		require.NoError(t, err)
		got[s+".summary.md"] = b
	}

	if *update {
		require.NoError(t, os.RemoveAll(goldenDir))
		for name, b := range got {
			p := filepath.Join(goldenDir, filepath.FromSlash(name))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, b, 0o644))
		}
		return
	}
	want := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(goldenDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(goldenDir, p)
		want[filepath.ToSlash(rel)] = b
		return err
	}), "no golden files: run go test ./internal/cli -run TestGoldenExample -update")
	var names []string
	for n := range got {
		names = append(names, n)
	}
	for n := range want {
		if _, ok := got[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, ok1 := got[n]
		w, ok2 := want[n]
		switch {
		case !ok2:
			t.Errorf("%s: rendered but has no golden file (-update writes it)", n)
		case !ok1:
			t.Errorf("%s: golden file no longer rendered", n)
		case !bytes.Equal(g, w):
			t.Errorf("%s differs from its golden file (-update rewrites it):\n%s", n, firstDiff(w, g))
		}
	}
}

var progressTiming = regexp.MustCompile(` in [0-9.]+(µs|ms|s|m[0-9.]+s)$`)

// stableProgress makes stderr deterministic: the per-source progress lines
// (sources finish in any order) are sorted, their timings dropped.
var snapshotDigest = regexp.MustCompile(`("snapshot": \{\s*"sha256": ")([0-9a-f]{64})(",\s*"dir": ")([^"]+)(")`)

// pinnedSnapshot checks the snapshot digest of a dated report against the
// manifest.json of the snapshot it names (in the example's copy ex) and
// replaces it with a placeholder: the manifest records when each source was
// collected, so its digest differs from run to run.
func pinnedSnapshot(t *testing.T, ex string, b []byte) []byte {
	t.Helper()
	return snapshotDigest.ReplaceAllFunc(b, func(m []byte) []byte {
		g := snapshotDigest.FindSubmatch(m)
		mb, err := os.ReadFile(filepath.Join(ex, filepath.FromSlash(string(g[4])), "manifest.json"))
		require.NoError(t, err)
		sum := sha256.Sum256(mb)
		assert.Equal(t, hex.EncodeToString(sum[:]), string(g[2]), "the report's snapshot.sha256 is the digest of %s/manifest.json", g[4])
		return []byte(string(g[1]) + "<sha256 of manifest.json>" + string(g[3]) + string(g[4]) + string(g[5]))
	})
}

func stableProgress(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	var blocks [][]string
	var rest []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "source "):
			blocks = append(blocks, []string{progressTiming.ReplaceAllString(l, " in T")})
		case strings.HasPrefix(l, "  note: ") && len(blocks) > 0 && len(rest) == 0:
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], l)
		default:
			rest = append(rest, l)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i][0] < blocks[j][0] })
	var out []string
	for _, bl := range blocks {
		out = append(out, bl...)
	}
	return []byte(strings.Join(append(out, rest...), "\n"))
}

// ghDump lists the fake GitHub's labels and issues with their comments.
func ghDump(gh *ghfake.Repo) []byte {
	var b strings.Builder
	for _, l := range gh.Labels() {
		fmt.Fprintf(&b, "label %s #%s %s\n", l.Name, l.Color, l.Description)
	}
	for _, i := range gh.Issues() {
		fmt.Fprintf(&b, "\n===== issue #%d [%s %s] %s\nlabels: %s\nassignees: %s\n----- body\n%s\n", i.Number, i.State, i.StateReason,
			i.Title, strings.Join(i.Labels, ", "), strings.Join(i.Assignees, ", "), i.Body)
		for k, c := range i.Comments {
			fmt.Fprintf(&b, "----- comment %d\n%s\n", k+1, c)
		}
	}
	return []byte(b.String())
}

// firstDiff shows the first differing line of two renderings.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return "(same lines, different bytes)"
}

package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

// pipelineConfig is the stub config with one working source, its reports
// and snapshots in dir.
func pipelineConfig(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	body := strings.Join(strings.SplitAfter(cfg, "\n")[:8], "") +
		"reports_dir = \"reports\"\nsnapshots_dir = \"snapshots\"\nsource \"accounts_stub\" \"works\" { mode = \"ok\" }\n"
	path = filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return dir, path
}

func TestReportWritesTheFilesTheSnapshotAndTheLedger(t *testing.T) {
	dir, path := pipelineConfig(t)
	req := Request{Config: path, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Tool: &report.Tool{Name: "posture", Version: "v1"}}
	p, err := Report(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-27", p.Date)
	assert.Equal(t, "v1", p.Report.Tool.Version)
	rel := func(paths []string) []string {
		var out []string
		for _, x := range paths {
			r, err := filepath.Rel(dir, x)
			require.NoError(t, err)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	// The snapshot is kept but not committed (commit_snapshots = false).
	assert.Equal(t, []string{"reports/2026-11-27.json", "reports/2026-11-27.md", "reports/index.html", "reports/metrics.prom",
		"reports/vulnerabilities.json"}, rel(p.Written()))
	for _, f := range p.Written() {
		assert.FileExists(t, f)
	}
	mb, err := os.ReadFile(filepath.Join(p.SnapshotDir, "manifest.json"))
	require.NoError(t, err)
	sum := sha256.Sum256(mb)
	assert.Equal(t, &report.SnapshotRef{SHA256: hex.EncodeToString(sum[:]), Dir: "snapshots/2026-11-27"}, p.Report.Snapshot,
		"the report pins its snapshot by the digest of the manifest")

	// Reusing the kept snapshot reads its as-of and writes the same report.
	again, err := Report(context.Background(), Request{Config: path, Snapshot: p.SnapshotDir, Tool: req.Tool})
	require.NoError(t, err)
	assert.Equal(t, p.Report, again.Report)

	// A snapshot elsewhere is copied byte for byte: the same digest.
	other := filepath.Join(t.TempDir(), "snap")
	require.NoError(t, os.Rename(p.SnapshotDir, other))
	copied, err := Report(context.Background(), Request{Config: path, Snapshot: other, Tool: req.Tool})
	require.NoError(t, err)
	assert.Equal(t, p.Report.Snapshot, copied.Report.Snapshot)
	_, err = snapshot.Verify(p.SnapshotDir, p.Report.Snapshot.SHA256)
	require.NoError(t, err)

	// commit_snapshots = true commits the snapshot folder too.
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(body, "commit_snapshots = true\n"...), 0o644))
	p, err = Report(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "snapshots/2026-11-27", rel(p.Written())[len(p.Written())-1])
}

func TestRunStepsInOrderAndStopsWhenInterrupted(t *testing.T) {
	_, path := pipelineConfig(t)
	req := Request{Config: path, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	var steps []string
	opt := RunOptions{
		Reported: func(p *Published) error { steps = append(steps, "reported "+p.Date); return nil },
		Issues: func(_ context.Context, p *Published) error {
			steps = append(steps, "issues")
			return errors.New("no token")
		},
	}
	ran, err := Run(context.Background(), req, opt)
	require.NoError(t, err)
	assert.Equal(t, []string{"reported 2026-11-27", "issues"}, steps)
	assert.EqualError(t, ran.IssuesErr, "no token", "the issues step's error does not stop the run")
	assert.Equal(t, "posture: security report 2026-11-27", ran.CommitMessage)
	assert.Empty(t, ran.Commit)

	// Interrupted while the report is printed: no issues step.
	steps = nil
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opt.Reported = func(*Published) error { cancel(); return nil }
	_, err = Run(ctx, req, opt)
	assert.ErrorIs(t, err, ErrInterrupted)
	assert.Empty(t, steps)

	// A failing Reported stops the run.
	opt.Reported = func(*Published) error { return errors.New("stdout closed") }
	_, err = Run(context.Background(), req, opt)
	assert.EqualError(t, err, "stdout closed")
	assert.Empty(t, steps)
}

func TestEvalChecksBeforeCollecting(t *testing.T) {
	_, path := pipelineConfig(t)
	collected := false
	_, err := Eval(context.Background(), Request{Config: path, AsOf: time.Now(),
		Checks:   []func(*App) error{func(*App) error { return errors.New("--metrics: unknown metric") }},
		Progress: func(*snapshot.Part, time.Duration) { collected = true }})
	assert.EqualError(t, err, "--metrics: unknown metric")
	assert.False(t, collected, "a bad flag costs no source read")
}

// A lean evaluation of a stored snapshot (eval, gate: the events converted
// while the parts are read, the records released) gives the report of a
// full one, on the example's every source.
func TestLeanEvaluationOfAStoredSnapshotGivesTheSameReport(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	ex := filepath.Join(t.TempDir(), "ex")
	require.NoError(t, os.CopyFS(ex, os.DirFS(root)))
	cfgPath := filepath.Join(ex, "posture.hcl")
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	snapDir := filepath.Join(t.TempDir(), "snap")
	_, err = Snapshot(context.Background(), Request{Config: cfgPath, AsOf: asOf}, snapDir)
	require.NoError(t, err)

	full, err := Eval(context.Background(), Request{Config: cfgPath, Snapshot: snapDir})
	require.NoError(t, err)
	lean, err := Eval(context.Background(), Request{Config: cfgPath, Snapshot: snapDir, Lean: true})
	require.NoError(t, err)
	events := 0
	for _, p := range full.Snapshot.Parts {
		for _, es := range p.Data.Events {
			events += es.Len()
		}
	}
	require.Greater(t, events, 100, "the example has log events")
	assert.Equal(t, full.Report, lean.Report)
	for _, p := range lean.Snapshot.Parts {
		assert.True(t, p.Released(), p.ID())
	}
	// And the same as evaluating the collection itself.
	collected, err := Eval(context.Background(), Request{Config: cfgPath, AsOf: asOf, AsOfGiven: true, Lean: true})
	require.NoError(t, err)
	collected.Report.Snapshot = full.Report.Snapshot
	assert.Equal(t, full.Report, collected.Report)
}

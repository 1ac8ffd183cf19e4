package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/ledger"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/store"
)

// reportRun is what one `posture report` (or `posture run`) did.
type reportRun struct {
	app     *app.App
	snap    *snapshot.Snapshot
	report  *report.Report
	date    string         // as-of date, YYYY-MM-DD
	files   *publish.Files // the report files
	snapDir string         // the kept snapshot, <snapshots_dir>/<date>
	ledger  string         // <reports_dir>/vulnerabilities.json
	// verdict is the evaluation's exit (nil, ExitFail for a gated metric
	// that failed or was not measured, ExitError for a failed source or
	// policy); the files are written either way.
	verdict error
}

// written lists every path the run wrote: the report files, the ledger,
// the snapshot folder and, when the issues step keeps one, the issue index
// (<reports_dir>/issues.json).
func (rr *reportRun) written() []string {
	out := append(rr.files.All(), rr.ledger, rr.snapDir)
	if p := store.IssuesPath(rr.app.Config.ReportsDir); fileExists(p) {
		out = append(out, p)
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func cmdReport(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "collect (or reuse a snapshot), evaluate with history, and write the dated report files",
		Description: "Writes, for the as-of date D (UTC), in reports_dir: D.json (the report, as `eval --format json`),\n" +
			"D.md (the human report), index.html (the dashboard of all dated reports) and metrics.prom\n" +
			"(OpenMetrics), and updates vulnerabilities.json (the history of vulnerability keys).\n" +
			"The snapshot is kept in <snapshots_dir>/D/ (a --snapshot folder elsewhere is copied there).\n" +
			"Re-running a date replaces that date's files and the derived ones; other dates are never touched.\n" +
			"Exit 1 when a gated metric fails its target or is not measured (unmeasured or no_data), 2 when a\n" +
			"source or a policy failed: the files are written in both cases (the failed metrics show `error`),\n" +
			"so the history has no gap.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "snapshot", Usage: "evaluate this snapshot `DIR` instead of collecting (its as-of is the default --as-of)"},
		},
		Action: func(c *cli.Context) error {
			rr, err := g.report(e, c.String("snapshot"))
			if err != nil {
				return err
			}
			return rr.verdict
		},
	}
}

// report runs the report pipeline: evaluate with history and the
// vulnerability ledger, keep the snapshot, write the report files, update
// the ledger. An error means nothing (or only the snapshot) was written.
// An interruption before the writes start writes nothing; the writes, once
// started, are finished (each is atomic and they take milliseconds), so
// the snapshot, the dated files and the ledger always go together.
func (g *globals) report(e *env, snapDir string) (*reportRun, error) {
	a, snap, r, _, err := g.evaluate(e, snapDir)
	if err != nil {
		return nil, err
	}
	asOf, err := r.AsOfTime()
	if err != nil {
		return nil, exitCode(ExitError, err)
	}
	rr := &reportRun{app: a, snap: snap, report: r, date: asOf.UTC().Format("2006-01-02"),
		snapDir: a.SnapshotDir(asOf), ledger: ledger.Path(a.Config.ReportsDir)}
	if err := e.interrupted(); err != nil {
		return nil, err
	}

	// 1. The snapshot the report used.
	switch {
	case snapDir == "":
		if _, err := snapshot.Write(rr.snapDir, a.Config.Project, snap); err != nil {
			return nil, exitCode(ExitError, err)
		}
	case !samePath(snapDir, rr.snapDir):
		if err := copySnapshot(snapDir, rr.snapDir); err != nil {
			return nil, exitCode(ExitError, err)
		}
	}
	// 2. The dated files, then index.html and metrics.prom.
	rr.files, err = publish.Write(a.Config.ReportsDir, r)
	if err != nil {
		return nil, exitCode(ExitError, err)
	}
	// 3. The vulnerability ledger, once the report is written.
	led, err := ledger.Load(rr.ledger)
	if err != nil {
		return nil, exitCode(ExitError, err)
	}
	led.Record(ledger.Observe(snap, asOf))
	if err := led.Save(rr.ledger); err != nil {
		return nil, exitCode(ExitError, err)
	}

	opt := outputOptions(a)
	if g.format != "" {
		if err := g.writeReport(e, r, opt); err != nil {
			return nil, exitCode(ExitError, err)
		}
	} else if !g.quiet {
		fmt.Fprintf(e.stdout, "report %s: %s\n", rr.date, summaryLine(r))
		for _, p := range append(rr.files.All(), rr.ledger) {
			fmt.Fprintf(e.stdout, "  wrote %s\n", app.Display(p))
		}
		fmt.Fprintf(e.stdout, "  snapshot %s\n", app.Display(rr.snapDir))
	}
	githubActions(e, r, opt)
	_, rr.verdict = verdict(snap, r, opt)
	return rr, nil
}

// summaryLine is "2 fail, 1 warn, 0 error, 20 pass, 3 tracked, 1 unmeasured"
// (fail and error always, the other statuses when present).
func summaryLine(r *report.Report) string {
	var parts []string
	for _, s := range []report.Status{report.StatusFail, report.StatusWarn, report.StatusError, report.StatusPass,
		report.StatusTracked, report.StatusNoData, report.StatusUnmeasured} {
		if n := r.Summary[s]; n > 0 || s == report.StatusFail || s == report.StatusError {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

// samePath reports whether two paths name the same folder.
func samePath(a, b string) bool {
	ra, err1 := filepath.Abs(a)
	rb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if x, err := filepath.EvalSymlinks(ra); err == nil {
		ra = x
	}
	if x, err := filepath.EvalSymlinks(rb); err == nil {
		rb = x
	}
	return ra == rb
}

// copySnapshot copies a snapshot folder (manifest.json and the files it
// lists, byte for byte, so the sha256s recorded in the report stay true)
// to dst, atomically: into a sibling temporary folder that then replaces dst.
func copySnapshot(src, dst string) error {
	_, m, err := snapshot.Read(src) // checks every sha256
	if err != nil {
		return err
	}
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := []string{"manifest.json"}
	for _, s := range m.Sources {
		names = append(names, filepath.Base(s.File))
	}
	for _, n := range names {
		if err := copyFile(filepath.Join(src, n), filepath.Join(tmp, n)); err != nil {
			return err
		}
	}
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return fmt.Errorf("snapshot: %w", err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("%s: %w", dst, cerr)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

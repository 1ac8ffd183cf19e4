package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/shard"
	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/ledger"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/store"
)

// The pipeline the commands call: Eval (eval, gate, explain), Report
// (report), Run (run: Report, then the issues step and the commit),
// Snapshot (snapshot), Issues (issues), Aggregate and Review (aggregate,
// review) and DemoHistory (demo-history). A command turns its flags into a
// Request, calls one of them and prints what comes back; the hooks of a
// Request (Tick, Progress) and of RunOptions let it print as the steps go.

// ErrInterrupted is returned (wrapping the context's cause) when the run's
// context is cancelled while sources are collected or before anything is
// written: nothing of the partial run is stored or reported.
var ErrInterrupted = errors.New("interrupted")

// interrupted returns ErrInterrupted when ctx is done, nil otherwise.
func interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
}

// Request says what to evaluate.
type Request struct {
	Config string // the config file
	// AsOf is the evaluation instant. With a Snapshot and AsOfGiven false,
	// the snapshot's own as-of is used instead.
	AsOf      time.Time
	AsOfGiven bool
	// Snapshot is a snapshot folder to evaluate instead of collecting.
	Snapshot string
	// Checks run once the config and the policies are loaded, before
	// anything is collected (flags that need the catalogue); an error stops
	// the run and is returned as is.
	Checks []func(*App) error
	// Tool names the program that writes the report.
	Tool *report.Tool
	// Tick is told how far each long-running source has come; Progress is
	// told each source's result (both may be nil).
	Tick     func(source string, done, total int)
	Progress Progress
	// Say shows a source's line (sources.Env.Say), such as an API
	// source's request estimate (may be nil).
	Say func(source, line string)
	// Shard makes Snapshot collect one shard's share (`--shard i/N`).
	Shard shard.Spec
	// Lean says the caller of Eval needs neither the records nor the
	// input document once the input is converted (eval and gate, but
	// not --dump-input): they are released before the policies run, so
	// the evaluation's memory is the converted input's.
	Lean bool
}

// Evaluated is a report and what produced it.
type Evaluated struct {
	App        *App
	Snapshot   *snapshot.Snapshot
	Report     *report.Report
	Evaluation *engine.Evaluation
	// Manifest is the manifest of the snapshot read (req.Snapshot), nil
	// when the sources were collected.
	Manifest *snapshot.Manifest
}

// Eval loads the config and its policies, reads req.Snapshot (while they
// load) or collects every source, and evaluates with the history and the
// vulnerability ledger (read-only). A collection interrupted by ctx is
// dropped, never evaluated.
func Eval(ctx context.Context, req Request) (*Evaluated, error) {
	type read struct {
		snap *snapshot.Snapshot
		m    *snapshot.Manifest
		err  error
	}
	var stored chan read
	// A lean evaluation of a stored snapshot converts each part's events
	// as soon as the part is read, once the policies are compiled (they
	// say which fields to keep), and releases them (engine.EventStream).
	var (
		loaded   = make(chan *App, 1)
		streamed *engine.EventStream
		once     sync.Once
	)
	if req.Snapshot != "" {
		var each func(*snapshot.Manifest, *snapshot.Part) error
		if req.Lean {
			defer limitMemory(req.Snapshot)()
			each = func(m *snapshot.Manifest, p *snapshot.Part) error {
				a := <-loaded
				loaded <- a
				if a == nil {
					return nil // the config failed: Eval returns its error
				}
				once.Do(func() {
					asOf := req.AsOf
					if t, err := time.Parse(time.RFC3339, m.AsOf); err == nil && !req.AsOfGiven {
						asOf = t
					}
					streamed = a.Engine.EventStream(asOf, Settings(a.Config))
				})
				return streamed.Add(p)
			}
		}
		stored = make(chan read, 1)
		go func() {
			end := trace.Phase("snapshot read")
			s, m, err := snapshot.ReadWith(req.Snapshot, each)
			end()
			stored <- read{s, m, err}
		}()
	}
	a, err := Load(ctx, req.Config)
	if err != nil {
		loaded <- nil
		return nil, err
	}
	a.Tick = req.Tick
	a.Say = req.Say
	for _, check := range req.Checks {
		if err := check(a); err != nil {
			loaded <- nil
			return nil, err
		}
	}
	loaded <- a
	asOf := req.AsOf
	var snap *snapshot.Snapshot
	var manifest *snapshot.Manifest
	if req.Snapshot != "" {
		rd := <-stored
		if rd.err != nil {
			return nil, rd.err
		}
		snap, manifest = rd.snap, rd.m
		if !req.AsOfGiven {
			asOf = snap.AsOf
		}
	} else if snap, err = a.collect(ctx, asOf, req.Progress); err != nil {
		return nil, err
	}
	r, ev, err := a.evaluate(ctx, snap, asOf, true, req.Lean, streamed)
	if err != nil {
		return nil, err
	}
	r.Tool = req.Tool
	if manifest != nil {
		// A stored snapshot is pinned like a kept one (Report names the
		// folder it keeps it in).
		dir := req.Snapshot
		if abs, err := filepath.Abs(dir); err == nil {
			dir = a.Config.Rel(abs)
		}
		r.Snapshot = &report.SnapshotRef{SHA256: manifest.SHA256, Dir: dir}
	}
	return &Evaluated{App: a, Snapshot: snap, Report: r, Evaluation: ev, Manifest: manifest}, nil
}

// collect runs every configured source. When ctx is cancelled while they
// run, the partial collection is dropped with ErrInterrupted.
func (a *App) collect(ctx context.Context, asOf time.Time, progress Progress) (*snapshot.Snapshot, error) {
	snap := a.Collect(ctx, asOf, progress)
	if err := interrupted(ctx); err != nil {
		return nil, err
	}
	return snap, nil
}

// SourceErrors joins the errors of the sources that failed, nil when none
// did.
func SourceErrors(snap *snapshot.Snapshot) error {
	var msgs []string
	for _, p := range snap.Parts {
		if p.Failed() {
			msgs = append(msgs, fmt.Sprintf("source %s: %s", p.ID(), p.Error))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// Snapshotted is a snapshot written by Snapshot.
type Snapshotted struct {
	Dir      string
	Snapshot *snapshot.Snapshot
	Manifest *snapshot.Manifest
}

// Snapshot loads the config, collects every source and writes the snapshot
// to dir (default <snapshots_dir>/<as-of date>/). A source that failed is
// written as failed: SourceErrors tells.
func Snapshot(ctx context.Context, req Request, dir string) (*Snapshotted, error) {
	a, err := Load(ctx, req.Config)
	if err != nil {
		return nil, err
	}
	a.Tick = req.Tick
	a.Say = req.Say
	a.Shard = req.Shard
	digest := ""
	if req.Shard.Sharded() {
		if digest, err = configDigest(req.Config); err != nil {
			return nil, err
		}
	}
	snap, err := a.collect(ctx, req.AsOf, req.Progress)
	if err != nil {
		return nil, err
	}
	snap.Shard, snap.Config = req.Shard.String(), digest
	if dir == "" {
		dir = a.SnapshotDir(req.AsOf)
	}
	m, err := snapshot.Write(dir, a.Config.Project, snap)
	if err != nil {
		return nil, err
	}
	return &Snapshotted{Dir: dir, Snapshot: snap, Manifest: m}, nil
}

// Published is a report written to the reports folder by Report.
type Published struct {
	*Evaluated
	Date        string         // the as-of date, YYYY-MM-DD
	Files       *publish.Files // the report files
	SnapshotDir string         // the kept snapshot, <snapshots_dir>/<date>
	Ledger      string         // <reports_dir>/vulnerabilities.json
}

// Written lists every path the run wrote that `run --commit` commits: the
// report files, the ledger, the snapshot folder when the config sets
// commit_snapshots, and, when the issues step keeps one, the issue index
// (<reports_dir>/issues.json). The snapshot is left out by default: it
// holds every raw record, and the report pins it by its digest.
func (p *Published) Written() []string {
	out := append(p.Files.All(), p.Ledger)
	if p.App.Config.CommitSnapshots {
		out = append(out, p.SnapshotDir)
	}
	if path := store.IssuesPath(p.App.Config.ReportsDir); fileExists(path) {
		out = append(out, path)
	}
	return out
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Report is the report pipeline: Eval, then keep the snapshot
// (<snapshots_dir>/<date>/; a req.Snapshot elsewhere is copied there),
// write the dated report files and the derived ones (index.html,
// metrics.prom), and record the vulnerability ledger. An error means
// nothing (or only the snapshot) was written. An interruption before the
// writes start writes nothing; the writes, once started, are finished (each
// is atomic and they take milliseconds), so the snapshot, the dated files
// and the ledger always go together.
func Report(ctx context.Context, req Request) (*Published, error) {
	ev, err := Eval(ctx, req)
	if err != nil {
		return nil, err
	}
	a, r := ev.App, ev.Report
	asOf, err := r.AsOfTime()
	if err != nil {
		return nil, err
	}
	p := &Published{Evaluated: ev, Date: asOf.UTC().Format("2006-01-02"),
		SnapshotDir: a.SnapshotDir(asOf), Ledger: ledger.Path(a.Config.ReportsDir)}
	if err := interrupted(ctx); err != nil {
		return nil, err
	}

	// 1. The snapshot the report used, pinned in the report by the sha256
	// of its manifest.
	m := ev.Manifest
	switch {
	case req.Snapshot == "":
		if m, err = snapshot.Write(p.SnapshotDir, a.Config.Project, ev.Snapshot); err != nil {
			return nil, err
		}
	case !samePath(req.Snapshot, p.SnapshotDir):
		if m, err = copySnapshot(req.Snapshot, p.SnapshotDir); err != nil {
			return nil, err
		}
	}
	r.Snapshot = &report.SnapshotRef{SHA256: m.SHA256, Dir: a.Config.Rel(p.SnapshotDir)}
	// 2. The dated files, then index.html and metrics.prom.
	stored, err := a.Stored() // read for the trends already
	if err != nil {
		return nil, err
	}
	p.Files, err = publish.WriteStored(a.Config.ReportsDir, r, stored)
	a.stored = nil // reports_dir has changed
	if err != nil {
		return nil, err
	}
	// 3. The vulnerability ledger, once the report is written.
	led, err := a.readLedger(p.Ledger) // as the evaluation read it
	a.forgetLedger()
	if err != nil {
		return nil, err
	}
	led.Record(ledger.Observe(ev.Snapshot, asOf))
	if err := led.Save(p.Ledger); err != nil {
		return nil, err
	}
	return p, nil
}

// RunOptions are the steps of Run after the report.
type RunOptions struct {
	// Reported is called once the report files are written, before the
	// issues step (the command prints the report there); an error stops
	// the run.
	Reported func(*Published) error
	// Issues is the issues step (nil skips it); its error does not stop
	// the run.
	Issues func(context.Context, *Published) error
	// Commit commits the files the run wrote (Published.Written), as
	// Author ("Name <email>"; "" for git's own config).
	Commit bool
	Author string
}

// Ran is what Run did after the report.
type Ran struct {
	*Published
	IssuesErr error
	// CommitMessage is the commit's message; Commit its short sha ("" when
	// the files held nothing new), CommitErr why it failed.
	CommitMessage string
	Commit        string
	CommitErr     error
}

// Run is the scheduled job (docs/github-actions.md): Report, then the
// issues step, then the commit of the files the run wrote. Interrupted once
// the report is written, it runs neither the issues step nor the commit.
func Run(ctx context.Context, req Request, opt RunOptions) (*Ran, error) {
	p, err := Report(ctx, req)
	if err != nil {
		return nil, err
	}
	ran := &Ran{Published: p, CommitMessage: "posture: security report " + p.Date}
	if opt.Reported != nil {
		if err := opt.Reported(p); err != nil {
			return nil, err
		}
	}
	if err := interrupted(ctx); err != nil {
		return nil, err
	}
	if opt.Issues != nil {
		ran.IssuesErr = opt.Issues(ctx, p)
	}
	if err := interrupted(ctx); err != nil {
		return nil, err
	}
	if opt.Commit {
		ran.Commit, ran.CommitErr = GitCommit(p.Written(), ran.CommitMessage, opt.Author)
	}
	return ran, nil
}

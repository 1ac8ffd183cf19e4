// Package app wires the pipeline the commands share: config → sources →
// snapshot → engine → report, then the report files, the vulnerability
// ledger, the GitHub issues and the commit (pipeline.go). The commands of
// internal/cli call its entry points (Eval, Report, Run, Snapshot, Issues,
// Aggregate, Review, DemoHistory, WatchedFiles), never the steps.
package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/internal/shard"
	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/ledger"
	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"

	// Every source kind registers itself.
	_ "github.com/localizevideos/posture/sources/all"
)

// BuiltinPrefix names the embedded policy files in messages.
const BuiltinPrefix = "builtin/policies/"

// App is a loaded config with its compiled policies.
type App struct {
	Config  *config.Config
	Engine  *engine.Engine
	Metrics []*engine.Resolved
	Modules []*engine.Module // every module, tests included
	// Tick, when set, is told how far each long-running source (named by
	// its id "<kind>.<name>") has come (for a live progress line on a
	// terminal).
	Tick func(source string, done, total int)
	// Say, when set, shows a source's line (sources.Env.Say) on stderr.
	Say func(source, line string)
	// Shard, when set, makes Collect collect one shard's share of the
	// sources (`posture snapshot --shard i/N`; shard.go).
	Shard shard.Spec

	stored *storedReports // the dated reports of reports_dir, read once (Stored)
	// read is the vulnerability ledger as the last evaluation with history
	// read it (annotating reads it only): Report records the day in it
	// instead of reading the file again.
	read struct {
		sync.Mutex
		path string
		led  *ledger.Ledger
	}
}

// readLedger returns the ledger at path, read once per evaluation.
func (a *App) readLedger(path string) (*ledger.Ledger, error) {
	a.read.Lock()
	defer a.read.Unlock()
	if a.read.led != nil && a.read.path == path {
		return a.read.led, nil
	}
	led, err := ledger.Load(path)
	if err != nil {
		return nil, err
	}
	a.read.path, a.read.led = path, led
	return led, nil
}

// forgetLedger drops the ledger read: the file is about to change.
func (a *App) forgetLedger() {
	a.read.Lock()
	a.read.path, a.read.led = "", nil
	a.read.Unlock()
}

type storedReports struct {
	dir string
	ds  []history.Dated
}

// Stored returns the dated reports of reports_dir (history.LoadAll), read
// once: the trends of a report (Evaluate) and its dashboard (publish) share
// the read. Whoever writes dated reports there afterwards reads them again.
func (a *App) Stored() ([]history.Dated, error) {
	if a.stored != nil && a.stored.dir == a.Config.ReportsDir {
		return a.stored.ds, nil
	}
	ds, err := history.LoadAll(a.Config.ReportsDir)
	if err != nil {
		return nil, err
	}
	a.stored = &storedReports{dir: a.Config.ReportsDir, ds: ds}
	return ds, nil
}

// Display names a path relative to the working directory when inside it.
func Display(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}

// LoadModules parses the built-in policies and the given folders.
func LoadModules(dirs []string) ([]*engine.Module, error) {
	mods, err := engine.ParseFS(policies.FS, BuiltinPrefix)
	if err != nil {
		return nil, err
	}
	custom, err := engine.ParseDirs(dirs, Display)
	if err != nil {
		return nil, err
	}
	return append(mods, custom...), nil
}

// Load reads the config, compiles built-in and custom policies, and applies
// owners, targets and gates.
func Load(ctx context.Context, path string) (*App, error) {
	end := trace.Phase("config")
	cfg, err := config.Load(path)
	end()
	if err != nil {
		return nil, err
	}
	end = trace.Phase("policies compile")
	mods, err := LoadModules(cfg.PolicyDirs)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(ctx, mods, func(file string) bool { return strings.HasPrefix(file, BuiltinPrefix) })
	end()
	if err != nil {
		return nil, err
	}
	res, err := Resolve(cfg, eng.Definitions)
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg, Engine: eng, Metrics: res, Modules: mods}, nil
}

// Progress receives one line per finished source.
type Progress func(p *snapshot.Part, took time.Duration)

// Collect runs every configured source concurrently. A source that fails
// (error or panic) yields a part with Error set; it never aborts the others.
func (a *App) Collect(ctx context.Context, asOf time.Time, progress Progress) *snapshot.Snapshot {
	snap := &snapshot.Snapshot{AsOf: asOf.UTC()}
	parts := make([]*snapshot.Part, len(a.Config.Sources))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	var mu sync.Mutex
	for i, s := range a.Config.Sources {
		wg.Add(1)
		go func(i int, s *config.Source) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			p := a.collectOne(ctx, s, asOf)
			parts[i] = p
			if progress != nil {
				mu.Lock()
				progress(p, time.Since(start))
				mu.Unlock()
			}
		}(i, s)
	}
	wg.Wait()
	snap.Parts = parts
	snapshot.SortParts(snap.Parts)
	return snap
}

func (a *App) collectOne(ctx context.Context, s *config.Source, asOf time.Time) (p *snapshot.Part) {
	cfg := a.Config
	p = &snapshot.Part{Source: s.Name, Kind: s.Kind, CollectedAt: time.Now().UTC().Format(time.RFC3339)}
	defer func() {
		if r := recover(); r != nil {
			p.Error = fmt.Sprintf("source %s crashed: %v", s.ID(), r)
			p.Data = snapshot.Data{}
		}
	}()
	env := SourceEnv(cfg, s, asOf)
	if a.Shard.Sharded() {
		if !a.shardSource(s, p, &env) {
			return p
		}
	}
	if a.Tick != nil {
		env.Progress = func(done, total int) { a.Tick(s.ID(), done, total) }
	}
	if a.Say != nil {
		env.Say = func(line string) { a.Say(s.ID(), line) }
	}
	res, err := s.Source.Collect(ctx, env)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	if p.Shard != nil && p.Shard.Mode == snapshot.ShardUnits {
		if res.Units == nil {
			p.Error = fmt.Sprintf("source %s: kind %s did not share out its work", s.ID(), s.Kind)
			return p
		}
		p.Shard.Units = res.Units
	}
	p.Data = res.Data
	p.SkippedLines = res.SkippedLines
	p.Provides = res.Provides
	p.Notes = res.Notes
	for _, f := range res.Files {
		p.Files = append(p.Files, Display(f))
	}
	return p
}

// SourceEnv is what a configured source knows about the run.
func SourceEnv(cfg *config.Config, s *config.Source, asOf time.Time) sources.Env {
	return sources.Env{Name: s.Name, Kind: s.Kind, AsOf: asOf.UTC(), BaseDir: cfg.Dir, Zone: time.UTC, ReportsDir: cfg.ReportsDir, CacheDir: filepath.Join(cfg.SnapshotsDir, ".cache"), WindowDays: cfg.WindowDays, Getenv: os.Getenv}
}

// Evaluate builds the input for asOf from the snapshot and evaluates it.
// withHistory adds the stored reports (trends and series) and applies the
// vulnerability ledger (<reports_dir>/vulnerabilities.json) read-only:
// first_seen of open scanner findings and the fixes of earlier reports.
func (a *App) Evaluate(ctx context.Context, snap *snapshot.Snapshot, asOf time.Time, withHistory bool) (*report.Report, *engine.Evaluation, error) {
	return a.evaluate(ctx, snap, asOf, withHistory, false, nil)
}

// evaluate is Evaluate; lean releases the snapshot's records and the input
// document once the input is converted (Request.Lean).
// stream holds the events converted while snap was read (may be nil).
func (a *App) evaluate(ctx context.Context, snap *snapshot.Snapshot, asOf time.Time, withHistory, lean bool, stream *engine.EventStream) (*report.Report, *engine.Evaluation, error) {
	// With history, the findings are annotated from the vulnerability
	// ledger (first seen, fixes) while the rest of the input converts.
	var late engine.Late
	if withHistory {
		late = func() (*snapshot.Snapshot, error) {
			defer trace.Phase("ledger")()
			path := ledger.Path(a.Config.ReportsDir)
			a.forgetLedger() // the file as it is now
			led, err := a.readLedger(path)
			if err != nil {
				return nil, err
			}
			return led.Annotate(snap, asOf, Display(path)), nil
		}
	}
	end := trace.Phase("input")
	excs := Exceptions(a.Config.Exceptions, a.Config.Dir)
	in, err := a.Engine.Input(snap, asOf, Settings(a.Config), excs, late, stream)
	end()
	if err != nil {
		return nil, nil, err
	}
	if lean {
		in.Release()
		if err := snap.Release(); err != nil {
			return nil, nil, err
		}
	}
	end = trace.Phase("evaluate")
	ev, err := a.Engine.Evaluate(ctx, in)
	end()
	if err != nil {
		return nil, nil, err
	}
	opt := engine.Options{Project: a.Config.Project, Title: a.Config.Title, WindowDays: a.Config.WindowDays, TolPct: a.Config.TrendTolerancePct, Exceptions: excs, EvidenceLimit: a.Config.EvidenceLimit}
	if withHistory {
		ds, err := a.Stored()
		if err != nil {
			return nil, nil, err
		}
		opt.History = history.Before(ds, asOf)
	}
	defer trace.Phase("results")()
	return engine.Build(ev, a.Metrics, snap.Parts, opt), ev, nil
}

// SnapshotDir is the default snapshot folder for asOf.
func (a *App) SnapshotDir(asOf time.Time) string {
	return filepath.Join(a.Config.SnapshotsDir, asOf.UTC().Format("2006-01-02"))
}

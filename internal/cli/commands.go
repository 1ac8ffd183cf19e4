package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/internal/shard"
	"github.com/localizevideos/posture/internal/version"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/actions"
	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

func (g *globals) load(e *env) (*app.App, error) {
	a, err := app.Load(e.ctx, g.config)
	if err != nil {
		return nil, exitCode(ExitError, err)
	}
	a.Tick = g.ticker()
	a.Say = g.sayer()
	return a, nil
}

func cmdValidate(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "validate",
		Usage: "parse and check the config, the exceptions and all policies without collecting anything",
		Action: func(c *cli.Context) error {
			a, err := g.load(e)
			if err != nil {
				return err
			}
			if !g.quiet {
				custom := 0
				for _, m := range a.Engine.Definitions {
					if !m.Builtin {
						custom++
					}
				}
				fmt.Fprintf(e.stdout, "%s: ok — %d metrics (%d custom), %d sources, %d exceptions, %d policy files\n",
					a.Config.Path, len(a.Metrics), custom, len(a.Config.Sources), len(a.Config.Exceptions), len(a.Modules))
			}
			return nil
		},
	}
}

func cmdMetrics(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "metrics",
		Usage: "list the catalogue: id, title, category, owner, target, gate, feeding sources",
		Action: func(c *cli.Context) error {
			a, err := g.load(e)
			if err != nil {
				return err
			}
			type row struct {
				report.MetricHead
				Inputs   []string `json:"inputs"`
				FedBy    []string `json:"fed_by"`
				Custom   bool     `json:"custom"`
				Location string   `json:"location"`
			}
			var rows []row
			for _, m := range a.Metrics {
				r := row{MetricHead: report.MetricHead{ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit,
					Target: m.Target, Gate: m.Gate}, Inputs: m.Inputs, FedBy: []string{}, Custom: !m.Builtin, Location: m.Location}
				for _, k := range m.Inputs {
					for _, s := range a.Config.Sources {
						for _, f := range engine.InputFeeds(k) {
							if f.Kind != s.Kind {
								continue
							}
							fed := s.ID()
							if f.Part != "" { // github (members): fed by the part
								fed += " (" + f.Part + ")"
							}
							if !slices.Contains(r.FedBy, fed) {
								r.FedBy = append(r.FedBy, fed)
							}
						}
					}
				}
				rows = append(rows, r)
			}
			return g.emit(e, func(w io.Writer) error {
				switch g.format {
				case "json":
					return output.EncodeJSON(w, rows)
				case "", "table", "markdown":
					md := g.format == "markdown"
					var tw *tabwriter.Writer
					if md {
						fmt.Fprintln(w, "| id | title | category | owner | target | gate | fed by |")
						fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
					} else {
						tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
						fmt.Fprintln(tw, "ID\tTITLE\tCATEGORY\tOWNER\tTARGET\tGATE\tFED BY")
					}
					for _, r := range rows {
						fed := strings.Join(r.FedBy, ", ")
						if fed == "" {
							fed = "— (unmeasured)"
							for _, k := range r.Inputs {
								if k == "exceptions" || k == "*" {
									fed = "config"
								}
							}
						}
						gate := ""
						if r.Gate {
							gate = "gate"
						}
						if md {
							fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Title, r.Category, r.Owner, text.TargetWords(r.Target), gate, fed)
						} else {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.Category, r.Owner, text.TargetWords(r.Target), gate, fed)
						}
					}
					if tw != nil {
						return tw.Flush()
					}
					return nil
				}
				return fmt.Errorf("metrics: format %q not supported (table, json, markdown)", g.format)
			})
		},
	}
}

// ticker shows a live "source: done/total" line on a terminal (stderr), and
// nothing when quiet or when stderr is a log (CI gets one line per source).
func (g *globals) ticker() func(source string, done, total int) {
	if g.quiet || !g.stderrTTY {
		return nil
	}
	var mu sync.Mutex
	return func(source string, done, total int) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(g.stderr, "\r\033[K  %s: %d/%d", source, done, total)
		if done == total {
			fmt.Fprint(g.stderr, "\r\033[K")
		}
	}
}

// sayer prints a source's line to stderr unless quiet.
func (g *globals) sayer() func(source, line string) {
	if g.quiet {
		return nil
	}
	var mu sync.Mutex
	return func(source, line string) {
		mu.Lock()
		defer mu.Unlock()
		if g.stderrTTY {
			fmt.Fprint(g.stderr, "\r\033[K")
		}
		fmt.Fprintf(g.stderr, "  %s: %s\n", source, line)
	}
}

// progress prints one line per source to stderr unless quiet.
func (g *globals) progress(e *env) app.Progress {
	if g.quiet {
		return nil
	}
	return func(p *snapshot.Part, took time.Duration) {
		if p.Failed() {
			if e.ctx.Err() != nil {
				return // stopped by the interruption, not a source error
			}
			fmt.Fprintf(e.stderr, "source %-32s ERROR %s\n", p.ID(), p.Error)
			return
		}
		skipped := ""
		if p.SkippedLines > 0 {
			skipped = fmt.Sprintf(", %d lines skipped", p.SkippedLines)
		}
		fmt.Fprintf(e.stderr, "source %-32s %d records%s in %s\n", p.ID(), p.Data.Count(), skipped, took.Round(time.Millisecond))
		for _, n := range p.Notes {
			fmt.Fprintf(e.stderr, "  note: %s\n", n)
		}
	}
}

func cmdSnapshot(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "snapshot",
		Usage: "collect every configured source into a snapshot folder",
		Description: "With --shard i/N, collect one shard's share only (a CI matrix of N jobs): the files,\n" +
			"repositories, URLs and hosts whose key hashes to shard i, and the sources of other kinds whole\n" +
			"when their id hashes to it. `posture merge` joins the N shard snapshots into one.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "snapshot `DIR` (default <snapshots_dir>/<as-of date>/)"},
			&cli.StringFlag{Name: "shard", Usage: "collect shard `i/N` of the work only (1 ≤ i ≤ N)"},
		},
		Action: func(c *cli.Context) error {
			var spec shard.Spec
			if v := c.String("shard"); c.IsSet("shard") {
				var err error
				if spec, err = shard.Parse(v); err != nil {
					return exitCode(ExitError, err)
				}
			}
			req, err := g.request(e, "")
			if err != nil {
				return err
			}
			req.Shard = spec
			s, err := app.Snapshot(e.ctx, req, c.String("out"))
			if err != nil {
				return failed(err)
			}
			if !g.quiet {
				records := 0
				for _, src := range s.Manifest.Sources {
					records += src.Records
				}
				shardOf := ""
				if spec.Sharded() {
					shardOf = " (shard " + spec.String() + ")"
				}
				fmt.Fprintf(e.stdout, "snapshot %s%s: %d sources, %d records\n", app.Display(s.Dir), shardOf, len(s.Manifest.Sources), records)
			}
			if err := app.SourceErrors(s.Snapshot); err != nil {
				return exitCode(ExitError, err)
			}
			return nil
		},
	}
}

func cmdMerge(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "join the snapshots of the shards of a sharded collection into one snapshot folder",
		ArgsUsage: "SHARD_DIR...",
		Description: "Each SHARD_DIR is a snapshot written by `posture snapshot --shard i/N`. Every shard 1..N must\n" +
			"be there once, with the same N, as-of, project and config; otherwise merge exits 2 and writes\n" +
			"nothing. The result is the snapshot an unsharded collection writes (same part files, same\n" +
			"sha256). A source that failed in any shard is failed in the result, the shard named (exit 2).",
		Flags: []cli.Flag{&cli.StringFlag{Name: "out", Usage: "merged snapshot `DIR`", Required: true}},
		Action: func(c *cli.Context) error {
			s, err := app.Merge(e.ctx, c.String("out"), c.Args().Slice())
			if err != nil {
				return failed(err)
			}
			if !g.quiet {
				records := 0
				for _, src := range s.Manifest.Sources {
					records += src.Records
				}
				fmt.Fprintf(e.stdout, "snapshot %s: %d sources, %d records, merged from %d shards\n", app.Display(s.Dir), len(s.Manifest.Sources), records, c.Args().Len())
			}
			if err := app.SourceErrors(s.Snapshot); err != nil {
				return exitCode(ExitError, err)
			}
			return nil
		},
	}
}

// request is the pipeline's request from the global flags: the config,
// the as-of, the tool and the progress printers; snapDir is a snapshot to
// evaluate instead of collecting, checks are the flag checks that need
// the catalogue (they run once the config is loaded, before anything is
// collected).
func (g *globals) request(e *env, snapDir string, checks ...func(*app.App) error) (app.Request, error) {
	asOf, given, err := g.when(e)
	if err != nil {
		return app.Request{}, exitCode(ExitError, err)
	}
	return app.Request{Config: g.config, AsOf: asOf, AsOfGiven: given, Snapshot: snapDir, Checks: checks,
		Tool: &report.Tool{Name: output.ToolName, Version: toolVersion()}, Tick: g.ticker(), Say: g.sayer(), Progress: g.progress(e)}, nil
}

// evaluate evaluates through the pipeline (app.Eval).
// lean: the caller reads only the report (app.Request.Lean).
func (g *globals) evaluate(e *env, snapDir string, lean bool, checks ...func(*app.App) error) (*app.Evaluated, error) {
	req, err := g.request(e, snapDir, checks...)
	if err != nil {
		return nil, err
	}
	req.Lean = lean
	ev, err := app.Eval(e.ctx, req)
	if err != nil {
		return nil, failed(err)
	}
	return ev, nil
}

// failed gives an error of the pipeline its exit code: its own when it has
// one (a flag check's), else ExitError.
func failed(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return exitCode(ExitError, err)
}

// toolVersion is the version reports and SARIF logs name (tests set a fixed
// one so that outputs do not depend on the build).
var toolVersion = func() string { return version.Get().Version }

func (g *globals) writeReport(e *env, r *report.Report, opt output.Options) error {
	format := g.format
	if format == "" {
		format = "table"
	}
	w, err := output.For(format)
	if err != nil {
		return exitCode(ExitError, err)
	}
	opt.Color = g.color(e)
	return g.emit(e, func(out io.Writer) error { return w.Write(out, r, opt) })
}

// outputOptions are the options every printed format of a's report gets:
// the config's path (SARIF locations) and what the catalogue and the config
// know about each metric (its definition, feeding kinds, metric block).
func outputOptions(a *app.App) output.Options {
	opt := output.Options{ConfigPath: app.Display(a.Config.Path), Metrics: map[string]output.MetricInfo{}}
	for _, m := range a.Metrics {
		info := output.MetricInfo{Description: m.Description, Inputs: feedKinds(m.Definition)}
		if m.Builtin {
			info.BuiltinRule = strings.TrimPrefix(m.Location, app.BuiltinPrefix)
		}
		opt.Metrics[m.ID] = info
	}
	for _, o := range a.Config.Metrics {
		info := opt.Metrics[o.ID]
		info.ConfigLine = o.Range.Start.Line
		opt.Metrics[o.ID] = info
	}
	return opt
}

// verdict is the exit code of eval, gate, report and run over the metrics
// opt selects (see output.Verdict): 2 when a source or a considered metric
// errored; 1 when a gated metric failed its target or was not measured
// (unmeasured or no_data: a gate never passes on what it did not measure);
// else nil. The verdict comes back for the caller's summary line.
func verdict(snap *snapshot.Snapshot, r *report.Report, opt output.Options) (output.Verdict, error) {
	v, err := output.Judge(r, opt)
	if err != nil {
		return v, exitCode(ExitError, err)
	}
	if err := app.SourceErrors(snap); err != nil {
		return v, exitCode(ExitError, err)
	}
	if len(v.Errors) > 0 {
		errs := make([]string, len(v.Errors))
		for i, m := range v.Errors {
			errs[i] = fmt.Sprintf("%s: %s", m.ID, m.Error)
		}
		return v, exitCode(ExitError, errors.New(strings.Join(errs, "\n")))
	}
	if !v.Passed() {
		var lines []string
		for _, l := range []string{v.FailedLine(), v.NotMeasuredLine()} {
			if l != "" {
				lines = append(lines, l)
			}
		}
		// Run prints "posture: " before the first line; each line gets it.
		return v, exitCode(ExitFail, errors.New(strings.Join(lines, "\nposture: ")))
	}
	return v, nil
}

func cmdEval(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "evaluate the policies over a snapshot (or a fresh collection) and print the results",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "snapshot", Usage: "snapshot `DIR` to evaluate (default: collect now, in memory)"},
			&cli.BoolFlag{Name: "dump-input", Usage: "print the policy input document as JSON instead of the results"},
		},
		Action: func(c *cli.Context) error {
			ev, err := g.evaluate(e, c.String("snapshot"), !c.Bool("dump-input"))
			if err != nil {
				return err
			}
			a, snap, r := ev.App, ev.Snapshot, ev.Report
			if c.Bool("dump-input") {
				return g.emit(e, func(w io.Writer) error { return output.EncodeJSON(w, ev.Evaluation.Input.Doc) })
			}
			opt := outputOptions(a)
			if err := g.writeReport(e, r, opt); err != nil {
				return exitCode(ExitError, err)
			}
			githubActions(e, r, opt)
			_, err = verdict(snap, r, opt)
			return err
		},
	}
}

func cmdGate(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "gate",
		Usage: "evaluate and exit 1 when a gated metric fails its target or is not measured, 2 on any error (fail closed)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "snapshot", Usage: "snapshot `DIR` to evaluate (default: collect now)"},
			&cli.StringFlag{Name: "metrics", Usage: "gate on these metric ids (comma-separated) instead of the gated ones"},
		},
		Action: func(c *cli.Context) error {
			var checks []func(*app.App) error
			for _, id := range strings.Split(c.String("metrics"), ",") {
				if id = strings.TrimSpace(id); id != "" {
					checks = append(checks, knownMetric("--metrics", id))
				}
			}
			ev, err := g.evaluate(e, c.String("snapshot"), true, checks...)
			if err != nil {
				return err
			}
			a, snap, r := ev.App, ev.Snapshot, ev.Report
			opt := outputOptions(a)
			var ids []string
			if s := c.String("metrics"); s != "" {
				known := map[string]bool{}
				for _, m := range r.Metrics {
					known[m.ID] = true
				}
				seen := map[string]bool{}
				for _, id := range strings.Split(s, ",") {
					id = strings.TrimSpace(id)
					if id == "" || seen[id] {
						continue
					}
					if !known[id] {
						return exitCode(ExitError, fmt.Errorf("--metrics: unknown metric %q", id))
					}
					seen[id] = true
					ids = append(ids, id)
				}
				if len(ids) == 0 {
					return exitCode(ExitError, fmt.Errorf("--metrics %q: no metric id", s))
				}
				sort.Strings(ids)
				opt.GateOn = ids
			} else {
				for _, m := range r.Metrics {
					if m.Gate {
						ids = append(ids, m.ID)
					}
				}
				sort.Strings(ids)
			}
			// The gate considers only its metrics (none: nothing to fail).
			gr := r
			if len(ids) == 0 {
				cp := *r
				cp.Metrics = nil
				cp.Summarise()
				gr = &cp
			}
			opt.Only = ids
			if len(ids) > 0 || g.format != "" {
				if err := g.writeReport(e, gr, opt); err != nil {
					return exitCode(ExitError, err)
				}
			}
			githubActions(e, gr, opt)
			v, err := verdict(snap, gr, opt)
			if err == nil && !g.quiet {
				for _, line := range v.Lines() {
					fmt.Fprintln(e.stderr, line)
				}
			}
			return err
		},
	}
}

// githubActions, inside GitHub Actions, appends the Markdown report of the
// metrics opt selects to $GITHUB_STEP_SUMMARY and writes the annotations of
// those that need attention to stderr (package output/actions).
func githubActions(e *env, r *report.Report, opt output.Options) {
	if e.getenv("GITHUB_ACTIONS") != "true" {
		return
	}
	appendStepSummary(e, func(w io.Writer) error { return actions.StepSummary(w, r, opt) })
	actions.Annotate(e.stderr, r, opt)
}

// appendStepSummary appends what write writes to $GITHUB_STEP_SUMMARY, when
// it is set (a summary that cannot be written is left out).
func appendStepSummary(e *env, write func(io.Writer) error) {
	path := e.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_ = write(f)
}

// feedKinds names the source kinds ("<kind>" or "<kind>.<part>") that feed
// a metric, or its special input (exceptions, "*") when it has one.
func feedKinds(d *engine.Definition) []string {
	var out []string
	for _, in := range d.Inputs {
		if in == engine.InputAlways || in == engine.InputAll {
			out = append(out, in)
		}
	}
	for _, f := range d.Feeds() {
		out = append(out, f.String())
	}
	return out
}

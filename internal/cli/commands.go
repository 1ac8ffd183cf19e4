package cli

import (
	"encoding/json"
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
	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

func (g *globals) load(e *env) (*app.App, error) {
	a, err := app.Load(e.ctx, g.config)
	if err != nil {
		return nil, exitCode(ExitError, err)
	}
	a.Tick = g.ticker()
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

func targetString(t report.Target) string {
	var parts []string
	if t.Max != nil {
		parts = append(parts, "max "+num(*t.Max))
	}
	if t.Min != nil {
		parts = append(parts, "min "+num(*t.Min))
	}
	if t.Trend != "" {
		parts = append(parts, "trend "+t.Trend)
	}
	if len(parts) == 0 {
		return "none (tracked)"
	}
	s := strings.Join(parts, ", ")
	if t.Soft {
		s += " (soft)"
	}
	return s
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
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
				ID       string        `json:"id"`
				Title    string        `json:"title"`
				Category string        `json:"category"`
				Owner    string        `json:"owner"`
				Unit     string        `json:"unit"`
				Target   report.Target `json:"target"`
				Gate     bool          `json:"gate"`
				Inputs   []string      `json:"inputs"`
				FedBy    []string      `json:"fed_by"`
				Custom   bool          `json:"custom"`
				Location string        `json:"location"`
			}
			var rows []row
			for _, m := range a.Metrics {
				r := row{ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit, Target: m.Target,
					Gate: m.Gate, Inputs: m.Inputs, FedBy: []string{}, Custom: !m.Builtin, Location: m.Location}
				for _, k := range m.Inputs {
					kind, part, _ := strings.Cut(k, ".") // github.members is fed by github sources
					for _, s := range a.Config.Sources {
						if s.Kind != kind {
							continue
						}
						fed := s.ID()
						if part != "" {
							fed += " (" + part + ")"
						}
						if !slices.Contains(r.FedBy, fed) {
							r.FedBy = append(r.FedBy, fed)
						}
					}
				}
				rows = append(rows, r)
			}
			return g.emit(e, func(w io.Writer) error {
				switch g.format {
				case "json":
					return writeJSON(w, rows)
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
							fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Title, r.Category, r.Owner, targetString(r.Target), gate, fed)
						} else {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Title, r.Category, r.Owner, targetString(r.Target), gate, fed)
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

// collect runs every configured source. When the run is interrupted while
// they run, the partial collection is dropped with an error: it is never
// written as a snapshot, nor evaluated.
func (g *globals) collect(e *env, a *app.App, asOf time.Time) (*snapshot.Snapshot, error) {
	snap := a.Collect(e.ctx, asOf, g.progress(e))
	if err := e.interrupted(); err != nil {
		return nil, err
	}
	return snap, nil
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

func sourceErrors(snap *snapshot.Snapshot) error {
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

func cmdSnapshot(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "snapshot",
		Usage: "collect every configured source into a snapshot folder",
		Flags: []cli.Flag{&cli.StringFlag{Name: "out", Usage: "snapshot `DIR` (default <snapshots_dir>/<as-of date>/)"}},
		Action: func(c *cli.Context) error {
			a, err := g.load(e)
			if err != nil {
				return err
			}
			asOf, _, err := g.when(e)
			if err != nil {
				return exitCode(ExitError, err)
			}
			snap, err := g.collect(e, a, asOf)
			if err != nil {
				return err
			}
			dir := c.String("out")
			if dir == "" {
				dir = a.SnapshotDir(asOf)
			}
			m, err := snapshot.Write(dir, a.Config.Project, snap)
			if err != nil {
				return exitCode(ExitError, err)
			}
			if !g.quiet {
				records := 0
				for _, s := range m.Sources {
					records += s.Records
				}
				fmt.Fprintf(e.stdout, "snapshot %s: %d sources, %d records\n", app.Display(dir), len(m.Sources), records)
			}
			if err := sourceErrors(snap); err != nil {
				return exitCode(ExitError, err)
			}
			return nil
		},
	}
}

// evaluate loads the app, takes the snapshot (read or collected) and
// evaluates it. The checks (of flags that need the catalogue) run once the
// config is loaded, before anything is collected.
func (g *globals) evaluate(e *env, snapDir string, checks ...func(*app.App) error) (*app.App, *snapshot.Snapshot, *report.Report, *evalExtra, error) {
	// A stored snapshot is read while the config and policies load.
	type read struct {
		snap *snapshot.Snapshot
		err  error
	}
	var stored chan read
	if snapDir != "" {
		stored = make(chan read, 1)
		go func() {
			end := trace.Phase("snapshot read")
			s, _, err := snapshot.Read(snapDir)
			end()
			stored <- read{s, err}
		}()
	}
	a, err := g.load(e)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	asOf, given, err := g.when(e)
	if err != nil {
		return nil, nil, nil, nil, exitCode(ExitError, err)
	}
	for _, check := range checks {
		if err := check(a); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	var snap *snapshot.Snapshot
	if snapDir != "" {
		rd := <-stored
		snap, err = rd.snap, rd.err
		if err != nil {
			return nil, nil, nil, nil, exitCode(ExitError, err)
		}
		if !given {
			asOf = snap.AsOf
		}
	} else {
		if snap, err = g.collect(e, a, asOf); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	r, ev, err := a.Evaluate(e.ctx, snap, asOf, true)
	if err != nil {
		return nil, nil, nil, nil, exitCode(ExitError, err)
	}
	return a, snap, r, &evalExtra{ev: ev}, nil
}

func (g *globals) writeReport(e *env, r *report.Report, only []string, cfgPath string) error {
	format := g.format
	if format == "" {
		format = "table"
	}
	w, err := output.For(format)
	if err != nil {
		return exitCode(ExitError, err)
	}
	opt := output.Options{Color: g.color(e), Only: only, ConfigPath: cfgPath}
	return g.emit(e, func(out io.Writer) error { return w.Write(out, r, opt) })
}

// verdict is the exit code of eval/gate/run over the considered metrics.
func verdict(snap *snapshot.Snapshot, r *report.Report, only map[string]bool, gatedOnly bool) error {
	if err := sourceErrors(snap); err != nil {
		return exitCode(ExitError, err)
	}
	var errs, fails []string
	for _, m := range r.Metrics {
		if only != nil && !only[m.ID] {
			continue
		}
		if m.Status == report.StatusError {
			errs = append(errs, fmt.Sprintf("%s: %s", m.ID, m.Error))
		}
		if m.Status == report.StatusFail && (m.Gate || (only != nil && !gatedOnly)) {
			fails = append(fails, m.ID)
		}
	}
	if len(errs) > 0 {
		return exitCode(ExitError, errors.New(strings.Join(errs, "\n")))
	}
	if len(fails) > 0 {
		return exitCode(ExitFail, fmt.Errorf("gated metrics failed: %s", strings.Join(fails, ", ")))
	}
	return nil
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
			a, snap, r, x, err := g.evaluate(e, c.String("snapshot"))
			if err != nil {
				return err
			}
			if c.Bool("dump-input") {
				return g.emit(e, func(w io.Writer) error { return writeJSON(w, x.ev.Input.Doc) })
			}
			if err := g.writeReport(e, r, nil, app.Display(a.Config.Path)); err != nil {
				return exitCode(ExitError, err)
			}
			githubActions(e, r)
			return verdict(snap, r, nil, true)
		},
	}
}

func cmdGate(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "gate",
		Usage: "evaluate and exit 1 when a gated metric fails its target, 2 on any error (fail closed)",
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
			a, snap, r, _, err := g.evaluate(e, c.String("snapshot"), checks...)
			if err != nil {
				return err
			}
			var ids []string
			only := map[string]bool{}
			if s := c.String("metrics"); s != "" {
				known := map[string]bool{}
				for _, m := range r.Metrics {
					known[m.ID] = true
				}
				for _, id := range strings.Split(s, ",") {
					id = strings.TrimSpace(id)
					if id == "" {
						continue
					}
					if !known[id] {
						return exitCode(ExitError, fmt.Errorf("--metrics: unknown metric %q", id))
					}
					ids = append(ids, id)
					only[id] = true
				}
			} else {
				for _, m := range r.Metrics {
					if m.Gate {
						ids = append(ids, m.ID)
						only[m.ID] = true
					}
				}
			}
			sort.Strings(ids)
			if len(ids) > 0 || g.format != "" {
				if err := g.writeReport(e, r, ids, app.Display(a.Config.Path)); err != nil {
					return exitCode(ExitError, err)
				}
			}
			githubActions(e, r)
			err = verdict(snap, r, only, c.String("metrics") == "")
			if err == nil && !g.quiet {
				fmt.Fprintf(e.stderr, "gate passed: %d gated metrics on target\n", len(ids))
			}
			return err
		},
	}
}

type evalExtra struct {
	ev *engine.Evaluation
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// githubActions writes the markdown summary to $GITHUB_STEP_SUMMARY and
// ::error / ::warning annotations when running inside GitHub Actions.
func githubActions(e *env, r *report.Report) {
	if e.getenv("GITHUB_ACTIONS") != "true" {
		return
	}
	if path := e.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			if md, err := output.For("markdown"); err == nil {
				_ = md.Write(f, r, output.Options{})
			}
			f.Close()
		}
	}
	for _, m := range r.Metrics {
		msg := fmt.Sprintf("%s (%s, owner %s): %s", m.Title, m.ID, m.Owner, valueText(m))
		switch {
		case m.Status == report.StatusFail || m.Status == report.StatusError:
			fmt.Fprintf(e.stderr, "::error title=posture %s::%s\n", m.ID, escapeAnnotation(msg))
		case m.Status == report.StatusWarn || m.Trend.Direction == report.TrendWorsening:
			fmt.Fprintf(e.stderr, "::warning title=posture %s::%s\n", m.ID, escapeAnnotation(msg))
		}
	}
}

func valueText(m report.Metric) string {
	if m.Status == report.StatusError {
		return "error: " + m.Error
	}
	v := "no value"
	if m.Value != nil {
		v = num(*m.Value)
		if m.Unit != "count" {
			v += " " + m.Unit
		}
	}
	return fmt.Sprintf("%s, target %s, status %s, trend %s", v, targetString(m.Target), m.Status, m.Trend.Direction)
}

func escapeAnnotation(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

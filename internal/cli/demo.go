package cli

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/report/synthetic"
	"github.com/localizevideos/posture/store"
)

const demoNote = "synthetic demo history (posture demo-history): not measured"

// cmdDemoHistory writes a plausible synthetic past for a config (the bundled
// example) so the dashboard and the trends show something at once: --days
// daily reports before the as-of date, drifting towards today's real values,
// then the real report of the as-of date evaluated against that history.
func cmdDemoHistory(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:   "demo-history",
		Usage:  "write a synthetic history of dated reports for demos and screenshots (never commit it)",
		Hidden: true,
		Description: "Evaluates the config for --as-of (the real values), then writes --days synthetic daily reports\n" +
			"before it into --out (default reports_dir) and the real report of the as-of date on top, with\n" +
			"index.html and metrics.prom. Synthetic reports say so in every metric's evidence note.\n" +
			"Refuses a folder that already holds dated reports unless --force.\n" +
			"Example: posture -c examples/localizevideos/posture.hcl --as-of 2026-11-27 demo-history --out /tmp/demo",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "days", Value: 90, Usage: "synthetic days before the as-of date"},
			&cli.StringFlag{Name: "out", Usage: "reports `DIR` to write (default the config's reports_dir)"},
			&cli.Int64Flag{Name: "seed", Value: 38, Usage: "random seed (same seed, same history)"},
			&cli.BoolFlag{Name: "force", Usage: "write even when the folder already holds dated reports"},
		},
		Action: func(c *cli.Context) error {
			days := c.Int("days")
			if days < 1 || days > 3660 {
				return exitCode(ExitError, fmt.Errorf("--days %d: want 1..3660", days))
			}
			a, err := g.load(e)
			if err != nil {
				return err
			}
			asOf, _, err := g.when(e)
			if err != nil {
				return exitCode(ExitError, err)
			}
			out := c.String("out")
			if out == "" {
				out = a.Config.ReportsDir
			}
			if dates, err := store.ReportDates(out); err != nil {
				return exitCode(ExitError, err)
			} else if len(dates) > 0 && !c.Bool("force") {
				return exitCode(ExitError, fmt.Errorf("%s already holds %d dated reports: use another --out, or --force to overwrite", app.Display(out), len(dates)))
			}
			snap, err := g.collect(e, a, asOf)
			if err != nil {
				return err
			}
			today, _, err := a.Evaluate(e.ctx, snap, asOf, false)
			if err != nil {
				return exitCode(ExitError, err)
			}
			if err := e.interrupted(); err != nil {
				return err
			}
			defs := map[string]*engine.Resolved{}
			for _, m := range a.Metrics {
				defs[m.ID] = m
			}
			var specs []synthetic.Spec
			for _, m := range today.Metrics {
				s := synthetic.Spec{ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit,
					Target: m.Target, Gate: m.Gate, Note: demoNote}
				if d := defs[m.ID]; d != nil {
					s.Better = d.Better
				}
				if m.Value == nil {
					s.Status = m.Status
				} else {
					s.Value = demoWalk(m, s.Better, asOf, days, uint64(c.Int64("seed")))
				}
				specs = append(specs, s)
			}
			day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
			past := synthetic.Generate(day.AddDate(0, 0, -days), days, specs, synthetic.Options{
				Project: today.Project, WindowDays: today.WindowDays, TolPct: a.Config.TrendTolerancePct,
				Inputs: today.Inputs, Exceptions: today.Exceptions})
			for _, r := range past {
				if err := publish.WriteDated(out, r); err != nil {
					return exitCode(ExitError, err)
				}
			}
			// Today's real report against the synthetic past.
			a.Config.ReportsDir = out
			r, _, err := a.Evaluate(e.ctx, snap, asOf, true)
			if err != nil {
				return exitCode(ExitError, err)
			}
			files, err := publish.Write(out, r)
			if err != nil {
				return exitCode(ExitError, err)
			}
			if !g.quiet {
				fmt.Fprintf(e.stdout, "demo history: %d synthetic reports %s..%s and the real report of %s in %s\n",
					days, past[0].AsOf[:10], past[len(past)-1].AsOf[:10], r.AsOf[:10], app.Display(out))
				fmt.Fprintf(e.stdout, "dashboard: %s\n", app.Display(filepath.Clean(files.Index)))
			}
			return nil
		},
	}
}

// demoWalk returns a value function drifting over the past days towards
// the metric's real value today: each metric gets a story from its id and
// the seed (it improved, worsened or held steady), with noise.
func demoWalk(m report.Metric, better string, asOf time.Time, days int, seed uint64) func(time.Time) *float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(m.ID))
	id := h.Sum64()
	v0 := *m.Value
	story := id % 3 // 0 improved (was worse), 1 worsened (was better), 2 steady
	level := v0
	if level == 0 {
		level = map[string]float64{"count": 3, "hours": 12, "days": 20, "percent": 20}[m.Unit]
		if level == 0 {
			level = 1
		}
	}
	worseUp := better != "up" // for most metrics a higher value is worse
	end := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return func(d time.Time) *float64 {
		k := end.Sub(d).Hours() / 24 / float64(days) // 1 at the start, 0 today
		rng := rand.New(rand.NewPCG(seed, id^uint64(d.Unix())))
		var drift float64
		switch story {
		case 0:
			drift = 0.8 * k // further from today's value in the past, on the worse side
		case 1:
			drift = -0.5 * k
		}
		if !worseUp {
			drift = -drift
		}
		noise := 0.12 * (rng.Float64()*2 - 1)
		base := v0
		if v0 == 0 {
			// a zero today: the past had a few, fading out over the last weeks
			base = 0
			if story != 2 && k > 0.25 {
				base = level * (k - 0.25) / 0.75
			}
		}
		v := base * (1 + drift + noise)
		if v0 == 0 {
			v = base * (1 + noise)
		}
		v = math.Max(v, 0)
		if m.Unit == "percent" {
			v = math.Min(v, 100)
		}
		if m.Unit == "count" {
			v = math.Round(v)
		}
		return &v
	}
}

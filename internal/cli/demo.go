package cli

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
)

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
			req, err := g.request(e, "")
			if err != nil {
				return err
			}
			d, err := app.DemoHistory(e.ctx, req, app.DemoOptions{Out: c.String("out"), Days: days,
				Seed: uint64(c.Int64("seed")), Force: c.Bool("force")})
			if err != nil {
				return failed(err)
			}
			past, r := d.Past, d.Report
			if !g.quiet {
				fmt.Fprintf(e.stdout, "demo history: %d synthetic reports %s..%s and the real report of %s in %s\n",
					days, past[0].AsOf[:10], past[len(past)-1].AsOf[:10], r.AsOf[:10], app.Display(d.Out))
				fmt.Fprintf(e.stdout, "dashboard: %s\n", app.Display(filepath.Clean(d.Files.Index)))
			}
			return nil
		},
	}
}

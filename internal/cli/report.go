package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
)

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
			req, err := g.request(e, c.String("snapshot"))
			if err != nil {
				return err
			}
			p, err := app.Report(e.ctx, req)
			if err != nil {
				return failed(err)
			}
			verdict, err := g.printReport(e, p)
			if err != nil {
				return err
			}
			return verdict
		},
	}
}

// printReport prints what report and run print once the report files are
// written: the report in --format, else (unless quiet) its summary and the
// paths written; then, inside GitHub Actions, the step summary and the
// annotations. It returns the report's verdict (nil, ExitFail for a gated
// metric that failed or was not measured, ExitError for a failed source or
// policy: the files are written either way), and an error when the report
// could not be printed.
func (g *globals) printReport(e *env, p *app.Published) (verdictErr, err error) {
	r := p.Report
	opt := outputOptions(p.App)
	if g.format != "" {
		if err := g.writeReport(e, r, opt); err != nil {
			return nil, exitCode(ExitError, err)
		}
	} else if !g.quiet {
		fmt.Fprintf(e.stdout, "report %s: %s\n", p.Date, summaryLine(r))
		for _, path := range append(p.Files.All(), p.Ledger) {
			fmt.Fprintf(e.stdout, "  wrote %s\n", app.Display(path))
		}
		fmt.Fprintf(e.stdout, "  snapshot %s\n", app.Display(p.SnapshotDir))
	}
	githubActions(e, r, opt)
	_, verdictErr = verdict(p.Snapshot, r, opt)
	return verdictErr, nil
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

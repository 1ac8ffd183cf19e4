package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/periodic"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/report/rollup"
	"github.com/localizevideos/posture/store"
)

func cmdAggregate(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "aggregate",
		Usage: "write the monthly aggregate <reports_dir>/monthly/YYYY-MM.md and .json",
		Description: "Per metric: the month-end value (latest report of the month), min, max and mean over the\n" +
			"month's reports with a value, the number of reports, the status at month end and the change\n" +
			"against the previous month's end. Exit 2 when no report is dated in the month.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "month", Usage: "the month, `YYYY-MM`", Required: true}},
		Action: func(c *cli.Context) error {
			if _, err := rollup.ParseMonth(c.String("month")); err != nil {
				return exitCode(ExitError, err)
			}
			if err := g.checkFormat("aggregate", "table", "json", "markdown"); err != nil {
				return err
			}
			cfg, err := config.Load(g.config)
			if err != nil {
				return exitCode(ExitError, err)
			}
			all, err := history.LoadAll(cfg.ReportsDir)
			if err != nil {
				return exitCode(ExitError, err)
			}
			m, err := rollup.Month(all, c.String("month"))
			if err != nil {
				return exitCode(ExitError, periodError(err, cfg.ReportsDir))
			}
			base := filepath.Join(cfg.ReportsDir, "monthly", m.Month)
			return writeRollup(e, g, base, m, func(b *bytes.Buffer) error { return periodic.Monthly(b, m) })
		},
	}
}

func cmdReview(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "review",
		Usage: "write the quarterly review <reports_dir>/quarterly/YYYY-Qn.md and .json",
		Description: "The three month-end values per metric; the metrics that worsened (quarter end against the\n" +
			"previous quarter's end, else the first month end) or failed, with owners and linked issues\n" +
			"(from <reports_dir>/issues.json when present); exceptions open, expired and expiring by the\n" +
			"end of next quarter; unmeasured metrics; an action list per owner. Exit 2 when no report is\n" +
			"dated in the quarter.",
		Flags: []cli.Flag{&cli.StringFlag{Name: "quarter", Usage: "the quarter, `YYYY-Qn`", Required: true}},
		Action: func(c *cli.Context) error {
			if _, err := rollup.ParseQuarter(c.String("quarter")); err != nil {
				return exitCode(ExitError, err)
			}
			if err := g.checkFormat("review", "table", "json", "markdown"); err != nil {
				return err
			}
			cfg, err := config.Load(g.config)
			if err != nil {
				return exitCode(ExitError, err)
			}
			all, err := history.LoadAll(cfg.ReportsDir)
			if err != nil {
				return exitCode(ExitError, err)
			}
			issues, err := store.LoadIssues(store.IssuesPath(cfg.ReportsDir))
			if err != nil {
				return exitCode(ExitError, err)
			}
			q, err := rollup.Quarter(all, c.String("quarter"), rollup.QuarterOptions{
				TolPct: cfg.TrendTolerancePct, Exceptions: cfg.Exceptions, Issues: issues.Issues})
			if err != nil {
				return exitCode(ExitError, periodError(err, cfg.ReportsDir))
			}
			base := filepath.Join(cfg.ReportsDir, "quarterly", q.Quarter)
			return writeRollup(e, g, base, q, func(b *bytes.Buffer) error { return periodic.Quarterly(b, q) })
		},
	}
}

func periodError(err error, dir string) error {
	if errors.Is(err, rollup.ErrNoReports) {
		return fmt.Errorf("%w dated in it in %s (run `posture report` first)", err, app.Display(dir))
	}
	return err
}

// writeRollup writes <base>.json and <base>.md atomically (both rendered
// first) and prints the paths, or the document in --format json|markdown.
func writeRollup(e *env, g *globals, base string, v any, md func(*bytes.Buffer) error) error {
	switch g.format {
	case "", "table", "json", "markdown":
	default:
		return exitCode(ExitError, fmt.Errorf("--format %q: aggregate and review print json or markdown", g.format))
	}
	var jb, mb bytes.Buffer
	if err := output.EncodeJSON(&jb, v); err != nil {
		return exitCode(ExitError, err)
	}
	if err := md(&mb); err != nil {
		return exitCode(ExitError, err)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{base + ".json", jb.Bytes()}, {base + ".md", mb.Bytes()}} {
		if err := publish.WriteFileAtomic(f.path, f.data); err != nil {
			return exitCode(ExitError, err)
		}
	}
	switch g.format {
	case "json", "markdown":
		doc := jb.Bytes()
		if g.format == "markdown" {
			doc = mb.Bytes()
		}
		if err := g.emit(e, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
			return exitCode(ExitError, err)
		}
		return nil
	}
	if !g.quiet {
		fmt.Fprintf(e.stdout, "wrote %s\nwrote %s\n", app.Display(base+".json"), app.Display(base+".md"))
	}
	return nil
}

package cli

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report/rollup"
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
			return g.rollup(e, func() (*app.Rollup, error) { return app.Aggregate(g.config, c.String("month")) })
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
			return g.rollup(e, func() (*app.Rollup, error) { return app.Review(g.config, c.String("quarter")) })
		},
	}
}

// rollup writes a monthly aggregate or a quarterly review through the
// pipeline and prints the paths, or the document in --format json|markdown.
func (g *globals) rollup(e *env, write func() (*app.Rollup, error)) error {
	switch g.format {
	case "", "table", "json", "markdown":
	default:
		return exitCode(ExitError, fmt.Errorf("--format %q: aggregate and review print json or markdown", g.format))
	}
	ro, err := write()
	if err != nil {
		return exitCode(ExitError, err)
	}
	switch g.format {
	case "json", "markdown":
		doc := ro.JSON
		if g.format == "markdown" {
			doc = ro.Markdown
		}
		if err := g.emit(e, func(w io.Writer) error { _, err := w.Write(doc); return err }); err != nil {
			return exitCode(ExitError, err)
		}
		return nil
	}
	if !g.quiet {
		fmt.Fprintf(e.stdout, "wrote %s\nwrote %s\n", app.Display(ro.JSONPath), app.Display(ro.MarkdownPath))
	}
	return nil
}

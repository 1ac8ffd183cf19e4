package cli

import (
	"github.com/urfave/cli/v2"
)

func cmdBaseline(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "baseline",
		Usage: "record (or with --approve replace) the fingerprints of the watched config files",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "approve", Usage: "replace the existing baseline with the current fingerprints"},
			&cli.StringFlag{Name: "approved-by", Usage: "who approves (default $GITHUB_ACTOR or $USER)"},
		},
		Action: func(c *cli.Context) error {
			return runBaseline(e, g, c.Bool("approve"), c.String("approved-by"))
		},
	}
}

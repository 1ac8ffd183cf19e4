package cli

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/version"
	"github.com/localizevideos/posture/output"
)

func cmdVersion(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print posture's version: the module version and the VCS revision it was built from",
		Description: "Prints `posture <version> (<revision>[, modified])` from the binary's build info (a release\n" +
			"build sets them with -ldflags); `--format json` prints version, revision, modified and go_version.\n" +
			"`posture --version` prints the same line.",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return exitCode(ExitError, fmt.Errorf("version: unexpected argument %q", c.Args().First()))
			}
			return printVersion(e, g)
		},
	}
}

// printVersion prints the version line, or the build info as JSON.
func printVersion(e *env, g *globals) error {
	switch g.format {
	case "", "table", "json":
	default:
		return exitCode(ExitError, fmt.Errorf("version: format %q not supported (table, json)", g.format))
	}
	err := g.emit(e, func(w io.Writer) error {
		if g.format == "json" {
			return output.EncodeJSON(w, version.Get())
		}
		_, err := fmt.Fprintf(w, "posture %s\n", version.String())
		return err
	})
	if err != nil {
		return exitCode(ExitError, err)
	}
	return nil
}

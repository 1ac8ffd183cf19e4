package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
)

func cmdBaseline(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "baseline",
		Usage: "record (or with --approve replace) the fingerprints of the watched config files",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "approve", Usage: "replace the existing baseline with the current fingerprints"},
			&cli.StringFlag{Name: "approved-by", Usage: "who approves the recorded baseline (default $GITHUB_ACTOR, else $USER; required when neither is set)"},
		},
		Action: func(c *cli.Context) error {
			req, err := g.request(e, "")
			if err != nil {
				return err
			}
			w, err := app.WatchedFiles(e.ctx, req)
			if err != nil {
				return failed(err)
			}
			path, current, old := w.Path, w.Current, w.Approved
			exists := old != nil
			if exists && !c.Bool("approve") {
				changes := w.Drift()
				if len(changes) == 0 {
					fmt.Fprintf(e.stdout, "%s: %d files, no drift against the approved baseline\n", app.Display(path), len(current))
					return nil
				}
				fmt.Fprintf(e.stdout, "%s: %d drift events against the baseline approved by %s at %s:\n", app.Display(path), len(changes), old.ApprovedBy, old.ApprovedAt)
				for _, ch := range changes {
					fmt.Fprintf(e.stdout, "  %-8s %s\n", ch.Kind, ch.Path)
				}
				fmt.Fprintln(e.stdout, "run `posture baseline --approve` to approve the current state")
				return nil
			}
			// A baseline says who approved it: never record it anonymously.
			who := approver(c.String("approved-by"), e.getenv)
			if who == "" {
				return exitCode(ExitError, errors.New("baseline: no approver: pass --approved-by NAME (neither $GITHUB_ACTOR nor $USER is set); nothing written"))
			}
			if err := w.Approve(who, time.Now().UTC()); err != nil {
				return exitCode(ExitError, err)
			}
			verb := "recorded"
			if exists {
				verb = "approved (replaced)"
			}
			if !g.quiet {
				fmt.Fprintf(e.stdout, "%s: baseline %s for %d files by %s\n", app.Display(path), verb, len(current), who)
			}
			return nil
		},
	}
}

// approver is who approves a baseline: the --approved-by flag, else
// $GITHUB_ACTOR, else $USER; "" when none is set.
func approver(flag string, getenv func(string) string) string {
	for _, who := range []string{flag, getenv("GITHUB_ACTOR"), getenv("USER")} {
		if who = strings.TrimSpace(who); who != "" {
			return who
		}
	}
	return ""
}

package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
)

func cmdTest(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:      "test",
		Usage:     "run the Rego unit tests of the built-in policies and of the given folders (like opa test)",
		ArgsUsage: "[DIR...]",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every test"}},
		Action: func(c *cli.Context) error {
			dirs := c.Args().Slice()
			if len(dirs) == 0 {
				// Without folders, also test the config's custom policies when there is a config.
				if _, err := os.Stat(g.config); err == nil {
					cfg, err := config.Load(g.config)
					if err != nil {
						return exitCode(ExitError, err)
					}
					dirs = cfg.PolicyDirs
				}
			}
			mods, err := app.LoadModules(nil)
			if err != nil {
				return exitCode(ExitError, err)
			}
			// Like opa test: a folder given without any test is a mistake.
			for _, d := range dirs {
				dm, err := engine.ParseDirs([]string{d}, app.Display)
				if err != nil {
					return exitCode(ExitError, err)
				}
				if !hasTests(dm) {
					return exitCode(ExitError, fmt.Errorf("test: no tests found in %s", d))
				}
				mods = append(mods, dm...)
			}
			results, err := engine.RunTests(e.ctx, mods)
			if errors.Is(err, engine.ErrNoTests) {
				return exitCode(ExitError, fmt.Errorf("test: no tests found"))
			}
			if err != nil {
				return exitCode(ExitError, err)
			}
			pass, fail, errs, skip := 0, 0, 0, 0
			for _, r := range results {
				loc := ""
				if r.Location != nil {
					loc = fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
				}
				switch {
				case r.Error != nil:
					errs++
					fmt.Fprintf(e.stdout, "ERROR %s.%s (%s): %v\n", r.Package, r.Name, loc, r.Error)
				case r.Skip:
					skip++
				case r.Fail:
					fail++
					fmt.Fprintf(e.stdout, "FAIL  %s.%s (%s)\n", r.Package, r.Name, loc)
					if len(r.Output) > 0 {
						fmt.Fprintf(e.stdout, "%s", r.Output)
					}
				default:
					pass++
					if c.Bool("verbose") {
						fmt.Fprintf(e.stdout, "PASS  %s.%s (%s)\n", r.Package, r.Name, r.Duration)
					}
				}
			}
			total := pass + fail + errs
			if !g.quiet || fail+errs > 0 {
				fmt.Fprintf(e.stdout, "PASS: %d/%d", pass, total)
				if fail > 0 {
					fmt.Fprintf(e.stdout, ", FAIL: %d/%d", fail, total)
				}
				if errs > 0 {
					fmt.Fprintf(e.stdout, ", ERROR: %d/%d", errs, total)
				}
				if skip > 0 {
					fmt.Fprintf(e.stdout, ", SKIPPED: %d", skip)
				}
				fmt.Fprintln(e.stdout)
			}
			switch {
			case errs > 0:
				return exitCode(ExitError, fmt.Errorf("test: %d test(s) errored", errs))
			case fail > 0:
				return exitCode(ExitFail, fmt.Errorf("test: %d test(s) failed", fail))
			}
			return nil
		},
	}
}

func hasTests(mods []*engine.Module) bool {
	for _, m := range mods {
		for _, r := range m.Module.Rules {
			if strings.HasPrefix(r.Head.Name.String(), "test_") || strings.HasPrefix(r.Head.Ref().String(), "test_") {
				return true
			}
		}
	}
	return false
}

package cli

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
)

//go:embed all:scaffold
var scaffold embed.FS

func cmdInit(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "scaffold a commented posture.hcl, exceptions.hcl, a policies/ folder with an example custom metric and test, and a GitHub workflow",
		ArgsUsage: "[DIR]",
		Action: func(c *cli.Context) error {
			dir := "."
			if c.NArg() > 0 {
				dir = c.Args().First()
			}
			sub, err := fs.Sub(scaffold, "scaffold")
			if err != nil {
				return exitCode(ExitError, err)
			}
			var files []string
			err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					files = append(files, p)
				}
				return err
			})
			if err != nil {
				return exitCode(ExitError, err)
			}
			// Refuse before writing anything: never overwrite a user's file.
			for _, f := range files {
				target := filepath.Join(dir, filepath.FromSlash(f))
				if _, err := os.Stat(target); err == nil {
					return exitCode(ExitError, fmt.Errorf("init: %s already exists; nothing written", target))
				}
			}
			for _, f := range files {
				b, err := fs.ReadFile(sub, f)
				if err != nil {
					return exitCode(ExitError, err)
				}
				target := filepath.Join(dir, filepath.FromSlash(f))
				if err := WriteFileAtomic(target, b); err != nil {
					return exitCode(ExitError, fmt.Errorf("init: %w", err))
				}
				if !g.quiet {
					fmt.Fprintf(e.stdout, "wrote %s\n", target)
				}
			}
			if !g.quiet {
				fmt.Fprintf(e.stdout, "next: edit %s, then run `posture validate` and `posture eval`\n", filepath.Join(dir, "posture.hcl"))
				fmt.Fprintf(e.stdout, "the gate fails until every gated metric is measured: configure their sources (`posture metrics`) or set gate = false in their metric block\n")
			}
			return nil
		},
	}
}

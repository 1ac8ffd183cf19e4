package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

func cmdVerify(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "check a dated report against the snapshot it was evaluated from (manifest digest, every part's sha256)",
		Description: "A dated report records the sha256 of its snapshot's manifest.json (`snapshot.sha256`), which lists\n" +
			"the sha256 of every part: any number of the report traces to the raw records it came from.\n" +
			"verify reads the report's `snapshot`, then checks the snapshot folder (--snapshot, else the report's\n" +
			"`snapshot.dir`, relative to the config file's folder) without decoding it: manifest.json against the\n" +
			"report's digest, each part against the manifest. No config is needed.\n" +
			"Exit 0 when everything matches, 1 on a mismatch (the file is named), 2 when the report or the\n" +
			"snapshot is missing or unreadable, or the report records no snapshot.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "report", Required: true, Usage: "the dated report `FILE` (<reports_dir>/<date>.json)"},
			&cli.StringFlag{Name: "snapshot", Usage: "the snapshot `DIR` (default: the report's snapshot.dir)"},
		},
		Action: func(c *cli.Context) error {
			path := c.String("report")
			b, err := os.ReadFile(path)
			if err != nil {
				return exitCode(ExitError, err)
			}
			var r report.Report
			if err := json.Unmarshal(b, &r); err != nil {
				return exitCode(ExitError, fmt.Errorf("%s: %w", path, err))
			}
			if r.Snapshot == nil || r.Snapshot.SHA256 == "" {
				return exitCode(ExitError, fmt.Errorf("%s records no snapshot (written before reports carried one, or by eval)", path))
			}
			dir := c.String("snapshot")
			if dir == "" {
				dir = filepath.FromSlash(r.Snapshot.Dir)
				if !filepath.IsAbs(dir) {
					base := "."
					if abs, err := filepath.Abs(g.config); err == nil {
						if _, err := os.Stat(abs); err == nil {
							base = filepath.Dir(abs)
						}
					}
					dir = filepath.Join(base, dir)
				}
			}
			m, err := snapshot.Verify(dir, r.Snapshot.SHA256)
			var mm *snapshot.MismatchError
			switch {
			case errors.As(err, &mm):
				what := "part " + filepath.Base(mm.Path)
				if filepath.Base(mm.Path) == "manifest.json" {
					what = "manifest.json (not the one the report records)"
				}
				return exitCode(ExitFail, fmt.Errorf("%s: snapshot %s does not match: %s: sha256 %s, recorded %s",
					path, app.Display(dir), what, mm.Got, mm.Want))
			case err != nil:
				return exitCode(ExitError, fmt.Errorf("%s: snapshot %s: %w", path, app.Display(dir), err))
			}
			if !g.quiet {
				fmt.Fprintf(e.stdout, "%s: ok — snapshot %s (manifest sha256 %s), %d parts match\n",
					path, app.Display(dir), m.SHA256[:12], len(m.Sources))
			}
			return nil
		},
	}
}

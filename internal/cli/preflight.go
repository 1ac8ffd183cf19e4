package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/output"
)

// Flags are checked before anything is collected: a bad flag costs no
// source read, no API request, and writes nothing. checkGlobals runs before
// every command; the commands check their own flags first thing, and those
// that need the catalogue (gate --metrics, explain METRIC) right after
// loading the config (the checks given to evaluate).

// checkGlobals checks the global flags: --as-of (or POSTURE_AS_OF), that
// --format is one posture knows, and that -o names a file that can be
// created.
func (g *globals) checkGlobals(e *env) error {
	if _, _, err := g.when(e); err != nil {
		return exitCode(ExitError, err)
	}
	if g.format != "" {
		if _, err := output.For(g.format); err != nil {
			return exitCode(ExitError, fmt.Errorf("--format: %w", err))
		}
	}
	if g.output != "" {
		if err := checkOutputPath(g.output); err != nil {
			return exitCode(ExitError, err)
		}
	}
	return nil
}

// checkOutputPath: the path is no folder, and the nearest existing folder
// on its way is one (missing folders are created when the file is written,
// a file in the way is not).
func checkOutputPath(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("-o %s: is a folder, want a file", path)
	}
	for dir := filepath.Dir(path); ; {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return fmt.Errorf("-o %s: %s is not a folder", path, dir)
		case err == nil:
			return nil
		case !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR): // ENOTDIR: a file further up
			return fmt.Errorf("-o %s: %w", path, err)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return nil
		}
		dir = up
	}
}

// checkFormat refuses a --format the command does not print.
func (g *globals) checkFormat(command string, allowed ...string) error {
	if g.format == "" || slices.Contains(allowed, g.format) {
		return nil
	}
	return exitCode(ExitError, fmt.Errorf("%s: format %q not supported (%s)", command, g.format, strings.Join(allowed, ", ")))
}

// knownMetric is a check for evaluate: id must be in the catalogue
// (built-in or custom). flag names the flag or argument in the message.
func knownMetric(flag, id string) func(*app.App) error {
	return func(a *app.App) error {
		for _, m := range a.Metrics {
			if m.ID == id {
				return nil
			}
		}
		return exitCode(ExitError, fmt.Errorf("%s: unknown metric %q (see `posture metrics`)", flag, id))
	}
}

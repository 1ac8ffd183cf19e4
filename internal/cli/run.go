package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/githubapi"
)

// runIssues is the issues step of `posture run` (docs/github-actions.md#kpi-issues-posture-issues): it opens,
// updates, closes and reopens the issues of rr.report. It runs when a
// repository is configured (issues_repository or $GITHUB_REPOSITORY) or a
// token is set; with neither (a local run) it says it skipped. A configured
// repository without a token is an error, never a silent skip.
// `posture run --no-issues` skips it.
var runIssues = func(e *env, g *globals, rr *reportRun) error {
	repo := rr.app.Config.IssuesRepository
	if repo == "" {
		repo = e.getenv("GITHUB_REPOSITORY")
	}
	if repo == "" && githubapi.FromEnv(e.getenv).Token == "" {
		if !g.quiet {
			fmt.Fprintln(e.stderr, "issues: skipped (no issues_repository, GITHUB_REPOSITORY or token; --no-issues silences this)")
		}
		return nil
	}
	return syncIssues(e.ctx, e, g, rr.app, rr.report, rr.files.JSON, false)
}

var authorRE = regexp.MustCompile(`^([^<>]+?)\s*<([^<>\s]+)>$`)

func cmdRun(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "the scheduled job: snapshot, report, issues, and with --commit a git commit of the new report files",
		Description: "Runs `posture report` (snapshot kept in <snapshots_dir>/D/, report files in reports_dir), then the\n" +
			"GitHub issues step unless --no-issues, then with --commit stages and commits ONLY the files this\n" +
			"run wrote under reports_dir and snapshots_dir (`posture: security report D`); nothing to commit\n" +
			"is not an error. The author is --author, else $POSTURE_GIT_AUTHOR, else git's own config.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "commit", Usage: "git commit the report and snapshot files this run wrote"},
			&cli.BoolFlag{Name: "no-issues", Usage: "skip the GitHub issues step"},
			&cli.StringFlag{Name: "author", Usage: "commit author `\"Name <email>\"` (default $POSTURE_GIT_AUTHOR, else git config)"},
		},
		Action: func(c *cli.Context) error {
			author := c.String("author")
			if author == "" {
				author = e.getenv("POSTURE_GIT_AUTHOR")
			}
			if author != "" && !authorRE.MatchString(author) {
				return exitCode(ExitError, fmt.Errorf("--author %q: want \"Name <email>\"", author))
			}
			rr, err := g.report(e, "")
			if err != nil {
				return err
			}
			var problems []string
			// Interrupted after the report: no issues step, no commit.
			if err := e.interrupted(); err != nil {
				return err
			}
			if !c.Bool("no-issues") {
				if err := runIssues(e, g, rr); err != nil {
					problems = append(problems, "issues: "+err.Error())
				}
			}
			if err := e.interrupted(); err != nil {
				return err
			}
			if c.Bool("commit") {
				msg := "posture: security report " + rr.date
				sha, err := gitCommit(rr.written(), msg, author)
				switch {
				case err != nil:
					problems = append(problems, "commit: "+err.Error())
				case sha == "" && !g.quiet:
					fmt.Fprintf(e.stdout, "nothing to commit: the report files are unchanged\n")
				case !g.quiet:
					fmt.Fprintf(e.stdout, "committed %s %q\n", sha, msg)
				}
			}
			if len(problems) > 0 {
				if rr.verdict != nil {
					var ee *exitError
					if errors.As(rr.verdict, &ee) && ee.Err != nil {
						problems = append([]string{ee.Err.Error()}, problems...)
					}
				}
				return exitCode(ExitError, errors.New(strings.Join(problems, "\n")))
			}
			return rr.verdict
		},
	}
}

// gitCommit stages the given paths (files or folders, inside one git work
// tree; ignored ones are left out) and commits only them, whatever else is
// modified or staged. It returns the new commit's short sha, or "" when the
// paths hold nothing new. git runs with explicit arguments, no shell.
func gitCommit(paths []string, msg, author string) (string, error) {
	if len(paths) == 0 {
		return "", nil
	}
	start := paths[0]
	if fi, err := os.Stat(start); err != nil || !fi.IsDir() {
		start = filepath.Dir(start)
	}
	top, err := git(start, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("%s is not inside a git work tree: %w", start, err)
	}
	root, err := filepath.EvalSymlinks(strings.TrimSpace(top))
	if err != nil {
		return "", err
	}
	var rels []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("%s is outside the git work tree %s", p, root)
		}
		rel = filepath.ToSlash(rel)
		ignored, err := gitIgnored(root, rel)
		if err != nil {
			return "", err
		}
		if !ignored {
			rels = append(rels, rel)
		}
	}
	if len(rels) == 0 {
		return "", nil
	}
	pathspec := func(args ...string) []string {
		return append(append(args, "--"), rels...)
	}
	if _, err := git(root, nil, pathspec("add", "-A")...); err != nil {
		return "", err
	}
	if changed, err := gitExit(root, pathspec("diff", "--cached", "--quiet")...); err != nil {
		return "", err
	} else if changed == 0 {
		return "", nil
	}
	args := []string{"commit", "--quiet", "-m", msg}
	var env []string
	if author != "" {
		args = append(args, "--author="+author)
		if _, err := git(root, nil, "var", "GIT_COMMITTER_IDENT"); err != nil {
			// No committer identity configured (a CI runner): commit as the author.
			m := authorRE.FindStringSubmatch(author)
			env = []string{"GIT_COMMITTER_NAME=" + m[1], "GIT_COMMITTER_EMAIL=" + m[2]}
		}
	}
	if _, err := git(root, env, pathspec(args...)...); err != nil {
		return "", err
	}
	sha, err := git(root, nil, "rev-parse", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(sha), nil
}

// gitIgnored reports whether git ignores a path.
func gitIgnored(root, rel string) (bool, error) {
	code, err := gitExit(root, "check-ignore", "--quiet", "--", rel)
	if err != nil {
		return false, err
	}
	return code == 0, nil
}

// git runs git in dir and returns its stdout; a failure carries its stderr.
func git(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GIT_TERMINAL_PROMPT=0"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// gitExit runs git and returns its exit code when it is 0 or 1 (the
// answers of check-ignore and diff --quiet); other failures are errors.
func gitExit(dir string, args ...string) (int, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return 1, nil
	}
	return 0, fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
}

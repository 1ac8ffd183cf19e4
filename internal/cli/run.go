package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/internal/githubapi"
)

// runIssues is the issues step of `posture run` (docs/github-actions.md#kpi-issues-posture-issues): it opens,
// updates, closes and reopens the issues of the written report. It runs when a
// repository is configured (issues_repository or $GITHUB_REPOSITORY) or a
// token is set; with neither (a local run) it says it skipped. A configured
// repository without a token is an error, never a silent skip.
// `posture run --no-issues` skips it.
var runIssues = func(e *env, g *globals, p *app.Published) error {
	repo := p.App.Config.IssuesRepository
	if repo == "" {
		repo = e.getenv("GITHUB_REPOSITORY")
	}
	if repo == "" && githubapi.FromEnv(e.getenv).Token == "" {
		if !g.quiet {
			fmt.Fprintln(e.stderr, "issues: skipped (no issues_repository, GITHUB_REPOSITORY or token; --no-issues silences this)")
		}
		return nil
	}
	return syncIssues(e.ctx, e, g, p.App, p.Report, p.Files.JSON, false)
}

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
			if author != "" && !app.ValidAuthor(author) {
				return exitCode(ExitError, fmt.Errorf("--author %q: want \"Name <email>\"", author))
			}
			req, err := g.request(e, "")
			if err != nil {
				return err
			}
			var verdictErr error
			opt := app.RunOptions{Commit: c.Bool("commit"), Author: author,
				Reported: func(p *app.Published) (err error) {
					verdictErr, err = g.printReport(e, p)
					return err
				}}
			if !c.Bool("no-issues") {
				opt.Issues = func(_ context.Context, p *app.Published) error { return runIssues(e, g, p) }
			}
			ran, err := app.Run(e.ctx, req, opt)
			if err != nil {
				return failed(err)
			}
			var problems []string
			if ran.IssuesErr != nil {
				problems = append(problems, "issues: "+ran.IssuesErr.Error())
			}
			if c.Bool("commit") {
				switch {
				case ran.CommitErr != nil:
					problems = append(problems, "commit: "+ran.CommitErr.Error())
				case ran.Commit == "" && !g.quiet:
					fmt.Fprintf(e.stdout, "nothing to commit: the report files are unchanged\n")
				case !g.quiet:
					fmt.Fprintf(e.stdout, "committed %s %q\n", ran.Commit, ran.CommitMessage)
				}
			}
			if len(problems) > 0 {
				if verdictErr != nil {
					var ee *exitError
					if errors.As(verdictErr, &ee) && ee.Err != nil {
						problems = append([]string{ee.Err.Error()}, problems...)
					}
				}
				return exitCode(ExitError, errors.New(strings.Join(problems, "\n")))
			}
			return verdictErr
		},
	}
}

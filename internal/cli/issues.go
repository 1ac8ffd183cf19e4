package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/actions"
	"github.com/localizevideos/posture/output/issue"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/tracker"
)

// issuesNet holds the network knobs of the issues step; tests replace them
// (a recording sleeper, no pause between writes).
var issuesNet = struct {
	Transport     http.RoundTripper                                // nil: http.DefaultTransport
	Sleep         func(ctx context.Context, d time.Duration) error // nil: a real timer
	WriteInterval time.Duration                                    // pause between two writes
}{WriteInterval: time.Second}

// errNoToken is returned (wrapped, exit 2) when no token is set and the run
// is not a dry run. `posture run` may test it with errors.Is.
var errNoToken = errors.New("GITHUB_TOKEN (or GH_TOKEN) is not set: the issues step needs a token with `issues: write` " +
	"(in GitHub Actions: `permissions: issues: write` and `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`)")

func cmdIssues(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:      "issues",
		Usage:     "open / update / close / reopen the GitHub issues of a report's off-target metrics",
		ArgsUsage: " ",
		Description: "For each metric whose status is fail or whose trend is worsening: one issue in the repository\n" +
			"(--repo, else $GITHUB_REPOSITORY) labelled security-kpi and kpi:<id>, assigned to the owner's GitHub\n" +
			"logins. An open issue is updated (a comment only when the value or the status changed); a metric\n" +
			"back on target gets a comment and its issue closed; a closed one that fails again is reopened.\n" +
			"The report is --report, else <reports_dir>/<--as-of date>.json when --as-of is given, else the\n" +
			"latest <reports_dir>/YYYY-MM-DD.json. Writes <reports_dir>/issues.json (metric -> issue).\n" +
			"Token: $GITHUB_TOKEN or $GH_TOKEN; API: $GITHUB_API_URL (GitHub Enterprise Server works).\n" +
			"--dry-run prints the plan and sends no write request; without a token it reads nothing either\n" +
			"and plans as if no issue existed. Exit 0 done, 2 on any error.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "report", Usage: "report `FILE` (default: the latest <reports_dir>/YYYY-MM-DD.json)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the planned actions; send no write request"},
			&cli.StringFlag{Name: "repo", Usage: "repository of the issues, `owner/repo` (default $GITHUB_REPOSITORY)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return exitCode(ExitError, fmt.Errorf("issues: unexpected argument %q", c.Args().First()))
			}
			switch g.format {
			case "", "table", "json":
			default:
				return exitCode(ExitError, fmt.Errorf("issues: format %q not supported (table, json)", g.format))
			}
			a, err := app.LoadConfig(g.config)
			if err != nil {
				return exitCode(ExitError, err)
			}
			path := c.String("report")
			if path == "" {
				if path, err = g.reportFor(e, a); err != nil {
					return exitCode(ExitError, err)
				}
			}
			r, err := app.ReadReport(path)
			if err != nil {
				return exitCode(ExitError, err)
			}
			asJSON := g.format == "json"
			out := io.Writer(e.stdout)
			var lines bytes.Buffer
			switch {
			case asJSON:
				out = nil // the JSON summary is the output
			case g.output != "":
				out = &lines // the plan / action lines go to the -o file
			}
			s, err := syncIssuesTo(e.ctx, e, g, a, r, path, c.String("repo"), c.Bool("dry-run"), out)
			if s != nil && (asJSON || g.output != "") {
				werr := g.emit(e, func(w io.Writer) error {
					if asJSON {
						return output.EncodeJSON(w, s)
					}
					_, err := w.Write(lines.Bytes())
					return err
				})
				if werr != nil && err == nil {
					err = exitCode(ExitError, werr)
				}
			}
			return err
		},
	}
}

// syncIssues is the issues step of `posture run`: it syncs the issues of
// report r (written to reportPath) with the repository $GITHUB_REPOSITORY,
// prints one line per action (unless quiet; to stderr when --format asks
// for machine output on stdout) and writes <reports_dir>/issues.json.
// Errors carry ExitError; errors.Is(err, errNoToken) tells a missing token.
func syncIssues(ctx context.Context, e *env, g *globals, a *app.App, r *report.Report, reportPath string, dryRun bool) error {
	out := e.stdout
	if g.format != "" && g.format != "table" && g.output == "" {
		out = e.stderr
	}
	_, err := syncIssuesTo(ctx, e, g, a, r, reportPath, "", dryRun, out)
	return err
}

// syncIssuesTo is syncIssues with an explicit repository ("" for
// $GITHUB_REPOSITORY) and the writer of the action lines (nil: none).
func syncIssuesTo(ctx context.Context, e *env, g *globals, a *app.App, r *report.Report, reportPath, repo string, dryRun bool, out io.Writer) (*tracker.Summary, error) {
	if repo == "" && a != nil {
		repo = a.Config.IssuesRepository
	}
	if repo == "" {
		repo = e.getenv("GITHUB_REPOSITORY")
	}
	owner, name, ok := splitRepo(repo)
	if !ok {
		if repo == "" {
			return nil, exitCode(ExitError, errors.New("issues: no repository: give --repo owner/repo or set GITHUB_REPOSITORY"))
		}
		return nil, exitCode(ExitError, fmt.Errorf("issues: repository %q: want owner/repo", repo))
	}
	settings := githubapi.FromEnv(e.getenv)
	token := settings.Token
	offline := token == ""
	if offline && !dryRun {
		return nil, exitCode(ExitError, fmt.Errorf("issues: %w", errNoToken))
	}

	var log io.Writer
	if out != nil && (dryRun || !g.quiet) {
		log = out
	}
	if log != nil {
		switch {
		case dryRun && offline:
			fmt.Fprintf(log, "dry run for %s: no GITHUB_TOKEN or GH_TOKEN, so nothing was read either; "+
				"planned as if the repository had no posture issue and no label\n", repo)
		case dryRun:
			fmt.Fprintf(log, "dry run for %s: nothing is written\n", repo)
		}
	}
	opt := app.IssuesOptions{
		Owner: owner, Repo: name, Token: token, APIURL: settings.APIURL, DryRun: dryRun,
		Link: reportLink(e, reportPath), Log: log,
		Sleep: issuesNet.Sleep, Transport: issuesNet.Transport, WriteInterval: issuesNet.WriteInterval,
	}
	if !g.quiet {
		opt.OnWait = func(w retry.Wait) {
			fmt.Fprintf(e.stderr, "github: %s %s: %s (attempt %d); retrying in %s\n", w.Method, w.URL, w.Reason, w.Attempt, w.Delay.Round(time.Millisecond))
		}
	}
	var serr error
	opt.Synced = func(s *tracker.Summary, err error) {
		serr = err
		for _, w := range summaryWarnings(s) {
			if log == nil && !g.quiet {
				fmt.Fprintf(e.stderr, "posture: warning: %s\n", w)
			}
			if e.getenv("GITHUB_ACTIONS") == "true" {
				actions.Warning(e.stderr, "posture issues", w)
			}
		}
		if s != nil && log != nil && (err == nil || len(s.Actions) > 0) {
			fmt.Fprintln(log, s.Line())
		}
	}
	opt.IndexRebuilt = func(err error) {
		fmt.Fprintf(e.stderr, "posture: warning: %v; rebuilt from this run's issues\n", err)
	}
	s, err := a.Issues(ctx, r, opt)
	if s != nil {
		issuesStepSummary(e, s, serr)
	}
	if err != nil {
		return s, exitCode(ExitError, err)
	}
	return s, nil
}

func summaryWarnings(s *tracker.Summary) []string {
	if s == nil {
		return nil
	}
	return s.Warnings
}

// splitRepo checks "owner/repo".
func splitRepo(s string) (string, string, bool) {
	owner, name, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") || strings.ContainsAny(s, " \t?#") {
		return "", "", false
	}
	return owner, name, true
}

// reportFor picks the report: the --as-of date's when an as-of is given,
// else the latest dated one.
func (g *globals) reportFor(e *env, a *app.App) (string, error) {
	date := ""
	if g.asOf != "" || e.getenv("POSTURE_AS_OF") != "" {
		t, _, err := g.when(e)
		if err != nil {
			return "", err
		}
		date = t.Format("2006-01-02")
	}
	return a.StoredReport(date)
}

// reportLink points issues at the dated Markdown report: inside GitHub
// Actions a URL <server>/<repo>/blob/<branch>/<path in the repository>
// (HEAD, the default branch, when the run is not on a branch), elsewhere the
// path relative to the working directory.
func reportLink(e *env, reportPath string) issue.Link {
	target := reportPath
	if strings.HasSuffix(reportPath, ".json") {
		md := strings.TrimSuffix(reportPath, ".json") + ".md"
		if _, err := os.Stat(md); err == nil {
			target = md
		}
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		abs = target
	}
	server, repo, ws := e.getenv("GITHUB_SERVER_URL"), e.getenv("GITHUB_REPOSITORY"), e.getenv("GITHUB_WORKSPACE")
	if e.getenv("GITHUB_ACTIONS") == "true" && server != "" && repo != "" && ws != "" {
		if wsAbs, err := filepath.Abs(ws); err == nil {
			if rel, err := filepath.Rel(wsAbs, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				ref := "HEAD"
				if strings.HasPrefix(e.getenv("GITHUB_REF"), "refs/heads/") && e.getenv("GITHUB_REF_NAME") != "" {
					ref = e.getenv("GITHUB_REF_NAME")
				}
				rel = filepath.ToSlash(rel)
				u := strings.TrimRight(server, "/") + "/" + repo + "/blob/" + escapeSegments(ref) + "/" + escapeSegments(rel)
				return issue.Link{Text: rel, URL: u}
			}
		}
	}
	return issue.Link{Text: filepath.ToSlash(app.Display(target))}
}

func escapeSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// issuesStepSummary appends the issue actions to $GITHUB_STEP_SUMMARY.
func issuesStepSummary(e *env, s *tracker.Summary, serr error) {
	if e.getenv("GITHUB_ACTIONS") != "true" || (len(s.Actions) == 0 && serr == nil) {
		return
	}
	appendStepSummary(e, func(w io.Writer) error { return actions.IssuesSummary(w, s, serr != nil) })
}

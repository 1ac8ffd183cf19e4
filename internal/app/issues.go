package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/output/issue"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
	"github.com/localizevideos/posture/tracker"
)

// LoadConfig reads the config alone, for the commands that read stored
// reports and need no policy (issues, aggregate, review).
func LoadConfig(path string) (*App, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg}, nil
}

// StoredReport is the path of the dated report of date (YYYY-MM-DD) in the
// reports folder, which must exist; with date "" the latest dated report.
func (a *App) StoredReport(date string) (string, error) {
	dir := a.Config.ReportsDir
	if date != "" {
		p := store.ReportPath(dir, date)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("no report for %s: %s does not exist (run `posture report` first)", date, Display(p))
		}
		return p, nil
	}
	dates, err := store.ReportDates(dir)
	if err != nil {
		return "", err
	}
	if len(dates) == 0 {
		return "", fmt.Errorf("no report in %s (YYYY-MM-DD.json): run `posture report` first, or give --report FILE", Display(dir))
	}
	return store.ReportPath(dir, dates[len(dates)-1]), nil
}

// ReadReport reads a posture.report/v1 JSON file (through its display
// path, the same file, so that errors name it as the user sees it).
func ReadReport(path string) (*report.Report, error) {
	r, err := store.LoadReport(Display(path))
	if err != nil {
		return nil, err
	}
	if _, err := r.AsOfTime(); err != nil {
		return nil, fmt.Errorf("%s: as_of %q: %w", Display(path), r.AsOf, err)
	}
	return r, nil
}

// IssuesOptions configure the issues step
// (docs/github-actions.md#kpi-issues-posture-issues).
type IssuesOptions struct {
	Owner, Repo string     // the repository of the issues
	Token       string     // "" reads nothing: a dry run planned as if no issue existed
	APIURL      string     // GitHub's API ("" for api.github.com)
	DryRun      bool       // plan, send no write request
	Link        issue.Link // where the issues point for the report
	Log         io.Writer  // one line per action (nil: none)
	// OnWait is told each retry's wait; Sleep, Transport and WriteInterval
	// (the pause between two writes) replace the real ones in tests.
	OnWait        func(retry.Wait)
	Sleep         func(ctx context.Context, d time.Duration) error
	Transport     http.RoundTripper
	WriteInterval time.Duration
	// Synced is told the sync's result before the issue index is written.
	Synced func(s *tracker.Summary, err error)
	// IndexRebuilt is told why an unreadable issue index was rebuilt.
	IndexRebuilt func(err error)
}

// Issues opens, updates, closes and reopens the GitHub issues of report r
// (package tracker), then, unless a dry run, merges them into the issue
// index <reports_dir>/issues.json. The error says what failed ("issues:
// ...", with a hint for a refused token), the token redacted.
func (a *App) Issues(ctx context.Context, r *report.Report, opt IssuesOptions) (*tracker.Summary, error) {
	logins := map[string][]string{}
	for _, o := range a.Config.Owners {
		logins[o.Name] = o.GitHub
	}
	var api tracker.Issues
	if opt.Token != "" {
		client, _, err := githubapi.New(githubapi.Options{APIURL: opt.APIURL, Token: opt.Token, Transport: opt.Transport,
			Retry: retry.Options{MaxWait: 5 * time.Minute, Budget: 2000, Sleep: opt.Sleep, OnWait: opt.OnWait}})
		if err != nil {
			return nil, githubapi.RedactError(fmt.Errorf("issues: %w", err), opt.Token)
		}
		api = client.Issues
	}
	s, serr := tracker.New(api, tracker.Options{
		Owner: opt.Owner, Repo: opt.Repo, Logins: logins, Report: opt.Link,
		DryRun: opt.DryRun, Offline: opt.Token == "", Log: opt.Log,
		WriteInterval: opt.WriteInterval, Sleep: opt.Sleep,
	}).Sync(ctx, r)
	if opt.Synced != nil {
		opt.Synced(s, serr)
	}
	var errs []error
	if serr != nil {
		msg := serr.Error()
		if h := tracker.Hint(serr); h != "" {
			msg += " (" + h + ")"
		}
		errs = append(errs, errors.New("issues: "+msg))
	}
	if s != nil && !opt.DryRun && (serr == nil || len(s.Issues) > 0) {
		if err := a.writeIssueIndex(s, opt.IndexRebuilt); err != nil {
			errs = append(errs, fmt.Errorf("issues: %w", err))
		}
	}
	if len(errs) > 0 {
		return s, githubapi.RedactError(errors.Join(errs...), opt.Token)
	}
	return s, nil
}

// writeIssueIndex merges the run's issues into <reports_dir>/issues.json
// (written only when its content changes). An index that cannot be read is
// rebuilt from GitHub's answers, and rebuilt is told (the entries of
// metrics this run did not look at are lost); one written by a newer
// posture is left alone (an error).
func (a *App) writeIssueIndex(s *tracker.Summary, rebuilt func(error)) error {
	path := store.IssuesPath(a.Config.ReportsDir)
	idx, err := store.LoadIssues(path)
	if errors.Is(err, store.ErrNewerFormat) {
		return err
	}
	if err != nil {
		if rebuilt != nil {
			rebuilt(err)
		}
		idx = store.NewIssueIndex()
	}
	return store.SaveIssues(path, idx.Merge(s.Issues))
}

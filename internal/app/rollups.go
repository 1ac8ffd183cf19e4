package app

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/periodic"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/report/rollup"
	"github.com/localizevideos/posture/store"
)

// Rollup is a monthly aggregate or a quarterly review written to the
// reports folder: <base>.json and <base>.md.
type Rollup struct {
	JSONPath, MarkdownPath string
	JSON, Markdown         []byte
}

// Aggregate writes the monthly aggregate of month (YYYY-MM) from the
// dated reports: <reports_dir>/monthly/YYYY-MM.json and .md.
func Aggregate(configPath, month string) (*Rollup, error) {
	a, err := LoadConfig(configPath)
	if err != nil {
		return nil, err
	}
	all, err := history.LoadAll(a.Config.ReportsDir)
	if err != nil {
		return nil, err
	}
	m, err := rollup.Month(all, month)
	if err != nil {
		return nil, periodError(err, a.Config.ReportsDir)
	}
	return writeRollup(filepath.Join(a.Config.ReportsDir, "monthly", m.Month), m,
		func(b *bytes.Buffer) error { return periodic.Monthly(b, m) })
}

// Review writes the quarterly review of quarter (YYYY-Qn) from the dated
// reports, the config's exceptions and the issue index:
// <reports_dir>/quarterly/YYYY-Qn.json and .md.
func Review(configPath, quarter string) (*Rollup, error) {
	a, err := LoadConfig(configPath)
	if err != nil {
		return nil, err
	}
	cfg := a.Config
	all, err := history.LoadAll(cfg.ReportsDir)
	if err != nil {
		return nil, err
	}
	issues, err := store.LoadIssues(store.IssuesPath(cfg.ReportsDir))
	if err != nil {
		return nil, err
	}
	q, err := rollup.Quarter(all, quarter, rollup.QuarterOptions{
		TolPct: cfg.TrendTolerancePct, Exceptions: cfg.Exceptions, Issues: issues.Issues})
	if err != nil {
		return nil, periodError(err, cfg.ReportsDir)
	}
	return writeRollup(filepath.Join(cfg.ReportsDir, "quarterly", q.Quarter), q,
		func(b *bytes.Buffer) error { return periodic.Quarterly(b, q) })
}

func periodError(err error, dir string) error {
	if errors.Is(err, rollup.ErrNoReports) {
		return fmt.Errorf("%w dated in it in %s (run `posture report` first)", err, Display(dir))
	}
	return err
}

// writeRollup writes <base>.json and <base>.md atomically, both rendered
// first.
func writeRollup(base string, v any, md func(*bytes.Buffer) error) (*Rollup, error) {
	var jb, mb bytes.Buffer
	if err := output.EncodeJSON(&jb, v); err != nil {
		return nil, err
	}
	if err := md(&mb); err != nil {
		return nil, err
	}
	r := &Rollup{JSONPath: base + ".json", MarkdownPath: base + ".md", JSON: jb.Bytes(), Markdown: mb.Bytes()}
	for _, f := range []struct {
		path string
		data []byte
	}{{r.JSONPath, r.JSON}, {r.MarkdownPath, r.Markdown}} {
		if err := publish.WriteFileAtomic(f.path, f.data); err != nil {
			return nil, err
		}
	}
	return r, nil
}

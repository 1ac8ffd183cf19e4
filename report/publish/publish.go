// Package publish writes the files of a report in the reports folder
// (written by posture report and posture run): the dated <D>.json and <D>.md, and the files derived from
// the whole history, index.html (the dashboard) and metrics.prom (the latest
// values in OpenMetrics text).
//
// Every file is written atomically (a temporary file in the same folder,
// then a rename). Everything is rendered in memory before the first write,
// so a rendering error leaves the folder untouched; the dated files are
// written first and the derived ones last. Writing the report of a date
// replaces that date's files and the derived files only: the files of other
// dates are never rewritten.
package publish

import (
	"bytes"
	"fmt"
	"github.com/localizevideos/posture/internal/atomicfile"
	"github.com/localizevideos/posture/output/dashboard"
	"path/filepath"

	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/openmetrics"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

// File names of the derived files.
const (
	IndexFile   = "index.html"
	MetricsFile = "metrics.prom"
)

// RenderDashboard renders index.html from every dated report, oldest first
// (a variable so tests can observe what it is given).
var RenderDashboard = dashboard.Write

// Files are the paths written for one report.
type Files struct {
	JSON     string // <dir>/<D>.json
	Markdown string // <dir>/<D>.md
	Index    string // <dir>/index.html
	Metrics  string // <dir>/metrics.prom
}

// All lists the written paths in writing order.
func (f *Files) All() []string { return []string{f.JSON, f.Markdown, f.Index, f.Metrics} }

// Date is the report's as-of date (UTC), YYYY-MM-DD.
func Date(r *report.Report) (string, error) {
	t, err := r.AsOfTime()
	if err != nil {
		return "", fmt.Errorf("report as_of %q: %w", r.AsOf, err)
	}
	return t.UTC().Format("2006-01-02"), nil
}

// Dated renders the dated files of a report: the JSON report (the object
// `eval --format json` prints) and the markdown report with trend charts.
func Dated(r *report.Report) (jsonB, mdB []byte, err error) {
	var j, m bytes.Buffer
	if err := (output.JSON{}).Write(&j, r, output.Options{}); err != nil {
		return nil, nil, err
	}
	if err := (output.Markdown{}).Write(&m, r, output.Options{Charts: true}); err != nil {
		return nil, nil, err
	}
	return j.Bytes(), m.Bytes(), nil
}

// Derived renders index.html and metrics.prom from every dated report,
// oldest first; metrics.prom holds the latest one's values.
func Derived(reports []*report.Report) (index, prom []byte, err error) {
	if len(reports) == 0 {
		return nil, nil, fmt.Errorf("publish: no report to render")
	}
	var ib, pb bytes.Buffer
	if err := RenderDashboard(&ib, reports); err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", IndexFile, err)
	}
	if err := openmetrics.Write(&pb, reports[len(reports)-1]); err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", MetricsFile, err)
	}
	return ib.Bytes(), pb.Bytes(), nil
}

// Write writes r's dated files in dir and regenerates the derived files
// from every dated report stored there (r replacing its date's file).
func Write(dir string, r *report.Report) (*Files, error) {
	if _, err := Date(r); err != nil {
		return nil, err
	}
	stored, err := history.LoadAll(dir)
	if err != nil {
		return nil, err
	}
	return WriteStored(dir, r, stored)
}

// WriteStored is Write with the dated reports of dir loaded already
// (history.LoadAll, and nothing written there since): a report that read
// them for its trends does not read them twice.
func WriteStored(dir string, r *report.Report, stored []history.Dated) (*Files, error) {
	date, err := Date(r)
	if err != nil {
		return nil, err
	}
	var all []*report.Report
	placed := false
	for _, d := range stored {
		switch {
		case d.Date == date:
			continue
		case d.Date > date && !placed:
			all = append(all, r)
			placed = true
		}
		all = append(all, d.Report)
	}
	if !placed {
		all = append(all, r)
	}
	jsonB, mdB, err := Dated(r)
	if err != nil {
		return nil, err
	}
	index, prom, err := Derived(all)
	if err != nil {
		return nil, err
	}
	f := &Files{
		JSON: store.ReportPath(dir, date), Markdown: filepath.Join(dir, date+".md"),
		Index: filepath.Join(dir, IndexFile), Metrics: filepath.Join(dir, MetricsFile),
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{f.JSON, jsonB}, {f.Markdown, mdB}, {f.Index, index}, {f.Metrics, prom}} {
		if err := WriteFileAtomic(w.path, w.data); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// WriteDated writes only r's dated files (for generators that write many
// dates and the derived files once, with WriteDerived).
func WriteDated(dir string, r *report.Report) error {
	date, err := Date(r)
	if err != nil {
		return err
	}
	jsonB, mdB, err := Dated(r)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(store.ReportPath(dir, date), jsonB); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, date+".md"), mdB)
}

// WriteDerived regenerates index.html and metrics.prom from the dated
// reports stored in dir.
func WriteDerived(dir string) error {
	stored, err := history.LoadAll(dir)
	if err != nil {
		return err
	}
	index, prom, err := Derived(history.Reports(stored))
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, IndexFile), index); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, MetricsFile), prom)
}

// WriteFileAtomic writes a file atomically (see atomicfile.Write).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

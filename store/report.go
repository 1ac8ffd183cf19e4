package store

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/localizevideos/posture/report"
)

// The dated reports, <reports_dir>/YYYY-MM-DD.json, are the report.Report
// of each date (the object `posture eval --format json` prints, rendered
// and written by report/publish). Their format version is the report's own
// "schema", report.Schema ("posture.report/v1").

var datedReport = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.json$`)

// ReportPath is where the report of a date (YYYY-MM-DD) is kept:
// <reportsDir>/<date>.json.
func ReportPath(reportsDir, date string) string { return filepath.Join(reportsDir, date+".json") }

// ReportDates lists the dates of the reports kept in reportsDir (the files
// YYYY-MM-DD.json), oldest first. A missing folder has none.
func ReportDates(reportsDir string) ([]string, error) {
	entries, err := os.ReadDir(reportsDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err // *fs.PathError: "open <folder>: …"
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && datedReport.MatchString(e.Name()) {
			out = append(out, e.Name()[:10])
		}
	}
	sort.Strings(out)
	return out, nil
}

// LoadReport reads a report file. A file whose "schema" is not a posture
// report's is an error wrapping ErrOtherSchema (the history skips such
// files), one of a newer report version an error wrapping ErrNewerFormat.
// A missing file is an error too (wrapping fs.ErrNotExist): the report of
// that date was never written.
func LoadReport(path string) (*report.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r report.Report
	if err := decode(path, data, &r); err != nil {
		return nil, err
	}
	if err := checkSchema(path, r.Schema, report.Schema); err != nil {
		return nil, err
	}
	return &r, nil
}

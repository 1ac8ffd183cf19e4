// Command render writes the dashboard (index.html) of a report history:
// the dated reports (YYYY-MM-DD.json) of a folder when -reports is given,
// else a generated 90-day demo history. It needs no posture project.
//
//	go run ./dashboard/internal/demo/render -o /tmp/index.html
//	go run ./dashboard/internal/demo/render -reports reports/ -o reports/index.html
//	go run ./dashboard/internal/demo/render -write-reports /tmp/demo-reports -o /tmp/index.html
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/output/dashboard"
	"github.com/localizevideos/posture/output/dashboard/internal/demo"
	"github.com/localizevideos/posture/report"
)

func main() {
	out := flag.String("o", "index.html", "where to write the dashboard")
	dir := flag.String("reports", "", "read the dated reports (YYYY-MM-DD.json) of this folder instead of generating a demo history")
	write := flag.String("write-reports", "", "also write the generated demo reports as YYYY-MM-DD.json into this folder")
	asOf := flag.String("as-of", "2026-11-27", "demo: the date of the last report")
	days := flag.Int("days", 90, "demo: number of daily reports")
	flag.Parse()

	var reports []*report.Report
	var err error
	if *dir != "" {
		reports, err = load(*dir)
	} else {
		var t time.Time
		t, err = time.Parse("2006-01-02", *asOf)
		if err == nil {
			reports = demo.History(demo.Options{AsOf: t, Days: *days})
			if *write != "" {
				err = writeReports(*write, reports)
			}
		}
	}
	if err == nil {
		var b bytes.Buffer
		if err = dashboard.Write(&b, reports); err == nil {
			err = os.WriteFile(*out, b.Bytes(), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d reports, %d metrics\n", *out, len(reports), len(reports[len(reports)-1].Metrics))
}

// load reads the dated reports of dir (through the store, as posture does).
func load(dir string) ([]*report.Report, error) {
	ds, err := history.LoadAll(dir)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("%s: no dated %s reports", dir, report.Schema)
	}
	return history.Reports(ds), nil
}

func writeReports(dir string, reports []*report.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range reports {
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, r.AsOf[:10]+".json"), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

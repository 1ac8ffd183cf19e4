package publish_test

import (
	"os"
	"testing"

	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/report/publish"
)

// BenchmarkDashboardHistory times what the dashboard costs a report with a
// long history: loading every dated report of $POSTURE_BENCH_HISTORY (a
// reports folder; bench/history.sh writes a year of 10x reports) and
// rendering index.html and metrics.prom from them. Skipped when unset.
func BenchmarkDashboardHistory(b *testing.B) {
	dir := os.Getenv("POSTURE_BENCH_HISTORY")
	if dir == "" {
		b.Skip("POSTURE_BENCH_HISTORY names no reports folder")
	}
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := history.LoadAll(dir); err != nil {
				b.Fatal(err)
			}
		}
	})
	stored, err := history.LoadAll(dir)
	if err != nil {
		b.Fatal(err)
	}
	reports := history.Reports(stored)
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := publish.Derived(reports); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package ledger

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAnnotate annotates a snapshot of 100k open findings with an
// empty ledger (a first report) and with a ledger of 30 daily reports over
// the same keys, a tenth of them fixed and reopened on the way.
func BenchmarkAnnotate(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("CVE-2026-%05d|pkg%d|img%d", i, i%97, i%13)
	}
	asOf := "2026-11-27"
	s := snap(asOf, keys...)
	b.Run("empty", func(b *testing.B) {
		l := New()
		b.ReportAllocs()
		for b.Loop() {
			l.Annotate(s, day(asOf), "vulnerabilities.json")
		}
	})
	b.Run("30days", func(b *testing.B) {
		l := New()
		start := day(asOf).AddDate(0, 0, -30)
		for d := 0; d < 30; d++ {
			date := start.AddDate(0, 0, d).Format(time.DateOnly)
			var ks []string
			for i, k := range keys {
				if i%10 != d%10 || d < 5 {
					ks = append(ks, k)
				}
			}
			record(l, snap(date, ks...))
		}
		b.ReportAllocs()
		for b.Loop() {
			l.Annotate(s, day(asOf), "vulnerabilities.json")
		}
	})
}

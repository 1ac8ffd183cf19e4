package tabular

import (
	"path/filepath"
	"testing"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// BenchmarkCollect reads each table kind from a file of the real samples in
// testdata replicated to about ten thousand rows (ids kept distinct), in
// each of the three table formats:
//
//	go test -run '^$' -bench Collect ./sources/tabular/
func BenchmarkCollect(b *testing.B) {
	for _, c := range []struct{ kind, sample, id string }{
		{"accounts", "accounts.csv", "login"},
		{"incidents", "incidents.csv", "id"},
		{"audit_findings", "audit_findings.csv", "id"},
		{"tokens", "tokens.json", "id"},
		{"alerts", "alerts.jsonl", "id"},
	} {
		b.Run(c.kind+"/"+filepath.Ext(c.sample)[1:], func(b *testing.B) {
			dir := b.TempDir()
			size := sourcetest.Replicate(b, filepath.Join("testdata", c.sample), dir, c.sample, c.id, 2000)
			cfg := &sources.FileConfig{Paths: []string{c.sample}}
			got := sourcetest.BenchCollect(b, c.kind, dir, cfg, size)
			// Every copy's ids are its own, so no record of one copy merges
			// with another's.
			if want := 2000 * sourcetest.Count(b, c.kind, "testdata", cfg); got != want {
				b.Fatalf("%d records from 2000 copies, want %d", got, want)
			}
		})
	}
}

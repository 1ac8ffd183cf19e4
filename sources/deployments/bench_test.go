package deployments

import (
	"path/filepath"
	"testing"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// BenchmarkCollect reads the real samples in testdata (GitHub API JSON with
// creator objects and statuses, CSV with quoted descriptions)
// replicated to several thousand deployments with distinct ids:
//
//	go test -run '^$' -bench Collect ./sources/deployments/
func BenchmarkCollect(b *testing.B) {
	for _, sample := range []string{"deployments.json", "deployments.csv"} {
		b.Run(filepath.Ext(sample)[1:], func(b *testing.B) {
			dir := b.TempDir()
			size := sourcetest.Replicate(b, filepath.Join("testdata", sample), dir, sample, "id", 3000)
			cfg := &sources.FileConfig{Paths: []string{sample}}
			got := sourcetest.BenchCollect(b, "deployments", dir, cfg, size)
			if want := 3000 * sourcetest.Count(b, "deployments", "testdata", cfg); got != want {
				b.Fatalf("%d deployments from 3000 copies, want %d", got, want)
			}
		})
	}
}

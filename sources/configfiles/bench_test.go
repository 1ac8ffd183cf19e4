package configfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// BenchmarkCollect fingerprints 500 watched files: copies of the real
// samples in testdata/a (Kubernetes YAML, JSON, Terraform, nginx.conf),
// each parsed and canonicalised by its format before hashing:
//
//	go test -run '^$' -bench Collect ./sources/configfiles/
func BenchmarkCollect(b *testing.B) {
	dir := b.TempDir()
	samples, err := os.ReadDir(filepath.Join("testdata", "a"))
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for i := range 500 / len(samples) {
		for _, s := range samples {
			data, err := os.ReadFile(filepath.Join("testdata", "a", s.Name()))
			if err != nil {
				b.Fatal(err)
			}
			sourcetest.WriteFile(b, filepath.Join(dir, fmt.Sprintf("svc%03d", i), s.Name()), data)
			size += int64(len(data))
		}
	}
	sourcetest.BenchCollect(b, "config_files", dir, &Config{Paths: []string{"svc*/*"}}, size)
}

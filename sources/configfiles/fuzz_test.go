package configfiles

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzNormalize: never panics, and normalising is idempotent (the
// normalised form of a normalised file is itself), so a baseline is stable.
func FuzzNormalize(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*")
	more, _ := filepath.Glob("testdata/*.*")
	for _, p := range append(files, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, uint8(0))
			f.Add(data, uint8(1))
			f.Add(data, uint8(2))
		}
	}
	formats := []string{"json", "yaml", "text"}
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := formats[int(which)%len(formats)]
		norm, _, err := Normalize("f", format, data)
		if err != nil {
			return
		}
		if format == "yaml" {
			format = "json" // the normal form of YAML is canonical JSON
		}
		again, _, err := Normalize("f", format, norm)
		if err != nil {
			t.Fatalf("normalised %s does not parse: %v\n%q", format, err, norm)
		}
		if !bytes.Equal(norm, again) {
			t.Fatalf("not idempotent:\n%q\n%q", norm, again)
		}
	})
}

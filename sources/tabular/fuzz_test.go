package tabular

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// FuzzReader feeds arbitrary bytes to the table reader in every format and
// exercises every getter: it must never panic, rows must have a line, and
// every error must name the file.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data, uint8(Sniff))
			f.Add(data, uint8(FormatOf(s)))
		}
	}
	f.Add([]byte("id,x\n\"a\"\"b\",1\n"), uint8(CSV))
	f.Add([]byte("{\"id\":1}\n{\"id\":[2]}\n"), uint8(JSONL))
	berlin := sourcetest.Berlin(f)
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		rd := Reader{Required: []string{"id"}, Zone: berlin}
		err := rd.Read(data, "f.x", Format(format%4), func(r *Row) error {
			if r.Line < 1 {
				t.Fatalf("row line %d", r.Line)
			}
			_ = IncidentFromRow(r, "s")
			_, _ = AccountFromRow(r, "s")
			_ = TokenFromRow(r, "s")
			_ = r.List("statuses")
			return r.Err()
		})
		if err != nil && !strings.HasPrefix(err.Error(), "f.x:") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchExceptions writes an exceptions file of n plain blocks, as a team's
// approved-exceptions file looks, and returns its path and contents.
func benchExceptions(b *testing.B, n int) (string, []byte) {
	var src []byte
	for i := range n {
		src = fmt.Appendf(src, "exception \"EXC-%05d\" {\n  metric      = \"high_critical_vulnerabilities\"\n  scope       = \"CVE-2026-%d|openssl|img\"\n  reason      = \"approved\"\n  owner       = \"platform\"\n  approved_by = \"ciso\"\n  expires     = \"2027-01-31\"\n  status      = \"open\"\n}\n\n", i, i)
	}
	path := filepath.Join(b.TempDir(), "exceptions.hcl")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, src
}

// BenchmarkExceptionsFile loads a file of 2,000 exceptions the way a run
// does (the plain fast path when the file allows it). It uses only
// LoadExceptions, so bench/levers.sh can run it on commits from before the
// fast path too.
func BenchmarkExceptionsFile(b *testing.B) {
	path, _ := benchExceptions(b, 2000)
	b.ReportAllocs()
	for b.Loop() {
		excs, err := LoadExceptions(path, "exceptions.hcl")
		if err != nil {
			b.Fatal(err)
		}
		if len(excs) != 2000 {
			b.Fatalf("%d exceptions", len(excs))
		}
	}
}

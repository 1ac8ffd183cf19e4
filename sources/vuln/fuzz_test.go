package vuln

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func seed(f *testing.F, pattern string, extra ...string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, e := range extra {
		f.Add([]byte(e))
	}
}

func check(t *testing.T, parse Parser, data []byte) {
	vs, err := parse("r.json", data)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "r.json:") {
			t.Fatalf("error does not name file and line: %v", err)
		}
		return
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if v.Key != Key(v.ID, v.Package, v.Target) || v.State != "open" || v.ID == "" {
			t.Fatalf("bad record %+v", v)
		}
		if Rank(v.Severity) == 0 && v.Severity != "unknown" {
			t.Fatalf("bad severity %q", v.Severity)
		}
		if seen[v.Key] {
			t.Fatalf("duplicate key %q", v.Key)
		}
		seen[v.Key] = true
		if !strings.HasPrefix(v.Origin, "r.json:") {
			t.Fatalf("bad origin %q", v.Origin)
		}
	}
}

func FuzzTrivy(f *testing.F) {
	seed(f, "testdata/trivy-*.json", `{"Results":[{"Target":"t","Vulnerabilities":null}]}`)
	f.Fuzz(func(t *testing.T, data []byte) { check(t, ParseTrivy, data) })
}

func FuzzGrype(f *testing.F) {
	seed(f, "testdata/grype-*.json", `{"matches":[],"source":{"type":"directory","target":"."}}`)
	f.Fuzz(func(t *testing.T, data []byte) { check(t, ParseGrype, data) })
}

func FuzzGovulncheck(f *testing.F) {
	seed(f, "testdata/govulncheck.json", `{"config":{"scan_level":"module"}}{"finding":{"osv":"GO-1","trace":[{"module":"m"}]}}`)
	f.Fuzz(func(t *testing.T, data []byte) { check(t, ParseGovulncheck, data) })
}

func FuzzSARIF(f *testing.F) {
	seed(f, "testdata/*.sarif", `{"runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"a","properties":{"security-severity":"5"}}]}},"results":[{"ruleIndex":0,"rule":{"toolComponent":{"index":3}}}]}]}`)
	f.Fuzz(func(t *testing.T, data []byte) { check(t, ParseSARIF, data) })
}

func FuzzCVSS(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("7.5")
	f.Fuzz(func(t *testing.T, s string) {
		if score, ok := CVSSScore(s); ok && !(score >= 0 && score <= 10) {
			t.Fatalf("score %v out of range for %q", score, s)
		}
	})
}

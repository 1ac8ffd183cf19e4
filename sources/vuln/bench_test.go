package vuln

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// scaled returns a real scanner report from testdata with its findings
// repeated copies times: grow is given the decoded document and repeats
// the findings array it knows.
func scaled(b *testing.B, sample string, copies int, grow func(doc map[string]any, copies int)) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", sample))
	if err != nil {
		b.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		b.Fatal(err)
	}
	grow(doc, copies)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// repeat returns copies deep copies of the list's elements; vary gives
// each copy its own identity (the parsers merge findings with one key).
func repeat(b *testing.B, list any, copies int, vary func(elem map[string]any, suffix string)) []any {
	xs, _ := list.([]any)
	out := make([]any, 0, len(xs)*copies)
	for c := range copies {
		for _, x := range xs {
			raw, err := json.Marshal(x)
			if err != nil {
				b.Fatal(err)
			}
			var elem map[string]any
			if err := json.Unmarshal(raw, &elem); err != nil {
				b.Fatal(err)
			}
			vary(elem, fmt.Sprintf("-%d", c))
			out = append(out, elem)
		}
	}
	return out
}

// suffix appends sfx to the string at path (keys and array indexes) in a
// decoded JSON document; it reports false when there is none.
func suffix(v any, sfx string, path ...any) bool {
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if i == len(path)-1 {
				s, ok := m[k].(string)
				if ok {
					m[k] = s + sfx
				}
				return ok
			}
			v = m[k]
		case int:
			xs, ok := v.([]any)
			if !ok || k >= len(xs) {
				return false
			}
			v = xs[k]
		}
	}
	return false
}

// govulncheckStream repeats the osv and finding messages of the real
// govulncheck -json stream; config, progress and SBOM stay once.
func govulncheckStream(b *testing.B, copies int) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "govulncheck.json"))
	if err != nil {
		b.Fatal(err)
	}
	var head, body []any
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var msg map[string]any
		if err := dec.Decode(&msg); err != nil {
			b.Fatal(err)
		}
		if msg["finding"] != nil || msg["osv"] != nil {
			body = append(body, msg)
		} else {
			head = append(head, msg)
		}
	}
	var out bytes.Buffer
	write := func(msg any) {
		raw, err := json.MarshalIndent(msg, "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		out.Write(append(raw, '\n'))
	}
	for _, m := range head {
		write(m)
	}
	for _, m := range repeat(b, body, copies, func(msg map[string]any, sfx string) {
		suffix(msg, sfx, "finding", "osv")
		suffix(msg, sfx, "osv", "id")
	}) {
		write(m)
	}
	return out.Bytes()
}

// BenchmarkParse parses each scanner format on a report of a few thousand
// findings built from the real reports in testdata:
//
//	go test -run '^$' -bench Parse ./sources/vuln/
func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name  string
		parse Parser
		doc   func(b *testing.B) []byte
	}{
		{"trivy", ParseTrivy, func(b *testing.B) []byte {
			return scaled(b, "trivy-image.json", 500, func(doc map[string]any, n int) {
				for _, r := range doc["Results"].([]any) {
					r := r.(map[string]any)
					r["Vulnerabilities"] = repeat(b, r["Vulnerabilities"], n, func(v map[string]any, sfx string) {
						suffix(v, sfx, "VulnerabilityID")
					})
				}
			})
		}},
		{"grype", ParseGrype, func(b *testing.B) []byte {
			return scaled(b, "grype-image.json", 750, func(doc map[string]any, n int) {
				doc["matches"] = repeat(b, doc["matches"], n, func(m map[string]any, sfx string) {
					suffix(m, sfx, "vulnerability", "id")
				})
			})
		}},
		{"sarif", ParseSARIF, func(b *testing.B) []byte {
			return scaled(b, "codeql.sarif", 430, func(doc map[string]any, n int) {
				for _, r := range doc["runs"].([]any) {
					r := r.(map[string]any)
					r["results"] = repeat(b, r["results"], n, func(res map[string]any, sfx string) {
						if !suffix(res, sfx, "locations", 0, "physicalLocation", "artifactLocation", "uri") {
							suffix(res, sfx, "ruleId")
						}
					})
				}
			})
		}},
		{"govulncheck", ParseGovulncheck, func(b *testing.B) []byte { return govulncheckStream(b, 500) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			data := c.doc(b)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				vs, err := c.parse(c.name, data)
				if err != nil {
					b.Fatal(err)
				}
				n = len(vs)
			}
			if n < 1000 {
				b.Fatalf("%d findings parsed, want thousands", n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "findings/s")
		})
	}
}

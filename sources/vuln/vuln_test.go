package vuln

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func collect(t *testing.T, kind, base string, paths ...string) (*sources.Result, error) {
	t.Helper()
	env := sources.Env{Name: "scan", BaseDir: base, AsOf: sourcetest.AsOf, Zone: time.UTC}
	return sourcetest.CollectKind(context.Background(), t, kind, &Config{Paths: paths}, env)
}

func mustCollect(t *testing.T, kind string, paths ...string) []snapshot.Vulnerability {
	t.Helper()
	res, err := collect(t, kind, "testdata", paths...)
	require.NoError(t, err)
	for _, v := range res.Data.Vulnerabilities {
		assert.Equal(t, "open", v.State)
		assert.Equal(t, "scan", v.Source)
		assert.Nil(t, v.FirstSeen)
		assert.Nil(t, v.FixedAt)
		assert.Equal(t, v.ID+"|"+v.Package+"|"+v.Target, v.Key)
		assert.Contains(t, []string{"critical", "high", "medium", "low", "unknown"}, v.Severity)
	}
	return res.Data.Vulnerabilities
}

func keys(vs []snapshot.Vulnerability) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Key)
	}
	return out
}

func TestTrivyImage(t *testing.T) {
	vs := mustCollect(t, "trivy", "trivy-image.json")
	const os = "ghcr.io/localizevideos/api:2026.11.3 (debian 12.7)"
	assert.Equal(t, []string{
		"CVE-2024-45490|libexpat1|" + os,
		"CVE-2023-45853|zlib1g|" + os,
		"CVE-2011-3374|apt|" + os,
		"CVE-2024-45338|golang.org/x/net|usr/local/bin/api",
		"CVE-2024-34156|stdlib|usr/local/bin/api",
	}, keys(vs), "null Vulnerabilities and secrets add nothing; duplicate merged")

	expat := vs[0]
	assert.Equal(t, "critical", expat.Severity)
	assert.Equal(t, "2.5.0-1", expat.Version)
	assert.Equal(t, "2.5.0-1+deb12u1", expat.FixedIn)
	assert.Equal(t, "libexpat: Negative Length Parsing Vulnerability in libexpat", expat.Title)
	assert.Equal(t, "trivy", expat.Scanner)
	assert.Equal(t, "trivy-image.json:34", expat.Origin)

	assert.Equal(t, "low", vs[1].Severity)
	assert.Equal(t, "", vs[1].FixedIn)
	assert.Equal(t, "unknown", vs[2].Severity, "UNKNOWN")
	assert.Equal(t, "It was found that apt-key in apt, all versions, do not correctly validate gpg keys with the master keyring,", vs[2].Title, "description's first line when no Title")

	net := vs[3]
	assert.Equal(t, "high", net.Severity, "duplicate key keeps the highest severity")
	assert.Equal(t, "trivy-image.json:116", net.Origin, "…and that record's origin")
	assert.Equal(t, "trivy-image.json:126", vs[4].Origin)
}

func TestTrivyK8sAndClean(t *testing.T) {
	vs := mustCollect(t, "trivy", "trivy-k8s.json", "trivy-fs-clean.json")
	require.Len(t, vs, 1, "same image in two workloads is one finding; Results null is fine")
	assert.Equal(t, "CVE-2023-52425|libexpat1|nginx:1.25.3 (debian 12.4)", vs[0].Key)
	assert.Equal(t, "trivy-k8s.json:14", vs[0].Origin)
	assert.Equal(t, "high", vs[0].Severity)
}

func TestTrivyLegacyK8sAndArtifactFallback(t *testing.T) {
	doc := `{"ClusterName":"c","Vulnerabilities":[{"Namespace":"a","Kind":"Pod","Name":"p","Results":[{"Target":"redis:7","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"x","Severity":"NEGLIGIBLE"}]}]}]}`
	vs, err := ParseTrivy("k.json", []byte(doc))
	require.NoError(t, err)
	require.Len(t, vs, 1)
	assert.Equal(t, "CVE-1|x|redis:7", vs[0].Key)
	assert.Equal(t, "low", vs[0].Severity)

	vs, err = ParseTrivy("a.json", []byte(`{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-2","PkgName":"y","Severity":"HIGH"}]}],"ArtifactName":"repo/x"}`))
	require.NoError(t, err)
	require.Len(t, vs, 1)
	assert.Equal(t, "CVE-2|y|repo/x", vs[0].Key)
}

func TestGrype(t *testing.T) {
	vs := mustCollect(t, "grype", "grype-image.json")
	const img = "ghcr.io/localizevideos/api:2026.11.3"
	assert.Equal(t, []string{
		"GHSA-w32m-9786-jp63|golang.org/x/net|" + img,
		"CVE-2023-4039|libgcc-s1|" + img,
		"CVE-2024-45490|libexpat1|" + img,
	}, keys(vs), "ignoredMatches skipped, the same package in two locations merged")
	assert.Equal(t, "medium", vs[0].Severity)
	assert.Equal(t, "v0.30.0", vs[0].Version)
	assert.Equal(t, "0.33.0", vs[0].FixedIn)
	assert.Equal(t, "grype", vs[0].Scanner)
	assert.Equal(t, "grype-image.json:3", vs[0].Origin)
	assert.Equal(t, "Non-linear parsing of case-insensitive content in golang.org/x/net/html", vs[0].Title)
	assert.Equal(t, "low", vs[1].Severity, "Negligible")
	assert.Equal(t, "**DISPUTED**A failure in the -fstack-protector feature in GCC-based toolchains", vs[1].Title, "related description")
	assert.Equal(t, "", vs[1].FixedIn)
	assert.Equal(t, "critical", vs[2].Severity)
	assert.Equal(t, "grype-image.json:79", vs[2].Origin)

	dir := mustCollect(t, "grype", "grype-dir.json")
	require.Len(t, dir, 1)
	assert.Equal(t, "GHSA-78hx-gp6g-7mj6|jsonwebtoken|./web", dir[0].Key, "directory source: target is a string")
	assert.Equal(t, "grype-dir.json:1", dir[0].Origin)
}

func TestGrypeTargets(t *testing.T) {
	for doc, want := range map[string]string{
		`{"matches":[{"vulnerability":{"id":"X"},"artifact":{"name":"p"}}],"source":{"type":"image","target":{"tags":["app:1"],"imageID":"sha256:1"}}}`: "X|p|app:1",
		`{"matches":[{"vulnerability":{"id":"X"},"artifact":{"name":"p"}}],"source":{"type":"image","target":{"imageID":"sha256:1"}}}`:                  "X|p|sha256:1",
		`{"matches":[{"vulnerability":{"id":"X"},"artifact":{"name":"p"}}],"source":{"type":"unknown","target":"unknown"}}`:                             "X|p|g.json",
		`{"source":{"type":"sbom-file","target":"sbom.spdx.json"},"matches":[{"vulnerability":{"id":"X"},"artifact":{"name":"p"}}]}`:                    "X|p|sbom.spdx.json",
		`{"matches":[{"vulnerability":{"id":"X"},"artifact":{"name":"p"}}]}`:                                                                            "X|p|g.json",
	} {
		vs, err := ParseGrype("g.json", []byte(doc))
		require.NoError(t, err, doc)
		require.Len(t, vs, 1)
		assert.Equal(t, want, vs[0].Key, doc)
	}
}

func TestGovulncheck(t *testing.T) {
	vs := mustCollect(t, "govulncheck", "govulncheck.json")
	assert.Equal(t, []string{
		"GO-2024-3333|golang.org/x/net|govulncheck.json",
		"GO-2023-2102|stdlib|govulncheck.json",
	}, keys(vs), "imported-but-not-called GO-2024-3106 is not open; two traces of 3333 are one")
	n := vs[0]
	assert.Equal(t, "govulncheck.json:194", n.Origin)
	assert.Equal(t, "unknown", n.Severity, "the Go database gives no severity")
	assert.Equal(t, "v0.30.0", n.Version)
	assert.Equal(t, "v0.33.0", n.FixedIn)
	assert.Equal(t, "Non-linear parsing of case-insensitive content in golang.org/x/net/html", n.Title)
	assert.Equal(t, "govulncheck", n.Scanner)
	assert.Equal(t, "high", vs[1].Severity, "database_specific.severity")
	assert.Equal(t, "govulncheck.json:256", vs[1].Origin)
}

func TestGovulncheckScanLevels(t *testing.T) {
	data, err := os.ReadFile("testdata/govulncheck.json")
	require.NoError(t, err)

	pkg := strings.Replace(string(data), `"scan_level": "symbol"`, `"scan_level": "package"`, 1)
	vs, err := ParseGovulncheck("p.json", []byte(pkg))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GO-2024-3333|golang.org/x/net|p.json",
		"GO-2024-3106|stdlib|p.json",
		"GO-2023-2102|stdlib|p.json",
	}, keys(vs))
	assert.Equal(t, "high", vs[1].Severity, "CVSS:3.1 …/A:H scores 7.5")
	assert.Equal(t, "p.json:168", vs[0].Origin)

	mod := strings.Replace(string(data), `"scan_level": "symbol"`, `"scan_level": "module"`, 1)
	vs, err = ParseGovulncheck("m.json", []byte(mod))
	require.NoError(t, err)
	assert.Len(t, vs, 3)
	assert.Equal(t, "m.json:144", vs[0].Origin)
}

func TestSARIFCodeQL(t *testing.T) {
	vs := mustCollect(t, "sarif", "codeql.sarif")
	assert.Equal(t, []string{
		"js/reflected-xss||src/routes/search.js",
		"js/sql-injection||src/db/videos.js",
		"js/insecure-randomness||src/auth/reset-token.js",
		"js/unused-local-variable||src/routes/search.js",
	}, keys(vs), "accepted suppression and baselineState absent skipped; second XSS in the same file merged")
	xss := vs[0]
	assert.Equal(t, "high", xss.Severity, "security-severity 7.8")
	assert.Equal(t, "Reflected cross-site scripting", xss.Title)
	assert.Equal(t, "sarif:codeql", xss.Scanner)
	assert.Equal(t, "", xss.Package)
	assert.Equal(t, "codeql.sarif:130", xss.Origin)
	assert.Equal(t, "high", vs[1].Severity, "8.8, uri from run.artifacts by index")
	assert.Equal(t, "high", vs[2].Severity, "numeric security-severity; underReview suppression still open")
	assert.Equal(t, "low", vs[3].Severity, "no security-severity: level note")
}

func TestSARIFSemgrep(t *testing.T) {
	vs := mustCollect(t, "sarif", "semgrep.sarif")
	require.Len(t, vs, 2, "suppression without status and kind pass skipped")
	assert.Equal(t, "go.lang.security.audit.crypto.use_of_weak_crypto.use-of-md5||internal/cache/key.go", vs[0].Key)
	assert.Equal(t, "medium", vs[0].Severity, "rule default level warning")
	assert.Equal(t, "high", vs[1].Severity, "result level error")
	assert.Equal(t, "sarif:semgrep oss", vs[1].Scanner)
	assert.Equal(t, "semgrep.sarif:7", vs[1].Origin)
}

func TestSARIFRuleResolution(t *testing.T) {
	doc := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[
	 {"id":"R1","properties":{"security-severity":"9.1"}},
	 {"id":"R2","properties":{"security-severity":"3.9"}},
	 {"id":"R3","properties":{"security-severity":"bogus"}}]}},
	"results":[
	 {"ruleIndex":1,"message":{"text":"by index only"}},
	 {"ruleId":"R1/sub","message":{"text":"hierarchical"}},
	 {"ruleId":"R3","level":"error","message":{"text":"unparseable score"}},
	 {"ruleId":"R9","message":{"text":"unknown rule, default level"}},
	 {"ruleId":"R1","ruleIndex":1,"message":{"text":"stale index: id wins"}}
	]}]}`
	vs, err := ParseSARIF("s.sarif", []byte(doc))
	require.NoError(t, err)
	got := map[string]string{}
	for _, v := range vs {
		got[v.ID] = v.Severity
	}
	assert.Equal(t, map[string]string{"R2": "low", "R1/sub": "critical", "R3": "high", "R9": "medium", "R1": "critical"}, got)
}

func TestInvalidJSONNamesLine(t *testing.T) {
	cases := []struct {
		kind, file, content, want string
	}{
		{"trivy", "t.json", "{\n  \"Results\": [\n    {\"Target\": \"x\",\n     \"Vulnerabilities\": [ {\"VulnerabilityID\": \"CVE-1\" ]\n    }\n  ]\n}\n",
			"t.json:4: invalid JSON: invalid character ']' after object key:value pair"},
		{"grype", "g.json", "{\"matches\": [\n", "g.json:1: invalid JSON: unexpected end of JSON input"},
		{"sarif", "s.sarif", "{\"runs\": [\n{\"results\": [\n{\"ruleId\": 5}\n]}]}", "s.sarif:3: ruleId: unexpected JSON number, want a string"},
		{"govulncheck", "v.json", "{\"config\": {}}\n{\n \"finding\": {\"osv\": \"GO-1\",\n}\n}\n", "v.json:4: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{"govulncheck", "v.json", "{\"config\": {}}\n[1]\n", "v.json:2: expected a JSON object (govulncheck -json message)"},
		{"trivy", "t.json", "", "t.json:1: empty report"},
		{"trivy", "t.json", "[]", "t.json:1: expected a JSON object at the top level"},
		{"trivy", "t.json", `{"matches": []}`, "t.json:1: not a Trivy JSON report (no SchemaVersion, ArtifactName or Results)"},
		{"grype", "g.json", `{"Results": []}`, "g.json:1: not a Grype JSON report (no matches)"},
		{"sarif", "s.sarif", `{"version": "2.1.0"}`, "s.sarif:1: not a SARIF log (no runs)"},
		{"govulncheck", "v.json", `{"hello": 1}`, "v.json:1: not a govulncheck -json stream (no config, osv or finding message)"},
		{"trivy", "t.json", "{\"Results\": [{\"Vulnerabilities\": [\n{\"PkgName\": \"x\"}]}]}", "t.json:2: vulnerability without VulnerabilityID"},
		{"trivy", "t.json", "{\"Results\": {\"Target\": \"x\"}}", "t.json:1: expected an array, found an object"},
	}
	for _, c := range cases {
		t.Run(c.kind+"/"+c.want, func(t *testing.T) {
			dir := sourcetest.DirWith(t, c.file, c.content)
			_, err := collect(t, c.kind, dir, c.file)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := collect(t, "trivy", "testdata", "nope/*.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope/*.json: no such file")
}

func TestDedupeAcrossFilesOfOneSource(t *testing.T) {
	dir := t.TempDir()
	a := `{"SchemaVersion":2,"Results":[{"Target":"img","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","Severity":"LOW"}]}]}`
	b := `{"SchemaVersion":2,"Results":[{"Target":"img","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","Severity":"CRITICAL"},{"VulnerabilityID":"CVE-2","PkgName":"p","Severity":"LOW"}]}]}`
	sourcetest.WriteFile(t, filepath.Join(dir, "a.json"), a)
	sourcetest.WriteFile(t, filepath.Join(dir, "b.json"), b)
	res, err := collect(t, "trivy", dir, "*.json")
	require.NoError(t, err)
	vs := res.Data.Vulnerabilities
	require.Len(t, vs, 2)
	assert.Equal(t, "critical", vs[0].Severity)
	assert.Equal(t, "b.json:1", vs[0].Origin)
	assert.Len(t, res.Files, 2)
}

func TestCVSSScore(t *testing.T) {
	for vec, want := range map[string]float64{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H": 9.8,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H": 7.5,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N": 6.1,
		"CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N": 1.8,
		"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H": 9.9,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N": 0,
		"5.3": 5.3,
	} {
		got, ok := CVSSScore(vec)
		require.True(t, ok, vec)
		assert.InDelta(t, want, got, 1e-9, vec)
	}
	for _, bad := range []string{"", "AV:N/AC:L", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:3.1/AV:N/AC:L", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "11", "NaN"} {
		_, ok := CVSSScore(bad)
		assert.False(t, ok, bad)
	}
}

func TestSeverityMapping(t *testing.T) {
	for in, want := range map[string]string{"CRITICAL": "critical", "High": "high", "moderate": "medium", "Negligible": "low", "UNKNOWN": "unknown", "": "unknown", "weird": "unknown"} {
		assert.Equal(t, want, NormalizeSeverity(in), in)
	}
	for score, want := range map[float64]string{9.0: "critical", 8.99: "high", 7.0: "high", 4.0: "medium", 3.9: "low", 0: "low"} {
		assert.Equal(t, want, FromScore(score), score)
	}
}

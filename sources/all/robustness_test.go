package all_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	_ "github.com/localizevideos/posture/sources/all"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// kindSpec is a file source kind as the robustness table feeds it: a small
// valid input written from a template whose {Y} (a year), {N} (a number)
// and {S} (a text value) the cases replace.
type kindSpec struct {
	kind string
	ext  string // extension of the input file
	log  bool   // a log kind: unknown lines are skipped and counted
	tmpl string
}

var good = map[string]string{"{Y}": "2026", "{N}": "1", "{S}": "alice"}

func (k kindSpec) fill(vals map[string]string) []byte {
	s := k.tmpl
	for key, def := range good {
		v, ok := vals[key]
		if !ok {
			v = def
		}
		s = strings.ReplaceAll(s, key, v)
	}
	return []byte(s)
}

// specs are every file source kind (the registry's kinds whose config has
// `paths`; not the API and network ones such as github, headers, tls). config_files is fed twice: JSON and YAML
// are parsed, other files are only fingerprinted as text.
var specs = []kindSpec{
	{kind: "sshd_log", ext: ".log", log: true, tmpl: "" +
		"{Y}-11-27T03:12:01Z host sshd[77]: Failed password for {S} from 203.0.113.7 port 22 ssh2\n" +
		"{Y}-11-27T03:12:02Z host sshd[78]: message repeated {N} times: [ Failed password for root from 203.0.113.8 port 22 ssh2]\n"},
	{kind: "nginx_access_log", ext: ".log", log: true, tmpl: "" +
		`203.0.113.9 - {S} [27/Nov/{Y}:03:12:01 +0000] "GET /admin HTTP/1.1" 403 {N} "-" "curl/8.5.0"` + "\n" +
		`203.0.113.9 - - [27/Nov/2026:03:12:02 +0000] "GET /api HTTP/1.1" 429 153 "-" "curl/8.5.0"` + "\n"},
	{kind: "nginx_error_log", ext: ".log", log: true, tmpl: "" +
		`{Y}/11/27 03:12:01 [error] {N}#1: *5678 limiting requests, excess: 10.520 by zone "{S}", client: 203.0.113.9, server: x, request: "GET / HTTP/1.1", host: "x"` + "\n" +
		`2026/11/27 03:12:02 [error] 12#1: *5679 limiting requests, excess: 1.000 by zone "api", client: 203.0.113.8, server: x, request: "GET / HTTP/1.1", host: "x"` + "\n"},
	{kind: "app_log", ext: ".log", log: true, tmpl: "" +
		`{"datetime": "{Y}-11-27T03:12:01Z", "event": "authn_login_fail:{S}", "source_ip": "203.0.113.9", "port": {N}}` + "\n" +
		`{"datetime": "2026-11-27T03:12:02Z", "event": "authz_fail:bob,/admin", "source_ip": "203.0.113.9"}` + "\n"},
	{kind: "fail2ban_log", ext: ".log", log: true, tmpl: "" +
		"{Y}-11-27 03:12:02,001 fail2ban.actions        [{N}]: NOTICE  [{S}] Ban 203.0.113.9\n" +
		"2026-11-27 03:12:03,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 198.51.100.7\n"},
	{kind: "accounts", ext: ".csv", tmpl: "" +
		"system,login,role,privileged,status,mfa,created_at,last_active_at\n" +
		"okta,{S},admin,{N},active,true,{Y}-01-01,2026-11-20\n" +
		"okta,bob,user,false,active,true,2025-01-01,2026-11-20\n"},
	{kind: "tokens", ext: ".json", tmpl: "[\n" +
		`  {"id": {N}, "account": "{S}", "created_at": "{Y}-09-01T00:00:00Z", "expires_at": "2026-11-30T00:00:00Z", "revoked": false},` + "\n" +
		`  {"id": "t2", "account": "bob", "created_at": "2026-01-15", "expires_at": null, "revoked": "no"}` + "\n]\n"},
	{kind: "incidents", ext: ".json", tmpl: "{\"meta\": {\"n\": {N}}, \"incidents\": [\n" +
		`  {"id": "INC-1", "title": "{S}", "severity": "SEV-1", "started_at": "{Y}-11-03T02:10:00Z", "detected_at": "2026-11-03T04:40:00Z"},` + "\n" +
		`  {"id": "INC-2", "title": "leak", "severity": "sev2", "started_at": "2026-11-10 08:00", "detected_at": "2026-11-10 09:30"}` + "\n]}\n"},
	{kind: "alerts", ext: ".jsonl", tmpl: "" +
		`{"id": {N}, "fired_at": "{Y}-11-03T04:38:12Z", "incident_id": "{S}"}` + "\n" +
		`{"id": "a-2", "fired_at": "2026-11-04T11:02:00Z", "incident_id": null}` + "\n"},
	{kind: "audit_findings", ext: ".csv", tmpl: "" +
		"id;title;severity;status;opened_at;closed_at\n" +
		"AUD-{N};{S};High;OPEN;{Y}-10-15;\n" +
		"AUD-8;MFA not enforced;Critical;Closed;2026-09-01;2026-11-02\n"},
	{kind: "deployments", ext: ".json", tmpl: "[\n" +
		`  {"id": {N}, "environment": "production", "sha": "abc", "creator": {"login": "{S}"}, "created_at": "{Y}-11-20T09:00:00Z", "status": "success"},` + "\n" +
		`  {"id": "9", "environment": "production", "sha": "def", "creator": "bob", "created_at": "2026-11-21T09:00:00Z", "status": "failure"}` + "\n]\n"},
	{kind: "trivy", ext: ".json", tmpl: `{"SchemaVersion": {N}, "ArtifactName": "{S}", "CreatedAt": "{Y}-11-27T03:12:01Z", "Results": [` + "\n" +
		`  {"Target": "app", "Vulnerabilities": [` + "\n" +
		`    {"VulnerabilityID": "CVE-2026-1", "PkgName": "openssl", "Severity": "HIGH", "Title": "{S}"},` + "\n" +
		`    {"VulnerabilityID": "CVE-2026-2", "PkgName": "zlib", "Severity": "LOW"}` + "\n" +
		"  ]}\n]}\n"},
	{kind: "grype", ext: ".json", tmpl: `{"matches": [` + "\n" +
		`  {"vulnerability": {"id": "GHSA-1", "severity": "High", "description": "{S}", "cvss": [{"metrics": {"baseScore": {N}}}]}, "artifact": {"name": "jwt", "version": "8"}},` + "\n" +
		`  {"vulnerability": {"id": "GHSA-2", "severity": "Low"}, "artifact": {"name": "lodash", "version": "4"}}` + "\n" +
		`], "source": {"type": "directory", "target": "./web"}, "descriptor": {"name": "grype", "timestamp": "{Y}-11-27T03:12:01Z"}}` + "\n"},
	{kind: "govulncheck", ext: ".json", tmpl: "" +
		`{"config": {"scan_level": "symbol", "db_last_modified": "{Y}-11-25T19:01:44Z"}}` + "\n" +
		`{"progress": {"message": "{S}", "n": {N}}}` + "\n" +
		`{"osv": {"id": "GO-2024-1", "summary": "{S}"}}` + "\n" +
		`{"finding": {"osv": "GO-2024-1", "fixed_version": "v0.33.0", "trace": [{"module": "golang.org/x/net", "version": "v0.30.0", "function": "Parse"}]}}` + "\n" +
		`{"finding": {"osv": "GO-2024-1", "trace": [{"module": "stdlib", "version": "v1.22.5", "function": "Get"}]}}` + "\n"},
	{kind: "sarif", ext: ".sarif", tmpl: `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Semgrep", "rules": [` + "\n" +
		`  {"id": "r1", "properties": {"security-severity": {N}}}` + "\n" +
		`]}}, "invocations": [{"startTimeUtc": "{Y}-11-27T03:12:01Z"}], "results": [` + "\n" +
		`  {"ruleId": "r1", "message": {"text": "{S}"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.go"}}}]},` + "\n" +
		`  {"ruleId": "r2", "level": "error", "message": {"text": "x"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "b.go"}}}]}` + "\n" +
		"]}]}\n"},
	{kind: "config_files", ext: ".json", tmpl: `{"n": {N}, "s": "{S}", "t": "{Y}-01-01"}` + "\n"},
	{kind: "config_files", ext: ".yaml", tmpl: "n: {N}\ns: \"{S}\"\nt: {Y}-01-01\n"},
}

// The cases. Those that replace a placeholder of the template keep the rest
// of the valid input, so what the source still reads is checked too.
type input struct {
	name string
	// content of the input file (nil: setup writes something else)
	content func(k kindSpec) []byte
	// setup prepares dir otherwise and returns the configured paths
	// (nil: the file input<ext> holding content).
	setup func(t *testing.T, k kindSpec, dir string) []string
	// heap is the most the heap may grow while the source collects.
	heap uint64
	// same: the records are those of the valid input.
	same bool
}

const (
	mib         = 1 << 20
	bombSize    = 1 << 30 // what the gzip bomb inflates to
	defaultHeap = 128 * mib
)

func garbage() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for range 200 {
		n := 1 + r.IntN(300)
		for range n {
			c := byte(r.Uint32())
			if c == '\n' || c == '\r' {
				c = 0xFF
			}
			b = append(b, c)
		}
		b = append(b, '\n')
	}
	b[0] = 0xFE // not '[' nor '{' (a sniffed table would read JSON)
	return b
}

func withYear(y string) func(kindSpec) []byte {
	return func(k kindSpec) []byte { return k.fill(map[string]string{"{Y}": y}) }
}

func withNumber(n string) func(kindSpec) []byte {
	return func(k kindSpec) []byte { return k.fill(map[string]string{"{N}": n}) }
}

// insertLine puts line after the first line of data.
func insertLine(data, line []byte) []byte {
	i := bytes.IndexByte(data, '\n') + 1
	return slices.Concat(data[:i], line, []byte("\n"), data[i:])
}

// bomb is a gzip stream of bombSize zero bytes in about a megabyte: copies
// of one member inflating to a megabyte (a reader reads the members of a
// stream one after the other).
func bomb(t *testing.T) []byte {
	t.Helper()
	return bytes.Repeat(sourcetest.Gzip(t, make([]byte, mib)), bombSize/mib)
}

var inputs = []input{
	{name: "valid", content: func(k kindSpec) []byte { return k.fill(nil) }},
	{name: "binary garbage", content: func(kindSpec) []byte { return garbage() }},
	{name: "NUL bytes", content: func(kindSpec) []byte { return bytes.Repeat(append(make([]byte, 64), '\n'), 100) }},
	{name: "10 MB line", content: func(k kindSpec) []byte { return insertLine(k.fill(nil), bytes.Repeat([]byte("x"), 10*mib)) }},
	// A value longer than the longest log line kept (files.MaxLine).
	{name: "2 MB value", content: func(k kindSpec) []byte { return k.fill(map[string]string{"{S}": strings.Repeat("v", 2*mib)}) }},
	{name: "invalid UTF-8", content: func(k kindSpec) []byte { return k.fill(map[string]string{"{S}": "al\xffi\xc3(ce"}) }},
	{name: "UTF-8 BOM", same: true, content: func(k kindSpec) []byte { return append([]byte("\uFEFF"), k.fill(nil)...) }},
	{name: "CRLF", same: true, content: func(k kindSpec) []byte { return bytes.ReplaceAll(k.fill(nil), []byte("\n"), []byte("\r\n")) }},
	{name: "empty", content: func(kindSpec) []byte { return nil }},
	{name: "directory matched by the glob", same: true, setup: func(t *testing.T, k kindSpec, dir string) []string {
		sourcetest.WriteFile(t, filepath.Join(dir, "input"+k.ext), k.fill(nil))
		require.NoError(t, os.Mkdir(filepath.Join(dir, "input.d"), 0o755))
		return []string{"input*"}
	}},
	{name: "directory", setup: func(t *testing.T, k kindSpec, dir string) []string {
		require.NoError(t, os.Mkdir(filepath.Join(dir, "input"+k.ext), 0o755))
		return []string{"input" + k.ext}
	}},
	{name: "unreadable", setup: func(t *testing.T, k kindSpec, dir string) []string {
		if os.Geteuid() == 0 {
			t.Skip("running as root: a file without permissions is still readable")
		}
		p := filepath.Join(dir, "input"+k.ext)
		sourcetest.WriteFile(t, p, k.fill(nil))
		require.NoError(t, os.Chmod(p, 0))
		return []string{"input" + k.ext}
	}},
	{name: "FIFO", setup: func(t *testing.T, k kindSpec, dir string) []string {
		p := filepath.Join(dir, "input"+k.ext)
		require.NoError(t, syscall.Mkfifo(p, 0o644))
		t.Cleanup(func() {
			// Unblock a reader stuck waiting for a writer.
			if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
		})
		return []string{"input" + k.ext}
	}},
	{name: "symlink loop", setup: func(t *testing.T, k kindSpec, dir string) []string {
		require.NoError(t, os.Symlink("input"+k.ext, filepath.Join(dir, "input"+k.ext)))
		return []string{"input" + k.ext}
	}},
	{name: "truncated gzip", setup: func(t *testing.T, k kindSpec, dir string) []string {
		z := sourcetest.Gzip(t, bytes.Repeat(k.fill(nil), 50))
		sourcetest.WriteFile(t, filepath.Join(dir, "input"+k.ext+".gz"), z[:len(z)*2/3])
		return []string{"input" + k.ext + ".gz"}
	}},
	{name: "gzip", same: true, setup: func(t *testing.T, k kindSpec, dir string) []string {
		sourcetest.WriteFile(t, filepath.Join(dir, "input"+k.ext+".gz"), sourcetest.Gzip(t, k.fill(nil)))
		return []string{"input" + k.ext + ".gz"}
	}},
	{name: "gzip bomb", heap: 16 * mib, setup: func(t *testing.T, k kindSpec, dir string) []string {
		sourcetest.WriteFile(t, filepath.Join(dir, "input"+k.ext+".gz"), bomb(t))
		return []string{"input" + k.ext + ".gz"}
	}},
	{name: "deeply nested JSON", content: func(kindSpec) []byte {
		return []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n")
	}},
	{name: "deeply nested JSON value", content: func(k kindSpec) []byte {
		return k.fill(map[string]string{"{N}": strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)})
	}},
	// Deep, but within what JSON readers take (10000 levels).
	{name: "nested 5000 deep value", content: func(k kindSpec) []byte {
		return k.fill(map[string]string{"{N}": strings.Repeat(`[`, 5000) + "1" + strings.Repeat("]", 5000)})
	}},
	{name: "year 0", content: withYear("0000")},
	{name: "year 99999", content: withYear("99999")},
	{name: "negative year", content: withYear("-0001")},
	{name: "1e400", content: withNumber("1e400")},
	{name: "2^70", content: withNumber("1180591620717411303424")},
}

// The table feeds every file source kind (a kind whose config reads
// `paths`): a new one must join it.
func TestRobustnessCoversEveryFileKind(t *testing.T) {
	var fileKinds, fed []string
	for _, name := range sources.Kinds() {
		k, _ := sources.Lookup(name)
		if readsPaths(k.NewConfig()) {
			fileKinds = append(fileKinds, name)
		}
	}
	for _, k := range specs {
		if !slices.Contains(fed, k.kind) {
			fed = append(fed, k.kind)
		}
	}
	slices.Sort(fed)
	assert.Equal(t, fileKinds, fed)
}

// TestRobustness feeds every file source kind every kind of bad input and
// checks what it gives, precisely (want): never a panic, a hang or
// unbounded memory, but either records (log lines that match nothing are
// skipped and counted) or an error naming the file, and the line where
// there is one. ROBUST_OBSERVE=1 prints what each case gives instead.
func TestRobustness(t *testing.T) {
	observe := os.Getenv("ROBUST_OBSERVE") != ""
	if observe {
		hardDeadline = 2 * time.Second
	}
	var report strings.Builder
	start := time.Now()
	for _, k := range specs {
		var valid []byte // the valid input's records
		for _, in := range inputs {
			name := k.kind + k.ext + "/" + in.name
			t.Run(name, func(t *testing.T) {
				got, res := runCase(t, k, in)
				if observe {
					fmt.Fprintf(&report, "%-40s %s\n", name, got)
					return
				}
				w := wanted(k, in.name)
				if re, ok := strings.CutPrefix(w, "error~ "); ok {
					assert.Regexp(t, "^error "+re+"$", got)
				} else {
					assert.Equal(t, w, got)
				}
				if res == nil {
					return
				}
				data := recordsJSON(t, k, res)
				assert.JSONEq(t, string(data), string(recordsJSON(t, k, roundTrip(t, k, res))), "the records read back from a snapshot")
				switch {
				case in.name == "valid":
					valid = data
				case in.same && !(k.kind == "config_files" && strings.HasPrefix(in.name, "gzip")):
					assert.JSONEq(t, string(valid), string(data), "the records of the valid input")
				}
			})
		}
	}
	if observe {
		t.Logf("\n%s", report.String())
	}
	t.Logf("%d kinds × %d cases in %v", len(specs), len(inputs), time.Since(start).Round(time.Millisecond))
}

// wanted returns the outcome expected of a kind for a case: "ok <records>
// <skipped lines>", "error <message>" or "error~ <regexp>", {file} being
// the input file's name. The rows of a case are tried in this order: the
// kind with its input's extension, the kind, "log" or "structured", "*".
func wanted(k kindSpec, input string) string {
	rows := want[input]
	class := "structured"
	if k.log {
		class = "log"
	}
	for _, key := range []string{k.kind + k.ext, k.kind, class, "*"} {
		if w, ok := rows[key]; ok {
			if re, isRe := strings.CutPrefix(w, "error~ "); isRe {
				return "error~ " + strings.ReplaceAll(re, "{file}", regexp.QuoteMeta("input"+k.ext))
			}
			return strings.ReplaceAll(w, "{file}", "input"+k.ext)
		}
	}
	return "(no outcome listed)"
}

// roundTrip writes the result in a snapshot and reads it back.
func roundTrip(t *testing.T, k kindSpec, res *sources.Result) *sources.Result {
	dir := filepath.Join(t.TempDir(), "snapshot")
	part := &snapshot.Part{Source: "src", Kind: k.kind, SkippedLines: res.SkippedLines, Files: res.Files, Data: res.Data}
	_, err := snapshot.Write(dir, "p", &snapshot.Snapshot{AsOf: sourcetest.AsOf, Parts: []*snapshot.Part{part}})
	require.NoError(t, err)
	back, _, err := snapshot.Read(dir)
	require.NoError(t, err)
	require.Len(t, back.Parts, 1)
	return &sources.Result{Data: back.Parts[0].Data, SkippedLines: back.Parts[0].SkippedLines, Files: back.Parts[0].Files}
}

// recordsJSON renders the records of a result, named as if read from the
// plain input file.
func recordsJSON(t *testing.T, k kindSpec, res *sources.Result) []byte {
	b, err := json.Marshal(res.Data)
	require.NoError(t, err)
	return bytes.ReplaceAll(b, []byte("input"+k.ext+".gz"), []byte("input"+k.ext))
}

// want is the outcome of every (kind, case); see wanted.
var want = map[string]map[string]string{
	"valid": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"binary garbage": {
		"log":               `ok 0 200`,
		"structured":        `error {file}:1: invalid JSON: invalid character 'þ' looking for beginning of value`,
		"accounts":          `error {file}:1: invalid CSV: bare " in non-quoted-field`,
		"tokens":            `error {file}:1: expected a JSON array of objects`,
		"incidents":         `error {file}:1: expected a JSON array of objects`,
		"audit_findings":    `error {file}:1: invalid CSV: bare " in non-quoted-field`,
		"deployments":       `error {file}:1: expected a JSON array of objects`,
		"config_files.yaml": `error {file}:1: invalid YAML: not valid UTF-8`,
	},
	"NUL bytes": {
		"log":               `ok 0 100`,
		"structured":        `error {file}:1: invalid JSON: invalid character '\x00' looking for beginning of value`,
		"accounts":          `error {file}:1: required column missing (column system)`,
		"tokens":            `error {file}:1: expected a JSON array of objects`,
		"incidents":         `error {file}:1: expected a JSON array of objects`,
		"audit_findings":    `error {file}:1: required column missing (column id)`,
		"deployments":       `error {file}:1: expected a JSON array of objects`,
		"config_files.yaml": `error {file}:1: invalid YAML: control characters are not allowed`,
	},
	"10 MB line": {
		"log":               `ok 2 1`,
		"structured":        `error {file}:2: invalid JSON: invalid character 'x' looking for beginning of value`,
		"accounts":          `error {file}:2: wrong number of fields: 1, the header has 8`,
		"audit_findings":    `error {file}:2: wrong number of fields: 1, the header has 6`,
		"config_files.json": `error {file}:2: invalid JSON: invalid character 'x' after top-level value`,
		"config_files.yaml": `error {file}:3: invalid YAML: could not find expected ':'`,
	},
	"2 MB value": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"nginx_error_log":   `ok 2 0`,
		"fail2ban_log":      `ok 1 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"invalid UTF-8": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `error {file}:2: invalid YAML: not valid UTF-8`,
	},
	"UTF-8 BOM": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"CRLF": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"empty": {
		"*":                 `ok 0 0`,
		"trivy":             `error {file}:1: empty report`,
		"grype":             `error {file}:1: empty report`,
		"govulncheck":       `error {file}:1: empty report`,
		"sarif":             `error {file}:1: empty report`,
		"config_files.json": `error {file}:1: invalid JSON: unexpected end of JSON input`,
		"config_files.yaml": `ok 1 0`,
	},
	"directory matched by the glob": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"directory": {
		"*": `error {file}: is a directory, not a file`,
	},
	"unreadable": {
		"*": `error {file}: permission denied`,
	},
	"FIFO": {
		"*": `error {file}: not a regular file (a named pipe)`,
	},
	"symlink loop": {
		"*": `error {file}: too many levels of symbolic links`,
	},
	"truncated gzip": {
		"log":               `error~ {file}\.gz:\d+: truncated or corrupt gzip: unexpected EOF`,
		"structured":        `error {file}.gz: truncated or corrupt gzip: unexpected EOF`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"gzip": {
		"*":                 `ok 2 0`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"gzip bomb": {
		"log":               `ok 0 1`,
		"structured":        `error {file}.gz: decompresses to more than 256 MiB, the most a structured file may hold`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"deeply nested JSON": {
		"log":               `ok 0 1`,
		"structured":        `error {file}:1: invalid JSON: invalid character '[' exceeded max depth`,
		"accounts":          `error {file}:1: required column missing (column system)`,
		"audit_findings":    `error {file}:1: required column missing (column id)`,
		"config_files.yaml": `error {file}:1: invalid YAML: exceeded max depth of 10000`,
	},
	"deeply nested JSON value": {
		"log":               `ok 1 1`,
		"structured":        `error {file}:2: invalid JSON: invalid character '{' exceeded max depth`,
		"accounts":          `error {file}:2: invalid CSV: bare " in non-quoted-field`,
		"incidents":         `error {file}:1: invalid JSON: invalid character '{' exceeded max depth`,
		"alerts":            `error {file}:1: invalid JSON: invalid character '{' exceeded max depth`,
		"audit_findings":    `error {file}:2: invalid CSV: bare " in non-quoted-field`,
		"trivy":             `error {file}:1: invalid JSON: invalid character '{' exceeded max depth`,
		"config_files.json": `error {file}:1: invalid JSON: invalid character '{' exceeded max depth`,
		"config_files.yaml": `error {file}:1: invalid YAML: exceeded max depth of 10000`,
	},
	"nested 5000 deep value": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"app_log":           `ok 2 0`,
		"accounts":          `error~ {file}:2: invalid boolean "\[{40}…" \(column privileged\)`,
		"tokens":            `error {file}:2: expected a string, number, boolean or null, found an array (column id)`,
		"alerts":            `error {file}:1: expected a string, number, boolean or null, found an array (column id)`,
		"deployments":       `error {file}:2: expected a string, number, boolean or null, found an array (column id)`,
		"config_files.json": `error {file}:1: nested deeper than 1000 levels`,
		"config_files.yaml": `error {file}:1: invalid YAML: nested deeper than 1000 levels`,
	},
	"year 0": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"sshd_log":          `ok 0 2`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"year 99999": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"sshd_log":          `ok 0 2`,
		"accounts":          `error {file}:2: unrecognised time "99999-01-01" (column created_at)`,
		"tokens":            `error {file}:2: unrecognised time "99999-09-01T00:00:00Z" (column created_at)`,
		"incidents":         `error {file}:2: unrecognised time "99999-11-03T02:10:00Z" (column started_at)`,
		"alerts":            `error {file}:1: unrecognised time "99999-11-03T04:38:12Z" (column fired_at)`,
		"audit_findings":    `error {file}:2: unrecognised time "99999-10-15" (column opened_at)`,
		"deployments":       `error {file}:2: unrecognised time "99999-11-20T09:00:00Z" (column created_at)`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"negative year": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"sshd_log":          `ok 0 2`,
		"accounts":          `error {file}:2: unrecognised time "-0001-01-01" (column created_at)`,
		"tokens":            `error {file}:2: unrecognised time "-0001-09-01T00:00:00Z" (column created_at)`,
		"incidents":         `error {file}:2: unrecognised time "-0001-11-03T02:10:00Z" (column started_at)`,
		"alerts":            `error {file}:1: unrecognised time "-0001-11-03T04:38:12Z" (column fired_at)`,
		"audit_findings":    `error {file}:2: unrecognised time "-0001-10-15" (column opened_at)`,
		"deployments":       `error {file}:2: unrecognised time "-0001-11-20T09:00:00Z" (column created_at)`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
	"1e400": {
		"log":               `ok 1 1`,
		"structured":        `ok 2 0`,
		"app_log":           `ok 2 0`,
		"accounts":          `error {file}:2: invalid boolean "1e400" (column privileged)`,
		"config_files.json": `error {file}:1: number 1e400 is out of range (a 64-bit float cannot hold it)`,
		"config_files.yaml": `ok 1 0`,
	},
	"2^70": {
		"*":                 `ok 2 0`,
		"sshd_log":          `ok 1 1`,
		"accounts":          `error {file}:2: invalid boolean "1180591620717411303424" (column privileged)`,
		"config_files.json": `ok 1 0`,
		"config_files.yaml": `ok 1 0`,
	},
}

// hardDeadline is how long a case may take, whatever its context says.
var hardDeadline = 15 * time.Second

// runCase runs one case with a deadline, watching the heap, and returns
// its outcome ("ok <records> <skipped>", "error <message>" with the
// temporary folder removed, or "hang") and the result.
func runCase(t *testing.T, k kindSpec, in input) (string, *sources.Result) {
	dir := t.TempDir()
	var paths []string
	if in.setup != nil {
		paths = in.setup(t, k, dir)
	} else {
		sourcetest.WriteFile(t, filepath.Join(dir, "input"+k.ext), in.content(k))
		paths = []string{"input" + k.ext}
	}
	kind, ok := sources.Lookup(k.kind)
	require.True(t, ok, k.kind)
	cfg := kind.NewConfig()
	reflect.ValueOf(cfg).Elem().FieldByName("Paths").Set(reflect.ValueOf(paths))
	src, err := kind.New(cfg)
	require.NoError(t, err)
	env := sources.Env{
		Name: "src", AsOf: sourcetest.AsOf, BaseDir: dir,
		Zone: time.UTC, ReportsDir: filepath.Join(dir, "reports"),
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		res *sources.Result
		err error
	}
	runtime.GC()
	before := heapBytes()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := heapBytes(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	done := make(chan result, 1)
	go func() {
		res, err := src.Collect(ctx, env)
		done <- result{res, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(hardDeadline):
		close(stop)
		<-sampled
		return "hang", nil
	}
	close(stop)
	<-sampled
	limit := in.heap
	if limit == 0 {
		limit = defaultHeap
	}
	grew := peak.Load() - min(before, peak.Load())
	if grew > limit {
		t.Errorf("heap grew by %d MiB (limit %d MiB)", grew/mib, limit/mib)
	}
	if os.Getenv("ROBUST_HEAP") != "" {
		t.Logf("heap grew by %d MiB", grew/mib)
	}
	if r.err != nil {
		return "error " + strings.ReplaceAll(r.err.Error(), dir+string(filepath.Separator), ""), nil
	}
	checkUTF8(t, r.res)
	return fmt.Sprintf("ok %d %d", records(r.res), r.res.SkippedLines), r.res
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// records counts every record of a result.
func records(res *sources.Result) int {
	n := 0
	for typ := range res.Data.Events {
		n += len(res.Data.EventSlice(typ))
	}
	v := reflect.ValueOf(res.Data)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice {
			n += f.Len()
		}
	}
	return n
}

// checkUTF8 fails when a string of the result is not valid UTF-8: the
// snapshot (JSON) would not hold it as read, so a run from the snapshot
// would see other values than the run that collected it.
func checkUTF8(t *testing.T, res *sources.Result) {
	t.Helper()
	var bad []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			if !utf8.ValidString(v.String()) {
				bad = append(bad, path)
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.Map:
			for _, key := range v.MapKeys() {
				walk(path+"."+fmt.Sprint(key), key)
				walk(path+"."+fmt.Sprint(key), v.MapIndex(key))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(path+"."+v.Type().Field(i).Name, v.Field(i))
				}
			}
		}
	}
	data := res.Data
	for typ := range data.Events {
		walk("events."+typ, reflect.ValueOf(data.EventSlice(typ)))
	}
	data.Events = nil
	walk("data", reflect.ValueOf(data))
	assert.Empty(t, bad, "strings that are not valid UTF-8")
}

// readsPaths reports whether a kind's config struct has the `paths`
// attribute of the file sources (directly or in an embedded struct).
func readsPaths(cfg any) bool {
	t := reflect.TypeOf(cfg)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("hcl"), ","); name == "paths" {
			return true
		}
		if f.Anonymous && readsPaths(reflect.New(f.Type).Interface()) {
			return true
		}
	}
	return false
}

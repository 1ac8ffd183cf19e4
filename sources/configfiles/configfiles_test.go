package configfiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/localizevideos/posture/store"
)

func collect(t *testing.T, base string, paths ...string) (*sources.Result, error) {
	t.Helper()
	env := sources.Env{Name: "watched", BaseDir: base, AsOf: time.Now(), Zone: time.UTC}
	return sourcetest.CollectKind(context.Background(), t, "config_files", &Config{Paths: paths}, env)
}

func fp(t *testing.T, path string) (string, string, any) {
	t.Helper()
	sum, format, content, err := Fingerprint(path)
	require.NoError(t, err)
	return sum, format, content
}

func TestFormattingDoesNotChangeFingerprint(t *testing.T) {
	for _, name := range []string{"app.json", "deploy.yaml", "nginx.conf"} {
		a, fa, _ := fp(t, filepath.Join("testdata/a", name))
		b, fb, _ := fp(t, filepath.Join("testdata/b", name))
		assert.Equal(t, fa, fb)
		assert.Equal(t, a, b, "%s: same content, different formatting", name)
		assert.Len(t, a, 64)
	}
	a, format, content := fp(t, "testdata/a/main.tf")
	b, _, _ := fp(t, "testdata/b/main.tf")
	assert.NotEqual(t, a, b, "a real change is a different fingerprint")
	assert.Equal(t, "hcl", format)
	assert.Nil(t, content)
}

func TestCanonicalBytes(t *testing.T) {
	norm, v, err := Normalize("x.json", "json", []byte("{ \"b\": [1, 2.50, {\"z\": null, \"a\": true}], \"a\": \"<&>\" }"))
	require.NoError(t, err)
	assert.Equal(t, `{"a":"<&>","b":[1,2.50,{"a":true,"z":null}]}`, string(norm))
	assert.IsType(t, map[string]any{}, v)

	norm, v, err = Normalize("x.yaml", "yaml", []byte("b: 1\na:\n  - x\n  - 'y'\n"))
	require.NoError(t, err)
	assert.Equal(t, `{"a":["x","y"],"b":1}`, string(norm))
	assert.Equal(t, map[string]any{"a": []any{"x", "y"}, "b": jsonNumber("1")}, v)

	norm, _, err = Normalize("x.conf", "text", []byte("a  \r\n\tb\t\r\n\r\n  \n"))
	require.NoError(t, err)
	assert.Equal(t, "a\n\tb\n", string(norm))

	norm, _, err = Normalize("x.conf", "text", []byte(" \n\n"))
	require.NoError(t, err)
	assert.Equal(t, "", string(norm))
}

func TestYAMLDocuments(t *testing.T) {
	_, _, content := fp(t, "testdata/a/deploy.yaml")
	docs, ok := content.([]any)
	require.True(t, ok, "multi-document YAML is an array")
	require.Len(t, docs, 2, "empty documents (comment preamble, trailing ---) dropped")
	dep := docs[0].(map[string]any)
	assert.Equal(t, "Deployment", dep["kind"])
	assert.Equal(t, "Service", docs[1].(map[string]any)["kind"])

	_, v, err := Normalize("one.yaml", "yaml", []byte("%YAML 1.2\n---\nkind: Pod\n...\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"kind": "Pod"}, v, "a single document is the document itself")

	norm, v, err := Normalize("empty.yaml", "yaml", []byte("# nothing here\n"))
	require.NoError(t, err)
	assert.Nil(t, v)
	assert.Equal(t, "null", string(norm))
}

func TestParseErrorsNameLine(t *testing.T) {
	_, err := collect(t, "testdata", "bad.json")
	require.Error(t, err)
	assert.Equal(t, "bad.json:4: invalid JSON: invalid character '\"' after object key:value pair", err.Error())

	_, err = collect(t, "testdata", "bad.yaml")
	require.Error(t, err)
	assert.Equal(t, "bad.yaml:8: invalid YAML: mapping values are not allowed in this context", err.Error())

	_, _, _, err = Fingerprint("testdata/nope.json")
	require.Error(t, err)
	assert.Equal(t, "testdata/nope.json: no such file", err.Error())

	_, _, err = Normalize("e.json", "json", nil)
	require.Error(t, err)
	assert.Equal(t, "e.json:1: invalid JSON: unexpected end of JSON input", err.Error())
}

// Content a snapshot could not read back is refused where it is: nesting
// past MaxDepth, a number no float64 holds; text that is not UTF-8 in YAML.
func TestContentASnapshotCanHold(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }
	for _, tc := range []struct{ name, format, data, err string }{
		{"ok.json", "json", "{\n\"a\": " + deep(MaxDepth-1) + ", \"n\": [1e308, -2e-400, 1180591620717411303424]}", ""},
		{"deep.json", "json", "{\n\"s\": \"[[[[1e400\\\"\",\n\"a\": " + deep(MaxDepth) + "}", "deep.json:3: nested deeper than 1000 levels"},
		{"big.json", "json", "{\"s\": \"1e400\",\n\"n\": [1, -1e400]}", "big.json:2: number -1e400 is out of range (a 64-bit float cannot hold it)"},
		{"ok.yaml", "yaml", "a: " + deep(MaxDepth-1) + "\nn: 1e400\n", ""},
		{"deep.yaml", "yaml", "a: 1\n---\nb: " + deep(MaxDepth) + "\n", "deep.yaml:2: invalid YAML: nested deeper than 1000 levels"},
		{"utf8.yaml", "yaml", "a: 1\nb: \"x\xffy\"\n", "utf8.yaml:2: invalid YAML: not valid UTF-8"},
	} {
		_, _, err := Normalize(tc.name, tc.format, []byte(tc.data))
		if tc.err == "" {
			assert.NoError(t, err, tc.name)
		} else {
			assert.EqualError(t, err, tc.err, tc.name)
		}
	}
}

func TestCollect(t *testing.T) {
	res, err := collect(t, "testdata", "a/*", "a/app.json", "gone.conf")
	require.NoError(t, err, "a pattern matching nothing is not an error (a gone file is drift)")
	recs := res.Data.ConfigFiles
	require.Len(t, recs, 4, "a/app.json listed once")
	byPath := map[string]snapshot.ConfigFile{}
	for _, r := range recs {
		byPath[r.Path] = r
		assert.Equal(t, "watched", r.Source)
		assert.Equal(t, r.Path, r.Origin)
	}
	assert.Equal(t, "json", byPath["a/app.json"].Format)
	assert.Equal(t, "yaml", byPath["a/deploy.yaml"].Format)
	assert.Equal(t, "text", byPath["a/nginx.conf"].Format)
	assert.Equal(t, "hcl", byPath["a/main.tf"].Format)
	assert.Equal(t, map[string]any{"cpu": "500m", "memory": "512Mi"}, byPath["a/app.json"].Content.(map[string]any)["limits"])

	sum := sha256.Sum256([]byte("resource \"aws_s3_bucket\" \"uploads\" {\n  bucket = \"localizevideos-uploads\"\n}\n"))
	assert.Equal(t, hex.EncodeToString(sum[:]), byPath["a/main.tf"].SHA256)
	assert.Len(t, res.Files, 4)

	_, err = collect(t, "testdata", "[")
	require.Error(t, err, "a malformed pattern still is")
}

func TestBaselineRoundTripAndDiff(t *testing.T) {
	dir := t.TempDir()
	path := store.BaselinePath(filepath.Join(dir, "security", "reports"))

	none, err := store.LoadBaseline(path)
	require.NoError(t, err)
	assert.Nil(t, none, "none approved yet")

	a, err := collect(t, "testdata/a", "*")
	require.NoError(t, err)
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	b := NewBaseline("sec-lead", at, a.Data.ConfigFiles)
	require.NoError(t, store.SaveBaseline(path, b))

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"schema": "posture.baseline/v1"`)
	assert.Contains(t, string(raw), `"approved_at": "2026-11-27T08:30:00Z"`)
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	got, err := store.LoadBaseline(path)
	require.NoError(t, err)
	assert.Equal(t, b, got)

	// Now compare the b/ tree (same content except main.tf), minus nginx.conf, plus a new file.
	cur, err := collect(t, "testdata/b", "app.json", "deploy.yaml", "main.tf")
	require.NoError(t, err)
	extra := snapshot.ConfigFile{Path: "new.yaml", SHA256: "ab"}
	changes := Diff(got, append(cur.Data.ConfigFiles, extra))
	require.Len(t, changes, 3)
	assert.Equal(t, "main.tf", changes[0].Path)
	assert.Equal(t, "changed", changes[0].Kind)
	assert.Equal(t, "new.yaml", changes[1].Path)
	assert.Equal(t, "added", changes[1].Kind)
	assert.Equal(t, "nginx.conf", changes[2].Path)
	assert.Equal(t, "removed", changes[2].Kind)

	assert.Len(t, Diff(nil, cur.Data.ConfigFiles), 3, "no baseline: everything is new")
}

func jsonNumber(s string) any { return json.Number(s) }

func TestCollectReadsBaseline(t *testing.T) {
	k, _ := sources.Lookup("config_files")
	src, err := k.New(&Config{Paths: []string{"a/nginx.conf"}})
	require.NoError(t, err)
	reports := t.TempDir()
	env := sources.Env{Name: "w", BaseDir: "testdata", ReportsDir: reports, AsOf: time.Now(), Zone: time.UTC}

	res := sourcetest.Collect(t, src, env)
	require.NotNil(t, res.Data.Baseline)
	assert.False(t, res.Data.Baseline.Present, "none approved yet")
	assert.Empty(t, res.Data.Baseline.Files)

	b := NewBaseline("sec-lead", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), res.Data.ConfigFiles)
	require.NoError(t, store.SaveBaseline(store.BaselinePath(reports), b))
	res = sourcetest.Collect(t, src, env)
	assert.Equal(t, &snapshot.Baseline{Present: true, ApprovedBy: "sec-lead", ApprovedAt: "2026-11-01T00:00:00Z",
		Files: map[string]string{"a/nginx.conf": res.Data.ConfigFiles[0].SHA256}}, res.Data.Baseline)

	// The baseline's checks and corrupt files are the store's (store/store_test.go).
	sourcetest.WriteFile(t, store.BaselinePath(reports), "{\n\"schema\": 1}")
	_, err = src.Collect(context.Background(), env)
	require.Error(t, err, "a corrupt baseline fails the source")
	assert.Contains(t, err.Error(), "baseline.json:2:11: schema: unexpected JSON number, want a string")
}

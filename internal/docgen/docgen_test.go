package docgen

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/tabular"
)

// root is the module root (this package is internal/docgen).
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(r, "go.mod"))
	return r
}

// The committed reference is what the code generates: editing the code (a
// doc tag, a default, a policy's METADATA) without regenerating, or editing
// a generated file by hand, fails here.
func TestGeneratedDocsAreUpToDate(t *testing.T) {
	files, err := Files()
	require.NoError(t, err)
	require.Len(t, files, 2)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root(t), filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: %v: run `%s`", name, err, Command)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date (%s): run `%s`", name, firstDifference(got, want), Command)
		}
	}
}

// firstDifference names the first line where the committed file (got)
// differs from the generated one (want).
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return fmt.Sprintf("line %d is %q, the code generates %q", i+1, clip(gl), clip(wl))
		}
	}
	return "no line differs"
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// sectionCite is a citation of a numbered section of the product
// specification: the word contract followed by a section number, or a
// bare parenthesised section sign and number.
var sectionCite = regexp.MustCompile(`(?i)\bcontract\s+\d|\(` + `§\d`)

// The repository stands alone: no file refers to a specification that
// lives outside it. The needles are built so this file does not hold them.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	needles := []string{
		"contract " + "§",
		"CONTRACT" + ".md",
		".." + "/shared",
		"PHASE-38" + "-security-metrics.md",
	}
	r := root(t)
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == ".git" || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0 {
			return nil // binary
		}
		rel, _ := filepath.Rel(r, path)
		for i, line := range strings.Split(string(b), "\n") {
			for _, n := range needles {
				if strings.Contains(strings.ToLower(line), strings.ToLower(n)) {
					t.Errorf("%s:%d refers to %q outside the repository; cite docs/configuration.md or docs/metrics.md instead", filepath.ToSlash(rel), i+1, n)
				}
			}
			if m := sectionCite.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q of a document outside the repository; cite docs/configuration.md or docs/metrics.md instead", filepath.ToSlash(rel), i+1, m)
			}
		}
		return nil
	})
	require.NoError(t, err)
}

// Every registered source kind has its place in the reference, a summary
// and a description; every attribute has a doc tag (Files fails otherwise).
func TestEverySourceKindIsDocumented(t *testing.T) {
	cfg, err := configurationData(mustCatalogue(t))
	require.NoError(t, err)
	var listed []string
	for _, g := range cfg.Groups {
		assert.NotEqual(t, "Other kinds", g.Title, "add %v to kindGroups", g.Kinds)
		for _, k := range g.Kinds {
			listed = append(listed, k.Name)
			assert.NotEmpty(t, k.Summary, k.Name)
			assert.NotEmpty(t, k.Doc, k.Name)
			assert.NotEmpty(t, k.Attrs, k.Name)
		}
	}
	assert.ElementsMatch(t, sources.Kinds(), listed)
}

// Every metric of the catalogue has a definition, and every input names a
// collection that some registered source kind provides.
func TestEveryMetricIsDefined(t *testing.T) {
	for _, d := range mustCatalogue(t) {
		assert.GreaterOrEqual(t, len(strings.Fields(d.Description)), 5, "%s: METADATA description is the definition", d.ID)
		for _, in := range d.Inputs {
			if in == engine.InputAlways || in == engine.InputAll {
				continue
			}
			assert.True(t, engine.IsCollectionInput(in), "%s: input %q is no collection", d.ID, in)
			for _, f := range engine.InputFeeds(in) {
				_, ok := sources.Lookup(f.Kind)
				assert.True(t, ok, "%s: input %q: %q is no source kind", d.ID, in, f.Kind)
			}
			assert.NotEmpty(t, engine.InputFeeds(in), "%s: no source kind provides %q", d.ID, in)
		}
	}
}

func mustCatalogue(t *testing.T) []*engine.Definition {
	t.Helper()
	cat, err := builtinCatalogue()
	require.NoError(t, err)
	require.NotEmpty(t, cat)
	return cat
}

// The example at the top of the reference is a valid config.
func TestExampleConfigLoads(t *testing.T) {
	ex, err := templates.ReadFile(exampleConfig)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "posture.hcl"), ex, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exceptions.hcl"), nil, 0o644))
	cfg, err := config.Load(filepath.Join(dir, "posture.hcl"))
	require.NoError(t, err)
	_, err = app.Resolve(cfg, mustCatalogue(t))
	require.NoError(t, err)
	assert.Equal(t, "LocalizeVideos security KPIs", cfg.DisplayTitle())
}

var fence = regexp.MustCompile("(?s)```(text|csv|json)\n(.*?)```")

// The sample lines and files of the reference are read by their kind
// without a skipped line or an error.
func TestSamplesAreRecognised(t *testing.T) {
	type sample struct{ kind, lang, body string }
	var samples []sample
	for _, name := range sources.Kinds() {
		k, _ := sources.Lookup(name)
		for _, m := range fence.FindAllStringSubmatch(k.Doc, -1) {
			samples = append(samples, sample{name, m[1], m[2]})
		}
	}
	for _, m := range fence.FindAllStringSubmatch(tabular.Formats, -1) {
		samples = append(samples, sample{"accounts", m[1], m[2]}) // the formats' example is an accounts export
	}
	require.GreaterOrEqual(t, len(samples), 7)
	asOf := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for i, s := range samples {
		t.Run(fmt.Sprintf("%s-%d", s.kind, i), func(t *testing.T) {
			k, _ := sources.Lookup(s.kind)
			dir := t.TempDir()
			file := "sample." + map[string]string{"text": "log", "csv": "csv", "json": "json"}[s.lang]
			require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(s.body), 0o644))
			cfg := k.NewConfig()
			reflect.ValueOf(cfg).Elem().FieldByName("Paths").Set(reflect.ValueOf([]string{file}))
			src, err := k.New(cfg)
			require.NoError(t, err)
			res, err := src.Collect(context.Background(), sources.Env{Name: "sample", AsOf: asOf, BaseDir: dir})
			require.NoError(t, err)
			assert.Zero(t, res.SkippedLines, "every sample line is recognised")
			assert.Positive(t, res.Data.Count(), "the sample yields records")
		})
	}
}

// Every environment variable the program reads is documented.
func TestEnvironmentVariablesAreDocumented(t *testing.T) {
	documented := map[string]bool{}
	for _, v := range EnvVars {
		for _, n := range v.Names {
			documented[n] = true
		}
	}
	read := map[string]string{}
	r := root(t)
	for _, dir := range []string{"cmd", "internal", "sources", "config", "engine", "tracker", "report", "output"} {
		err := filepath.WalkDir(filepath.Join(r, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 1 {
					return true
				}
				var name string
				switch fn := call.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				if !strings.EqualFold(name, "getenv") && name != "LookupEnv" && name != "Env" {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				v, _ := strconv.Unquote(lit.Value)
				rel, _ := filepath.Rel(r, path)
				read[v] = filepath.ToSlash(rel)
				return true
			})
			return nil
		})
		require.NoError(t, err)
	}
	require.Contains(t, read, "GITHUB_TOKEN", "the scan finds the reads")
	for v, file := range read {
		assert.True(t, documented[v], "%s reads $%s: document it in EnvVars (internal/docgen/envvars.go)", file, v)
	}
}

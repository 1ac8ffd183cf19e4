// Package configfiles is the `config_files` source (docs/configuration.md#config_files): for
// every file matched by `paths` it records a fingerprint — the SHA-256 of
// the file's normalised content — so that formatting-only edits do not
// count as drift:
//
//   - JSON (.json): parsed and re-encoded canonically: object keys sorted,
//     no insignificant white space, numbers as written, no HTML escaping.
//   - YAML (.yaml, .yml): every document parsed with sigs.k8s.io/yaml into
//     JSON, then canonical JSON as above; a multi-document file is the
//     array of its (non-empty) documents.
//   - anything else (HCL .hcl/.tf/.tfvars, nginx .conf, text): CRLF → LF,
//     trailing white space trimmed on every line, trailing blank lines
//     dropped, a final newline when anything is left.
//
// A UTF-8 BOM is ignored. The format is recorded as json, yaml, hcl or text.
// For JSON and YAML the parsed value is kept as Content, so conftest-style
// policies can inspect it; HCL and text carry no Content. A JSON or YAML
// file that does not parse makes the source fail with "<file>:<line>: …".
//
// Paths are recorded as displayed relative to the config's folder
// (files.Display), which is also the key of the approved baseline
// (<reports_dir>/baseline.json, see store.Baseline and Diff). The source also
// reads that baseline (env.ReportsDir) into the snapshot, Present false when
// none has been approved yet; a baseline file that does not parse is an
// error. The record's origin
// is that path: a fingerprint is about the whole file.
//
// Unlike the other file sources, a pattern that matches nothing is not an
// error here: a watched file that is gone is a drift event (it is in the
// baseline and no longer recorded), not a broken source; so is a symbolic
// link to a file that is gone. A directory matched by a wildcard is
// skipped; a path naming a directory, a named pipe or other special file,
// or a symbolic link loop is an error (files.GlobAny). Files are
// fingerprinted as they are: a .gz file is text, not decompressed. A file
// larger than files.MaxStructured (256 MiB) is an error. A YAML file that
// is not valid UTF-8 is an error at the line of the first bad byte; so is
// content a snapshot could not read back: nested deeper than MaxDepth
// (1000) levels, or a number a 64-bit float cannot hold (1e400).
package configfiles

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

// Config is the configuration of a config_files source.
type Config struct {
	Paths []string `hcl:"paths" doc:"Files to watch: glob patterns (*, ?, [...]; no **), relative to the config file's folder. A pattern that matches nothing is not an error (a watched file that is gone is drift)."`
}

//go:embed config_files.md
var doc string

// FilePaths returns the configured globs.
func (c *Config) FilePaths() []string { return c.Paths }

func init() {
	sources.Register(sources.Kind{
		Name:        "config_files",
		Summary:     "fingerprints of watched config files (JSON, YAML, HCL, text) for drift against the approved baseline",
		Doc:         doc,
		Collections: []snapshot.Provided{{Collection: snapshot.ConfigFiles.Name()}},
		Build: sources.Typed(func(c *Config) (sources.Source, error) {
			if len(c.Paths) == 0 {
				return nil, fmt.Errorf("paths: at least one path is required")
			}
			return &source{cfg: c}, nil
		}),
	})
}

type source struct{ cfg *Config }

func (s *source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	recs, paths, err := Scan(ctx, env.BaseDir, s.cfg.Paths)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		recs[i].Source = env.ID()
	}
	baseline, err := LoadBaseline(env.ReportsDir)
	if err != nil {
		return nil, err
	}
	return &sources.Result{Data: snapshot.Data{ConfigFiles: recs, Baseline: baseline}, Files: paths}, nil
}

// Scan fingerprints every file matched by the globs (relative to baseDir)
// and returns the records (without Source) and the files read. The
// `posture baseline` command can use it to build the baseline's map.
//
// Unlike the other file sources, a pattern that matches nothing is not an
// error: a watched file that is gone is config drift, which
// the comparison with the baseline reports as "removed".
func Scan(ctx context.Context, baseDir string, patterns []string) ([]snapshot.ConfigFile, []string, error) {
	paths, err := glob(baseDir, patterns)
	if err != nil {
		return nil, nil, err
	}
	out := make([]snapshot.ConfigFile, 0, len(paths))
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		display := files.Display(baseDir, p)
		sum, format, content, err := fingerprint(p, display)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, snapshot.ConfigFile{
			Path:    display,
			SHA256:  sum,
			Format:  format,
			Content: content,
			Origin:  display,
		})
	}
	return out, paths, nil
}

// glob expands the patterns like files.Glob, tolerating patterns that match
// nothing and symbolic links to nothing (files that are gone).
func glob(base string, patterns []string) ([]string, error) {
	return files.GlobAny(base, patterns)
}

// Fingerprint returns the SHA-256 (hex) of the normalised content of the
// file at path, its format (json, yaml, hcl, text) and, for JSON and YAML,
// the parsed content. Errors name the path as given.
func Fingerprint(path string) (sha string, format string, content any, err error) {
	return fingerprint(path, path)
}

func fingerprint(path, display string) (string, string, any, error) {
	data, err := files.ReadRaw(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", nil, fmt.Errorf("%s: no such file", display)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", "", nil, fmt.Errorf("%s: %w", display, err)
	}
	format := FormatOf(path)
	norm, content, err := Normalize(display, format, data)
	if err != nil {
		return "", "", nil, err
	}
	sum := sha256.Sum256(norm)
	return hex.EncodeToString(sum[:]), format, content, nil
}

// FormatOf returns json, yaml, hcl or text from the file name.
func FormatOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".hcl", ".tf", ".tfvars", ".nomad":
		return "hcl"
	}
	return "text"
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Normalize returns the normalised bytes of data in the given format and,
// for json/yaml, the parsed value. display names the file in errors.
func Normalize(display, format string, data []byte) ([]byte, any, error) {
	data = bytes.TrimPrefix(data, bom)
	switch format {
	case "json":
		v, err := parseJSON(display, data)
		if err != nil {
			return nil, nil, err
		}
		b, err := canonical(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", display, err)
		}
		return b, v, nil
	case "yaml":
		v, err := parseYAML(display, data)
		if err != nil {
			return nil, nil, err
		}
		b, err := canonical(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", display, err)
		}
		return b, v, nil
	}
	return normalizeText(data), nil, nil
}

func parseJSON(display string, data []byte) (any, error) {
	doc := jsonpos.New(display, data)
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	if off, what := checkContent(data); off >= 0 {
		return nil, fmt.Errorf("%s:%d: %s", display, 1+bytes.Count(data[:off], []byte("\n")), what)
	}
	var v any
	if err := doc.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// MaxDepth is how deeply the content of a JSON or YAML file may nest.
// Real config files stay under twenty levels; the content goes into the
// snapshot a few levels down, and a snapshot must read back (its JSON
// reader stops at 10000 levels).
const MaxDepth = 1000

// checkContent scans valid JSON for what a snapshot could not read back:
// nesting deeper than MaxDepth, or a number a 64-bit float cannot hold
// (1e400). It returns the offset of the first such place and what is wrong
// there, or -1.
func checkContent(data []byte) (int, string) {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				return i, fmt.Sprintf("nested deeper than %d levels", MaxDepth)
			}
		case c == ']' || c == '}':
			depth--
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(data) && bytes.IndexByte([]byte("+-.eE0123456789"), data[j]) >= 0 {
				j++
			}
			if _, err := strconv.ParseFloat(string(data[i:j]), 64); err != nil {
				return i, fmt.Sprintf("number %s is out of range (a 64-bit float cannot hold it)", clip(string(data[i:j])))
			}
			i = j - 1
		}
	}
	return -1, ""
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// canonical encodes v with sorted keys and no insignificant white space.
func canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// yamlDoc is one document of a YAML stream and the line it starts on.
type yamlDoc struct {
	line int
	body []byte
}

// splitYAML cuts a YAML stream at its document markers: a line starting
// with "---" (then end of line or a blank) starts a document, "..." ends
// one. Such lines cannot occur inside a document's content (YAML 1.2
// forbids them at column 0), so a textual split is exact. Directive lines
// (%YAML, %TAG) are blanked, keeping line numbers.
func splitYAML(data []byte) []yamlDoc {
	var (
		docs []yamlDoc
		cur  = yamlDoc{line: 1}
	)
	flush := func() {
		if len(bytes.TrimSpace(cur.body)) > 0 {
			docs = append(docs, cur)
		}
	}
	marker := func(line []byte, m string) bool {
		if !bytes.HasPrefix(line, []byte(m)) {
			return false
		}
		rest := line[len(m):]
		return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n'
	}
	n := 0
	for len(data) > 0 {
		n++
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i+1], data[i+1:]
		}
		switch {
		case marker(line, "---"):
			flush()
			cur = yamlDoc{line: n, body: append([]byte(nil), line...)}
		case marker(line, "..."):
			flush()
			cur = yamlDoc{line: n + 1}
		case len(line) > 0 && line[0] == '%' && len(bytes.TrimSpace(cur.body)) == 0:
			cur.body = append(cur.body, '\n')
		default:
			if len(cur.body) == 0 && cur.line < n {
				// Keep line numbers: pad for the lines skipped since the chunk began.
				cur.body = append(cur.body, bytes.Repeat([]byte("\n"), n-cur.line)...)
			}
			cur.body = append(cur.body, line...)
		}
	}
	flush()
	return docs
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

func parseYAML(display string, data []byte) (any, error) {
	var vals []any
	if !utf8.Valid(data) {
		// The YAML reader refuses it without saying where.
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return nil, fmt.Errorf("%s:%d: invalid YAML: not valid UTF-8", display, 1+bytes.Count(data[:i], []byte("\n")))
	}
	for _, d := range splitYAML(data) {
		j, err := yaml.YAMLToJSON(d.body)
		if err != nil {
			msg := err.Error()
			msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
			line := d.line
			if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
				if n, e := strconv.Atoi(msg[m[2]:m[3]]); e == nil {
					line = d.line + n - 1
				}
				msg = strings.TrimPrefix(msg[:m[0]]+msg[m[1]:], "yaml: ")
			} else {
				msg = strings.TrimPrefix(msg, "yaml: ")
			}
			return nil, fmt.Errorf("%s:%d: invalid YAML: %s", display, line, strings.TrimSpace(msg))
		}
		if off, what := checkContent(j); off >= 0 {
			return nil, fmt.Errorf("%s:%d: invalid YAML: %s", display, d.line, what)
		}
		doc := jsonpos.Sub(display, j, d.line)
		var v any
		if err := doc.Decode(&v); err != nil {
			return nil, err
		}
		if v != nil {
			vals = append(vals, v)
		}
	}
	switch len(vals) {
	case 0:
		return nil, nil
	case 1:
		return vals[0], nil
	}
	return vals, nil
}

// normalizeText: CRLF → LF, trailing white space trimmed per line, trailing
// blank lines dropped, one final newline when anything is left.
func normalizeText(data []byte) []byte {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r\v\f")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return []byte{}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

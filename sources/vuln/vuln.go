// Package vuln holds the scanner report sources (docs/configuration.md#vulnerability-findings): `trivy`,
// `grype`, `govulncheck` and `sarif`. Each reads the JSON its scanner
// writes and produces open snapshot.Vulnerability records with
//
//	Key = "<advisory id>|<package>|<target>"
//
// Severity is one of critical, high, medium, low, unknown. Every record is
// open: history (first seen, fixed) is added from the reports folder later,
// so FirstSeen and FixedAt stay nil here. Within one source (all its files)
// identical keys are merged, keeping the record with the highest severity.
//
// A report that is not valid JSON, or whose structure does not match its
// scanner, makes the source fail with "<file>:<line>: <what>". An empty
// file is an error too (a scanner that crashed), a report without findings
// is not. Reports may be gzip-compressed (.gz); one holding more than
// files.MaxStructured (256 MiB) after decompression is an error (a gzip
// bomb is refused without being inflated into memory), as are the paths
// files.Glob refuses (a directory named, a named pipe, a link loop).
//
// Choices per scanner are documented on ParseTrivy, ParseGrype,
// ParseGovulncheck and ParseSARIF.
package vuln

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

// Config is the configuration of the scanner sources.
type Config struct {
	Paths []string `hcl:"paths" doc:"Scanner reports to read: glob patterns (*, ?, [...]; no **), relative to the config file's folder. A pattern that matches no file is a source error."`
}

// FilePaths returns the configured globs.
func (c *Config) FilePaths() []string { return c.Paths }

// Parser reads one report; display names the file in origins and errors.
type Parser func(display string, data []byte) ([]snapshot.Vulnerability, error)

// Findings is the reference of vulnerability findings (key, open, fixed,
// first seen, repeat) shared by the scanner kinds and the github kind, in
// Markdown, for docs/configuration.md.
//
//go:embed findings.md
var Findings string

var (
	//go:embed trivy.md
	trivyDoc string
	//go:embed grype.md
	grypeDoc string
	//go:embed govulncheck.md
	govulncheckDoc string
	//go:embed sarif.md
	sarifDoc string
)

func init() {
	register("trivy", "Trivy JSON reports (Results[].Vulnerabilities[])", trivyDoc, ParseTrivy)
	register("grype", "Grype JSON reports (matches[])", grypeDoc, ParseGrype)
	register("govulncheck", "govulncheck -json streams (called vulnerable symbols)", govulncheckDoc, ParseGovulncheck)
	register("sarif", "SARIF 2.1.0 results (severity from security-severity)", sarifDoc, ParseSARIF)
}

func register(name, summary, doc string, parse Parser) {
	sources.Register(sources.Kind{
		Name:        name,
		Summary:     summary,
		Doc:         doc,
		Collections: []snapshot.Provided{{Collection: snapshot.Vulnerabilities.Name(), Traits: []snapshot.Trait{snapshot.TraitScanner}}},
		Build: sources.Typed(func(c *Config) (sources.Source, error) {
			if len(c.Paths) == 0 {
				return nil, fmt.Errorf("paths: at least one path is required")
			}
			return &source{cfg: c, parse: parse}, nil
		}),
	})
}

type source struct {
	cfg   *Config
	parse Parser
}

func (s *source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	paths, err := files.Glob(env.BaseDir, s.cfg.Paths)
	if err != nil {
		return nil, err
	}
	var all []snapshot.Vulnerability
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		display := files.Display(env.BaseDir, p)
		data, err := files.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", display, unwrapPath(err))
		}
		vs, err := s.parse(display, data)
		if err != nil {
			return nil, err
		}
		all = append(all, vs...)
	}
	all = Dedupe(all)
	for i := range all {
		all[i].Source = env.ID()
	}
	return &sources.Result{Data: snapshot.Data{Vulnerabilities: all}, Files: paths}, nil
}

// unwrapPath drops the *fs.PathError wrapper whose message repeats the
// file's full path (the error is prefixed with its display name).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// prepare strips a BOM and rejects an empty report.
func prepare(display string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, bom)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s:1: empty report", display)
	}
	return data, nil
}

// newDoc validates data as one JSON document whose top level is an object.
func newDoc(display string, data []byte) (*jsonpos.Doc, error) {
	data, err := prepare(display, data)
	if err != nil {
		return nil, err
	}
	doc := jsonpos.New(display, data)
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	if doc.Peek() != '{' {
		return nil, doc.Errorf(doc.Line(), "expected a JSON object at the top level")
	}
	return doc, nil
}

// Key builds "<id>|<package>|<target>".
func Key(id, pkg, target string) string { return id + "|" + pkg + "|" + target }

// record fills the common fields of an open finding.
func record(scanner, id, pkg, target, severity, title, origin string) snapshot.Vulnerability {
	return snapshot.Vulnerability{
		Key:      Key(id, pkg, target),
		ID:       id,
		Package:  pkg,
		Target:   target,
		Severity: severity,
		State:    "open",
		Title:    title,
		Scanner:  scanner,
		Origin:   origin,
	}
}

func origin(display string, line int) string { return display + ":" + strconv.Itoa(line) }

// NormalizeSeverity maps a scanner's severity word onto critical, high,
// medium, low or unknown: "moderate" is medium, "negligible", "info" and
// "informational" are low, anything unrecognised is unknown.
func NormalizeSeverity(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return "critical"
	case "high", "important":
		return "high"
	case "medium", "moderate":
		return "medium"
	case "low", "negligible", "minor", "info", "informational":
		return "low"
	}
	return "unknown"
}

// FromScore maps a CVSS-like score: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0
// medium, > 0 low; 0 (CVSS "none") is low as well.
func FromScore(score float64) string {
	switch {
	case score >= 9.0:
		return "critical"
	case score >= 7.0:
		return "high"
	case score >= 4.0:
		return "medium"
	}
	return "low"
}

// Rank orders severities: critical 4 … low 1, unknown 0.
func Rank(sev string) int {
	switch sev {
	case "critical":
		return 4
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

// Dedupe merges records with the same key, in order of first appearance,
// keeping the one with the highest severity (the first among equals).
func Dedupe(vs []snapshot.Vulnerability) []snapshot.Vulnerability {
	index := make(map[string]int, len(vs))
	out := vs[:0:0]
	for _, v := range vs {
		if i, ok := index[v.Key]; ok {
			if Rank(v.Severity) > Rank(out[i].Severity) {
				out[i] = v
			}
			continue
		}
		index[v.Key] = len(out)
		out = append(out, v)
	}
	return out
}

// firstLine returns the first line of s, trimmed and cut to max runes.
func firstLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return s
}

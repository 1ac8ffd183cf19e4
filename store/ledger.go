package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/localizevideos/posture/internal/atomicfile"
)

// LedgerFile is the vulnerability ledger's file name in the reports folder.
const LedgerFile = "vulnerabilities.json"

// LedgerSchema is the value of Ledger.Schema: the ledger's format version.
const LedgerSchema = "posture.vulnerabilities/v1"

// LedgerAbout is the "about" of a new ledger: what the file is, for whoever
// opens it.
const LedgerAbout = "Vulnerability key history kept by `posture report` (do not edit by hand). " +
	"reports: per report date, its as-of and the scanner sources (\"<kind>.<name>\") that ran (scanned) or failed. " +
	"findings: per key, the report dates that listed it (listed; \"a..b\" = every report dated a to b) and, " +
	"derived from those, first_seen, last_seen, fixed_at (the as-of of the first report whose scanner ran " +
	"without listing it; null while open), the episodes and the reopenings."

// Ledger is <reports_dir>/vulnerabilities.json, the history of the
// vulnerability keys across reports (package ledger records observations
// in it and derives first seen and fixes from it).
type Ledger struct {
	Schema string `json:"schema"`
	About  string `json:"about"`
	// Reports maps each report date that recorded an observation to what
	// that report saw.
	Reports  map[string]*Seen    `json:"reports"`
	Findings map[string]*Finding `json:"findings"`
}

// Seen is what one report observed of the scanner sources.
type Seen struct {
	AsOf    string   `json:"as_of"`   // RFC 3339
	Scanned []string `json:"scanned"` // ids of the scanner sources collected
	Failed  []string `json:"failed"`  // ids of the scanner sources that failed
}

// Finding is the history of one key.
type Finding struct {
	ID       string   `json:"id"`
	Package  string   `json:"package"`
	Target   string   `json:"target"`
	Severity string   `json:"severity"`
	Scanner  string   `json:"scanner"`
	Title    string   `json:"title,omitempty"`
	Sources  []string `json:"sources"` // ids of the configured sources that listed it

	// Summary over every observation (derived; rewritten on each save).
	FirstSeen string    `json:"first_seen"`
	LastSeen  string    `json:"last_seen"`
	FixedAt   *string   `json:"fixed_at"` // null while open
	Reopened  int       `json:"reopened"` // times it was listed again after a fix
	History   []Episode `json:"history"`

	// Listed (the observation): the report dates that listed the key, as
	// ranges over the dates of Reports.
	Listed []string `json:"listed"`
}

// Episode is one period during which a key was open.
type Episode struct {
	Opened   string  `json:"opened"`    // as-of of the first report listing it
	LastSeen string  `json:"last_seen"` // as-of of the last report listing it
	Fixed    *string `json:"fixed"`     // as-of of the first report without it; null while open
}

// LedgerPath is <reportsDir>/vulnerabilities.json.
func LedgerPath(reportsDir string) string { return filepath.Join(reportsDir, LedgerFile) }

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{Schema: LedgerSchema, About: LedgerAbout, Reports: map[string]*Seen{}, Findings: map[string]*Finding{}}
}

// LoadLedger reads and checks a ledger file; a missing file is an empty
// ledger.
func LoadLedger(path string) (*Ledger, error) {
	data, found, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("vulnerability ledger: %w", err)
	}
	l := NewLedger()
	if !found {
		return l, nil
	}
	if err := decode(path, data, l); err != nil {
		return nil, err
	}
	if err := checkSchema(path, l.Schema, LedgerSchema); err != nil {
		return nil, err
	}
	if l.Reports == nil {
		l.Reports = map[string]*Seen{}
	}
	if l.Findings == nil {
		l.Findings = map[string]*Finding{}
	}
	for d, seen := range l.Reports {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return nil, fmt.Errorf("%s: reports: bad date %q", path, d)
		}
		if seen == nil {
			return nil, fmt.Errorf("%s: reports[%s] is null", path, d)
		}
		if _, err := time.Parse(time.RFC3339, seen.AsOf); err != nil {
			return nil, fmt.Errorf("%s: reports[%s]: bad as_of %q", path, d, seen.AsOf)
		}
	}
	for k, f := range l.Findings {
		if f == nil {
			return nil, fmt.Errorf("%s: findings[%q] is null", path, k)
		}
		for _, r := range f.Listed {
			if err := checkRange(r); err != nil {
				return nil, fmt.Errorf("%s: findings[%q]: %w", path, k, err)
			}
		}
	}
	return l, nil
}

// Encode serialises the ledger (indented, keys sorted, trailing newline).
func (l *Ledger) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the ledger to path atomically.
func (l *Ledger) Save(path string) error {
	b, err := l.Encode()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, b)
}

// checkRange checks a listed range: "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD".
func checkRange(r string) error {
	a, b, ok := strings.Cut(r, "..")
	if !ok {
		b = a
	}
	for _, d := range []string{a, b} {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return fmt.Errorf("bad date range %q (want YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)", r)
		}
	}
	if b < a {
		return fmt.Errorf("bad date range %q (end before start)", r)
	}
	return nil
}

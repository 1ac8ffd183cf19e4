package configfiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/localizevideos/posture/internal/atomicfile"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

// BaselineSchema is the value of Baseline.Schema.
const BaselineSchema = "posture.baseline/v1"

// BaselineFile is the baseline's file name inside the reports folder.
const BaselineFile = "baseline.json"

// Baseline is the approved state of the watched config files:
//
//	{"schema": "posture.baseline/v1", "approved_by": "…", "approved_at": "RFC 3339",
//	 "files": {"<path as recorded by config_files>": "<sha256 hex>"}}
type Baseline struct {
	Schema     string            `json:"schema"`
	ApprovedBy string            `json:"approved_by"`
	ApprovedAt string            `json:"approved_at"`
	Files      map[string]string `json:"files"`
}

// BaselinePath is <reportsDir>/baseline.json.
func BaselinePath(reportsDir string) string { return filepath.Join(reportsDir, BaselineFile) }

// NewBaseline builds a baseline from config_files records.
func NewBaseline(approvedBy string, approvedAt time.Time, recs []snapshot.ConfigFile) *Baseline {
	b := &Baseline{
		Schema:     BaselineSchema,
		ApprovedBy: approvedBy,
		ApprovedAt: approvedAt.UTC().Format(time.RFC3339),
		Files:      make(map[string]string, len(recs)),
	}
	for _, r := range recs {
		b.Files[r.Path] = r.SHA256
	}
	return b
}

// ReadBaseline reads and checks a baseline file. A missing file returns an
// error for which errors.Is(err, os.ErrNotExist) holds (no baseline
// approved yet).
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no baseline approved yet (run `posture baseline --approve`): %w", path, os.ErrNotExist)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc := jsonpos.New(path, data)
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	if doc.Peek() != '{' {
		return nil, doc.Errorf(doc.Line(), "expected a JSON object")
	}
	var b Baseline
	if err := doc.Decode(&b); err != nil {
		return nil, err
	}
	if b.Schema != BaselineSchema {
		return nil, fmt.Errorf("%s:1: schema %q, want %q", path, b.Schema, BaselineSchema)
	}
	if b.ApprovedAt != "" {
		if _, err := time.Parse(time.RFC3339, b.ApprovedAt); err != nil {
			return nil, fmt.Errorf("%s: approved_at %q is not an RFC 3339 time", path, b.ApprovedAt)
		}
	}
	if b.Files == nil {
		b.Files = map[string]string{}
	}
	for _, p := range sortedKeys(b.Files) {
		if !isSHA256(b.Files[p]) {
			return nil, fmt.Errorf("%s: files[%q]: %q is not a sha256 hex digest", path, p, b.Files[p])
		}
	}
	return &b, nil
}

// LoadBaseline reads <reportsDir>/baseline.json for the snapshot: a missing
// file (or no reports folder configured) is a baseline that is not present.
func LoadBaseline(reportsDir string) (*snapshot.Baseline, error) {
	out := &snapshot.Baseline{Files: map[string]string{}}
	if reportsDir == "" {
		return out, nil
	}
	b, err := ReadBaseline(BaselinePath(reportsDir))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.Present = true
	out.ApprovedBy, out.ApprovedAt = b.ApprovedBy, b.ApprovedAt
	for k, v := range b.Files {
		out.Files[k] = v
	}
	return out, nil
}

// WriteBaseline writes b to path atomically (a temporary file in the same
// folder, then a rename), creating the folder when needed.
func WriteBaseline(path string, b *Baseline) (err error) {
	if b == nil {
		return errors.New("no baseline to write")
	}
	out := *b
	if out.Schema == "" {
		out.Schema = BaselineSchema
	}
	if out.Files == nil {
		out.Files = map[string]string{}
	}
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data = append(data, '\n')
	return atomicfile.Write(path, data)
}

// Change is one config drift event against the baseline.
type Change struct {
	Path     string `json:"path"`
	Kind     string `json:"kind"`     // changed, added, removed
	Approved string `json:"approved"` // sha256 in the baseline ("" when added)
	Current  string `json:"current"`  // sha256 now ("" when removed)
}

// Diff lists the watched files whose fingerprint differs from the
// baseline, that are new, or that are gone, sorted by path.
func Diff(b *Baseline, current []snapshot.ConfigFile) []Change {
	var approved map[string]string
	if b != nil {
		approved = b.Files
	}
	now := map[string]string{}
	for _, r := range current {
		now[r.Path] = r.SHA256
	}
	var out []Change
	for _, p := range sortedKeys(now) {
		a, ok := approved[p]
		switch {
		case !ok:
			out = append(out, Change{Path: p, Kind: "added", Current: now[p]})
		case a != now[p]:
			out = append(out, Change{Path: p, Kind: "changed", Approved: a, Current: now[p]})
		}
	}
	for _, p := range sortedKeys(approved) {
		if _, ok := now[p]; !ok {
			out = append(out, Change{Path: p, Kind: "removed", Approved: approved[p]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/localizevideos/posture/internal/atomicfile"
)

// BaselineFile is the config baseline's file name in the reports folder.
const BaselineFile = "baseline.json"

// BaselineSchema is the value of Baseline.Schema: the baseline's format
// version.
const BaselineSchema = "posture.baseline/v1"

// Baseline is <reports_dir>/baseline.json, the approved state of the
// watched config files:
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

// LoadBaseline reads and checks a baseline file. A missing file is no
// baseline (none approved yet): nil and no error.
func LoadBaseline(path string) (*Baseline, error) {
	data, found, err := read(path)
	if err != nil || !found {
		return nil, err
	}
	var b Baseline
	if err := decode(path, data, &b); err != nil {
		return nil, err
	}
	if err := checkSchema(path, b.Schema, BaselineSchema); err != nil {
		return nil, err
	}
	if b.ApprovedAt != "" {
		if _, err := time.Parse(time.RFC3339, b.ApprovedAt); err != nil {
			return nil, fmt.Errorf("%s: approved_at %q is not an RFC 3339 time", path, b.ApprovedAt)
		}
	}
	if b.Files == nil {
		b.Files = map[string]string{}
	}
	paths := make([]string, 0, len(b.Files))
	for p := range b.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !isSHA256(b.Files[p]) {
			return nil, fmt.Errorf("%s: files[%q]: %q is not a sha256 hex digest", path, p, b.Files[p])
		}
	}
	return &b, nil
}

// SaveBaseline writes b to path atomically, creating the folder when
// needed (an empty Schema is written as BaselineSchema).
func SaveBaseline(path string, b *Baseline) error {
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

package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/localizevideos/posture/internal/atomicfile"
)

// IssuesFile is the issue index's file name in the reports folder.
const IssuesFile = "issues.json"

// IssuesSchema is the value of IssueIndex.Schema: the issue index's format
// version.
const IssuesSchema = "posture.issues/v1"

// Issue is a metric's GitHub issue as `posture issues` last left it.
type Issue struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	State  string `json:"state"`
}

// IssueIndex is <reports_dir>/issues.json, the issue of each metric
// (written by `posture issues`, read by the quarterly review):
//
//	{"schema": "posture.issues/v1", "<metric id>": {"number": 12, "url": "…", "state": "open"}, …}
//
// The metric ids are the object's keys, next to "schema". A file without
// "schema" (written before it was added) is version 1. Should a metric be
// called "schema", the file is written without the version (version 1)
// and that key holds its issue.
type IssueIndex struct {
	Schema string
	Issues map[string]Issue // metric id -> issue
}

// IssuesPath is <reportsDir>/issues.json.
func IssuesPath(reportsDir string) string { return filepath.Join(reportsDir, IssuesFile) }

// NewIssueIndex returns an empty index.
func NewIssueIndex() *IssueIndex {
	return &IssueIndex{Schema: IssuesSchema, Issues: map[string]Issue{}}
}

// LoadIssues reads an issue index; a missing file is an empty index.
func LoadIssues(path string) (*IssueIndex, error) {
	data, found, err := read(path)
	if err != nil {
		return nil, err
	}
	x := NewIssueIndex()
	if !found {
		return x, nil
	}
	var raw map[string]json.RawMessage
	if err := decode(path, data, &raw); err != nil {
		return nil, err
	}
	if s, ok := raw["schema"]; ok && len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(s, &x.Schema); err != nil {
			return nil, fmt.Errorf("%s: schema: %w", path, err)
		}
		if err := checkSchema(path, x.Schema, IssuesSchema); err != nil {
			return nil, err
		}
	}
	// The entries again, from a token walk of the object so that an error
	// in one is located in the file.
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return nil, located(path, data, err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, located(path, data, err)
		}
		id, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, located(path, data, err)
		}
		if id == "schema" && v[0] == '"' {
			continue
		}
		var is Issue
		if err := json.Unmarshal(v, &is); err != nil {
			start := dec.InputOffset() - int64(len(v))
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				te.Offset += start
				if te.Field == "" {
					te.Field = fmt.Sprintf("%q", id)
				} else {
					te.Field = fmt.Sprintf("%q.%s", id, te.Field)
				}
			}
			return nil, located(path, data, err)
		}
		x.Issues[id] = is
	}
	return x, nil
}

// Merge returns the index updated with the issues of a run (metric id ->
// issue). Metrics the run did not look at keep their entries.
func (x *IssueIndex) Merge(issues map[string]Issue) *IssueIndex {
	out := NewIssueIndex()
	if x != nil {
		if x.Schema != "" {
			out.Schema = x.Schema
		}
		for k, v := range x.Issues {
			out.Issues[k] = v
		}
	}
	for k, v := range issues {
		out.Issues[k] = v
	}
	return out
}

// Encode renders the index: "schema" first, then the metrics, keys sorted,
// two-space indent, final newline.
func (x *IssueIndex) Encode() ([]byte, error) {
	issues := map[string]Issue{}
	schema := IssuesSchema
	if x != nil {
		if x.Issues != nil {
			issues = x.Issues
		}
		if x.Schema != "" {
			schema = x.Schema
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(issues); err != nil {
		return nil, err
	}
	if _, clash := issues["schema"]; clash {
		return b.Bytes(), nil
	}
	v, err := json.Marshal(schema)
	if err != nil {
		return nil, err
	}
	out := b.Bytes()
	head := "{\n  \"schema\": " + string(v)
	if len(issues) == 0 {
		return []byte(head + "\n}\n"), nil
	}
	return append([]byte(head+",\n"), out[len("{\n"):]...), nil
}

// SaveIssues writes the index to path atomically, only when its content
// changes (an unchanged index leaves the file untouched).
func SaveIssues(path string, x *IssueIndex) error {
	data, err := x.Encode()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if old, found, err := read(path); err == nil && found && bytes.Equal(old, data) {
		return nil
	}
	return atomicfile.Write(path, data)
}

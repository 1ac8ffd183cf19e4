package tracker

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// IndexFile is the name of the issue index in the reports folder:
// {"<metric id>": {"number": 12, "url": "…", "state": "open"}}. The
// quarterly review links a metric's issue from it.
const IndexFile = "issues.json"

// Index maps a metric id to its issue.
type Index map[string]IssueRef

// LoadIndex reads an index file; a missing file is an empty index.
func LoadIndex(path string) (Index, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Index{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx := Index{}
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return idx, nil
}

// Merge returns idx updated with the issues of a run. Metrics the run did
// not look at (no longer in the report) keep their entries.
func (idx Index) Merge(s *Summary) Index {
	out := Index{}
	for k, v := range idx {
		out[k] = v
	}
	if s != nil {
		for k, v := range s.Issues {
			out[k] = v
		}
	}
	return out
}

// Marshal renders the index (keys sorted, two-space indent, final newline).
func (idx Index) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if idx == nil {
		idx = Index{}
	}
	if err := enc.Encode(map[string]IssueRef(idx)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

package tabular

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/internal/validutf8"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

// Format is the syntax of a table file.
type Format int

// The table formats.
const (
	Sniff Format = iota // decide from the content
	CSV
	JSON  // an array of objects, or an object with exactly one array field
	JSONL // one object per line (JSON Lines / NDJSON)
)

func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSON:
		return "json"
	case JSONL:
		return "jsonl"
	}
	return "sniff"
}

// FormatOf returns the format implied by the file name (a trailing .gz is
// ignored): .csv/.tsv CSV, .json JSON, .jsonl/.ndjson JSON Lines, anything
// else Sniff.
func FormatOf(path string) Format {
	name := strings.ToLower(strings.TrimSuffix(path, ".gz"))
	switch filepath.Ext(name) {
	case ".csv", ".tsv":
		return CSV
	case ".json":
		return JSON
	case ".jsonl", ".ndjson":
		return JSONL
	}
	return Sniff
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// Reader reads table files: CSV with a header row, a JSON array of
// objects, or JSON Lines.
type Reader struct {
	// Required columns: a CSV header lacking one is an error at line 1; a
	// row (or JSON object) whose value is missing or empty is an error at
	// its line.
	Required []string
	// Zone of timestamps without an offset (nil: UTC).
	Zone *time.Location
}

// ReadFile reads the file at path (gzip when it ends in .gz); display is
// the name used in origins and errors. fn is called for every row in order.
func (r Reader) ReadFile(path, display string, fn func(*Row) error) error {
	data, err := files.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	return r.Read(data, display, FormatOf(path), fn)
}

// unwrapPath drops the *PathError wrapper whose message repeats the full path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Read parses data in the given format (Sniff: '[' or '{' first means JSON,
// anything else CSV). A file holding only white space has no rows.
func (r Reader) Read(data []byte, display string, f Format, fn func(*Row) error) error {
	data = bytes.TrimPrefix(data, bom)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil
	}
	if f == Sniff {
		f = CSV
		if trimmed[0] == '[' || trimmed[0] == '{' {
			f = JSON
		}
	}
	switch f {
	case CSV:
		return r.readCSV(data, display, fn)
	case JSONL:
		return r.readJSONL(data, display, fn)
	default:
		return r.readJSON(data, display, fn)
	}
}

func (r Reader) newRow(display string, line int, vals map[string]any) *Row {
	return &Row{File: display, Line: line, vals: vals, zone: r.Zone}
}

// emit checks the required values and hands the row on.
func (r Reader) emit(row *Row, fn func(*Row) error) error {
	for _, c := range r.Required {
		if row.Str(c) == "" && row.err == nil {
			row.fail(c, "missing value")
		}
	}
	if row.err != nil {
		return row.err
	}
	return fn(row)
}

// ---- CSV

func (r Reader) readCSV(data []byte, display string, fn func(*Row) error) error {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = 0 // the header fixes the count
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false

	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return csvError(display, err)
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if h != "" && seen[h] {
			return fmt.Errorf("%s:1: duplicate column (column %s)", display, h)
		}
		seen[h] = true
		cols[i] = h
	}
	for _, c := range r.Required {
		if !seen[c] {
			return fmt.Errorf("%s:1: required column missing (column %s)", display, c)
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return fmt.Errorf("%s:%d: wrong number of fields: %d, the header has %d",
					display, pe.StartLine, len(rec), len(cols))
			}
			return csvError(display, err)
		}
		line, _ := cr.FieldPos(0)
		vals := make(map[string]any, len(cols))
		empty := true
		for i, v := range rec {
			if cols[i] == "" {
				continue
			}
			v = validutf8.String(strings.TrimSpace(v))
			if v != "" {
				empty = false
			}
			vals[cols[i]] = v
		}
		if empty {
			continue // ",,,," rows that spreadsheet exports leave behind
		}
		if err := r.emit(r.newRow(display, line, vals), fn); err != nil {
			return err
		}
	}
}

func csvError(display string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: invalid CSV: %w", display, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: invalid CSV: %w", display, err)
}

// sniffDelimiter picks ',' unless the header line has none and has ';' or
// a tab (spreadsheet exports in some locales, TSV).
func sniffDelimiter(data []byte) rune {
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	if bytes.IndexByte(first, ',') >= 0 {
		return ','
	}
	if bytes.IndexByte(first, '\t') >= 0 {
		return '\t'
	}
	if bytes.IndexByte(first, ';') >= 0 {
		return ';'
	}
	return ','
}

// ---- JSON

func (r Reader) readJSON(data []byte, display string, fn func(*Row) error) error {
	doc := jsonpos.New(display, data)
	first := doc.Peek()
	if first != '[' && first != '{' {
		return doc.Errorf(doc.Line(), "expected a JSON array of objects")
	}
	if err := doc.Validate(); err != nil {
		if first == '{' && jsonpos.IsTrailingData(err) {
			// Several objects one after another: a JSON Lines stream
			// (possibly pretty-printed) in a .json file.
			return doc.Stream(func(line int) error { return r.element(doc, line, display, fn) })
		}
		return err
	}
	if first == '[' {
		return doc.Array(func(line int) error { return r.element(doc, line, display, fn) })
	}
	// {"meta": ..., "incidents": [ ... ]}: exactly one array-valued field.
	arrays := 0
	err := doc.Object(func(key string, line int) error {
		if doc.Peek() != '[' {
			return doc.Skip()
		}
		arrays++
		if arrays > 1 {
			return doc.Errorf(line, "expected an object with exactly one array field, found a second one (%q)", key)
		}
		return doc.Array(func(line int) error { return r.element(doc, line, display, fn) })
	})
	if err != nil {
		return err
	}
	if arrays == 0 {
		return doc.Errorf(1, "expected a JSON array of objects, or an object with one array field")
	}
	return nil
}

// element decodes one object of an array or stream into a row.
func (r Reader) element(doc *jsonpos.Doc, line int, display string, fn func(*Row) error) error {
	var v any
	if err := doc.Decode(&v); err != nil {
		return err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return doc.Errorf(line, "expected an object, found %s", jsonKind(v))
	}
	return r.emit(r.newRow(display, line, lowerKeys(obj)), fn)
}

func lowerKeys(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return out
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// readJSONL reads one object per line. Lines are cut from data as they
// are, however long (unlike a log's, a record is never truncated).
func (r Reader) readJSONL(data []byte, display string, fn func(*Row) error) error {
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		doc := jsonpos.Sub(display, line, n)
		if err := doc.Validate(); err != nil {
			return err
		}
		if err := r.element(doc, n, display, fn); err != nil {
			return err
		}
	}
	return nil
}

// Package store is the state posture keeps between runs: the files in the
// reports folder (reports_dir) that a later run reads back. One type per
// kept file:
//
//	<reports_dir>/YYYY-MM-DD.json       the dated reports (report.Report): trends and series, rollups
//	<reports_dir>/vulnerabilities.json  the vulnerability ledger (Ledger): first seen and fixes of finding keys
//	<reports_dir>/baseline.json         the approved config baseline (Baseline), written by `posture baseline --approve`
//	<reports_dir>/issues.json           the GitHub issue of each metric (IssueIndex), written by `posture issues`
//
// The other files of the folder (D.md, index.html, metrics.prom, monthly/,
// quarterly/) are outputs rendered from these and are not read back.
//
// Format version. Every kept file is a JSON object whose "schema" names
// its kind and major version, "posture.<kind>/v<major>". issues.json, a
// map of metric ids, carried none before: a file without it is read as
// version 1. A file of a newer major version than this posture knows is
// refused (ErrNewerFormat, naming the file) rather than misread or
// overwritten; within a version, unknown fields are ignored.
//
// Reading. A missing file is the empty state (no ledger yet, no issue, no
// approved baseline, no report). A file that cannot be read is an error
// naming it: a JSON syntax error gives its line and column, a value of the
// wrong type its line, column and field; an empty file, a value that is
// not a JSON object or a folder in the file's place are errors too. The
// state is never silently reset: deciding to start over is the caller's.
//
// Writing. Every file is written atomically (internal/atomicfile: a
// temporary file in the same folder, synced, renamed over the target), so
// a reader sees the old content or the new, never half of it.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// ErrNewerFormat is returned (wrapped, with the file's path) by the loaders
// when a file is of a newer major version than this posture reads.
var ErrNewerFormat = errors.New("written by a newer posture")

// ErrOtherSchema is returned (wrapped, with the file's path) by the loaders
// when a file's "schema" names another kind of file (or an older,
// unsupported version of the same kind).
var ErrOtherSchema = errors.New("another kind of file")

// read reads a kept file; found is false when it does not exist. Other
// errors (a folder in its place, no permission) name the file.
func read(path string) (data []byte, found bool, err error) {
	data, err = os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err // *fs.PathError: "read <path>: …"
	}
	return data, true, nil
}

// decode reads data, the content of the kept file path, into v. The file
// must be one JSON object. Errors name the file and locate the problem.
func decode(path string, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: empty file, want a JSON object", path)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return located(path, data, err)
	}
	if i := firstByte(data); data[i] != '{' {
		line, col := position(data, int64(i)+1)
		return fmt.Errorf("%s:%d:%d: want a JSON object", path, line, col)
	}
	return nil
}

// located turns an encoding/json error about data into one naming the file
// path and, when json tells where, the line and column.
func located(path string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return fmt.Errorf("%s:%d:%d: invalid JSON: %s", path, line, col, syn.Error())
	case errors.As(err, &typ):
		line, col := position(data, typ.Offset)
		what := "unexpected JSON " + typ.Value + ", want " + want(typ.Type)
		if typ.Field != "" {
			what = typ.Field + ": " + what
		}
		return fmt.Errorf("%s:%d:%d: %s", path, line, col, what)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// position is the 1-based line and column (in bytes) of the byte json
// stopped at, given its offset (the count of bytes read, so the byte is
// data[off-1]); an offset at or past the end points just after the last
// byte.
func position(data []byte, off int64) (line, col int) {
	p := int(off) - 1
	if p < 0 {
		p = 0
	}
	if int(off) >= len(data) {
		p = len(data)
	}
	line = 1 + bytes.Count(data[:p], []byte{'\n'})
	col = p - bytes.LastIndexByte(data[:p], '\n')
	return line, col
}

func firstByte(data []byte) int {
	return len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
}

// want names the JSON a Go type is decoded from.
func want(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return t.String()
}

// schemaError is a "schema" mismatch; it wraps ErrNewerFormat or
// ErrOtherSchema.
type schemaError struct {
	msg  string
	kind error
}

func (e *schemaError) Error() string { return e.msg }
func (e *schemaError) Unwrap() error { return e.kind }

// checkSchema compares the "schema" of the kept file path, got, with the
// one this posture reads and writes, want ("posture.<kind>/v<major>").
func checkSchema(path, got, want string) error {
	if got == want {
		return nil
	}
	wk, wv, _ := splitSchema(want)
	if gk, gv, ok := splitSchema(got); ok && gk == wk && gv > wv {
		return &schemaError{kind: ErrNewerFormat, msg: fmt.Sprintf(
			"%s: %s: schema %q, this posture reads %q (upgrade posture)", path, ErrNewerFormat, got, want)}
	}
	return &schemaError{kind: ErrOtherSchema, msg: fmt.Sprintf("%s: schema %q, want %q", path, got, want)}
}

// splitSchema splits "posture.<kind>/v<major>" into its kind and major
// version.
func splitSchema(s string) (kind string, major int, ok bool) {
	i := strings.LastIndex(s, "/v")
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+2:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	return s[:i], n, true
}

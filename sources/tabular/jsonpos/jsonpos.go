// Package jsonpos walks JSON documents with encoding/json's token stream
// while tracking the line on which every value starts, so that structured
// file sources can name "<file>:<line>" in their records and errors.
//
// A Doc holds the whole input in memory (exports and scanner reports, not
// logs). Syntax errors are located exactly: the line of the byte at which
// the parser gave up.
package jsonpos

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
)

// Doc is a JSON input being walked.
type Doc struct {
	name string
	data []byte
	dec  *json.Decoder
	nl   []int // offsets of '\n', built lazily
	base int   // line number of data[0] minus 1 (for sub-documents)
}

// New starts walking data; name (the display path) prefixes every error.
// Numbers decode as json.Number.
func New(name string, data []byte) *Doc {
	d := &Doc{name: name, data: data}
	d.dec = json.NewDecoder(byteReader(data))
	d.dec.UseNumber()
	return d
}

// Sub returns a Doc over data that starts on line firstLine of the same file.
func Sub(name string, data []byte, firstLine int) *Doc {
	d := New(name, data)
	d.base = firstLine - 1
	return d
}

// Name is the display name given to New.
func (d *Doc) Name() string { return d.name }

// LineAt returns the 1-based line of byte offset off.
func (d *Doc) LineAt(off int) int {
	if d.nl == nil {
		d.nl = make([]int, 0, 64)
		for i, c := range d.data {
			if c == '\n' {
				d.nl = append(d.nl, i)
			}
		}
	}
	if off < 0 {
		off = 0
	}
	return d.base + 1 + sort.SearchInts(d.nl, off)
}

// Errorf returns an error "<name>:<line>: <message>".
func (d *Doc) Errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", d.name, line, fmt.Sprintf(format, args...))
}

// skip is a no-op unmarshaler: it lets json validate or step over a value
// without building anything.
type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

// Validate checks that the whole input is exactly one JSON value and
// returns the located syntax error if not.
func (d *Doc) Validate() error {
	return d.checkFrom(0)
}

// IsTrailingData reports whether err (from Validate) only complains about
// content after a complete first value — the input may be a stream.
func IsTrailingData(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.trailing
}

// Error is a located syntax error.
type Error struct {
	Name     string
	Line     int
	Msg      string
	trailing bool
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg) }

// checkFrom validates data[start:] as one value.
func (d *Doc) checkFrom(start int) error {
	if start > len(d.data) {
		start = len(d.data)
	}
	err := json.Unmarshal(d.data[start:], &skip{})
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return d.Errorf(d.LineAt(start), "invalid JSON: %v", err)
	}
	// Offset counts the bytes read up to and including the offending one;
	// step over white space in case a decoder counts differently
	// (GOEXPERIMENT=jsonv2 points at the offending byte itself).
	off := start + int(se.Offset) - 1
	if off < start {
		off = start
	}
	for off+1 < len(d.data) && isSpace(d.data[off]) {
		off++
	}
	if off >= len(d.data) {
		off = len(d.data) - 1
	}
	msg := se.Error()
	e := &Error{Name: d.name, Line: d.LineAt(off), Msg: "invalid JSON: " + msg}
	e.trailing = strings.Contains(msg, "after top-level value")
	return e
}

// next returns the offset of the first byte of the next value (skipping
// white space and the ',' and ':' separators the token stream has not
// consumed yet).
func (d *Doc) next() int {
	off := int(d.dec.InputOffset())
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// Line returns the line of the next value.
func (d *Doc) Line() int { return d.LineAt(d.next()) }

// Peek returns the first byte of the next value, 0 at the end of input.
func (d *Doc) Peek() byte {
	off := d.next()
	if off >= len(d.data) {
		return 0
	}
	return d.data[off]
}

// More reports whether another top-level value (in a stream) or another
// element (inside Array/Object) follows.
func (d *Doc) More() bool { return d.dec.More() }

// wrap turns a decoder error for the value starting at start into a located error.
func (d *Doc) wrap(err error, start int) error {
	return d.wrapAt(err, start, -1)
}

// wrapAt is wrap knowing where the decoder's buffer for the value began
// (base, -1 if unknown): type errors are then located at the offending
// member rather than at the value's first line.
func (d *Doc) wrapAt(err error, start, base int) error {
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		what := "unexpected JSON " + te.Value
		if want := kindName(te.Type); want != "" {
			what += ", want " + want
		}
		if te.Field != "" {
			what = te.Field + ": " + what
		}
		at := start
		if base >= 0 && te.Offset > 0 {
			// Offset counts from the decoder's buffer for this value and
			// points just past the offending token; keep it inside the value.
			if off := base + int(te.Offset) - 1; off > start && off < int(d.dec.InputOffset()) {
				at = off
			}
		}
		return d.Errorf(d.LineAt(at), "%s", what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		if verr := d.checkFrom(start); verr != nil {
			return verr
		}
		return d.Errorf(d.LineAt(start), "invalid JSON: %v", err)
	}
	return d.Errorf(d.LineAt(start), "%v", err)
}

func kindName(t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		if v == '{' {
			return "an object"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// Decode decodes the next value into v.
func (d *Doc) Decode(v any) error {
	start := d.next()
	// The decoder's value buffer begins after the white space and the one
	// ',' or ':' it consumes before the value.
	base := int(d.dec.InputOffset())
	for base < len(d.data) && isSpace(d.data[base]) {
		base++
	}
	if base < len(d.data) && (d.data[base] == ',' || d.data[base] == ':') {
		base++
	}
	return d.wrapAt(d.dec.Decode(v), start, base)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Skip steps over the next value.
func (d *Doc) Skip() error {
	start := d.next()
	return d.wrap(d.dec.Decode(&skip{}), start)
}

// Object walks the next value, which must be an object or null (no calls).
// fn is called with each key and the line of its value, and must consume
// the value exactly once (Decode, Skip, Object or Array).
func (d *Doc) Object(fn func(key string, line int) error) error {
	start := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return d.wrap(err, start)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('{') {
		return d.Errorf(d.LineAt(start), "expected an object, found %s", describe(tok))
	}
	for d.dec.More() {
		kstart := d.next()
		ktok, err := d.dec.Token()
		if err != nil {
			return d.wrap(err, kstart)
		}
		key, ok := ktok.(string)
		if !ok {
			return d.Errorf(d.LineAt(kstart), "expected an object key, found %s", describe(ktok))
		}
		if err := fn(key, d.Line()); err != nil {
			return err
		}
	}
	end := d.next()
	if _, err := d.dec.Token(); err != nil {
		return d.wrap(err, end)
	}
	return nil
}

// Array walks the next value, which must be an array or null (no calls).
// fn is called with the line of each element and must consume it exactly once.
func (d *Doc) Array(fn func(line int) error) error {
	start := d.next()
	tok, err := d.dec.Token()
	if err != nil {
		return d.wrap(err, start)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return d.Errorf(d.LineAt(start), "expected an array, found %s", describe(tok))
	}
	for d.dec.More() {
		if err := fn(d.Line()); err != nil {
			return err
		}
	}
	end := d.next()
	if _, err := d.dec.Token(); err != nil {
		return d.wrap(err, end)
	}
	return nil
}

// Stream calls fn for each top-level value of a whitespace-separated
// sequence (JSON Lines, or pretty-printed objects one after another), with
// the line the value starts on. fn must consume the value exactly once.
// A value that does not parse is an error at the line where parsing failed.
func (d *Doc) Stream(fn func(line int) error) error {
	for {
		start := d.next()
		if start >= len(d.data) {
			return nil
		}
		// Validate this value alone so that a syntax error names its line
		// rather than failing somewhere inside fn.
		if err := d.checkValue(start); err != nil {
			return err
		}
		if err := fn(d.LineAt(start)); err != nil {
			return err
		}
	}
}

// checkValue validates the single value starting at start (content after
// it is allowed).
func (d *Doc) checkValue(start int) error {
	err := d.checkFrom(start)
	if err == nil || IsTrailingData(err) {
		return nil
	}
	return err
}

type sliceReader struct {
	b []byte
	i int
}

func (r *sliceReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}

func byteReader(b []byte) io.Reader { return &sliceReader{b: b} }

package tabular

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// Row is one record of a table file: a CSV line or a JSON object. Column
// names are lower-cased and trimmed. The typed getters record the first
// problem they meet; Err returns it as "<file>:<line>: <what> (column <name>)".
type Row struct {
	File string // display path
	Line int    // line the row starts on
	vals map[string]any
	zone *time.Location
	err  error
}

// Origin is "<file>:<line>".
func (r *Row) Origin() string { return r.File + ":" + strconv.Itoa(r.Line) }

// Err returns the first error met by a getter, nil if none.
func (r *Row) Err() error { return r.err }

// Has reports whether the column is present (CSV header or JSON key).
func (r *Row) Has(col string) bool {
	_, ok := r.vals[col]
	return ok
}

// Raw returns the value as decoded: a string (CSV, JSON strings),
// json.Number, bool, nil, []any or map[string]any.
func (r *Row) Raw(col string) any { return r.vals[col] }

// Fail records a problem with a column (the first one wins).
func (r *Row) Fail(col, format string, args ...any) {
	r.fail(col, fmt.Sprintf(format, args...))
}

func (r *Row) fail(col, what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%s:%d: %s (column %s)", r.File, r.Line, what, col)
	}
}

// Str returns the value as a trimmed string. JSON numbers keep their
// literal text, booleans read "true"/"false", null and absent are "".
// Arrays and objects are an error.
func (r *Row) Str(col string) string {
	s, ok := scalar(r.vals[col])
	if !ok {
		r.fail(col, "expected a string, number, boolean or null, found "+jsonKind(r.vals[col]))
		return ""
	}
	return s
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// Enum returns the value lower-cased and trimmed (status, severity, role).
func (r *Row) Enum(col string) string { return strings.ToLower(r.Str(col)) }

// Time parses the value with timefmt.Parse in the row's zone. Empty means
// unknown: both pointers nil.
func (r *Row) Time(col string) (*string, *int64) {
	s := r.Str(col)
	if s == "" {
		return nil, nil
	}
	t, err := timefmt.Parse(s, r.zone)
	if err != nil {
		r.fail(col, err.Error())
		return nil, nil
	}
	return timefmt.Ptrs(t)
}

// Bool reads true/false, yes/no, y/n, 1/0, t/f (any case); empty is nil.
func (r *Row) Bool(col string) *bool {
	s := r.Str(col)
	if s == "" {
		return nil
	}
	b, ok := ParseBool(s)
	if !ok {
		r.fail(col, fmt.Sprintf("invalid boolean %q", clip(s)))
		return nil
	}
	return &b
}

// ParseBool reads the booleans file sources accept.
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "t":
		return true, true
	case "false", "no", "n", "0", "f":
		return false, true
	}
	return false, false
}

// List returns a JSON array's scalar elements, or a string split on ',',
// ';' or '|' (CSV cells), each trimmed, empty ones dropped.
func (r *Row) List(col string) []string {
	var out []string
	switch x := r.vals[col].(type) {
	case []any:
		for _, e := range x {
			s, ok := scalar(e)
			if !ok {
				r.fail(col, "expected an array of strings, found an element that is "+jsonKind(e))
				return nil
			}
			if s != "" {
				out = append(out, s)
			}
		}
	default:
		s := r.Str(col)
		for _, p := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ';' || c == '|' }) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

package applog

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// vocabulary maps the OWASP Logging Vocabulary events this source counts
// (docs/configuration.md#app_log). authn_login_fail_max and authn_login_lock repeat failures
// already counted from authn_login_fail lines; they, like every other event
// name, are recognised without an event.
var vocabulary = []struct{ name, typ string }{
	{"authn_login_fail", snapshot.EventLoginFailed},
	{"authn_login_success", snapshot.EventLoginSuccess},
	{"authn_login_successafterfail", snapshot.EventLoginSuccess},
	{"authz_fail", snapshot.EventAuthzFail},
	{"excess_rate_limit_exceeded", snapshot.EventRateLimited},
}

// member is a top-level string member of the line's object.
type member struct {
	raw     []byte // between the quotes, still escaped
	escaped bool   // raw holds backslash escapes
	found   bool
}

func (m member) bytes() []byte {
	if !m.escaped {
		return m.raw
	}
	// Rare: decode the escapes. raw came from a valid JSON string.
	var s string
	q := make([]byte, 0, len(m.raw)+2)
	q = append(append(append(q, '"'), m.raw...), '"')
	if err := json.Unmarshal(q, &s); err != nil {
		return m.raw
	}
	return []byte(s)
}

var bom = []byte("\xef\xbb\xbf")

// parseLine parses one JSON Lines record of the OWASP Logging Vocabulary:
// an object with string members "datetime" (RFC 3339, or
// "YYYY-MM-DD HH:MM:SS,mmm" read in loc) and "event" ("<name>[:<args>]",
// name matched case-insensitively), and optionally "source_ip". Other members
// (appid, level, description, hostname, request_uri...) are ignored.
//
// ok=false (skipped) for a line that is not a JSON object, lacks a string
// datetime or event, or whose datetime does not parse. For counted events
// User is the first argument (the OWASP userid of authn_*, authz_* and
// excess_rate_limit_exceeded), IP is source_ip and Detail the vocabulary
// event name, lower-cased. A line without an event has Type "". Lines
// yielding no event are not allocated for.
func parseLine(line []byte, loc *time.Location) (logfile.Event, bool) {
	line = bytes.TrimPrefix(line, bom)
	dt, ev, ip, ok := members(line)
	if !ok || !dt.found || !ev.found {
		return logfile.Event{}, false
	}
	dtb := dt.bytes()
	t, n, ok := timefmt.ISO(dtb, loc)
	if !ok || n != len(dtb) {
		// Lenient fallback for other shapes (a bare date, no seconds...).
		var err error
		if t, err = timefmt.Parse(string(dtb), loc); err != nil || t.Year() < 1970 {
			return logfile.Event{}, false
		}
	}
	evb := ev.bytes()
	name, args := evb, []byte(nil)
	if i := bytes.IndexByte(evb, ':'); i >= 0 {
		name, args = evb[:i], evb[i+1:]
	}
	name = bytes.TrimSpace(name)
	if len(name) == 0 {
		return logfile.Event{}, false
	}
	for _, v := range vocabulary {
		if !bytes.EqualFold(name, []byte(v.name)) {
			continue
		}
		user := args
		if i := bytes.IndexByte(user, ','); i >= 0 {
			user = user[:i]
		}
		user = bytes.TrimSpace(user)
		ipb := bytes.TrimSpace(ip.bytes())
		s := string(ipb) + string(user)
		return logfile.Event{Type: v.typ, T: t, IP: s[:len(ipb)], User: s[len(ipb):], Detail: v.name}, true
	}
	return logfile.Event{}, true
}

// maxDepth mirrors encoding/json's nesting limit.
const maxDepth = 10000

// members validates b as one JSON object (exactly the documents
// json.Valid accepts that start with '{') and returns its top-level string
// members datetime, event and source_ip (the last occurrence wins, as with
// encoding/json). Non-string values leave a member not found. It does not
// allocate; a hand-written scanner is 3-4x faster than json.Valid plus a
// second walk.
func members(b []byte) (dt, ev, ip member, ok bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return dt, ev, ip, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return dt, ev, ip, skipWS(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return dt, ev, ip, false
		}
		kEnd, _ := scanString(b, i)
		if kEnd < 0 {
			return dt, ev, ip, false
		}
		key := b[i+1 : kEnd-1]
		i = skipWS(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return dt, ev, ip, false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return dt, ev, ip, false
		}
		var m member
		var vEnd int
		if b[i] == '"' {
			var esc bool
			if vEnd, esc = scanString(b, i); vEnd < 0 {
				return dt, ev, ip, false
			}
			m = member{raw: b[i+1 : vEnd-1], escaped: esc, found: true}
		} else if vEnd = scanValue(b, i, 1); vEnd < 0 {
			return dt, ev, ip, false
		}
		switch string(key) { // no allocation
		case "datetime":
			dt = m
		case "event":
			ev = m
		case "source_ip":
			ip = m
		}
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return dt, ev, ip, false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return dt, ev, ip, skipWS(b, i+1) == len(b)
		default:
			return dt, ev, ip, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plain marks the bytes a JSON string may hold unescaped.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString validates the string starting at b[i] (a quote) and returns
// the index after its closing quote (-1 if invalid) and whether it holds
// escapes.
func scanString(b []byte, i int) (int, bool) {
	esc := false
	j := i + 1
	for j < len(b) {
		c := b[j]
		if plain[c] {
			j++
			continue
		}
		switch c {
		case '"':
			return j + 1, esc
		case '\\':
			esc = true
			if j+1 >= len(b) {
				return -1, esc
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return -1, esc
				}
				j += 6
			default:
				return -1, esc
			}
		default: // control character
			return -1, esc
		}
	}
	return -1, esc
}

func isHex(c byte) bool {
	return timefmt.IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scanValue validates the value starting at b[i] and returns the index
// after it, or -1.
func scanValue(b []byte, i, depth int) int {
	switch c := b[i]; {
	case c == '"':
		e, _ := scanString(b, i)
		return e
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return -1
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1
		}
		for {
			if i >= len(b) {
				return -1
			}
			if c == '{' {
				if b[i] != '"' {
					return -1
				}
				if i, _ = scanString(b, i); i < 0 {
					return -1
				}
				if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
					return -1
				}
				if i = skipWS(b, i+1); i >= len(b) {
					return -1
				}
			}
			if i = scanValue(b, i, depth+1); i < 0 {
				return -1
			}
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case closer:
				return i + 1
			default:
				return -1
			}
		}
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || timefmt.IsDigit(c):
		return scanNumber(b, i)
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// scanNumber validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && timefmt.IsDigit(b[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !timefmt.IsDigit(b[i]) {
			return -1
		}
		for i < len(b) && timefmt.IsDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !timefmt.IsDigit(b[i]) {
			return -1
		}
		for i < len(b) && timefmt.IsDigit(b[i]) {
			i++
		}
	}
	return i
}

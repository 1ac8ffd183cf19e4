package nginx

import (
	"bytes"
	_ "embed"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// ErrorKind is the nginx error log source kind.
const ErrorKind = "nginx_error_log"

// ErrorConfig is the body of a `source "nginx_error_log" "<name>"` block.
// Error log timestamps have no zone: they are read in Timezone (else the
// run's zone, else UTC).
type ErrorConfig = logfile.Config

// NewError builds a source of nginx error logs from its configuration. It
// reads every configured file (rotated *.gz ones transparently).
// Declaring it registers the kind.
var NewError = logfile.Register(sources.Kind{
	Name:        ErrorKind,
	Summary:     "nginx error log: limit_req rejections, TLS handshakes refused for protocol version",
	Doc:         errorDoc,
	Collections: sources.Events(snapshot.EventRateLimited, snapshot.EventTLSDowngrade),
}, newErrorLine, logfile.Stateless)

//go:embed nginx_error_log.md
var errorDoc string

func newErrorLine(loc *time.Location, _ time.Time) logfile.LineFunc {
	return func(dst []logfile.Event, line []byte) ([]logfile.Event, bool) {
		return parseError(dst, line, loc)
	}
}

var (
	pLimiting  = []byte("limiting requests")
	pExcess    = []byte(", excess:")
	pByZone    = []byte(`by zone "`)
	pHandshake = []byte("SSL_do_handshake() failed")
	pClient    = []byte(", client: ")
)

// parseError parses one error log line,
//
//	2026/11/27 03:12:01 [error] 1234#1234: *5678 limiting requests, excess: 10.520 by zone "api", client: 203.0.113.9, server: example.com, request: "GET / HTTP/1.1", host: "example.com"
//
// at any level (limit_req_log_level may lower it to warn, notice or info).
// limit_req rejections ("limiting requests, excess: ...") are rate_limited;
// "delaying request" and dry-run lines ("limiting requests, dry run, ...")
// rejected nothing and yield no event. SSL_do_handshake() failures whose
// reason is "unsupported protocol", "version too low" or "inappropriate
// fallback" (any case, '_' for ' ' as BoringSSL spells them) are
// tls_downgrade; other reasons ("wrong version number" - plain HTTP or
// garbage on the TLS port - or "tlsv1 alert protocol version", which is the
// client refusing us) are not. All other error lines are recognised without
// an event; continuation lines of multi-line messages are skipped.
func parseError(dst []logfile.Event, line []byte, loc *time.Location) ([]logfile.Event, bool) {
	// "YYYY/MM/DD HH:MM:SS [level] pid#tid: "
	if len(line) < 20 || line[19] != ' ' || !errorTimeShape(line[:19]) {
		return dst, false
	}
	rest := line[20:]
	if len(rest) < 3 || rest[0] != '[' {
		return dst, false
	}
	i := 1
	for i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z' {
		i++
	}
	if i == 1 || i+1 >= len(rest) || rest[i] != ']' || rest[i+1] != ' ' {
		return dst, false
	}
	rest = rest[i+2:]
	pid, tail, ok := digitsThen(rest, '#')
	if !ok || pid == 0 {
		return dst, false
	}
	if _, rest, ok = digitsThen(tail, ':'); !ok {
		return dst, false
	}
	// The message follows ": " and an optional "*<connection> ".
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] == '*' {
		if _, after, ok := digitsThen(rest[1:], ' '); ok {
			rest = after
		}
	}
	msg := rest

	switch {
	case bytes.HasPrefix(msg, pLimiting):
		after := msg[len(pLimiting):]
		if !bytes.HasPrefix(after, pExcess) {
			return dst, true // "limiting requests, dry run, excess: ..."
		}
		zone := []byte(nil)
		if k := bytes.Index(after, pByZone); k >= 0 {
			z := after[k+len(pByZone):]
			if e := bytes.IndexByte(z, '"'); e >= 0 {
				zone = z[:e]
			}
		}
		t, ok := errorTime(line[:19], loc)
		if !ok {
			return dst, false
		}
		ip, detail := clientAnd(after, zone)
		return append(dst, logfile.Event{Type: snapshot.EventRateLimited, T: t, IP: ip, Detail: detail}), true
	case bytes.HasPrefix(msg, pHandshake):
		after := msg[len(pHandshake):]
		reason := after
		if k := bytes.Index(after, pClient); k >= 0 {
			reason = after[:k]
		}
		why := downgradeReason(reason)
		if why == "" {
			return dst, true
		}
		t, ok := errorTime(line[:19], loc)
		if !ok {
			return dst, false
		}
		ip, _ := clientAnd(after, nil)
		return append(dst, logfile.Event{Type: snapshot.EventTLSDowngrade, T: t, IP: ip, Detail: why}), true
	}
	return dst, true
}

// clientAnd returns the address after ", client: " and detail as strings,
// with one allocation.
func clientAnd(b, detail []byte) (string, string) {
	var ip []byte
	if k := bytes.Index(b, pClient); k >= 0 {
		ip = b[k+len(pClient):]
		if e := bytes.IndexByte(ip, ','); e >= 0 {
			ip = ip[:e]
		}
		if e := bytes.IndexByte(ip, ' '); e >= 0 {
			ip = ip[:e]
		}
	}
	var arr [128]byte
	s := string(append(append(arr[:0], ip...), detail...))
	return s[:len(ip)], s[len(ip):]
}

var downgradeReasons = []string{"unsupported protocol", "version too low", "inappropriate fallback"}

// downgradeReason returns which of the downgrade reasons b names, or "".
func downgradeReason(b []byte) string {
	for _, r := range downgradeReasons {
		if containsReason(b, r) {
			return r
		}
	}
	return ""
}

// containsReason is a case-insensitive search for the lower-case phrase in
// b where '_' in b also matches ' ' ("UNSUPPORTED_PROTOCOL").
func containsReason(b []byte, phrase string) bool {
	n := len(phrase)
outer:
	for i := 0; i+n <= len(b); i++ {
		for j := 0; j < n; j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			} else if c == '_' {
				c = ' '
			}
			if c != phrase[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

// digitsThen reads digits followed by sep and returns their value (capped)
// and what follows sep.
func digitsThen(b []byte, sep byte) (int, []byte, bool) {
	i, v := 0, 0
	for i < len(b) && timefmt.IsDigit(b[i]) {
		if v < 1<<30 {
			v = v*10 + int(b[i]-'0')
		}
		i++
	}
	if i == 0 || i >= len(b) || b[i] != sep {
		return 0, nil, false
	}
	return v, b[i+1:], true
}

// errorTimeShape checks "YYYY/MM/DD HH:MM:SS" without building the instant.
func errorTimeShape(b []byte) bool {
	_, ok := errorFields(b)
	return ok
}

// errorFields reads "YYYY/MM/DD HH:MM:SS" into year, month, day, hour,
// minute, second.
func errorFields(b []byte) ([6]int, bool) {
	var f [6]int
	if b[4] != '/' || b[7] != '/' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return f, false
	}
	for k, r := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		v, ok := num(b[r[0]:r[1]])
		if !ok {
			return f, false
		}
		f[k] = v
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > timefmt.DaysIn(time.Month(f[1]), f[0]) || f[3] > 23 || f[4] > 59 || f[5] > 60 {
		return f, false
	}
	return f, true
}

// errorTime reads "YYYY/MM/DD HH:MM:SS" in loc.
func errorTime(b []byte, loc *time.Location) (time.Time, bool) {
	f, ok := errorFields(b)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, loc).UTC(), true
}

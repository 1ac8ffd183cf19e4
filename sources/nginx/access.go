package nginx

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// AccessKind is the nginx access log source kind.
const AccessKind = "nginx_access_log"

func init() {
	sources.Register(sources.Kind{
		Name:        AccessKind,
		Summary:     "nginx access log (combined format): 403s, rate-limit statuses, requests on SSLv3/TLSv1/TLSv1.1",
		Doc:         accessDoc,
		Defaults:    map[string]any{"rate_limit_status": DefaultRateLimitStatus},
		Collections: sources.Events(snapshot.EventHTTPForbidden, snapshot.EventRateLimited, snapshot.EventTLSDowngrade),
		Shardable:   true, // files.CollectWith shares the files out
		Build:       sources.Typed(NewAccess),
	})
}

//go:embed nginx_access_log.md
var accessDoc string

// DefaultRateLimitStatus is the statuses that mean "rejected by a rate
// limit" when rate_limit_status is not set (or empty).
var DefaultRateLimitStatus = []int{429}

// AccessConfig is the body of a `source "nginx_access_log" "<name>"` block.
// Timezone is accepted for uniformity with the other file sources but has no
// effect: $time_local carries its own offset.
type AccessConfig struct {
	Paths    []string `hcl:"paths" doc:"Access logs to read: glob patterns (*, ?, [...]; no **), relative to the config file's folder; rotated .gz files are read too. A pattern that matches no file is a source error."`
	Timezone string   `hcl:"timezone,optional" doc:"Accepted for uniformity with the other log kinds; no effect: $time_local carries its own offset."`
	// RateLimitStatus lists the statuses that mean "rejected by a rate
	// limit" (nginx's limit_req_status / limit_conn_status). Default [429];
	// an empty list also means the default.
	RateLimitStatus []int `hcl:"rate_limit_status,optional" doc:"HTTP statuses that mean the request was rejected by a rate limit (nginx's limit_req_status / limit_conn_status). An empty list means the default."`
}

// AccessSource reads nginx access logs.
type AccessSource struct {
	files     logfile.Files
	rateLimit []int
}

// NewAccess builds an AccessSource from its configuration.
func NewAccess(cfg *AccessConfig) (*AccessSource, error) {
	if cfg == nil {
		cfg = &AccessConfig{}
	}
	fs, err := logfile.New(cfg.Paths, cfg.Timezone)
	if err != nil {
		return nil, err
	}
	rl := append([]int(nil), DefaultRateLimitStatus...)
	if len(cfg.RateLimitStatus) > 0 {
		rl = nil
		for _, st := range cfg.RateLimitStatus {
			if st < 100 || st > 999 {
				return nil, fmt.Errorf("rate_limit_status: %d is not an HTTP status", st)
			}
			rl = append(rl, st)
		}
	}
	return &AccessSource{files: fs, rateLimit: rl}, nil
}

// Collect reads every configured file (rotated *.gz ones transparently);
// a line's events depend on that line alone, so a large file is parsed in
// parallel ranges.
func (s *AccessSource) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	return s.files.CollectWith(ctx, env, func(*time.Location, time.Time) logfile.LineFunc {
		return func(dst []logfile.Event, line []byte) ([]logfile.Event, bool) {
			return parseAccess(dst, line, s.rateLimit)
		}
	}, logfile.Stateless)
}

var pOpenTime = []byte(" [")

// parseAccess parses one line of the combined log format,
//
//	$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
//
// optionally followed by more fields (or, leniently, the common format
// without referer and user agent). It appends the line's events to dst:
// http_forbidden for 403, rate_limited for a status in rateLimit (both when
// 403 is configured as a rate-limit status), and tls_downgrade when a field
// after the body size is exactly SSLv2, SSLv3, TLSv1 or TLSv1.1.
//
// Only unquoted fields are taken as $ssl_protocol: quoted fields ($request,
// referer, user agent, other headers) are client-controlled, and a client
// sending "Referer: TLSv1" must not fail the tls_downgrade_attempts gate.
//
// Strings may hold nginx escapes (\x22 for a quote with escape=default) or
// backslash escapes (\" with escape=json or a hand-made format); the quote
// that closes $request is the first unescaped one followed by a status.
// Malformed requests (TLS bytes sent to the plain port, "-", 400s) are valid
// lines. Lines that do not have this shape are not ok (skipped).
func parseAccess(dst []logfile.Event, line []byte, rateLimit []int) ([]logfile.Event, bool) {
	// $remote_addr
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return dst, false
	}
	addr := line[:sp]
	// "-" (ident), then $remote_user up to " [<time_local>] \"".
	rest := line[sp+1:]
	if sp = bytes.IndexByte(rest, ' '); sp < 0 {
		return dst, false
	}
	rest = rest[sp:] // keep the space: an empty user reads " [..."
	var (
		t     time.Time
		user  []byte
		found bool
	)
	for off := 0; !found; {
		i := bytes.Index(rest[off:], pOpenTime)
		if i < 0 {
			return dst, false
		}
		i += off
		b := rest[i+2:]
		if len(b) >= 29 && b[26] == ']' && b[27] == ' ' && b[28] == '"' {
			if tt, ok := parseLocalTime(b[:26]); ok {
				t, user, found = tt, rest[:i], true
				rest = b[29:]
			}
		}
		off = i + 1
	}
	if len(user) > 0 && user[0] == ' ' {
		user = user[1:]
	}
	// "$request" - closed by the first unescaped quote followed by " <status> ".
	j := 0
	for {
		k := bytes.IndexByte(rest[j:], '"')
		if k < 0 {
			return dst, false
		}
		j += k
		if statusAt(rest[j+1:]) && !escaped(rest, j) {
			break
		}
		j++
	}
	req := rest[:j]
	status := rest[j+2 : j+5]
	rest = rest[j+6:]
	// $body_bytes_sent: digits or "-".
	end := bytes.IndexByte(rest, ' ')
	if end < 0 {
		end = len(rest)
	}
	if !isBytes(rest[:end]) {
		return dst, false
	}
	rest = rest[end:]
	// Referer, user agent and any further fields.
	proto, ok := protocolField(rest)
	if !ok {
		return dst, false
	}

	st := int(status[0]-'0')*100 + int(status[1]-'0')*10 + int(status[2]-'0')
	rl := false
	for _, r := range rateLimit {
		if r == st {
			rl = true
			break
		}
	}
	oldTLS := proto == "SSLv2" || proto == "SSLv3" || proto == "TLSv1" || proto == "TLSv1.1"
	if st != 403 && !rl && !oldTLS {
		return dst, true
	}
	if bytes.Equal(user, []byte("-")) {
		user = nil
	}
	var ip, usr, detail string
	if st == 403 || rl {
		ip, usr, detail = strings3(addr, user, status, req)
	} else {
		ip, usr, detail = strings3(addr, user, nil, nil)
	}
	if st == 403 {
		dst = append(dst, logfile.Event{Type: snapshot.EventHTTPForbidden, T: t, IP: ip, User: usr, Detail: detail})
	}
	if rl {
		dst = append(dst, logfile.Event{Type: snapshot.EventRateLimited, T: t, IP: ip, User: usr, Detail: detail})
	}
	if oldTLS {
		dst = append(dst, logfile.Event{Type: snapshot.EventTLSDowngrade, T: t, IP: ip, User: usr, Detail: proto})
	}
	return dst, true
}

// statusAt reports whether b starts with " <3 digits> ".
func statusAt(b []byte) bool {
	return len(b) >= 5 && b[0] == ' ' && timefmt.IsDigit(b[1]) && timefmt.IsDigit(b[2]) && timefmt.IsDigit(b[3]) && b[4] == ' '
}

func isBytes(b []byte) bool {
	if len(b) == 1 && b[0] == '-' {
		return true
	}
	for _, c := range b {
		if !timefmt.IsDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// protocolField walks the fields after $body_bytes_sent and returns the
// first unquoted one that is an SSL/TLS protocol name ("" when none). A
// quoted field ends at the first unescaped quote followed by a space or the
// end of the line; an unterminated one means a truncated line (ok=false).
func protocolField(b []byte) (string, bool) {
	proto := ""
	for len(b) > 0 {
		if b[0] == ' ' {
			b = b[1:]
			continue
		}
		if b[0] == '"' {
			j := 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return "", false
				}
				j += k
				if (j+1 == len(b) || b[j+1] == ' ') && !escaped(b, j) {
					break
				}
				j++
			}
			b = b[j+1:]
			continue
		}
		end := bytes.IndexByte(b, ' ')
		if end < 0 {
			end = len(b)
		}
		if proto == "" {
			proto = sslProtocol(b[:end])
		}
		b = b[end:]
	}
	return proto, true
}

func sslProtocol(tok []byte) string {
	switch string(tok) { // no allocation
	case "SSLv2":
		return "SSLv2"
	case "SSLv3":
		return "SSLv3"
	case "TLSv1":
		return "TLSv1"
	case "TLSv1.1":
		return "TLSv1.1"
	case "TLSv1.2":
		return "TLSv1.2"
	case "TLSv1.3":
		return "TLSv1.3"
	}
	return ""
}

const maxPath = 200

// strings3 builds the ip, user and "<status> <method> <path>" detail with
// one allocation. The query string is dropped from the path (it may carry
// tokens) and long paths are cut.
func strings3(addr, user, status, req []byte) (string, string, string) {
	var method, path []byte
	if len(req) > 0 {
		method, path = req, nil
		if i := bytes.IndexByte(req, ' '); i >= 0 {
			method, path = req[:i], req[i+1:]
			if k := bytes.IndexByte(path, ' '); k >= 0 {
				path = path[:k]
			}
			if k := bytes.IndexByte(path, '?'); k >= 0 {
				path = path[:k]
			}
		}
		method, path = cut(method), cut(path)
	}
	var arr [256]byte // on the stack; append moves to the heap only for long parts
	b := append(arr[:0], addr...)
	b = append(b, user...)
	b = append(b, status...)
	if len(method) > 0 {
		b = append(b, ' ')
		b = append(b, method...)
	}
	if len(path) > 0 {
		b = append(b, ' ')
		b = append(b, path...)
	}
	s := string(b)
	a, u := len(addr), len(addr)+len(user)
	return s[:a], s[a:u], s[u:]
}

// cut shortens b to maxPath bytes without splitting a UTF-8 sequence.
func cut(b []byte) []byte {
	if len(b) <= maxPath {
		return b
	}
	i := maxPath
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	return b[:i]
}

// parseLocalTime reads $time_local, "27/Nov/2026:03:12:01 +0100".
func parseLocalTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' ||
		b[20] != ' ' || (b[21] != '+' && b[21] != '-') {
		return time.Time{}, false
	}
	var mon time.Month
	switch string(b[3:6]) {
	case "Jan":
		mon = 1
	case "Feb":
		mon = 2
	case "Mar":
		mon = 3
	case "Apr":
		mon = 4
	case "May":
		mon = 5
	case "Jun":
		mon = 6
	case "Jul":
		mon = 7
	case "Aug":
		mon = 8
	case "Sep":
		mon = 9
	case "Oct":
		mon = 10
	case "Nov":
		mon = 11
	case "Dec":
		mon = 12
	default:
		return time.Time{}, false
	}
	d, ok1 := num(b[0:2])
	y, ok2 := num(b[7:11])
	hh, ok3 := num(b[12:14])
	mi, ok4 := num(b[15:17])
	ss, ok5 := num(b[18:20])
	oh, ok6 := num(b[22:24])
	om, ok7 := num(b[24:26])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 ||
		d < 1 || d > timefmt.DaysIn(mon, y) || hh > 23 || mi > 59 || ss > 60 || oh > 23 || om > 59 {
		return time.Time{}, false
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if b[21] == '-' {
		off = -off
	}
	return time.Date(y, mon, d, hh, mi, ss, 0, time.UTC).Add(-off), true
}

func num(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if !timefmt.IsDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, len(b) > 0
}

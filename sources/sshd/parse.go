package sshd

import (
	"bytes"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// maxRepeat bounds the count of a "message repeated N times" line. Real
// counts are small (the repeated text names the client port, so identical
// lines only come from one connection); a larger number is a damaged line
// and is skipped rather than multiplied into millions of events.
const maxRepeat = 10000

// event is one security event found on a line, before it becomes a
// snapshot.Event (which needs the source name and the line's origin).
type event struct {
	typ    string // snapshot.Event* constant; "" = no event
	ip     string
	user   string
	detail string // authentication method
}

// parsed is what parseLine found on one line.
type parsed struct {
	// ok: the line is an OpenSSH line with a timestamp (or a syslogd repeat
	// marker). Lines with !ok count as skipped.
	ok bool
	// t is the line's instant (UTC), set when the line has an event or is
	// a repeat marker.
	t  time.Time
	ev event
	// n is how many times ev happened: 1 for a plain line, N for rsyslog's
	// "message repeated N times: [ ... ]", 0 when the line is no event.
	n int
	// repeatLast > 0 marks a classic syslogd "last message repeated N times"
	// line: the previous line of the file happened N more times.
	repeatLast int
}

// parseLine parses one sshd log line. It is pure and allocation-free for
// lines that yield no event.
//
// Accepted prefixes: a BSD syslog timestamp ("Nov 27 03:12:01", optionally
// with fractional seconds; year from asOf per docs/configuration.md#time) or an ISO 8601 /
// RFC 3339 one ("2026-11-27T03:12:01.123456+01:00", "+0100", "Z" or no zone,
// read in loc) - the journalctl short / short-precise / short-iso /
// short-iso-precise and rsyslog traditional / high-precision forms - then an
// optional host name and the program tag sshd, sshd-session (OpenSSH 9.8+)
// or sshd-auth (OpenSSH 10+), with or without "[pid]".
//
// Skipped (ok=false) are lines that do not have that shape: garbage, lines
// without a timestamp (they cannot be placed in a window), and lines of
// other programs that share auth.log (sudo, CRON, systemd-logind, su...):
// those are valid syslog, but not lines this source knows, so they are
// counted as skipped like any other foreign line. Also skipped: a line whose
// message starts like an event ("Failed password for ", "Invalid user ")
// but whose tail does not parse (a truncated line).
func parseLine(line []byte, asOf time.Time, loc *time.Location) parsed {
	var (
		t      time.Time
		n      int
		ok     bool
		syslog bool
	)
	if len(line) == 0 {
		return parsed{}
	}
	switch c := line[0]; {
	case c >= '0' && c <= '9':
		t, n, ok = timefmt.ISO(line, loc)
	case c >= 'A' && c <= 'Z':
		// The year search of timefmt.Syslog is the costliest step; only its
		// shape is checked here, the instant is computed for events only.
		n, ok = syslogShape(line)
		syslog = true
	}
	if !ok || n >= len(line) || line[n] != ' ' {
		return parsed{}
	}
	rest := line[n+1:]
	p := parsed{ok: true}
	msg, ok := afterTag(rest)
	if ok {
		p.n = 1
		if bytes.HasPrefix(msg, []byte("message repeated ")) {
			inner, k, ok := messageRepeated(msg)
			if !ok {
				return parsed{}
			}
			msg, p.n = inner, k
		}
		if p.ev, ok = parseMessage(msg); !ok {
			return parsed{}
		}
		if p.ev.typ == "" {
			p.n = 0
			return p
		}
	} else {
		if p.repeatLast, ok = lastRepeated(rest); !ok {
			return parsed{}
		}
	}
	if syslog {
		if t, _, ok = timefmt.Syslog(line, asOf, loc); !ok {
			return parsed{} // a date that exists in no recent year (Feb 30)
		}
	}
	p.t = t
	return p
}

// syslogShape checks the shape of a BSD syslog timestamp ("Nov 27 03:12:01",
// "Nov  7 03:12:01.123456") and returns its length.
func syslogShape(b []byte) (int, bool) {
	if len(b) < 15 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return 0, false
	}
	switch string(b[:3]) {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
	default:
		return 0, false
	}
	d0 := b[4]
	if d0 == ' ' {
		d0 = '0'
	}
	if !timefmt.IsDigit(d0) || !timefmt.IsDigit(b[5]) || !timefmt.IsDigit(b[7]) || !timefmt.IsDigit(b[8]) || !timefmt.IsDigit(b[10]) ||
		!timefmt.IsDigit(b[11]) || !timefmt.IsDigit(b[13]) || !timefmt.IsDigit(b[14]) {
		return 0, false
	}
	day := int(d0-'0')*10 + int(b[5]-'0')
	if day < 1 || day > 31 || b[7] > '2' || (b[7] == '2' && b[8] > '3') || b[10] > '5' || (b[13] == '6' && b[14] > '0') || b[13] > '6' {
		return 0, false
	}
	n := 15
	if n < len(b) && b[n] == '.' {
		n++
		for n < len(b) && timefmt.IsDigit(b[n]) {
			n++
		}
	}
	return n, true
}

// afterTag finds the sshd program tag in "host sshd[123]: msg" or
// "sshd[123]: msg" and returns msg.
func afterTag(b []byte) ([]byte, bool) {
	for range 2 { // the first token may be the host name
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return nil, false
		}
		if isTag(b[:sp]) {
			msg := b[sp+1:]
			return msg, len(msg) > 0
		}
		b = b[sp+1:]
	}
	return nil, false
}

// isTag reports whether tok is "sshd:", "sshd[123]:", "sshd-session[123]:"...
func isTag(tok []byte) bool {
	if len(tok) < 5 || tok[len(tok)-1] != ':' {
		return false
	}
	name := tok[:len(tok)-1]
	if name[len(name)-1] == ']' {
		i := bytes.IndexByte(name, '[')
		if i < 0 {
			return false
		}
		if _, ok := timefmt.Digits(name[i+1 : len(name)-1]); !ok {
			return false
		}
		name = name[:i]
	}
	switch string(name) { // no allocation: the compiler optimises this conversion
	case "sshd", "sshd-session", "sshd-auth":
		return true
	}
	return false
}

// lastRepeated reads classic syslogd's "host last message repeated N times".
func lastRepeated(b []byte) (int, bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return 0, false
	}
	b = b[sp+1:]
	const lead = "last message repeated "
	if !bytes.HasPrefix(b, []byte(lead)) {
		return 0, false
	}
	k, rest, ok := count(b[len(lead):])
	if !ok || (string(rest) != " times" && string(rest) != " time") {
		return 0, false
	}
	return k, true
}

// messageRepeated reads rsyslog's repeat compression,
// "message repeated 3 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]":
// the bracketed message happened 3 more times (the first one was logged on
// its own line before), so it counts 3 events.
func messageRepeated(msg []byte) ([]byte, int, bool) {
	k, rest, ok := count(msg[len("message repeated "):])
	if !ok {
		return nil, 0, false
	}
	switch {
	case bytes.HasPrefix(rest, []byte(" times: [")):
		rest = rest[len(" times: ["):]
	case bytes.HasPrefix(rest, []byte(" time: [")):
		rest = rest[len(" time: ["):]
	default:
		return nil, 0, false
	}
	if len(rest) == 0 || rest[len(rest)-1] != ']' {
		return nil, 0, false
	}
	rest = rest[:len(rest)-1]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return nil, 0, false
	}
	return rest, k, true
}

// count reads a repeat count in 1..maxRepeat and returns the rest of b.
func count(b []byte) (int, []byte, bool) {
	i, v := 0, 0
	for i < len(b) && timefmt.IsDigit(b[i]) {
		v = v*10 + int(b[i]-'0')
		i++
		if v > maxRepeat {
			return 0, nil, false
		}
	}
	if i == 0 || v < 1 {
		return 0, nil, false
	}
	return v, b[i:], true
}

var (
	pFailed   = []byte("Failed ")
	pAccepted = []byte("Accepted ")
	pInvalid  = []byte("Invalid user ")
	pIllegal  = []byte("Illegal user ")
	pFor      = []byte(" for ")
	pFrom     = []byte(" from ")
	pPort     = []byte(" port ")
)

// parseMessage maps an sshd message to an event. ok=false means the message
// started like an event but is malformed. Every other sshd message
// (Connection closed, Disconnected, PAM "authentication failure", "error:
// maximum authentication attempts exceeded", Postponed/Partial...) is a
// recognised line without an event: PAM and max-attempts lines repeat a
// failure already counted from its "Failed ..." line.
func parseMessage(msg []byte) (event, bool) {
	switch {
	case bytes.HasPrefix(msg, pFailed), bytes.HasPrefix(msg, pAccepted):
		// "Failed <method> for [invalid user ]<user> from <ip> port <n> ssh2[: <extra>]"
		// "Accepted <method> for <user> from <ip> port <n> ssh2[: <extra>]"
		typ, lead := snapshot.EventLoginFailed, len(pFailed)
		if msg[0] == 'A' {
			typ, lead = snapshot.EventLoginSuccess, len(pAccepted)
		}
		rest := msg[lead:]
		sp := bytes.IndexByte(rest, ' ')
		if sp <= 0 || !bytes.HasPrefix(rest[sp:], pFor) {
			return event{}, true // e.g. "Failed to allocate ... socket": not an auth line
		}
		method := rest[:sp]
		user, ip, ok := splitFrom(rest[sp+len(pFor):])
		if !ok {
			return event{}, false
		}
		if typ == snapshot.EventLoginFailed {
			// OpenSSH writes "invalid user " for unknown accounts (very old
			// versions "illegal user ").
			if bytes.HasPrefix(user, []byte("invalid user ")) {
				user = user[len("invalid user "):]
			} else if bytes.HasPrefix(user, []byte("illegal user ")) {
				user = user[len("illegal user "):]
			}
		}
		return mkEvent(typ, ip, user, method), true
	case bytes.HasPrefix(msg, pInvalid), bytes.HasPrefix(msg, pIllegal):
		// "Invalid user <user> from <ip>[ port <n>]"; the user may be empty
		// or contain spaces, so "from" is found from the right.
		user, ip, ok := splitFrom(msg[len(pInvalid)-1:]) // keep the space: an empty user reads " from ..."
		if !ok {
			return event{}, false
		}
		if len(user) > 0 && user[0] == ' ' {
			user = user[1:]
		}
		return mkEvent(snapshot.EventInvalidUser, ip, user, nil), true
	}
	return event{}, true
}

// splitFrom splits "<user> from <addr>[ port <n>[ ...]]" at the rightmost
// " from " whose tail is well formed. The user name is client-controlled and
// may itself contain " from ... port ..."; the address sshd appends is last.
func splitFrom(s []byte) (user, addr []byte, ok bool) {
	for {
		i := lastFrom(s)
		if i < 0 {
			return nil, nil, false
		}
		tail := s[i+len(pFrom):]
		end := bytes.IndexByte(tail, ' ')
		if end < 0 {
			end = len(tail)
		}
		a, rest := tail[:end], tail[end:]
		if len(a) > 0 && (len(rest) == 0 || portNext(rest)) {
			return s[:i], a, true
		}
		s = s[:i]
	}
}

// lastFrom is bytes.LastIndex(s, " from "), faster for the usual case of a
// match near the end.
func lastFrom(s []byte) int {
	for i := len(s) - len(pFrom); i >= 0; i-- {
		if s[i+1] == 'f' && s[i] == ' ' && s[i+2] == 'r' && s[i+3] == 'o' && s[i+4] == 'm' && s[i+5] == ' ' {
			return i
		}
	}
	return -1
}

// portNext reports whether b is " port <digits>" optionally followed by a
// space and more.
func portNext(b []byte) bool {
	if !bytes.HasPrefix(b, pPort) {
		return false
	}
	b = b[len(pPort):]
	i := 0
	for i < len(b) && timefmt.IsDigit(b[i]) {
		i++
	}
	return i > 0 && (i == len(b) || b[i] == ' ')
}

// mkEvent converts the parts with a single allocation.
func mkEvent(typ string, ip, user, detail []byte) event {
	s := string(ip) + string(user) + string(detail)
	a, b := len(ip), len(ip)+len(user)
	return event{typ: typ, ip: s[:a], user: s[a:b], detail: s[b:]}
}

package fail2ban

import (
	"bytes"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

var (
	pLogger  = []byte("fail2ban.")
	pBan     = []byte("Ban ")
	pRestore = []byte("Restore Ban ")
)

// parseLine parses one line of fail2ban's own log,
//
//	2026-11-27 03:12:01,123 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.9
//
// (logger name padded, "[pid]" absent in 0.8, level padded, WARNING instead
// of NOTICE in 0.8), and also the same record sent to syslog by
// logtarget = SYSLOG: "Nov 27 03:12:01 host fail2ban.actions[1234]: NOTICE [sshd] Ban 203.0.113.9".
// Timestamps are the server's local time, read in loc; syslog ones take
// their year from asOf (docs/configuration.md#time).
//
// "[jail] Ban <ip>" and "[jail] Restore Ban <ip>" (a ban re-applied at
// restart) are ban events (Detail is the jail); Unban, Found, "already banned" and "Increase
// Ban" (fail2ban >= 0.11 prolonging the ban of an IP already banned: not
// a new ban) are recognised without an event. Lines that
// are not fail2ban log records (traceback continuation lines, garbage) are
// skipped (ok=false). A line without an event has Type "".
func parseLine(line []byte, asOf time.Time, loc *time.Location) (logfile.Event, bool) {
	var (
		t      time.Time
		n      int
		ok     bool
		syslog bool
	)
	if len(line) == 0 {
		return logfile.Event{}, false
	}
	switch c := line[0]; {
	case c >= '0' && c <= '9':
		t, n, ok = timefmt.ISO(line, loc)
	case c >= 'A' && c <= 'Z':
		t, n, ok = timefmt.Syslog(line, asOf, loc)
		syslog = true
	}
	if !ok || n >= len(line) || line[n] != ' ' {
		return logfile.Event{}, false
	}
	rest := line[n+1:]
	if syslog {
		// Host name, then the logger as the syslog tag.
		sp := bytes.IndexByte(rest, ' ')
		if sp < 0 {
			return logfile.Event{}, false
		}
		rest = rest[sp+1:]
	}
	// Logger "fail2ban.<module>", padding, optional "[pid]", ':'.
	if !bytes.HasPrefix(rest, pLogger) {
		return logfile.Event{}, false
	}
	i := len(pLogger)
	for i < len(rest) && rest[i] != ' ' && rest[i] != '[' && rest[i] != ':' {
		i++
	}
	if i == len(pLogger) {
		return logfile.Event{}, false
	}
	for i < len(rest) && rest[i] == ' ' {
		i++
	}
	if i < len(rest) && rest[i] == '[' {
		j := i + 1
		for j < len(rest) && timefmt.IsDigit(rest[j]) {
			j++
		}
		if j == i+1 || j >= len(rest) || rest[j] != ']' {
			return logfile.Event{}, false
		}
		i = j + 1
	}
	if i >= len(rest) || rest[i] != ':' {
		return logfile.Event{}, false
	}
	rest = rest[i+1:]
	// Level (upper-case word), padding.
	rest = bytes.TrimLeft(rest, " ")
	i = 0
	for i < len(rest) && rest[i] >= 'A' && rest[i] <= 'Z' {
		i++
	}
	if i == 0 || (i < len(rest) && rest[i] != ' ') {
		return logfile.Event{}, false
	}
	msg := bytes.TrimLeft(rest[i:], " ")

	// "[jail] Ban <ip>" / "[jail] Restore Ban <ip>".
	if len(msg) == 0 || msg[0] != '[' {
		return logfile.Event{}, true
	}
	end := bytes.IndexByte(msg, ']')
	if end < 2 || end+1 >= len(msg) || msg[end+1] != ' ' {
		return logfile.Event{}, true
	}
	jail, verb := msg[1:end], msg[end+2:]
	var ip []byte
	switch {
	case bytes.HasPrefix(verb, pBan):
		ip = verb[len(pBan):]
	case bytes.HasPrefix(verb, pRestore):
		ip = verb[len(pRestore):]
	default:
		return logfile.Event{}, true
	}
	if sp := bytes.IndexByte(ip, ' '); sp >= 0 {
		ip = ip[:sp]
	}
	if len(ip) == 0 {
		return logfile.Event{}, false // "Ban " without an address: a damaged line
	}
	var arr [128]byte
	s := string(append(append(arr[:0], ip...), jail...))
	return logfile.Event{Type: snapshot.EventBan, T: t, IP: s[:len(ip)], Detail: s[len(ip):]}, true
}

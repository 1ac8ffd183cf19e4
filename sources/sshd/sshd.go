// Package sshd is the sshd_log source kind (docs/configuration.md#sshd_log): OpenSSH log lines
// from syslog files or the journal, normalised into login_failed,
// login_success and invalid_user events.
package sshd

import (
	"bytes"
	_ "embed"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
)

// KindName is the source kind.
const KindName = "sshd_log"

// Config is the body of a `source "sshd_log" "<name>"` block.
type Config = logfile.Config

// New builds a source from its configuration. It reads every configured
// file (rotated *.gz ones transparently); lines that are not sshd lines are
// counted in SkippedLines. Window filtering is the policies' job: every
// event is kept.
// Declaring it registers the kind.
var New = logfile.Register(sources.Kind{
	Name:        KindName,
	Summary:     "OpenSSH log lines (syslog or journal): failed and successful logins, invalid users",
	Doc:         doc,
	Collections: sources.Events(snapshot.EventLoginFailed, snapshot.EventLoginSuccess, snapshot.EventInvalidUser),
}, newLine, carry)

//go:embed sshd_log.md
var doc string

// carry is the state newLine keeps across lines: the previous line, which
// every line replaces except syslogd's "last message repeated N times"
// (it keeps the line it repeats). So the state after any other line depends
// on that line alone, and a large file may be parsed in ranges that each
// start after such a line, their parser primed with it.
var carry = logfile.PrimedBy(primes)

// primes reports whether the parser's state after line depends on line
// alone: not for a "last message repeated" line (the test is looser than
// lastRepeated, which is safe: a false answer only moves a range start).
func primes(line []byte) bool {
	return !bytes.Contains(line, pLastRepeated)
}

var pLastRepeated = []byte("last message repeated ")

// newLine returns the parser of one file. It remembers the previous line of
// the file for syslogd's "last message repeated N times", whose events are
// those of the previous line, N times, at the time of the repeat line.
// Any other state kept across lines must be reflected in carry.
func newLine(loc *time.Location, asOf time.Time) logfile.LineFunc {
	var prev parsed
	return func(dst []logfile.Event, line []byte) ([]logfile.Event, bool) {
		r := parseLine(line, asOf, loc)
		switch {
		case !r.ok:
			prev = parsed{}
			return dst, false
		case r.repeatLast > 0:
			if !prev.ok {
				return dst, false // repeats a line of another program
			}
			return appendN(dst, r.t, prev.ev, r.repeatLast), true // prev stays the repeated line
		}
		prev = r
		return appendN(dst, r.t, r.ev, r.n), true
	}
}

// appendN appends ev at t n times (nothing when ev is no event).
func appendN(dst []logfile.Event, t time.Time, ev event, n int) []logfile.Event {
	if ev.typ == "" {
		return dst
	}
	e := logfile.Event{Type: ev.typ, T: t, IP: ev.ip, User: ev.user, Detail: ev.detail}
	for range n {
		dst = append(dst, e)
	}
	return dst
}

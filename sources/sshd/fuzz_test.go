package sshd

import (
	"bytes"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

var seeds = []string{
	"Nov 27 03:12:01 bastion sshd[1234]: Failed password for root from 203.0.113.9 port 52044 ssh2",
	"Nov 27 03:12:03 bastion sshd[1234]: Failed password for invalid user admin test from 203.0.113.9 port 52050 ssh2",
	"Nov 27 08:00:00 bastion sshd[2001]: Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Xk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW0fL1oQv4s",
	"2026-11-27T03:12:01.123456+01:00 bastion sshd-session[5678]: Failed password for root from 198.51.100.7 port 40000 ssh2",
	"2026-11-27T03:12:01+0100 bastion sshd[5678]: Accepted keyboard-interactive/pam for alice from 2001:db8::1 port 40001 ssh2",
	"Nov 27 03:12:05 bastion sshd[1240]: Invalid user  from 203.0.113.9 port 52050",
	"Nov  7 03:12:05 bastion sshd[1240]: Illegal user test from 192.0.2.1",
	"Nov 27 03:12:09 bastion sshd[1234]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2]",
	"Nov 27 03:12:07 bastion sshd[1234]: error: maximum authentication attempts exceeded for root from 203.0.113.9 port 52044 ssh2 [preauth]",
	"Nov 27 03:12:01 bastion sshd[1234]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root",
	"Nov 27 04:00:30 bastion last message repeated 2 times",
	"Nov 27 03:17:01 bastion CRON[3001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
	"Dec 31 23:59:59 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1",
	"Feb 29 12:00:00 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1",
	"",
	"\x00\xff",
}

func FuzzParseLine(f *testing.F) {
	sourcetest.AddLines(f, seeds...)
	berlin := sourcetest.Berlin(f)
	valid := map[string]bool{snapshot.EventLoginFailed: true, snapshot.EventLoginSuccess: true, snapshot.EventInvalidUser: true}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		for _, loc := range []*time.Location{time.UTC, berlin} {
			p := parseLine(line, sourcetest.AsOf, loc)
			if !bytes.Equal(orig, line) {
				t.Fatal("parseLine modified its input")
			}
			if err := sane(p, line); err != nil {
				t.Fatalf("%v for %q", err, line)
			}
			if p.ev.typ != "" && !valid[p.ev.typ] {
				t.Fatalf("unknown event type %q", p.ev.typ)
			}
		}
	})
}

func sane(p parsed, line []byte) error {
	if !p.ok {
		if p.ev.typ != "" || p.n != 0 || p.repeatLast != 0 {
			return fmt.Errorf("skipped line with an event: %+v", p)
		}
		return nil
	}
	if p.ev.typ == "" && p.repeatLast == 0 {
		if p.n != 0 || !p.t.IsZero() {
			return fmt.Errorf("no event but count/time: %+v", p)
		}
		return nil
	}
	if p.t.IsZero() || p.t.Location() != time.UTC {
		return fmt.Errorf("bad time %v", p.t)
	}
	// Fixed-offset ISO stamps may reach a little past a syslog as_of; nothing
	// should be centuries off.
	if p.t.Year() < -1 || p.t.Year() > 10000 { // year 0 read in a zone east of UTC is year -1 in UTC
		return fmt.Errorf("absurd year %v", p.t)
	}
	if p.ev.typ != "" {
		if p.n < 1 || p.n > maxRepeat {
			return fmt.Errorf("bad count %d", p.n)
		}
		if p.ev.ip == "" || bytes.ContainsAny([]byte(p.ev.ip), " ") {
			return fmt.Errorf("bad ip %q", p.ev.ip)
		}
		if !bytes.Contains(line, []byte(p.ev.ip)) || !bytes.Contains(line, []byte(p.ev.user)) {
			return fmt.Errorf("ip/user not from the line: %+v", p.ev)
		}
		if utf8.Valid(line) && (!utf8.ValidString(p.ev.user) || !utf8.ValidString(p.ev.ip)) {
			return fmt.Errorf("split a rune: %+v", p.ev)
		}
	}
	if p.repeatLast < 0 || p.repeatLast > maxRepeat {
		return fmt.Errorf("bad repeat %d", p.repeatLast)
	}
	return nil
}

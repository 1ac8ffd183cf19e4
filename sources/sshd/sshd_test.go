package sshd

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		name  string
		line  string
		typ   string // "" = recognised, no event
		user  string
		ip    string
		meth  string
		n     int
		tUTC  string
		notOK bool
	}{
		{name: "failed password", line: "Nov 27 03:12:01 bastion sshd[1234]: Failed password for root from 203.0.113.9 port 52044 ssh2",
			typ: snapshot.EventLoginFailed, user: "root", ip: "203.0.113.9", meth: "password", n: 1, tUTC: "2026-11-27T03:12:01Z"},
		{name: "failed invalid user", line: "Nov 27 03:12:03 bastion sshd[1234]: Failed password for invalid user admin from 203.0.113.9 port 52050 ssh2",
			typ: snapshot.EventLoginFailed, user: "admin", ip: "203.0.113.9", meth: "password", n: 1},
		{name: "failed user with space", line: "Nov 27 03:12:03 bastion sshd[1234]: Failed password for invalid user admin test from 203.0.113.9 port 52050 ssh2",
			typ: snapshot.EventLoginFailed, user: "admin test", ip: "203.0.113.9", meth: "password", n: 1},
		{name: "failed none empty user", line: "Nov 27 03:12:03 bastion sshd[1234]: Failed none for invalid user  from 203.0.113.9 port 52050 ssh2",
			typ: snapshot.EventLoginFailed, user: "", ip: "203.0.113.9", meth: "none", n: 1},
		{name: "failed publickey with extra", line: "Nov 27 03:12:03 bastion sshd[1234]: Failed publickey for git from 198.51.100.7 port 40000 ssh2: RSA SHA256:n8Wq0m3v5Yk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW",
			typ: snapshot.EventLoginFailed, user: "git", ip: "198.51.100.7", meth: "publickey", n: 1},
		{name: "failed old illegal user", line: "Nov 27 03:12:03 bastion sshd[1234]: Failed password for illegal user oracle from 192.0.2.44 port 3321 ssh2",
			typ: snapshot.EventLoginFailed, user: "oracle", ip: "192.0.2.44", meth: "password", n: 1},
		{name: "accepted publickey", line: "Nov 27 08:00:00 bastion sshd[2001]: Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Xk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW0fL1oQv4s",
			typ: snapshot.EventLoginSuccess, user: "deploy", ip: "10.0.0.5", meth: "publickey", n: 1},
		{name: "accepted kbd-int ipv6 short-iso", line: "2026-11-27T03:12:01+0100 bastion sshd[5678]: Accepted keyboard-interactive/pam for alice from 2001:db8::1 port 40001 ssh2",
			typ: snapshot.EventLoginSuccess, user: "alice", ip: "2001:db8::1", meth: "keyboard-interactive/pam", n: 1, tUTC: "2026-11-27T02:12:01Z"},
		{name: "sshd-session rfc3339 precise", line: "2026-11-27T03:12:01.123456+01:00 bastion sshd-session[5678]: Failed password for root from 198.51.100.7 port 40000 ssh2",
			typ: snapshot.EventLoginFailed, user: "root", ip: "198.51.100.7", meth: "password", n: 1, tUTC: "2026-11-27T02:12:01.123456Z"},
		{name: "sshd-auth, no pid, Z", line: "2026-11-27T03:12:01Z bastion sshd-auth: Invalid user pi from 198.51.100.8 port 1",
			typ: snapshot.EventInvalidUser, user: "pi", ip: "198.51.100.8", n: 1, tUTC: "2026-11-27T03:12:01Z"},
		{name: "journal short-precise, no host", line: "Nov 27 03:12:01.500000 sshd[1]: Invalid user test from 192.0.2.1 port 4444",
			typ: snapshot.EventInvalidUser, user: "test", ip: "192.0.2.1", n: 1, tUTC: "2026-11-27T03:12:01.5Z"},
		{name: "invalid user", line: "Nov 27 03:12:05 bastion sshd[1240]: Invalid user admin from 203.0.113.9 port 52050",
			typ: snapshot.EventInvalidUser, user: "admin", ip: "203.0.113.9", n: 1},
		{name: "invalid user empty", line: "Nov 27 03:12:05 bastion sshd[1240]: Invalid user  from 203.0.113.9 port 52050",
			typ: snapshot.EventInvalidUser, user: "", ip: "203.0.113.9", n: 1},
		{name: "invalid user no port (old)", line: "Nov 27 03:12:05 bastion sshd[1240]: Invalid user guest from 203.0.113.9",
			typ: snapshot.EventInvalidUser, user: "guest", ip: "203.0.113.9", n: 1},
		{name: "illegal user", line: "Nov  7 03:12:05 bastion sshd[1240]: Illegal user test from 192.0.2.1",
			typ: snapshot.EventInvalidUser, user: "test", ip: "192.0.2.1", n: 1, tUTC: "2026-11-07T03:12:05Z"},
		{name: "injected from in user name", line: "Nov 27 03:12:05 bastion sshd[1240]: Invalid user x from 10.9.9.9 port 1 from 203.0.113.9 port 52050",
			typ: snapshot.EventInvalidUser, user: "x from 10.9.9.9 port 1", ip: "203.0.113.9", n: 1},
		{name: "message repeated", line: "Nov 27 03:12:09 bastion sshd[1234]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2]",
			typ: snapshot.EventLoginFailed, user: "root", ip: "203.0.113.9", meth: "password", n: 3},
		{name: "message repeated, other msg", line: "Nov 27 03:12:09 bastion sshd[1234]: message repeated 2 times: [ Connection closed by 203.0.113.9 port 1 [preauth]]"},
		// Recognised, no event.
		{name: "pam auth failure", line: "Nov 27 03:12:01 bastion sshd[1234]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root"},
		{name: "pam more failures", line: "Nov 27 03:12:09 bastion sshd[1234]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root"},
		{name: "max attempts", line: "Nov 27 03:12:07 bastion sshd[1234]: error: maximum authentication attempts exceeded for root from 203.0.113.9 port 52044 ssh2 [preauth]"},
		{name: "disconnecting", line: "Nov 27 03:12:07 bastion sshd[1234]: Disconnecting authenticating user root 203.0.113.9 port 52044: Too many authentication failures [preauth]"},
		{name: "connection closed", line: "Nov 27 03:12:05 bastion sshd[1240]: Connection closed by invalid user admin 203.0.113.9 port 52050 [preauth]"},
		{name: "received disconnect", line: "Nov 27 03:12:05 bastion sshd[1240]: Received disconnect from 203.0.113.9 port 52044:11: Bye Bye [preauth]"},
		{name: "postponed", line: "Nov 27 03:12:05 bastion sshd[1240]: Postponed keyboard-interactive for alice from 10.0.0.5 port 22 ssh2 [preauth]"},
		{name: "session opened", line: "Nov 27 08:00:00 bastion sshd[2001]: pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)"},
		{name: "listening", line: "Nov 27 08:00:00 bastion sshd[900]: Server listening on 0.0.0.0 port 22."},
		{name: "failed to (not auth)", line: "Nov 27 08:00:00 bastion sshd[900]: Failed to allocate internet-domain X11 display socket."},
		// Skipped.
		{name: "cron", line: "Nov 27 03:17:01 bastion CRON[3001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", notOK: true},
		{name: "sudo", line: "Nov 27 09:00:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", notOK: true},
		{name: "systemd", line: "Nov 27 09:00:00 bastion systemd[1]: Started ssh.service - OpenBSD Secure Shell server.", notOK: true},
		{name: "no timestamp", line: "sshd[1234]: Failed password for root from 203.0.113.9 port 52044 ssh2", notOK: true},
		{name: "truncated event", line: "Nov 27 03:12:01 bastion sshd[1234]: Failed password for root fr", notOK: true},
		{name: "truncated invalid", line: "Nov 27 03:12:01 bastion sshd[1234]: Invalid user admin", notOK: true},
		{name: "truncated stamp", line: "Nov 27 03:1", notOK: true},
		{name: "empty", line: "", notOK: true},
		{name: "binary", line: "\x00\x01\xff\xfeNov 27\x00", notOK: true},
		{name: "bad month", line: "Foo 27 03:12:01 bastion sshd[1]: Invalid user a from 1.2.3.4", notOK: true},
		{name: "bad date", line: "2026-02-30T03:12:01Z bastion sshd[1]: Invalid user a from 1.2.3.4", notOK: true},
		{name: "tag without message", line: "Nov 27 03:12:01 bastion sshd[1234]:", notOK: true},
		{name: "repeat count absurd", line: "Nov 27 03:12:09 bastion sshd[1234]: message repeated 999999999 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2]", notOK: true},
		{name: "repeat unterminated", line: "Nov 27 03:12:09 bastion sshd[1234]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2", notOK: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := parseLine([]byte(c.line), sourcetest.AsOf, time.UTC)
			if c.notOK {
				assert.False(t, p.ok, "should be skipped")
				assert.Empty(t, p.ev.typ)
				return
			}
			require.True(t, p.ok, "should be recognised")
			assert.Equal(t, c.typ, p.ev.typ)
			assert.Equal(t, c.n, p.n)
			if c.typ == "" {
				return
			}
			assert.Equal(t, c.user, p.ev.user)
			assert.Equal(t, c.ip, p.ev.ip)
			assert.Equal(t, c.meth, p.ev.detail)
			if c.tUTC != "" {
				assert.Equal(t, c.tUTC, p.t.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestYearBoundary(t *testing.T) {
	jan2 := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	p := parseLine([]byte("Dec 31 23:59:59 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), jan2, time.UTC)
	require.True(t, p.ok)
	assert.Equal(t, time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), p.t)
	p = parseLine([]byte("Jan  1 00:00:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), jan2, time.UTC)
	require.True(t, p.ok)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC), p.t)
}

func TestZones(t *testing.T) {
	berlin := sourcetest.Berlin(t)
	// Zoneless syslog stamp in the configured zone (CET = UTC+1 in November).
	p := parseLine([]byte("Nov 27 03:12:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), sourcetest.AsOf, berlin)
	require.True(t, p.ok)
	assert.Equal(t, "2026-11-27T02:12:01Z", p.t.Format(time.RFC3339))
	// Summer time (CEST = UTC+2).
	p = parseLine([]byte("Jul  1 12:00:00 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), sourcetest.AsOf, berlin)
	require.True(t, p.ok)
	assert.Equal(t, "2026-07-01T10:00:00Z", p.t.Format(time.RFC3339))
	// An explicit offset wins over the configured zone.
	p = parseLine([]byte("2026-11-27T03:12:01-05:00 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), sourcetest.AsOf, berlin)
	require.True(t, p.ok)
	assert.Equal(t, "2026-11-27T08:12:01Z", p.t.Format(time.RFC3339))
	// Zoneless ISO reads in the configured zone.
	p = parseLine([]byte("2026-11-27T03:12:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1"), sourcetest.AsOf, berlin)
	require.True(t, p.ok)
	assert.Equal(t, "2026-11-27T02:12:01Z", p.t.Format(time.RFC3339))
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	// Current file with CRLF endings, a foreign line, garbage and a syslogd repeat.
	sourcetest.WriteFile(t, filepath.Join(dir, "logs", "auth.log"), ""+
		"Nov 27 03:12:01 bastion sshd[1234]: Failed password for root from 203.0.113.9 port 52044 ssh2\r\n"+
		"Nov 27 03:12:02 bastion sshd[1234]: message repeated 2 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2]\r\n"+
		"Nov 27 03:12:03 bastion sshd[1234]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root\r\n"+
		"Nov 27 03:17:01 bastion CRON[3001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\r\n"+
		"\r\n"+
		"\x00\x00\x00garbage\r\n"+
		"Nov 27 04:00:00 bastion sshd[1300]: Invalid user admin from 198.51.100.7 port 4000\r\n"+
		"Nov 27 04:00:30 bastion last message repeated 2 times\r\n"+
		"Nov 27 04:01:00 bastion CRON[3001]: (root) CMD (run-parts /etc/cron.hourly)\r\n"+
		"Nov 27 04:01:30 bastion last message repeated 5 times\r\n"+
		"Nov 27 08:00:00 bastion sshd[2001]: Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Xk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW0fL1oQv4s\r\n")
	// Rotated, compressed; its lines are in Berlin time via the config.
	sourcetest.WriteGzip(t, filepath.Join(dir, "logs", "auth.log.2.gz"),
		"Nov 20 10:00:00 bastion sshd-session[77]: Failed password for invalid user oracle from 192.0.2.44 port 3321 ssh2\n"+
			"Nov 20 10:00:01 bastion sshd-session[77]: Failed password for invalid user oracle from 192.0.2.44 port 3321 ssh2")

	src, err := New(&Config{Paths: []string{"logs/auth.log*"}, Timezone: "Europe/Berlin"})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "bastion", AsOf: sourcetest.AsOf, BaseDir: dir, Zone: time.UTC})

	assert.Equal(t, []string{"logs/auth.log", "logs/auth.log.2.gz"}, res.Files)
	// CRON x2, empty, garbage, and the repeat of the CRON line.
	assert.Equal(t, 5, res.SkippedLines)

	failed := res.Data.EventSlice(snapshot.EventLoginFailed)
	require.Len(t, failed, 5) // 1 + 2 repeated + 2 in the rotated file
	assert.Equal(t, snapshot.Event{
		TimeMS: time.Date(2026, 11, 27, 2, 12, 1, 0, time.UTC).UnixMilli(), Time: "2026-11-27T02:12:01Z",
		Source: "bastion", Origin: "logs/auth.log:1", IP: "203.0.113.9", User: "root", Detail: "password",
	}, failed[0])
	assert.Equal(t, "logs/auth.log:2", failed[1].Origin)
	assert.Equal(t, "logs/auth.log:2", failed[2].Origin)
	assert.Equal(t, "2026-11-27T02:12:02Z", failed[2].Time)
	assert.Equal(t, "logs/auth.log.2.gz:2", failed[4].Origin)
	assert.Equal(t, "oracle", failed[4].User)
	assert.Equal(t, "2026-11-20T09:00:01Z", failed[4].Time)

	invalid := res.Data.EventSlice(snapshot.EventInvalidUser)
	require.Len(t, invalid, 3) // 1 + "last message repeated 2 times"
	assert.Equal(t, "logs/auth.log:7", invalid[0].Origin)
	assert.Equal(t, "logs/auth.log:8", invalid[2].Origin)
	assert.Equal(t, "admin", invalid[2].User)

	ok := res.Data.EventSlice(snapshot.EventLoginSuccess)
	require.Len(t, ok, 1)
	assert.Equal(t, "deploy", ok[0].User)
	assert.Equal(t, "logs/auth.log:11", ok[0].Origin)
	assert.Equal(t, 9, res.Data.Count())
}

func TestCollectZoneFromEnv(t *testing.T) {
	dir := sourcetest.DirWith(t, "auth.log", "Nov 27 03:12:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1\n")
	src, err := New(&Config{Paths: []string{"auth.log"}})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir, Zone: sourcetest.Berlin(t)})
	require.Len(t, res.Data.EventSlice(snapshot.EventInvalidUser), 1)
	assert.Equal(t, "2026-11-27T02:12:01Z", res.Data.EventSlice(snapshot.EventInvalidUser)[0].Time)
}

func TestCollectMissingFile(t *testing.T) {
	src, err := New(&Config{Paths: []string{"logs/nope.log"}})
	require.NoError(t, err)
	sourcetest.RequireMissing(t, src, "logs/nope.log")
}

func TestCollectBadGzip(t *testing.T) {
	dir := sourcetest.DirWith(t, "auth.log.1.gz", "not gzip at all")
	src, err := New(&Config{Paths: []string{"auth.log.1.gz"}})
	require.NoError(t, err)
	_, err = src.Collect(context.Background(), sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth.log.1.gz")
}

func TestCollectCancelled(t *testing.T) {
	dir := sourcetest.DirWith(t, "auth.log", "Nov 27 03:12:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1\n")
	src, err := New(&Config{Paths: []string{"auth.log"}})
	require.NoError(t, err)
	sourcetest.RequireCancelled(t, src, dir)
}

func TestNewConfig(t *testing.T) {
	_, err := New(&Config{Paths: []string{"x"}, Timezone: "Mars/Olympus"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timezone")
	_, err = New(&Config{})
	require.Error(t, err)

	sourcetest.RequireKind(t, KindName, &Config{Paths: []string{"a.log"}}, struct{}{})
}

func TestCollectCancelledMidFile(t *testing.T) {
	line := "Nov 27 03:12:01 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1\n"
	dir := sourcetest.DirWith(t, "auth.log", strings.Repeat(line, 3*logfile.CancelEvery))
	src, err := New(&Config{Paths: []string{"auth.log"}})
	require.NoError(t, err)
	env := sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir}
	// Not cancelled: every line is read.
	res, err := src.Collect(sourcetest.NewCountdown(100), env)
	require.NoError(t, err)
	assert.Len(t, res.Data.EventSlice(snapshot.EventInvalidUser), 3*logfile.CancelEvery)
	// Cancelled after the check before the file and the first in-file check.
	_, err = src.Collect(sourcetest.NewCountdown(2), env)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "auth.log")
}

package fail2ban

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		name     string
		line     string
		ip, jail string
		time     string
		ban      bool
		notOK    bool
	}{
		{name: "ban", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.9",
			ban: true, ip: "203.0.113.9", jail: "sshd", time: "2026-11-27T03:12:02.001Z"},
		{name: "restore ban", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Restore Ban 198.51.100.7",
			ban: true, ip: "198.51.100.7", jail: "sshd"},
		{name: "warning ipv6 jail with dash", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: WARNING [nginx-limit-req] Ban 2001:db8::66",
			ban: true, ip: "2001:db8::66", jail: "nginx-limit-req"},
		{name: "0.8 without pid", line: "2013-11-27 03:12:02,001 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1",
			ban: true, ip: "192.0.2.1", jail: "ssh", time: "2013-11-27T03:12:02.001Z"},
		{name: "no padding", line: "2026-11-27 03:12:02,001 fail2ban.actions[1234]: NOTICE [sshd] Ban 192.0.2.2",
			ban: true, ip: "192.0.2.2", jail: "sshd"},
		{name: "syslog target", line: "Nov 27 03:12:02 bastion fail2ban.actions[1234]: NOTICE [sshd] Ban 203.0.113.10",
			ban: true, ip: "203.0.113.10", jail: "sshd", time: "2026-11-27T03:12:02Z"},
		// Recognised, no event.
		{name: "unban", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Unban 203.0.113.9"},
		{name: "found", line: "2026-11-27 03:12:01,789 fail2ban.filter         [1234]: INFO    [sshd] Found 203.0.113.9 - 2026-11-27 03:12:01"},
		{name: "increase ban", line: "2026-11-27 03:12:02,001 fail2ban.observer       [1234]: NOTICE  [sshd] Increase Ban 203.0.113.9 (2 # 2:00:00 -> 2026-11-27 05:12:02)"},
		{name: "already banned", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] 203.0.113.9 already banned"},
		{name: "server banner", line: "2026-11-27 03:12:01,123 fail2ban.server         [1234]: INFO    --------------------------------------------------"},
		{name: "jail started", line: "2026-11-27 03:12:01,456 fail2ban.jail           [1234]: INFO    Jail 'sshd' started"},
		{name: "action error", line: "2026-11-27 03:12:02,001 fail2ban.utils          [1234]: ERROR   7f3a -- exec: iptables -w -N f2b-sshd"},
		{name: "level only", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE"},
		// Skipped.
		{name: "traceback", line: "Traceback (most recent call last):", notOK: true},
		{name: "traceback file", line: `  File "/usr/lib/python3/dist-packages/fail2ban/server/actions.py", line 1, in <module>`, notOK: true},
		{name: "ban without ip", line: "2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban ", notOK: true},
		{name: "not fail2ban", line: "Nov 27 03:12:02 bastion sshd[1]: Invalid user a from 192.0.2.1 port 1", notOK: true},
		{name: "other logger", line: "2026-11-27 03:12:02,001 django.request [1]: NOTICE [sshd] Ban 192.0.2.1", notOK: true},
		{name: "lower-case level", line: "2026-11-27 03:12:02,001 fail2ban.actions [1]: notice [sshd] Ban 192.0.2.1", notOK: true},
		{name: "bad pid", line: "2026-11-27 03:12:02,001 fail2ban.actions [x]: NOTICE [sshd] Ban 192.0.2.1", notOK: true},
		{name: "truncated", line: "2026-11-27 03:12:02,0", notOK: true},
		{name: "empty", line: "", notOK: true},
		{name: "binary", line: "\x00\x01\x02\xff", notOK: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := parseLine([]byte(c.line), sourcetest.AsOf, time.UTC)
			if c.notOK {
				assert.False(t, ok, "should be skipped")
				assert.Empty(t, ev.Type)
				return
			}
			require.True(t, ok, "should be recognised")
			if !c.ban {
				assert.Empty(t, ev.Type)
				return
			}
			assert.Equal(t, snapshot.EventBan, ev.Type)
			assert.Equal(t, c.ip, ev.IP)
			assert.Equal(t, c.jail, ev.Detail)
			if c.time != "" {
				assert.Equal(t, c.time, ev.T.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestYearBoundarySyslog(t *testing.T) {
	jan2 := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	ev, ok := parseLine([]byte("Dec 31 23:59:59 bastion fail2ban.actions[1]: NOTICE [sshd] Ban 192.0.2.1"), jan2, time.UTC)
	require.True(t, ok)
	assert.Equal(t, "2026-12-31T23:59:59Z", ev.T.Format(time.RFC3339))
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "fail2ban.log"), ""+
		"2026-11-27 03:12:01,789 fail2ban.filter         [1234]: INFO    [sshd] Found 203.0.113.9 - 2026-11-27 03:12:01\r\n"+
		"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.9\r\n"+
		"Traceback (most recent call last):\r\n"+
		"\r\n"+
		"2026-11-27 04:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Unban 203.0.113.9\r\n"+
		"2026-11-27 05:00:00,000 fail2ban.actions        [1234]: NOTICE  [sshd] Restore Ban 198.51.100.7\r\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "fail2ban.log.1.gz"),
		"2026-07-01 12:00:00,500 fail2ban.actions        [99]: NOTICE  [recidive] Ban 203.0.113.9\n")

	src, err := New(&Config{Paths: []string{"fail2ban.log*"}, Timezone: "Europe/Berlin"})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "bastion", AsOf: sourcetest.AsOf, BaseDir: dir})
	assert.Equal(t, []string{"fail2ban.log", "fail2ban.log.1.gz"}, res.Files)
	assert.Equal(t, 2, res.SkippedLines)

	bans := res.Data.EventSlice(snapshot.EventBan)
	require.Len(t, bans, 3)
	assert.Equal(t, snapshot.Event{
		TimeMS: time.Date(2026, 11, 27, 2, 12, 2, 1e6, time.UTC).UnixMilli(), Time: "2026-11-27T02:12:02.001Z",
		Source: "bastion", Origin: "fail2ban.log:2", IP: "203.0.113.9", Detail: "sshd",
	}, bans[0])
	assert.Equal(t, "fail2ban.log:6", bans[1].Origin)
	assert.Equal(t, "198.51.100.7", bans[1].IP)
	assert.Equal(t, "2026-07-01T10:00:00.5Z", bans[2].Time) // CEST
	assert.Equal(t, "recidive", bans[2].Detail)
	assert.Equal(t, "fail2ban.log.1.gz:1", bans[2].Origin)
}

func TestCollectErrors(t *testing.T) {
	src, err := New(&Config{Paths: []string{"nope/fail2ban.log"}})
	require.NoError(t, err)
	sourcetest.RequireMissing(t, src, "nope/fail2ban.log")

	dir := sourcetest.DirWith(t, "f.log", "2026-11-27 03:12:02,001 fail2ban.actions [1]: NOTICE [sshd] Ban 192.0.2.1\n")
	src, err = New(&Config{Paths: []string{"f.log"}})
	require.NoError(t, err)
	sourcetest.RequireCancelled(t, src, dir)

	// Zone from the run when none is configured.
	res := sourcetest.Collect(t, src, sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir, Zone: sourcetest.Berlin(t)})
	assert.Equal(t, "2026-11-27T02:12:02.001Z", res.Data.EventSlice(snapshot.EventBan)[0].Time)
}

func TestNewConfig(t *testing.T) {
	_, err := New(&Config{Paths: []string{"x"}, Timezone: "Moon/Tycho"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timezone")
	_, err = New(&Config{})
	require.Error(t, err)
	sourcetest.RequireKind(t, KindName, &Config{Paths: []string{"a"}}, "x")
}

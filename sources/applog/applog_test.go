package applog

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

// owasp is the sample record of the OWASP Logging Vocabulary cheat sheet
// with the event and datetime replaced.
func owasp(datetime, ev string) string {
	return `{"datetime": "` + datetime + `", "appid": "foobar.netportal_auth", "event": "` + ev +
		`", "level": "WARN", "description": "User joebob1 login failed", "source_ip": "203.0.113.9", "host_ip": "10.12.7.9", "hostname": "portalauth.foobar.com", "protocol": "https", "port": "440", "request_uri": "/api/v2/auth/", "request_method": "POST", "region": "AWS-US-WEST-2", "geo": "USA"}`
}

func TestParseLine(t *testing.T) {
	cases := []struct {
		name     string
		line     string
		typ      string
		user, ip string
		detail   string
		time     string
		notOK    bool
	}{
		{name: "login fail", line: owasp("2026-11-27 03:12:01,123", "authn_login_fail:joebob1"),
			typ: snapshot.EventLoginFailed, user: "joebob1", ip: "203.0.113.9", detail: "authn_login_fail", time: "2026-11-27T03:12:01.123Z"},
		{name: "login fail upper case", line: owasp("2026-11-27 03:12:01,123", "AUTHN_LOGIN_FAIL:joebob1"),
			typ: snapshot.EventLoginFailed, user: "joebob1", ip: "203.0.113.9", detail: "authn_login_fail"},
		{name: "login success", line: owasp("2026-11-27T03:12:01Z", "authn_login_success:joebob1"),
			typ: snapshot.EventLoginSuccess, user: "joebob1", ip: "203.0.113.9", detail: "authn_login_success", time: "2026-11-27T03:12:01Z"},
		{name: "success after fail", line: owasp("2026-11-27T03:12:01.5+01:00", "authn_login_successafterfail:joebob1,2"),
			typ: snapshot.EventLoginSuccess, user: "joebob1", ip: "203.0.113.9", detail: "authn_login_successafterfail", time: "2026-11-27T02:12:01.5Z"},
		{name: "authz fail", line: owasp("2026-11-27T03:12:01-05:00", "authz_fail:joebob1,resource"),
			typ: snapshot.EventAuthzFail, user: "joebob1", ip: "203.0.113.9", detail: "authz_fail", time: "2026-11-27T08:12:01Z"},
		{name: "rate limit", line: owasp("2026-11-27 03:12:01,000", "excess_rate_limit_exceeded:app.foobar.com,100000"),
			typ: snapshot.EventRateLimited, user: "app.foobar.com", ip: "203.0.113.9", detail: "excess_rate_limit_exceeded"},
		{name: "no args, no ip", line: `{"datetime":"2026-11-27T03:12:01Z","event":"authz_fail"}`,
			typ: snapshot.EventAuthzFail, detail: "authz_fail"},
		{name: "escapes, nested event, non-string ip", line: `{"ctx":{"event":"authz_fail:x","n":[1,{"a":"}"}]},"datetime":"2026-11-27T03:12:01Z","event":"authn_login_fail:jo\u00e9 \"b\"","source_ip":42,"port":440,"ok":true,"x":null}`,
			typ: snapshot.EventLoginFailed, user: `joé "b"`, detail: "authn_login_fail"},
		{name: "last duplicate wins", line: `{"datetime":"2026-11-27T03:12:01Z","event":"sys_startup","event":"authz_fail:eve"}`,
			typ: snapshot.EventAuthzFail, user: "eve", detail: "authz_fail"},
		{name: "bom and spaces", line: "\xef\xbb\xbf  " + `{"datetime":"2026-11-27T03:12:01Z","event":"authn_login_fail:a", "source_ip":"2001:db8::1"}  `,
			typ: snapshot.EventLoginFailed, user: "a", ip: "2001:db8::1", detail: "authn_login_fail"},
		{name: "lenient datetime", line: `{"datetime":"2026-11-27","event":"authn_login_fail:a"}`,
			typ: snapshot.EventLoginFailed, user: "a", detail: "authn_login_fail", time: "2026-11-27T00:00:00Z"},
		// Recognised, no event.
		{name: "fail max", line: owasp("2026-11-27 03:12:01,123", "authn_login_fail_max:joebob1,3")},
		{name: "lock", line: owasp("2026-11-27 03:12:01,123", "authn_login_lock:joebob1,maxretries")},
		{name: "startup", line: owasp("2026-11-27 03:12:01,123", "sys_startup:joebob1")},
		{name: "prefix of a name", line: owasp("2026-11-27 03:12:01,123", "authn_login:joebob1")},
		// Skipped.
		{name: "plain text", line: `2026-11-27 03:12:01,123 WARN authn_login_fail:joebob1`, notOK: true},
		{name: "array", line: `[{"datetime":"2026-11-27T03:12:01Z","event":"authz_fail"}]`, notOK: true},
		{name: "no datetime", line: `{"event":"authn_login_fail:a"}`, notOK: true},
		{name: "no event", line: `{"datetime":"2026-11-27T03:12:01Z"}`, notOK: true},
		{name: "event only nested", line: `{"datetime":"2026-11-27T03:12:01Z","ctx":{"event":"authz_fail:x"}}`, notOK: true},
		{name: "bad datetime", line: `{"datetime":"yesterday","event":"authn_login_fail:a"}`, notOK: true},
		{name: "numeric datetime", line: `{"datetime":1764209521,"event":"authn_login_fail:a"}`, notOK: true},
		{name: "empty event name", line: `{"datetime":"2026-11-27T03:12:01Z","event":":a"}`, notOK: true},
		{name: "truncated", line: `{"datetime": "2026-11-27T03:12:01Z", "event": "authn_login_fa`, notOK: true},
		{name: "empty", line: ``, notOK: true},
		{name: "empty object", line: `{}`, notOK: true},
		{name: "binary", line: "\x00\x01{\xff", notOK: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := parseLine([]byte(c.line), time.UTC)
			if c.notOK {
				assert.False(t, ok, "should be skipped")
				assert.Empty(t, ev.Type)
				return
			}
			require.True(t, ok, "should be recognised")
			assert.Equal(t, c.typ, ev.Type)
			assert.Equal(t, c.user, ev.User)
			assert.Equal(t, c.ip, ev.IP)
			assert.Equal(t, c.detail, ev.Detail)
			if c.time != "" {
				assert.Equal(t, c.time, ev.T.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestZone(t *testing.T) {
	berlin := sourcetest.Berlin(t)
	ev, ok := parseLine([]byte(owasp("2026-11-27 03:12:01,123", "authn_login_fail:a")), berlin)
	require.True(t, ok)
	assert.Equal(t, "2026-11-27T02:12:01.123Z", ev.T.Format(time.RFC3339Nano))
	// An explicit offset wins.
	ev, ok = parseLine([]byte(owasp("2026-11-27T03:12:01Z", "authn_login_fail:a")), berlin)
	require.True(t, ok)
	assert.Equal(t, "2026-11-27T03:12:01Z", ev.T.Format(time.RFC3339Nano))
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "app", "security.jsonl"), ""+
		owasp("2026-11-27 03:12:01,123", "authn_login_fail:joebob1")+"\r\n"+
		owasp("2026-11-27 03:12:02,000", "authn_login_fail_max:joebob1,3")+"\r\n"+
		"not json\r\n"+
		"\r\n"+
		`{"datetime":"2026-11-27T03:13:00Z","event":"authz_fail:joebob1,/admin","source_ip":"198.51.100.7"}`+"\r\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "app", "security.jsonl.1.gz"), ""+
		owasp("2026-11-20 10:00:00,000", "authn_login_success:joebob1")+"\n"+
		owasp("2026-11-20 10:00:05,000", "excess_rate_limit_exceeded:joebob1,100")+"\n"+
		`{"datetime":"2026-11-20 10:00:06,000","event":`)

	src, err := New(&Config{Paths: []string{"app/security.jsonl*"}, Timezone: "Europe/Berlin"})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "web", AsOf: sourcetest.AsOf, BaseDir: dir})
	assert.Equal(t, []string{"app/security.jsonl", "app/security.jsonl.1.gz"}, res.Files)
	assert.Equal(t, 3, res.SkippedLines)
	assert.Equal(t, 4, res.Data.Count())

	failed := res.Data.EventSlice(snapshot.EventLoginFailed)
	require.Len(t, failed, 1)
	assert.Equal(t, snapshot.Event{
		TimeMS: time.Date(2026, 11, 27, 2, 12, 1, 123e6, time.UTC).UnixMilli(), Time: "2026-11-27T02:12:01.123Z",
		Source: "web", Origin: "app/security.jsonl:1", IP: "203.0.113.9", User: "joebob1", Detail: "authn_login_fail",
	}, failed[0])
	authz := res.Data.EventSlice(snapshot.EventAuthzFail)
	require.Len(t, authz, 1)
	assert.Equal(t, "app/security.jsonl:5", authz[0].Origin)
	assert.Equal(t, "2026-11-27T03:13:00Z", authz[0].Time)
	require.Len(t, res.Data.EventSlice(snapshot.EventLoginSuccess), 1)
	assert.Equal(t, "2026-11-20T09:00:00Z", res.Data.EventSlice(snapshot.EventLoginSuccess)[0].Time)
	rl := res.Data.EventSlice(snapshot.EventRateLimited)
	require.Len(t, rl, 1)
	assert.Equal(t, "app/security.jsonl.1.gz:2", rl[0].Origin)
}

func TestCollectErrors(t *testing.T) {
	src, err := New(&Config{Paths: []string{"app/none.jsonl"}})
	require.NoError(t, err)
	sourcetest.RequireMissing(t, src, "app/none.jsonl")

	dir := sourcetest.DirWith(t, "a.jsonl", owasp("2026-11-27 03:12:01,123", "authn_login_fail:a"))
	src, err = New(&Config{Paths: []string{"a.jsonl"}})
	require.NoError(t, err)
	sourcetest.RequireCancelled(t, src, dir)
}

func TestNewConfig(t *testing.T) {
	_, err := New(&Config{Paths: []string{"x"}, Timezone: "Atlantis/Capital"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timezone")
	_, err = New(&Config{})
	require.Error(t, err)
	sourcetest.RequireKind(t, KindName, &Config{Paths: []string{"a"}}, nil)
}

package nginx

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

type want struct {
	typ, ip, user, detail string
}

func TestParseAccess(t *testing.T) {
	cases := []struct {
		name  string
		line  string
		want  []want
		time  string
		notOK bool
	}{
		{name: "403", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 153 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"`,
			want: []want{{snapshot.EventHTTPForbidden, "203.0.113.9", "", "403 GET /admin"}}, time: "2026-11-27T02:12:01Z"},
		{name: "429, query dropped", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 -0500] "GET /api/v1/videos?page=2&token=s3cret HTTP/2.0" 429 169 "https://localizevideos.example/" "curl/8.5.0"`,
			want: []want{{snapshot.EventRateLimited, "203.0.113.9", "", "429 GET /api/v1/videos"}}, time: "2026-11-27T08:12:01Z"},
		{name: "403 over TLSv1 with user", line: `198.51.100.7 - alice [27/Nov/2026:03:12:01 +0000] "GET /admin HTTP/1.1" 403 0 "-" "Mozilla/5.0" TLSv1 ECDHE-RSA-AES128-SHA`,
			want: []want{
				{snapshot.EventHTTPForbidden, "198.51.100.7", "alice", "403 GET /admin"},
				{snapshot.EventTLSDowngrade, "198.51.100.7", "alice", "TLSv1"},
			}},
		{name: "200 over TLSv1.1 after more fields", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" "203.0.113.1, 10.0.0.1" TLSv1.1 0.003`,
			want: []want{{snapshot.EventTLSDowngrade, "10.0.0.5", "", "TLSv1.1"}}},
		{name: "SSLv3", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.0" 200 612 "-" "-" SSLv3`,
			want: []want{{snapshot.EventTLSDowngrade, "10.0.0.5", "", "SSLv3"}}},
		{name: "200 over TLSv1.2", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" TLSv1.2`},
		{name: "200 over TLSv1.3", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/2.0" 200 612 "-" "Mozilla/5.0" TLSv1.3 TLS_AES_128_GCM_SHA256`},
		{name: "plain 200", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0"`},
		{name: "ipv6 429 POST", line: `2001:db8::1 - - [27/Nov/2026:03:12:01 +0100] "POST /login HTTP/1.1" 429 0 "-" "python-requests/2.31.0"`,
			want: []want{{snapshot.EventRateLimited, "2001:db8::1", "", "429 POST /login"}}},
		{name: "TLS bytes on plain port", line: `203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "\x16\x03\x01\x00\xF7\x01\x00\x00\xF3\x03\x03\xA2" 400 157 "-" "-"`},
		{name: "dash request", line: `203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "-" 400 0 "-" "-"`},
		{name: "dash request 403", line: `203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "-" 403 0 "-" "-"`,
			want: []want{{snapshot.EventHTTPForbidden, "203.0.113.50", "", "403 -"}}},
		{name: "empty request 444", line: `203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "" 444 0 "-" "-"`},
		{name: `\x22 escapes`, line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /search?q=\x22><script>alert(1)</script> HTTP/1.1" 403 153 "-" "Mozilla/5.0 \x22quoted\x22 \x5C"`,
			want: []want{{snapshot.EventHTTPForbidden, "203.0.113.9", "", "403 GET /search"}}},
		{name: `\" escapes (escape=json)`, line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /a\"b\" 200 1 HTTP/1.1" 403 153 "-" "UA \" 200 \\" TLSv1.2`,
			want: []want{{snapshot.EventHTTPForbidden, "203.0.113.9", "", `403 GET /a\"b\"`}}},
		{name: "spoofed protocol in quoted fields", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 1 "TLSv1" "TLSv1" "SSLv3"`},
		{name: "user with bracket", line: `203.0.113.9 - bob [x] [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 1 "-" "-"`,
			want: []want{{snapshot.EventHTTPForbidden, "203.0.113.9", "bob [x]", "403 GET /admin"}}},
		{name: "common format", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 -`,
			want: []want{{snapshot.EventHTTPForbidden, "10.0.0.5", "", "403 GET /admin"}}},
		{name: "404", line: `10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"`},
		// Skipped.
		{name: "truncated request", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /adm`, notOK: true},
		{name: "truncated ua", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 403 1 "-" "Mozilla/5.`, notOK: true},
		{name: "no status", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1"`, notOK: true},
		{name: "bad bytes", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 403 abc "-" "-"`, notOK: true},
		{name: "bad month", line: `203.0.113.9 - - [27/Foo/2026:03:12:01 +0100] "GET / HTTP/1.1" 403 1 "-" "-"`, notOK: true},
		{name: "bad day", line: `203.0.113.9 - - [31/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 403 1 "-" "-"`, notOK: true},
		{name: "no offset", line: `203.0.113.9 - - [27/Nov/2026:03:12:01] "GET / HTTP/1.1" 403 1 "-" "-"`, notOK: true},
		{name: "error log line", line: `2026/11/27 03:12:01 [error] 1234#1234: *5678 open() "/x" failed`, notOK: true},
		{name: "empty", line: ``, notOK: true},
		{name: "binary", line: "\x00\x01\x02 \xff\xfe [", notOK: true},
	}
	rl := []int{429}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, ok := parseAccess(nil, []byte(c.line), rl)
			if c.notOK {
				assert.False(t, ok, "should be skipped")
				assert.Empty(t, evs)
				return
			}
			require.True(t, ok, "should be recognised")
			var got []want
			for _, e := range evs {
				got = append(got, want{e.Type, e.IP, e.User, e.Detail})
			}
			assert.Equal(t, c.want, got)
			if c.time != "" {
				require.NotEmpty(t, evs)
				assert.Equal(t, c.time, evs[0].T.Format(time.RFC3339))
			}
		})
	}
}

func TestParseAccessRateLimitStatus(t *testing.T) {
	line := []byte(`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /api HTTP/1.1" 503 0 "-" "-"`)
	evs, ok := parseAccess(nil, line, []int{429})
	require.True(t, ok)
	assert.Empty(t, evs)
	evs, ok = parseAccess(nil, line, []int{429, 503})
	require.True(t, ok)
	require.Len(t, evs, 1)
	assert.Equal(t, snapshot.EventRateLimited, evs[0].Type)
	// 403 configured as the limit_req status: both an unauthorized attempt
	// (every 403 counts) and a rate-limit trigger.
	evs, ok = parseAccess(nil, []byte(`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /api HTTP/1.1" 403 0 "-" "-"`), []int{403})
	require.True(t, ok)
	require.Len(t, evs, 2)
	assert.Equal(t, snapshot.EventHTTPForbidden, evs[0].Type)
	assert.Equal(t, snapshot.EventRateLimited, evs[1].Type)
}

func TestParseAccessLongPath(t *testing.T) {
	long := bytes.Repeat([]byte("é"), 300)
	line := append([]byte(`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /`), long...)
	line = append(line, []byte(` HTTP/1.1" 403 0 "-" "-"`)...)
	evs, ok := parseAccess(nil, line, []int{429})
	require.True(t, ok)
	require.Len(t, evs, 1)
	assert.LessOrEqual(t, len(evs[0].Detail), 4+4+maxPath)
	assert.True(t, utf8.ValidString(evs[0].Detail))
}

func TestCollectAccess(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "nginx", "access.log"), ""+
		`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 153 "-" "curl/8.5.0"`+"\r\n"+
		`10.0.0.5 - - [27/Nov/2026:03:12:02 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" TLSv1.3`+"\r\n"+
		"garbage line\r\n"+
		"\r\n"+
		`198.51.100.7 - alice [27/Nov/2026:03:12:03 +0100] "GET /admin HTTP/1.1" 403 0 "-" "Mozilla/5.0" TLSv1`+"\r\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "nginx", "access.log.2.gz"),
		`203.0.113.9 - - [20/Nov/2026:10:00:00 +0000] "POST /login HTTP/1.1" 503 0 "-" "-"`+"\n"+
			`203.0.113.9 - - [20/Nov/2026:10:00:01 +0000] "POST /login HTTP/1.1" 429 0 "-" "-"`+"\n")

	src, err := NewAccess(&AccessConfig{Paths: []string{"nginx/access.log*"}, RateLimitStatus: []int{429, 503}})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "edge", AsOf: sourcetest.AsOf, BaseDir: dir})
	assert.Equal(t, []string{"nginx/access.log", "nginx/access.log.2.gz"}, res.Files)
	assert.Equal(t, 2, res.SkippedLines)

	forb := res.Data.EventSlice(snapshot.EventHTTPForbidden)
	require.Len(t, forb, 2)
	assert.Equal(t, snapshot.Event{
		TimeMS: time.Date(2026, 11, 27, 2, 12, 1, 0, time.UTC).UnixMilli(), Time: "2026-11-27T02:12:01Z",
		Source: "edge", Origin: "nginx/access.log:1", IP: "203.0.113.9", Detail: "403 GET /admin",
	}, forb[0])
	assert.Equal(t, "nginx/access.log:5", forb[1].Origin)
	assert.Equal(t, "alice", forb[1].User)

	down := res.Data.EventSlice(snapshot.EventTLSDowngrade)
	require.Len(t, down, 1)
	assert.Equal(t, "nginx/access.log:5", down[0].Origin)
	assert.Equal(t, "TLSv1", down[0].Detail)

	rl := res.Data.EventSlice(snapshot.EventRateLimited)
	require.Len(t, rl, 2)
	assert.Equal(t, "nginx/access.log.2.gz:1", rl[0].Origin)
	assert.Equal(t, "503 POST /login", rl[0].Detail)
	assert.Equal(t, "2026-11-20T10:00:01Z", rl[1].Time)
}

func TestCollectMissingFile(t *testing.T) {
	src, err := NewAccess(&AccessConfig{Paths: []string{"nginx/none.log"}})
	require.NoError(t, err)
	sourcetest.RequireMissing(t, src, "nginx/none.log")

	esrc, err := NewError(&ErrorConfig{Paths: []string{"nginx/error.log"}})
	require.NoError(t, err)
	sourcetest.RequireMissing(t, esrc, "nginx/error.log")
}

func TestCollectCancelled(t *testing.T) {
	dir := sourcetest.DirWith(t, "access.log", `10.0.0.5 - - [27/Nov/2026:03:12:02 +0100] "GET / HTTP/1.1" 200 612 "-" "-"`+"\n")
	src, err := NewAccess(&AccessConfig{Paths: []string{"access.log"}})
	require.NoError(t, err)
	sourcetest.RequireCancelled(t, src, dir)
}

func TestNewConfigs(t *testing.T) {
	_, err := NewAccess(&AccessConfig{Paths: []string{"x"}, RateLimitStatus: []int{42}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate_limit_status")
	_, err = NewAccess(&AccessConfig{Paths: []string{"x"}, Timezone: "Nowhere/Land"})
	require.Error(t, err)
	_, err = NewError(&ErrorConfig{Paths: []string{"x"}, Timezone: "Nowhere/Land"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timezone")
	_, err = NewError(&ErrorConfig{})
	require.Error(t, err)

	s, err := NewAccess(&AccessConfig{Paths: []string{"x"}})
	require.NoError(t, err)
	assert.Equal(t, []int{429}, s.rateLimit)

	sourcetest.RequireKind(t, AccessKind, &AccessConfig{Paths: []string{"a.log"}}, &struct{}{})
	sourcetest.RequireKind(t, ErrorKind, &ErrorConfig{Paths: []string{"a.log"}}, &struct{}{})
}

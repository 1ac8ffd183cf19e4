package nginx

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

func TestParseError(t *testing.T) {
	cases := []struct {
		name  string
		line  string
		want  []want
		notOK bool
	}{
		{name: "limit_req reject", line: `2026/11/27 03:12:01 [error] 1234#1234: *5678 limiting requests, excess: 10.520 by zone "api", client: 203.0.113.9, server: api.localizevideos.example, request: "GET /v1/videos HTTP/1.1", host: "api.localizevideos.example"`,
			want: []want{{snapshot.EventRateLimited, "203.0.113.9", "", "api"}}},
		{name: "limit_req reject at warn", line: `2026/11/27 03:12:01 [warn] 1234#1234: *5679 limiting requests, excess: 5.000 by zone "login", client: 2001:db8::7, server: localizevideos.example, request: "POST /login HTTP/2.0", host: "localizevideos.example"`,
			want: []want{{snapshot.EventRateLimited, "2001:db8::7", "", "login"}}},
		{name: "limit_req reject, request names a client", line: `2026/11/27 03:12:01 [notice] 1234#1234: *5679 limiting requests, excess: 5.000 by zone "login", client: 203.0.113.9, server: x, request: "GET /?a=, client: 6.6.6.6, HTTP/1.1", host: "x"`,
			want: []want{{snapshot.EventRateLimited, "203.0.113.9", "", "login"}}},
		{name: "delaying", line: `2026/11/27 03:12:01 [warn] 1234#1234: *5680 delaying request, excess: 0.960, by zone "api", client: 203.0.113.9, server: api.localizevideos.example, request: "GET /v1/videos HTTP/1.1", host: "api.localizevideos.example"`},
		{name: "dry run", line: `2026/11/27 03:12:01 [error] 1234#1234: *5681 limiting requests, dry run, excess: 10.520 by zone "api", client: 203.0.113.9, server: api.localizevideos.example, request: "GET /v1/videos HTTP/1.1", host: "api.localizevideos.example"`},
		{name: "delaying dry run", line: `2026/11/27 03:12:01 [warn] 1234#1234: *5682 delaying request, dry run, excess: 0.960, by zone "api", client: 203.0.113.9, server: api.localizevideos.example, request: "GET / HTTP/1.1", host: "x"`},
		{name: "limit_conn (not limit_req)", line: `2026/11/27 03:12:01 [error] 1234#1234: *5683 limiting connections by zone "perip", client: 203.0.113.9, server: x, request: "GET / HTTP/1.1", host: "x"`},
		{name: "openssl 3 unsupported protocol", line: `2026/11/27 03:12:01 [info] 1234#1234: *5682 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443`,
			want: []want{{snapshot.EventTLSDowngrade, "198.51.100.7", "", "unsupported protocol"}}},
		{name: "openssl 1.1 unsupported protocol", line: `2026/11/27 03:12:01 [info] 1234#1234: *5683 SSL_do_handshake() failed (SSL: error:14209102:SSL routines:tls_early_post_process_client_hello:unsupported protocol) while SSL handshaking, client: 198.51.100.8, server: 0.0.0.0:443`,
			want: []want{{snapshot.EventTLSDowngrade, "198.51.100.8", "", "unsupported protocol"}}},
		{name: "version too low", line: `2026/11/27 03:12:01 [info] 1234#1234: *5684 SSL_do_handshake() failed (SSL: error:1417D18C:SSL routines:tls_process_client_hello:version too low) while SSL handshaking, client: 198.51.100.9, server: 0.0.0.0:443`,
			want: []want{{snapshot.EventTLSDowngrade, "198.51.100.9", "", "version too low"}}},
		{name: "inappropriate fallback at crit", line: `2026/11/27 03:12:01 [crit] 1234#1234: *5685 SSL_do_handshake() failed (SSL: error:0A000175:SSL routines::inappropriate fallback) while SSL handshaking, client: 198.51.100.10, server: 0.0.0.0:443`,
			want: []want{{snapshot.EventTLSDowngrade, "198.51.100.10", "", "inappropriate fallback"}}},
		{name: "boringssl", line: `2026/11/27 03:12:01 [info] 1234#1234: *5686 SSL_do_handshake() failed (SSL: error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL) while SSL handshaking, client: 198.51.100.11, server: 0.0.0.0:443`,
			want: []want{{snapshot.EventTLSDowngrade, "198.51.100.11", "", "unsupported protocol"}}},
		{name: "wrong version number", line: `2026/11/27 03:12:01 [info] 1234#1234: *5687 SSL_do_handshake() failed (SSL: error:1408F10B:SSL routines:ssl3_get_record:wrong version number) while SSL handshaking, client: 198.51.100.12, server: 0.0.0.0:443`},
		{name: "wrong version number openssl 3", line: `2026/11/27 03:12:01 [info] 1234#1234: *5688 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking, client: 198.51.100.12, server: 0.0.0.0:443`},
		{name: "peer refuses our version", line: `2026/11/27 03:12:01 [info] 1234#1234: *5689 SSL_do_handshake() failed (SSL: error:0A00042E:SSL routines::tlsv1 alert protocol version:SSL alert number 70) while SSL handshaking, client: 198.51.100.13, server: 0.0.0.0:443`},
		{name: "no shared cipher", line: `2026/11/27 03:12:01 [info] 1234#1234: *5690 SSL_do_handshake() failed (SSL: error:0A0000C1:SSL routines::no shared cipher) while SSL handshaking, client: 198.51.100.14, server: 0.0.0.0:443`},
		{name: "open failed", line: `2026/11/27 03:12:01 [error] 1234#1234: *1 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.5, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost"`},
		{name: "upstream timed out", line: `2026/11/27 03:12:01 [error] 1234#1234: *7 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.5, server: api, request: "GET /v1 HTTP/1.1", upstream: "http://127.0.0.1:8080/v1", host: "api"`},
		{name: "no connection", line: `2026/11/27 03:12:01 [notice] 1#1: signal process started`},
		{name: "emerg", line: `2026/11/27 03:12:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)`},
		// Skipped.
		{name: "continuation", line: `PHP message: PHP Warning:  Undefined variable $x in /var/www/index.php on line 3`, notOK: true},
		{name: "truncated stamp", line: `2026/11/27 03:12:0`, notOK: true},
		{name: "bad date", line: `2026/13/27 03:12:01 [error] 1#1: x`, notOK: true},
		{name: "no level", line: `2026/11/27 03:12:01 error 1#1: x`, notOK: true},
		{name: "no pid", line: `2026/11/27 03:12:01 [error] x`, notOK: true},
		{name: "access log line", line: `203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 429 1 "-" "-"`, notOK: true},
		{name: "empty", line: ``, notOK: true},
		{name: "binary", line: "\x00\x01\x02\xff\xfe\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", notOK: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, ok := parseError(nil, []byte(c.line), time.UTC)
			if c.notOK {
				assert.False(t, ok, "should be skipped")
				assert.Empty(t, evs)
				return
			}
			require.True(t, ok, "should be recognised")
			var got []want
			for _, e := range evs {
				got = append(got, want{e.Type, e.IP, e.User, e.Detail})
				assert.Equal(t, "2026-11-27T03:12:01Z", e.T.Format(time.RFC3339))
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestCollectErrorZone(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "error.log"), ""+
		`2026/11/27 03:12:01 [error] 1234#1234: *5678 limiting requests, excess: 10.520 by zone "api", client: 203.0.113.9, server: api, request: "GET / HTTP/1.1", host: "api"`+"\r\n"+
		"PHP message: PHP Warning:  Undefined variable\r\n"+
		`2026/07/01 12:00:00 [info] 1234#1234: *5682 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443`+"\r\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "error.log.1.gz"),
		`2026/11/20 10:00:00 [warn] 1#1: *1 delaying request, excess: 0.5, by zone "api", client: 203.0.113.9, server: api, request: "GET / HTTP/1.1", host: "api"`+"\n"+
			`2026/11/20 10:00:01 [error] 1#1: *2 limiting requests, excess: 1.5 by zone "api", client: 203.0.113.10, server: api, request: "GET / HTTP/1.1", host: "api"`)
	src, err := NewError(&ErrorConfig{Paths: []string{"error.log*"}, Timezone: "Europe/Berlin"})
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "edge", AsOf: sourcetest.AsOf, BaseDir: dir, Zone: time.UTC})
	assert.Equal(t, 1, res.SkippedLines)
	assert.Equal(t, []string{"error.log", "error.log.1.gz"}, res.Files)

	rl := res.Data.EventSlice(snapshot.EventRateLimited)
	require.Len(t, rl, 2)
	assert.Equal(t, snapshot.Event{
		TimeMS: time.Date(2026, 11, 27, 2, 12, 1, 0, time.UTC).UnixMilli(), Time: "2026-11-27T02:12:01Z",
		Source: "edge", Origin: "error.log:1", IP: "203.0.113.9", Detail: "api",
	}, rl[0])
	assert.Equal(t, "error.log.1.gz:2", rl[1].Origin)
	assert.Equal(t, "2026-11-20T09:00:01Z", rl[1].Time)

	down := res.Data.EventSlice(snapshot.EventTLSDowngrade)
	require.Len(t, down, 1)
	assert.Equal(t, "2026-07-01T10:00:00Z", down[0].Time) // CEST
	assert.Equal(t, "error.log:3", down[0].Origin)

	// Without a configured timezone the run's zone applies.
	src, err = NewError(&ErrorConfig{Paths: []string{"error.log"}})
	require.NoError(t, err)
	res = sourcetest.Collect(t, src, sources.Env{Name: "edge", AsOf: sourcetest.AsOf, BaseDir: dir, Zone: sourcetest.Berlin(t)})
	assert.Equal(t, "2026-11-27T02:12:01Z", res.Data.EventSlice(snapshot.EventRateLimited)[0].Time)
	res = sourcetest.Collect(t, src, sources.Env{Name: "edge", AsOf: sourcetest.AsOf, BaseDir: dir})
	assert.Equal(t, "2026-11-27T03:12:01Z", res.Data.EventSlice(snapshot.EventRateLimited)[0].Time)
}

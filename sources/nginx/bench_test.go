package nginx

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

var benchUA = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
	"curl/8.5.0",
	"python-requests/2.31.0",
}

// benchAccess builds a realistic access log: mostly 200/304s, some 404,
// 403 and 429, a few old-TLS requests, with $ssl_protocol appended.
func benchAccess(lines int) []byte {
	cet := time.FixedZone("", 3600)
	paths := []string{"/", "/api/v1/videos?page=2", "/static/app.3f9c2.js", "/login", "/admin", "/wp-login.php"}
	return sourcetest.BenchLog(lines, 250*time.Millisecond, func(b *bytes.Buffer, i int, t time.Time) {
		status := 200
		switch i % 50 {
		case 0, 1:
			status = 403
		case 2, 3, 4:
			status = 429
		case 5, 6, 7, 8:
			status = 404
		case 9, 10, 11, 12, 13:
			status = 304
		}
		proto := "TLSv1.3"
		if i%100 == 99 {
			proto = "TLSv1"
		}
		fmt.Fprintf(b, "203.0.%d.%d - - [%s] \"GET %s HTTP/1.1\" %d %d \"https://localizevideos.example/\" \"%s\" %s\n",
			i%200, i%250+1, t.In(cet).Format("02/Jan/2006:15:04:05 -0700"), paths[i%len(paths)], status, 512+i%4096, benchUA[i%len(benchUA)], proto)
	})
}

func benchError(lines int) []byte {
	return sourcetest.BenchLog(lines, time.Second, func(b *bytes.Buffer, i int, t time.Time) {
		stamp := t.Format("2006/01/02 15:04:05")
		ip := fmt.Sprintf("203.0.%d.%d", i%200, i%250+1)
		switch i % 10 {
		case 0, 1, 2:
			fmt.Fprintf(b, "%s [error] 1234#1234: *%d limiting requests, excess: 10.520 by zone \"api\", client: %s, server: api.localizevideos.example, request: \"GET /v1/videos HTTP/1.1\", host: \"api.localizevideos.example\"\n", stamp, i, ip)
		case 3, 4:
			fmt.Fprintf(b, "%s [warn] 1234#1234: *%d delaying request, excess: 0.960, by zone \"api\", client: %s, server: api.localizevideos.example, request: \"GET /v1/videos HTTP/1.1\", host: \"api.localizevideos.example\"\n", stamp, i, ip)
		case 5:
			fmt.Fprintf(b, "%s [info] 1234#1234: *%d SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: %s, server: 0.0.0.0:443\n", stamp, i, ip)
		case 6:
			fmt.Fprintf(b, "%s [info] 1234#1234: *%d SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking, client: %s, server: 0.0.0.0:443\n", stamp, i, ip)
		case 7, 8:
			fmt.Fprintf(b, "%s [error] 1234#1234: *%d open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such file or directory), client: %s, server: localhost, request: \"GET /favicon.ico HTTP/1.1\", host: \"localhost\"\n", stamp, i, ip)
		case 9:
			fmt.Fprintf(b, "%s [error] 1234#1234: *%d upstream timed out (110: Connection timed out) while reading response header from upstream, client: %s, server: api, request: \"GET /v1 HTTP/1.1\", upstream: \"http://127.0.0.1:8080/v1\", host: \"api\"\n", stamp, i, ip)
		}
	})
}

func BenchmarkParseAccess(b *testing.B) {
	rl := []int{429}
	var evs []logfile.Event
	sourcetest.BenchParse(b, benchAccess(20000), func(line []byte) (int, bool) {
		var ok bool
		evs, ok = parseAccess(evs[:0], line, rl)
		return len(evs), ok
	})
}

func BenchmarkParseError(b *testing.B) {
	var evs []logfile.Event
	sourcetest.BenchParse(b, benchError(20000), func(line []byte) (int, bool) {
		var ok bool
		evs, ok = parseError(evs[:0], line, time.UTC)
		return len(evs), ok
	})
}

// BenchmarkCollect reads a 64 MiB access log through the source, as
// `posture snapshot` does: large enough to be parsed in parallel ranges.
func BenchmarkCollect(b *testing.B) {
	dir := b.TempDir()
	size := sourcetest.WriteRepeated(b, filepath.Join(dir, "access.log"), benchAccess(20000), 64<<20)
	sourcetest.BenchCollect(b, AccessKind, dir, &AccessConfig{Paths: []string{"access.log"}}, size)
}

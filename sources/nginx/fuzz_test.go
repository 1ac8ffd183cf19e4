package nginx

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

var accessSeeds = []string{
	`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 153 "-" "Mozilla/5.0 (X11; Linux x86_64)"`,
	`203.0.113.9 - - [27/Nov/2026:03:12:01 -0500] "GET /api/v1/videos?page=2 HTTP/2.0" 429 169 "https://localizevideos.example/" "curl/8.5.0"`,
	`198.51.100.7 - alice [27/Nov/2026:03:12:01 +0000] "GET /admin HTTP/1.1" 403 0 "-" "Mozilla/5.0" TLSv1 ECDHE-RSA-AES128-SHA`,
	`10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" "203.0.113.1, 10.0.0.1" TLSv1.1 0.003`,
	`203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "\x16\x03\x01\x00\xF7\x01\x00\x00\xF3\x03\x03\xA2" 400 157 "-" "-"`,
	`203.0.113.50 - - [27/Nov/2026:03:12:01 +0100] "-" 400 0 "-" "-"`,
	`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /a\"b\" 200 1 HTTP/1.1" 403 153 "-" "UA \" 200 \\" TLSv1.2`,
	`10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 -`,
	`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /adm`,
	"",
}

var errorSeeds = []string{
	`2026/11/27 03:12:01 [error] 1234#1234: *5678 limiting requests, excess: 10.520 by zone "api", client: 203.0.113.9, server: api, request: "GET / HTTP/1.1", host: "api"`,
	`2026/11/27 03:12:01 [warn] 1234#1234: *5680 delaying request, excess: 0.960, by zone "api", client: 203.0.113.9, server: api, request: "GET / HTTP/1.1", host: "api"`,
	`2026/11/27 03:12:01 [error] 1234#1234: *5681 limiting requests, dry run, excess: 10.520 by zone "api", client: 203.0.113.9, server: api`,
	`2026/11/27 03:12:01 [info] 1234#1234: *5682 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443`,
	`2026/11/27 03:12:01 [info] 1234#1234: *5687 SSL_do_handshake() failed (SSL: error:1408F10B:SSL routines:ssl3_get_record:wrong version number) while SSL handshaking, client: 198.51.100.12, server: 0.0.0.0:443`,
	`2026/11/27 03:12:01 [notice] 1#1: signal process started`,
	`PHP message: PHP Warning:  Undefined variable $x`,
	"",
}

func FuzzParseAccess(f *testing.F) {
	sourcetest.AddLines(f, accessSeeds...)
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		evs, ok := parseAccess(nil, line, []int{429, 403})
		if !bytes.Equal(orig, line) {
			t.Fatal("input modified")
		}
		if err := saneEvents(evs, ok, line, 3); err != nil {
			t.Fatalf("%v for %q", err, line)
		}
		for _, e := range evs {
			if e.Type == snapshot.EventTLSDowngrade && !bytes.Contains(line, []byte(" "+e.Detail)) {
				t.Fatalf("protocol %q not in %q", e.Detail, line)
			}
		}
	})
}

func FuzzParseError(f *testing.F) {
	sourcetest.AddLines(f, errorSeeds...)
	berlin := sourcetest.Berlin(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		evs, ok := parseError(nil, line, berlin)
		if err := saneEvents(evs, ok, line, 1); err != nil {
			t.Fatalf("%v for %q", err, line)
		}
	})
}

func saneEvents(evs []logfile.Event, ok bool, line []byte, max int) error {
	if !ok && len(evs) > 0 {
		return fmt.Errorf("skipped line with events")
	}
	if len(evs) > max {
		return fmt.Errorf("%d events", len(evs))
	}
	for _, e := range evs {
		switch e.Type {
		case snapshot.EventHTTPForbidden, snapshot.EventRateLimited, snapshot.EventTLSDowngrade:
		default:
			return fmt.Errorf("bad type %q", e.Type)
		}
		if e.T.IsZero() || e.T.Location() != time.UTC || e.T.Year() < -1 || e.T.Year() > 10000 {
			return fmt.Errorf("bad time %v", e.T)
		}
		if !bytes.Contains(line, []byte(e.IP)) || !bytes.Contains(line, []byte(e.User)) {
			return fmt.Errorf("ip/user not from the line: %+v", e)
		}
		if bytes.ContainsAny([]byte(e.IP), " ") {
			return fmt.Errorf("space in ip %q", e.IP)
		}
		if len(e.Detail) > 2*maxPath+8 {
			return fmt.Errorf("detail too long: %d", len(e.Detail))
		}
	}
	return nil
}

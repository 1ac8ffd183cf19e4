package logfile_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localizevideos/posture/sources/internal/sourcetest"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/applog"
	"github.com/localizevideos/posture/sources/fail2ban"
	"github.com/localizevideos/posture/sources/internal/logfile"
	"github.com/localizevideos/posture/sources/nginx"
)

// kindLines are real lines of the stateless log kinds, with odd ones.
var kindLines = map[string][]string{
	"nginx_access_log": {
		`203.0.113.9 - - [27/Nov/2026:03:12:01 +0100] "GET /admin HTTP/1.1" 403 153 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"`,
		`198.51.100.7 - alice [27/Nov/2026:03:12:01 +0000] "GET /admin HTTP/1.1" 403 0 "-" "Mozilla/5.0" TLSv1 ECDHE-RSA-AES128-SHA`,
		`10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0" "203.0.113.1, 10.0.0.1" TLSv1.1 0.003`,
		`2001:db8::7 - - [27/Nov/2026:03:12:02 -0500] "POST /login HTTP/2.0" 429 0 "-" "curl/8.5.0 \"quoted\""`,
		`10.0.0.5 - - [27/Nov/2026:03:12:01 +0100] "GET / HTTP/1.0" 200 612 "-" "-" SSLv3`,
		`garbage line without fields`,
	},
	"nginx_error_log": {
		`2026/11/27 03:12:01 [error] 1234#1234: *5678 limiting requests, excess: 10.520 by zone "api", client: 203.0.113.9, server: api.localizevideos.example, request: "GET /v1/videos HTTP/1.1", host: "api.localizevideos.example"`,
		`2026/11/27 03:12:01 [warn] 1234#1234: *5679 limiting requests, excess: 5.000 by zone "login", client: 2001:db8::7, server: localizevideos.example, request: "POST /login HTTP/2.0", host: "localizevideos.example"`,
		`2026/11/27 03:12:02 [info] 1234#1234: *5680 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 198.51.100.7, server: 0.0.0.0:443`,
		`2026/11/27 03:12:03 [error] 1234#1234: *5681 open() "/srv/www/favicon.ico" failed (2: No such file or directory), client: 10.0.0.5`,
		"\x00\x01 not a log line",
	},
	"app_log": {
		`{"datetime":"2026-11-27T03:12:01Z","event":"authz_fail"}`,
		`{"ctx":{"event":"authz_fail:x","n":[1,{"a":"}"}]},"datetime":"2026-11-27T03:12:01Z","event":"authn_login_fail:jo\u00e9 \"b\"","source_ip":42,"port":440,"ok":true,"x":null}`,
		"\xef\xbb\xbf  " + `{"datetime":"2026-11-27T03:12:01Z","event":"authn_login_fail:a", "source_ip":"2001:db8::1"}  `,
		`{"datetime":"2026-11-27 03:12:01","event":"authn_login_success:bob","source_ip":"10.0.0.5"}`,
		`{"datetime":"2026-11-27T03:12:01Z","event":"excess_rate_limit_exceeded:api,100","source_ip":"203.0.113.9"}`,
		`{not json`,
	},
	"fail2ban_log": {
		"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.9",
		"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Restore Ban 198.51.100.7",
		"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: WARNING [nginx-limit-req] Ban 2001:db8::66",
		"Nov 27 03:12:02 bastion fail2ban.actions[1234]: NOTICE [sshd] Ban 203.0.113.10",
		"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Unban 203.0.113.9",
		"2026-11-27 03:12:01,789 fail2ban.filter         [1234]: INFO    [sshd] Found 203.0.113.9 - 2026-11-27 03:12:01",
		"2026-11-27 03:12:0",
	},
}

func newKind(t *testing.T, kind string, paths []string) sources.Source {
	t.Helper()
	var (
		s   sources.Source
		err error
	)
	switch kind {
	case "nginx_access_log":
		s, err = nginx.NewAccess(&nginx.AccessConfig{Paths: paths})
	case "nginx_error_log":
		s, err = nginx.NewError(&nginx.ErrorConfig{Paths: paths, Timezone: "Europe/Berlin"})
	case "app_log":
		s, err = applog.New(&applog.Config{Paths: paths, Timezone: "Europe/Berlin"})
	case "fail2ban_log":
		s, err = fail2ban.New(&fail2ban.Config{Paths: paths, Timezone: "Europe/Berlin"})
	}
	require.NoError(t, err, kind)
	return s
}

// TestStatelessKindsSplitMatchesSequential: every kind declared Stateless
// gives, on a file parsed in ranges, exactly what one pass gives.
func TestStatelessKindsSplitMatchesSequential(t *testing.T) {
	for kind, lines := range kindLines {
		dir := t.TempDir()
		var b bytes.Buffer
		for i := range 20000 {
			l := lines[(i*5+i/len(lines))%len(lines)]
			b.WriteString(strings.Replace(l, "203.0.113.9", fmt.Sprintf("203.0.%d.%d", i/250%250, i%250), 1))
			if i%11 == 0 {
				b.WriteByte('\r')
			}
			b.WriteByte('\n')
		}
		b.WriteString(lines[0]) // no final newline
		sourcetest.WriteFile(t, filepath.Join(dir, "x.log"), b.Bytes())
		env := sources.Env{Name: "src", AsOf: sourcetest.AsOf, BaseDir: dir}

		seq, err := newKind(t, kind, []string{"x.log"}).Collect(context.Background(), env)
		require.NoError(t, err, kind)
		require.NotEmpty(t, seq.Data.Events, kind)
		require.Positive(t, seq.SkippedLines, kind)
		for _, n := range []int{2, 5, 16} {
			oldSize, oldRanges := logfile.SplitSize, logfile.SplitRanges
			logfile.SplitSize, logfile.SplitRanges = 0, n
			split, err := newKind(t, kind, []string{"x.log"}).Collect(context.Background(), env)
			logfile.SplitSize, logfile.SplitRanges = oldSize, oldRanges
			require.NoError(t, err, kind)
			sourcetest.SameResult(t, seq, split, fmt.Sprintf("%s in %d ranges", kind, n))
		}
	}
}

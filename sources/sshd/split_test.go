package sshd

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localizevideos/posture/sources/internal/sourcetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/internal/logfile"
)

// realLines are sshd and auth.log lines as OpenSSH, rsyslog and syslogd
// write them, with the repeat forms, foreign programs and damaged lines.
var realLines = []string{
	"Nov 27 03:12:01 bastion sshd[1234]: Failed password for root from 203.0.113.9 port 52044 ssh2",
	"Nov 27 03:12:02 bastion sshd[1234]: message repeated 2 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2]",
	"Nov 27 03:12:03 bastion sshd[1234]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root",
	"Nov 27 03:12:03 bastion sshd[1234]: Failed password for invalid user admin test from 203.0.113.9 port 52050 ssh2",
	"Nov 27 03:12:04 bastion last message repeated 3 times",
	"Nov 27 03:17:01 bastion CRON[3001]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
	"Nov 27 03:17:02 bastion last message repeated 2 times",
	"\x00\x00\x00garbage",
	"",
	"Nov 27 04:00:00 bastion sshd[1300]: Invalid user admin from 198.51.100.7 port 4000",
	"Nov 27 04:00:30 bastion last message repeated 2 times",
	"Nov 27 04:00:31 bastion last message repeated 1 time",
	"Nov 27 08:00:00 bastion sshd[2001]: Accepted publickey for deploy from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Xk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW0fL1oQv4s",
	"2026-11-27T03:12:01.123456+01:00 bastion sshd-session[5678]: Failed password for root from 198.51.100.7 port 40000 ssh2",
	"Nov 27 08:00:01 bastion last message repeated 4 times",
	"Nov  7 03:12:05 bastion sshd[1240]: Illegal user test from 192.0.2.1",
	"Nov 27 03:12:07 bastion sshd[1234]: error: maximum authentication attempts exceeded for root from 203.0.113.9 port 52044 ssh2 [preauth]",
	"Nov 27 03:12:05 bastion sshd[1240]: Invalid user x from 10.9.9.9 port 1 from 203.0.113.9 port 52050",
	"Nov 27 03:12:09 bastion sshd[1234]: message repeated 3 times: [ Failed password for root from 203.0.113.9 port 52044 ssh2",
	"Feb 30 12:00:00 bastion last message repeated 2 times",
	"Nov 27 03:12:10 bastion sshd[1234]: Failed password for root from 203.0.113.9 port",
}

// mixedLog is n lines cycling through realLines with varying numbers, some
// ending in CRLF.
func mixedLog(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		line := realLines[(i*7+i/len(realLines))%len(realLines)]
		line = strings.Replace(line, "port 5", fmt.Sprintf("port %d", 10000+i%50000), 1)
		b.WriteString(line)
		if i%13 == 0 {
			b.WriteByte('\r')
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// collectBoth reads dir/auth.log in one pass and through the sshd source,
// whose files are split into n ranges.
func collectBoth(t *testing.T, dir string, n int) (seq, split *sources.Result) {
	t.Helper()
	env := sources.Env{Name: "bastion", AsOf: sourcetest.AsOf, BaseDir: dir}
	f, err := logfile.New([]string{"auth.log"}, "Europe/Berlin")
	require.NoError(t, err)
	seq, err = f.CollectWith(context.Background(), env, newLine, logfile.Sequential)
	require.NoError(t, err)

	oldSize, oldRanges := logfile.SplitSize, logfile.SplitRanges
	logfile.SplitSize, logfile.SplitRanges = 0, n
	defer func() { logfile.SplitSize, logfile.SplitRanges = oldSize, oldRanges }()
	src, err := New(&Config{Paths: []string{"auth.log"}, Timezone: "Europe/Berlin"})
	require.NoError(t, err)
	split, err = src.Collect(context.Background(), env)
	require.NoError(t, err)
	return seq, split
}

func TestCollectSplitMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	log := append(mixedLog(60000), "Nov 27 09:00:00 bastion sshd[9]: Invalid user last from 192.0.2.9 port 9"...) // no final newline
	sourcetest.WriteFile(t, filepath.Join(dir, "auth.log"), log)
	require.Greater(t, len(log), 4<<20)
	for _, n := range []int{2, 3, 4, 7, 16, 64} {
		seq, split := collectBoth(t, dir, n)
		require.Greater(t, len(seq.Data.EventSlice(snapshot.EventLoginFailed)), 10000)
		require.Greater(t, seq.SkippedLines, 10000)
		sourcetest.SameResult(t, seq, split, fmt.Sprintf("%d ranges", n))
	}
}

// TestCollectSplitAtRepeat places syslogd "last message repeated" lines
// exactly where a file of two ranges is cut: the range after a repeated
// line must be primed with it, and a range cannot start after a repeat
// line (its parser state is the line before it).
func TestCollectSplitAtRepeat(t *testing.T) {
	const (
		invalid = "Nov 27 04:00:00 bastion sshd[1300]: Invalid user admin from 198.51.100.7 port 4000\n"
		repeat  = "Nov 27 04:00:30 bastion last message repeated 2 times\r\n"
		last    = "Nov 27 04:00:40 bastion sshd[1300]: Failed password for root from 198.51.100.7 port 4001 ssh2" // no newline
	)
	head := mixedLog(20000)
	head = append(head, invalid...)
	chain := strings.Repeat(repeat, 4)
	tail := mixedLog(300)
	for j := range 3 { // the cut falls on the j-th repeat line
		at := len(head) + j*len(repeat)
		// Pad with a garbage line so that the file's middle is at.
		pad := 2*at - len(head) - len(chain) - len(tail) - len(last) - 1
		require.Positive(t, pad)
		body := string(head) + chain + string(tail) + strings.Repeat("x", pad) + "\n" + last
		require.Equal(t, at, len(body)/2)
		dir := t.TempDir()
		p := filepath.Join(dir, "auth.log")
		sourcetest.WriteFile(t, p, body)

		rs := files.Split(p, 2, 0, primes)
		require.Len(t, rs, 2)
		if j == 0 {
			assert.Equal(t, int64(at), rs[1].Start, "cut at the first repeat line")
			assert.Equal(t, strings.TrimSuffix(invalid, "\n"), string(rs[1].Prime))
		} else {
			// After the line that follows the chain: the first that primes.
			next := bytes.IndexByte(tail, '\n') + 1
			assert.Equal(t, int64(len(head)+len(chain)+next), rs[1].Start, "cut after the repeat lines")
			assert.Equal(t, string(bytes.TrimRight(tail[:next-1], "\r")), string(rs[1].Prime))
		}

		seq, split := collectBoth(t, dir, 2)
		sourcetest.SameResult(t, seq, split, fmt.Sprintf("cut at repeat line %d", j))
		invalids := seq.Data.EventSlice(snapshot.EventInvalidUser)
		require.NotEmpty(t, invalids)
		n := 0
		for _, e := range invalids {
			if e.IP == "198.51.100.7" && e.Time == "2026-11-27T03:00:30Z" {
				n++
			}
		}
		assert.Equal(t, 8, n, "4 repeat lines x 2")
	}
}

// TestPrimes: the state after a line depends on that line alone unless
// primes says otherwise, checked on the parser itself: a parser primed with
// line L then given M yields what a parser given any history, then L, then
// M yields.
func TestPrimes(t *testing.T) {
	histories := []string{"", realLines[0], realLines[9], realLines[5], realLines[7]}
	for _, l := range realLines {
		if !primes([]byte(l)) {
			assert.Contains(t, l, "last message repeated")
			continue
		}
		for _, m := range realLines {
			fresh := newLine(nil, sourcetest.AsOf)
			fresh(nil, []byte(l))
			want, wantOK := fresh(nil, []byte(m))
			for _, h := range histories {
				p := newLine(nil, sourcetest.AsOf)
				p(nil, []byte(h))
				p(nil, []byte(l))
				got, gotOK := p(nil, []byte(m))
				assert.Equal(t, want, got, "%q then %q then %q", h, l, m)
				assert.Equal(t, wantOK, gotOK)
			}
		}
	}
}

package sshd

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// benchLog builds a realistic auth.log: a brute-force heavy mix of sshd
// lines plus the usual CRON/sudo/systemd noise.
func benchLog(lines int) []byte {
	return sourcetest.BenchLog(lines, 1300*time.Millisecond, func(b *bytes.Buffer, i int, t time.Time) {
		stamp := t.Format(time.Stamp)
		ip := fmt.Sprintf("203.0.%d.%d", i%200, i%250+1)
		pid := 1000 + i%5000
		port := 30000 + i%30000
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Failed password for root from %s port %d ssh2\n", stamp, pid, ip, port)
		case 6, 7:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Invalid user admin%d from %s port %d\n", stamp, pid, i%50, ip, port)
		case 8:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Failed password for invalid user admin%d from %s port %d ssh2\n", stamp, pid, i%50, ip, port)
		case 9:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Accepted publickey for deploy from 10.0.0.5 port %d ssh2: ED25519 SHA256:Xk2lB9fX0PqQ3wQYtN8mH1lZzvZc5kX0tW0fL1oQv4s\n", stamp, pid, port)
		case 10, 11:
			fmt.Fprintf(b, "%s bastion sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root\n", stamp, pid, ip)
		case 12, 13:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Connection closed by authenticating user root %s port %d [preauth]\n", stamp, pid, ip, port)
		case 14:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Received disconnect from %s port %d:11: Bye Bye [preauth]\n", stamp, pid, ip, port)
		case 15:
			fmt.Fprintf(b, "%s bastion sshd[%d]: Disconnected from authenticating user root %s port %d [preauth]\n", stamp, pid, ip, port)
		case 16:
			fmt.Fprintf(b, "%s bastion CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n", stamp, pid)
		case 17:
			fmt.Fprintf(b, "%s bastion systemd-logind[812]: New session %d of user deploy.\n", stamp, i)
		case 18:
			fmt.Fprintf(b, "%s bastion sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl status nginx\n", stamp)
		case 19:
			fmt.Fprintf(b, "%s bastion sshd-session[%d]: error: maximum authentication attempts exceeded for root from %s port %d ssh2 [preauth]\n", t.Format(time.RFC3339Nano), pid, ip, port)
		}
	})
}

func BenchmarkParseLine(b *testing.B) {
	// The log holds foreign lines (CRON, sudo, systemd): skipped lines are fine.
	sourcetest.BenchParse(b, benchLog(20000), func(line []byte) (int, bool) {
		if p := parseLine(line, sourcetest.AsOf, time.UTC); p.ev.typ != "" {
			return p.n, true
		}
		return 0, true
	})
}

// BenchmarkCollect reads a 64 MiB auth.log through the source, as
// `posture snapshot` does: large enough to be parsed in parallel ranges.
func BenchmarkCollect(b *testing.B) {
	dir := b.TempDir()
	size := sourcetest.WriteRepeated(b, filepath.Join(dir, "auth.log"), benchLog(20000), 64<<20)
	sourcetest.BenchCollect(b, KindName, dir, &Config{Paths: []string{"auth.log"}}, size)
}

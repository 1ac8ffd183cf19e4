package fail2ban

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// benchLog builds a fail2ban.log of a busy host: mostly Found lines, bans,
// unbans and some housekeeping.
func benchLog(lines int) []byte {
	var b bytes.Buffer
	t := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	jails := []string{"sshd", "nginx-limit-req", "recidive"}
	for i := range lines {
		t = t.Add(900 * time.Millisecond)
		stamp := t.Format("2006-01-02 15:04:05,000")
		ip := fmt.Sprintf("203.0.%d.%d", i%200, i%250+1)
		jail := jails[i%len(jails)]
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			fmt.Fprintf(&b, "%s fail2ban.filter         [1234]: INFO    [%s] Found %s - %s\n", stamp, jail, ip, t.Format("2006-01-02 15:04:05"))
		case 5, 6:
			fmt.Fprintf(&b, "%s fail2ban.actions        [1234]: NOTICE  [%s] Ban %s\n", stamp, jail, ip)
		case 7:
			fmt.Fprintf(&b, "%s fail2ban.actions        [1234]: NOTICE  [%s] Unban %s\n", stamp, jail, ip)
		case 8:
			fmt.Fprintf(&b, "%s fail2ban.observer       [1234]: NOTICE  [%s] Increase Ban %s (2 # 2:00:00 -> 2026-11-27 05:12:02)\n", stamp, jail, ip)
		case 9:
			fmt.Fprintf(&b, "%s fail2ban.actions        [1234]: NOTICE  [%s] %s already banned\n", stamp, jail, ip)
		}
	}
	return b.Bytes()
}

func BenchmarkParseLine(b *testing.B) {
	buf := benchLog(20000)
	n := 0
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		rest := buf
		for len(rest) > 0 {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				i = len(rest)
			}
			ev, ok := parseLine(rest[:i], asOf, time.UTC)
			if !ok {
				b.Fatalf("skipped %q", rest[:i])
			}
			if ev.Type != "" {
				n++
			}
			rest = rest[min(i+1, len(rest)):]
		}
	}
	if n == 0 {
		b.Fatal("no events")
	}
}

package fail2ban

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// benchLog builds a fail2ban.log of a busy host: mostly Found lines, bans,
// unbans and some housekeeping.
func benchLog(lines int) []byte {
	jails := []string{"sshd", "nginx-limit-req", "recidive"}
	return sourcetest.BenchLog(lines, 900*time.Millisecond, func(b *bytes.Buffer, i int, t time.Time) {
		stamp := t.Format("2006-01-02 15:04:05,000")
		ip := fmt.Sprintf("203.0.%d.%d", i%200, i%250+1)
		jail := jails[i%len(jails)]
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			fmt.Fprintf(b, "%s fail2ban.filter         [1234]: INFO    [%s] Found %s - %s\n", stamp, jail, ip, t.Format("2006-01-02 15:04:05"))
		case 5, 6:
			fmt.Fprintf(b, "%s fail2ban.actions        [1234]: NOTICE  [%s] Ban %s\n", stamp, jail, ip)
		case 7:
			fmt.Fprintf(b, "%s fail2ban.actions        [1234]: NOTICE  [%s] Unban %s\n", stamp, jail, ip)
		case 8:
			fmt.Fprintf(b, "%s fail2ban.observer       [1234]: NOTICE  [%s] Increase Ban %s (2 # 2:00:00 -> 2026-11-27 05:12:02)\n", stamp, jail, ip)
		case 9:
			fmt.Fprintf(b, "%s fail2ban.actions        [1234]: NOTICE  [%s] %s already banned\n", stamp, jail, ip)
		}
	})
}

func BenchmarkParseLine(b *testing.B) {
	sourcetest.BenchParse(b, benchLog(20000), func(line []byte) (int, bool) {
		ev, ok := parseLine(line, sourcetest.AsOf, time.UTC)
		if ev.Type == "" {
			return 0, ok
		}
		return 1, ok
	})
}

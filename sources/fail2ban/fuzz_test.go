package fail2ban

import (
	"bytes"
	"testing"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

var seeds = []string{
	"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Ban 203.0.113.9",
	"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Restore Ban 198.51.100.7",
	"2026-11-27 03:12:02,001 fail2ban.actions        [1234]: NOTICE  [sshd] Unban 203.0.113.9",
	"2026-11-27 03:12:01,789 fail2ban.filter         [1234]: INFO    [sshd] Found 203.0.113.9 - 2026-11-27 03:12:01",
	"2026-11-27 03:12:02,001 fail2ban.observer       [1234]: NOTICE  [sshd] Increase Ban 203.0.113.9 (2 # 2:00:00 -> 2026-11-27 05:12:02)",
	"2013-11-27 03:12:02,001 fail2ban.actions: WARNING [ssh] Ban 192.0.2.1",
	"Nov 27 03:12:02 bastion fail2ban.actions[1234]: NOTICE [sshd] Ban 203.0.113.10",
	"Traceback (most recent call last):",
	"",
}

func FuzzParseLine(f *testing.F) {
	sourcetest.AddLines(f, seeds...)
	berlin := sourcetest.Berlin(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		ev, ok := parseLine(line, sourcetest.AsOf, berlin)
		if !bytes.Equal(orig, line) {
			t.Fatal("input modified")
		}
		if ev.Type == "" {
			return
		}
		if !ok {
			t.Fatalf("skipped line with event %+v", ev)
		}
		if ev.Type != snapshot.EventBan {
			t.Fatalf("bad type %q", ev.Type)
		}
		if ev.T.IsZero() || ev.T.Location() != time.UTC {
			t.Fatalf("bad time %v", ev.T)
		}
		if ev.IP == "" || bytes.ContainsAny([]byte(ev.IP), " ") || ev.Detail == "" {
			t.Fatalf("bad ip/jail %+v", ev)
		}
		if !bytes.Contains(line, []byte("["+ev.Detail+"] ")) || !bytes.Contains(line, []byte("Ban "+ev.IP)) {
			t.Fatalf("ip/jail not from the line: %+v in %q", ev, line)
		}
	})
}

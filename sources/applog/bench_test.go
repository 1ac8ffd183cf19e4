package applog

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// benchLog builds an OWASP-vocabulary log: mostly session and input events,
// some login failures, successes, authz failures and rate limits.
func benchLog(lines int) []byte {
	events := []string{
		"session_created:joebob%d", "input_validation_fail:(name),joebob%d", "authn_login_fail:joebob%d",
		"authn_login_success:joebob%d", "session_expired:joebob%d,logout", "authz_fail:joebob%d,/admin",
		"sys_monitor_enabled:joebob%d", "authn_login_fail:joebob%d", "excess_rate_limit_exceeded:joebob%d,100",
		"authn_login_fail_max:joebob%d,3",
	}
	return sourcetest.BenchLog(lines, 700*time.Millisecond, func(b *bytes.Buffer, i int, t time.Time) {
		ev := fmt.Sprintf(events[i%len(events)], i%100)
		dt := t.Format("2006-01-02 15:04:05,000")
		if i%2 == 0 {
			dt = t.Format(time.RFC3339Nano)
		}
		fmt.Fprintf(b, `{"datetime": %q, "appid": "localizevideos.api", "event": %q, "level": "WARN", "description": "security event", "source_ip": "203.0.%d.%d", "host_ip": "10.12.7.9", "hostname": "api-7f9c", "protocol": "https", "port": 443, "request_uri": "/api/v2/auth/", "request_method": "POST", "region": "eu-central-1", "geo": "DE"}`+"\n",
			dt, ev, i%200, i%250+1)
	})
}

func BenchmarkParseLine(b *testing.B) {
	sourcetest.BenchParse(b, benchLog(20000), func(line []byte) (int, bool) {
		ev, ok := parseLine(line, time.UTC)
		if ev.Type == "" {
			return 0, ok
		}
		return 1, ok
	})
}

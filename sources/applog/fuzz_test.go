package applog

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

var seeds = []string{
	`{"datetime": "2019-01-01 00:00:00,000", "appid": "foobar.netportal_auth", "event": "authn_login_fail:joebob1", "level": "WARN", "description": "User joebob1 login failed", "source_ip": "203.0.113.9", "host_ip": "10.12.7.9", "hostname": "portalauth.foobar.com", "protocol": "https", "port": "440", "request_uri": "/api/v2/auth/", "request_method": "POST", "region": "AWS-US-WEST-2", "geo": "USA"}`,
	`{"datetime":"2026-11-27T03:12:01.5+01:00","event":"authn_login_successafterfail:joebob1,2","source_ip":"198.51.100.7"}`,
	`{"datetime":"2026-11-27T03:12:01Z","event":"authz_fail:joebob1,resource"}`,
	`{"datetime":"2026-11-27 03:12:01,000","event":"EXCESS_RATE_LIMIT_EXCEEDED:app,100"}`,
	`{"ctx":{"event":"authz_fail:x","n":[1,{"a":"}"}]},"datetime":"2026-11-27T03:12:01Z","event":"authn_login_fail:jo\u00e9 \"b\"","source_ip":42}`,
	`{"datetime":"2026-11-27T03:12:01Z","event":"authn_login_lock:joebob1,maxretries"}`,
	`{"datetime":"yesterday","event":"authn_login_fail:a"}`,
	`{"datetime": "2026-11-27T03:12:01Z", "event": "authn_login_fa`,
	`[]`,
	``,
	` {"a":[1,-0.5e+3,true,false,null,{"b":"\u00e9\n"}],"datetime":"2026-11-27T03:12:01Z","event":"authz_fail"} `,
	`{"a":01}`,
	`{"a":"\x"}`,
	`{"a":1,}`,
	"{\"a\":\"\x01\"}",
}

func FuzzParseLine(f *testing.F) {
	sourcetest.AddLines(f, seeds...)
	types := map[string]bool{snapshot.EventLoginFailed: true, snapshot.EventLoginSuccess: true,
		snapshot.EventAuthzFail: true, snapshot.EventRateLimited: true}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		ev, ok := parseLine(line, time.UTC)
		if !bytes.Equal(orig, line) {
			t.Fatal("input modified")
		}
		// The scanner accepts exactly the JSON objects encoding/json accepts.
		_, _, _, valid := members(line)
		trimmed := bytes.TrimLeft(line, " \t\r\n")
		if want := json.Valid(line) && len(trimmed) > 0 && trimmed[0] == '{'; valid != want {
			t.Fatalf("members ok=%v, json.Valid object=%v for %q", valid, want, line)
		}
		if ok && !json.Valid(bytes.TrimPrefix(line, bom)) {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		if !ok || ev.Type == "" {
			if ev.Type != "" {
				t.Fatalf("skipped line with event %+v", ev)
			}
			return
		}
		if !types[ev.Type] {
			t.Fatalf("bad type %q", ev.Type)
		}
		if ev.T.IsZero() || ev.T.Location() != time.UTC {
			t.Fatalf("bad time %v", ev.T)
		}
		// Cross-check with encoding/json: the object has string members
		// datetime and event, and the event name matches the detail.
		var m map[string]any
		if err := json.Unmarshal(bytes.TrimPrefix(line, bom), &m); err != nil {
			t.Fatalf("not an object: %v", err)
		}
		e, ok1 := m["event"].(string)
		_, ok2 := m["datetime"].(string)
		if !ok1 || !ok2 {
			t.Fatalf("event/datetime not strings in %q", line)
		}
		name, _, _ := bytes.Cut([]byte(e), []byte(":"))
		if !bytes.EqualFold(bytes.TrimSpace(name), []byte(ev.Detail)) {
			t.Fatalf("event %q but detail %q", e, ev.Detail)
		}
		// (encoding/json turns each invalid UTF-8 byte into U+FFFD; the
		// snapshot's JSON encoding does the same to ev.IP later.)
		if ip, _ := m["source_ip"].(string); string(bytes.TrimSpace([]byte(ip))) != string([]rune(ev.IP)) {
			t.Fatalf("source_ip %q but ip %q", ip, ev.IP)
		}
	})
}

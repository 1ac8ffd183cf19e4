package prometheus

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The data of the real server: counters over the last days before
// serverAsOf, written as OpenMetrics and turned into TSDB blocks by
// promtool. Every counter starts at 0 inside the window and has a sample
// at the as-of instant, so increase() needs no extrapolation and is exact.
var serverAsOf = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// serverSeries writes the OpenMetrics file: one sample per hour from 3
// days before as-of to as-of, each series rising by its steps (per hour,
// cycling).
func serverSeries() string {
	type series struct {
		name, labels string
		start        int   // value of the first sample
		steps        []int // added each hour, cycling
		from         time.Duration
	}
	all := []series{
		{"nginx_http_requests_total", `status="429"`, 0, []int{1, 0, 2}, 72 * time.Hour}, // 24 cycles of 3: 72 hours -> 24×3 = 72
		{"nginx_http_requests_total", `status="200"`, 0, []int{50}, 72 * time.Hour},      // not counted
		{"sshd_auth_failures_total", ``, 0, []int{0, 0, 0, 1}, 48 * time.Hour},           // 48 hours -> 12
		{"sshd_auth_success_total", ``, 0, []int{0, 1, 0, 0, 0, 0}, 48 * time.Hour},      // 48 hours -> 8
		{"fail2ban_bans_total", `ip="203.0.113.7"`, 0, []int{0, 0, 0, 0, 0, 1}, 24 * time.Hour},
		{"fail2ban_bans_total", `ip="198.51.100.1"`, 0, []int{1}, 24 * time.Hour},
		{"fail2ban_bans_total", `ip="192.0.2.1"`, 4, []int{0}, 24 * time.Hour}, // banned before: no increase in the window
	}
	var b strings.Builder
	for _, name := range []string{"nginx_http_requests", "sshd_auth_failures", "sshd_auth_success", "fail2ban_bans"} {
		fmt.Fprintf(&b, "# TYPE %s counter\n", name)
		for _, s := range all {
			if s.name != name+"_total" {
				continue
			}
			v := s.start
			hours := int(s.from / time.Hour)
			for h := 0; h <= hours; h++ {
				if h > 0 {
					v += s.steps[(h-1)%len(s.steps)]
				}
				ts := serverAsOf.Add(-s.from + time.Duration(h)*time.Hour).Unix()
				if s.labels == "" {
					fmt.Fprintf(&b, "%s %d %d\n", s.name, v, ts)
				} else {
					fmt.Fprintf(&b, "%s{%s} %d %d\n", s.name, s.labels, v, ts)
				}
			}
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// startServer backfills the data into a fresh TSDB with promtool and
// serves it with prometheus on a free loopback port. It returns the URL,
// or skips the test when the binaries are missing (and fails instead when
// $POSTURE_REQUIRE_PROMETHEUS is set, as in CI).
func startServer(t *testing.T) string {
	t.Helper()
	for _, bin := range []string{"prometheus", "promtool"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("POSTURE_REQUIRE_PROMETHEUS") != "" {
				t.Fatalf("%s is not on PATH and POSTURE_REQUIRE_PROMETHEUS is set", bin)
			}
			t.Skipf("%s is not on PATH: the test against a real Prometheus server needs prometheus and promtool (apt-get install prometheus)", bin)
		}
	}
	dir := t.TempDir()
	om := filepath.Join(dir, "data.om")
	require.NoError(t, os.WriteFile(om, []byte(serverSeries()), 0o644))
	data := filepath.Join(dir, "tsdb")
	out, err := exec.Command("promtool", "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput()
	require.NoError(t, err, "promtool: %s", out)
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1m\n"), 0o644))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	var logs bytes.Buffer
	cmd := exec.Command("prometheus", "--config.file="+cfg, "--storage.tsdb.path="+data,
		"--storage.tsdb.retention.time=10y", "--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready at %s after 60 s:\n%s", base, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus server")
	}
	base := startServer(t)
	s := newSource(t, Config{URL: base, Queries: []Query{
		{Event: "rate_limited", PromQL: `sum(increase(nginx_http_requests_total{status="429"}[${window}]))`},
		{Event: "login_failed", PromQL: `sum(increase(sshd_auth_failures_total[${window}]))`},
		{Event: "login_success", PromQL: `sum(increase(sshd_auth_success_total[${window}]))`},
		{Event: "ban", PromQL: `count(count by (ip) (increase(fail2ban_bans_total[${window}]) > 0))`},
		{Event: "tls_downgrade", PromQL: `sum(increase(nginx_ssl_downgrades_total[${window}]))`}, // no such series: 0
		{Event: "authz_fail", PromQL: `scalar(sum(increase(nginx_http_requests_total{status="429"}[1d])))`},
	}})
	e := env(nil)
	e.AsOf = serverAsOf
	res, err := s.Collect(context.Background(), e)
	require.NoError(t, err)
	got := map[string]int64{}
	for typ, l := range res.Data.Events {
		for _, ev := range l.Slice() {
			got[typ] += ev.Weight
			assert.Equal(t, serverAsOf.UnixMilli(), ev.TimeMS)
			assert.True(t, strings.HasPrefix(ev.Origin, base+"/api/v1/query?query="), ev.Origin)
		}
	}
	assert.Equal(t, map[string]int64{
		"rate_limited":  72, // 24 cycles of 1+0+2
		"login_failed":  12, // one per 4 hours over 48 hours
		"login_success": 8,  // one per 6 hours over 48 hours
		"ban":           2,  // two addresses rose in the window; 192.0.2.1 did not
		"authz_fail":    24, // the last day: 8 cycles of 3
	}, got)
	assert.Equal(t, []string{"authz_fail", "ban", "login_failed", "login_success", "rate_limited", "tls_downgrade"}, res.Provides)
	for _, n := range res.Notes {
		t.Log(n)
	}

	// The server's own errors, as it sends them.
	bad := newSource(t, Config{URL: base, Queries: []Query{{Event: "ban", PromQL: `sum(increase(x[30d])`}}})
	_, err = bad.Collect(context.Background(), e)
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), `query "ban": GET /api/v1/query: the server refused the query (400 bad_data: invalid parameter "query": `)
	matrix := newSource(t, Config{URL: base, Queries: []Query{{Event: "ban", PromQL: `fail2ban_bans_total[1h]`}}})
	_, err = matrix.Collect(context.Background(), e)
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "range vector (matrix)")
}

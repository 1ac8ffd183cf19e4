package prometheus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
	_ "github.com/localizevideos/posture/sources/prometheus"
)

// End to end: the same events given as log files (nginx access log,
// sshd auth.log, fail2ban log) and as the counts of Prometheus queries
// give the event metrics the same values and statuses, through the whole
// pipeline (config, collection, snapshot, built-in policies).

const e2eHead = `project = "prometheus-e2e"
window_days = 30
owner "security" {}
category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "security" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "security" }
category "compliance_signals"       { owner = "security" }
`

var (
	e2eAsOf    = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	e2eMetrics = []string{"rate_limit_triggers", "failed_login_rate", "blocked_ips", "unauthorized_access_attempts", "tls_downgrade_attempts"}
)

// The events, in the window (the last 30 days before as-of).
const (
	n429       = 37
	n403       = 11
	nTLSv1     = 4
	nFailed    = 9
	nAccepted  = 27
	bannedIPs  = 3 // distinct; banned 5 times in all
	bansInLogs = 5
)

// logFiles writes the events as log lines, plus some outside the window
// or of no interest, which neither side counts.
func logFiles() map[string]string {
	var access, auth, f2b strings.Builder
	at := func(i int) time.Time { return e2eAsOf.Add(-time.Duration(i+1) * 7 * time.Hour) }
	line := func(t time.Time, status int, proto string) {
		fmt.Fprintf(&access, "198.51.100.%d - - [%s] \"GET /api HTTP/1.1\" %d 95 \"-\" \"curl/8.0\" %s\n",
			status%200, t.Format("02/Jan/2006:15:04:05 -0700"), status, proto)
	}
	for i := range n429 {
		line(at(i), 429, "TLSv1.2")
	}
	for i := range n403 {
		line(at(i), 403, "TLSv1.3")
	}
	for i := range nTLSv1 {
		line(at(i), 200, "TLSv1")
	}
	line(e2eAsOf.Add(-40*24*time.Hour), 429, "TLSv1.2") // outside the window
	for i := range 20 {
		line(at(i), 200, "TLSv1.3")
	}
	for i := range nFailed {
		fmt.Fprintf(&auth, "%s bastion-01 sshd[100]: Failed password for root from 203.0.113.9 port 5000 ssh2\n", at(i).Format(time.RFC3339))
	}
	for i := range nAccepted {
		fmt.Fprintf(&auth, "%s bastion-01 sshd[101]: Accepted publickey for deploy from 10.0.0.5 port 4000 ssh2: ED25519 SHA256:x\n", at(i).Format(time.RFC3339))
	}
	for i, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.1", "203.0.113.2"} {
		fmt.Fprintf(&f2b, "%s,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban %s\n", at(i).Format("2006-01-02 15:04:05"), ip)
	}
	return map[string]string{"access.log": access.String(), "auth.log": auth.String(), "fail2ban.log": f2b.String()}
}

// The queries and what the fake server answers them (as a Prometheus
// server would, with extrapolated fractions for increase()).
var e2eAnswers = map[string]string{
	`sum(increase(nginx_http_requests_total{status="429"}[30d]))`:                  fmt.Sprintf("%d.0213", n429),
	`sum(increase(nginx_http_requests_total{status="403"}[30d]))`:                  fmt.Sprintf("%d", n403),
	`sum(increase(nginx_http_requests_total{ssl_protocol=~"TLSv1|TLSv1.1"}[30d]))`: fmt.Sprintf("%d.4", nTLSv1),
	`sum(increase(sshd_auth_failures_total[30d]))`:                                 fmt.Sprintf("%d", nFailed),
	`sum(increase(sshd_auth_success_total[30d]))`:                                  fmt.Sprintf("%d", nAccepted),
	`count(count by (ip) (increase(fail2ban_bans_total{jail="sshd"}[30d]) > 0))`:   fmt.Sprintf("%d", bannedIPs),
}

const e2eQueries = `
  query "rate_limited"   { promql = "sum(increase(nginx_http_requests_total{status=\"429\"}[$${window}]))" }
  query "http_forbidden" { promql = "sum(increase(nginx_http_requests_total{status=\"403\"}[$${window}]))" }
  query "tls_downgrade"  { promql = "sum(increase(nginx_http_requests_total{ssl_protocol=~\"TLSv1|TLSv1.1\"}[$${window}]))" }
  query "login_failed"   { promql = "sum(increase(sshd_auth_failures_total[$${window}]))" }
  query "login_success"  { promql = "sum(increase(sshd_auth_success_total[$${window}]))" }
  query "ban"            { promql = "count(count by (ip) (increase(fail2ban_bans_total{jail=\"sshd\"}[$${window}]) > 0))" }
`

func fakeServer(t *testing.T, answers map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		v, ok := answers[q.Get("query")]
		if r.URL.Path != "/api/v1/query" || !ok || q.Get("time") != "1795737600.000" {
			w.WriteHeader(400)
			msg, _ := json.Marshal(fmt.Sprintf("unexpected query %s at %s", q.Get("query"), q.Get("time")))
			_, _ = fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%s}`, msg)
			return
		}
		_, _ = fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1795737600,%q]}]}}`, v)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// evalConfig writes the config and files, runs the pipeline and returns
// the metrics of e2eMetrics by id, and the sources that failed.
func evalConfig(t *testing.T, sourcesHCL string, files map[string]string) (map[string]report.Metric, []string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(e2eHead+sourcesHCL), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	snap := a.Collect(context.Background(), e2eAsOf, nil)
	var failed []string
	for _, part := range snap.Parts {
		if part.Failed() {
			failed = append(failed, part.ID()+": "+part.Error)
		}
	}
	r, _, err := a.Evaluate(context.Background(), snap, e2eAsOf, false)
	require.NoError(t, err)
	out := map[string]report.Metric{}
	for _, m := range r.Metrics {
		for _, id := range e2eMetrics {
			if m.ID == id {
				out[id] = m
			}
		}
	}
	require.Len(t, out, len(e2eMetrics))
	return out, failed
}

func TestEndToEndSameAsLogs(t *testing.T) {
	srv := fakeServer(t, e2eAnswers)
	fromProm, failed := evalConfig(t, `
source "prometheus" "edge" {
  url = "`+srv.URL+`"`+e2eQueries+`}
`, nil)
	require.Empty(t, failed)
	fromLogs, failed := evalConfig(t, `
source "nginx_access_log" "edge" { paths = ["access.log"] }
source "sshd_log" "bastion"      { paths = ["auth.log"] }
source "fail2ban_log" "f2b"      { paths = ["fail2ban.log"] }
`, logFiles())
	require.Empty(t, failed)

	want := map[string]float64{
		"rate_limit_triggers":          n429,
		"unauthorized_access_attempts": n403,
		"tls_downgrade_attempts":       nTLSv1,
		"blocked_ips":                  bannedIPs,
	}
	for _, id := range e2eMetrics {
		p, l := fromProm[id], fromLogs[id]
		require.NotNil(t, p.Value, "%s: %s %s", id, p.Status, p.Error)
		require.NotNil(t, l.Value, "%s: %s %s", id, l.Status, l.Error)
		assert.Equal(t, *l.Value, *p.Value, id)
		assert.Equal(t, l.Status, p.Status, id)
		assert.Equal(t, []string{"prometheus.edge"}, p.Sources, id)
		if w, ok := want[id]; ok {
			assert.Equal(t, w, *p.Value, id)
		}
	}
	assert.InDelta(t, 100.0*nFailed/(nFailed+nAccepted), *fromProm["failed_login_rate"].Value, 0.01)
}

// A source that counts only some event types feeds only their metrics:
// the others stay unmeasured.
func TestEndToEndOnlyConfiguredTypes(t *testing.T) {
	srv := fakeServer(t, e2eAnswers)
	got, failed := evalConfig(t, `
source "prometheus" "edge" {
  url = "`+srv.URL+`"
  query "rate_limited" { promql = "sum(increase(nginx_http_requests_total{status=\"429\"}[$${window}]))" }
}
`, nil)
	require.Empty(t, failed)
	require.NotNil(t, got["rate_limit_triggers"].Value)
	assert.Equal(t, float64(n429), *got["rate_limit_triggers"].Value)
	for _, id := range []string{"failed_login_rate", "blocked_ips", "unauthorized_access_attempts", "tls_downgrade_attempts"} {
		assert.Equal(t, report.StatusUnmeasured, got[id].Status, id)
	}
}

// A failing query fails the source: every event metric it could feed is
// an error naming it.
func TestEndToEndFailedQueryIsError(t *testing.T) {
	srv := fakeServer(t, map[string]string{})
	got, failed := evalConfig(t, `
source "prometheus" "edge" {
  url = "`+srv.URL+`"
  query "rate_limited" { promql = "sum(rate_limited_total)" }
}
`, nil)
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0], `prometheus.edge: query "rate_limited": GET /api/v1/query: the server refused the query (400 bad_data: unexpected query sum(rate_limited_total) at 1795737600.000)`)
	assert.Equal(t, report.StatusError, got["rate_limit_triggers"].Status)
	assert.Equal(t, "source failed: prometheus.edge", got["rate_limit_triggers"].Error)
}

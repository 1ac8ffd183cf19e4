package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/snapshot"
)

// Two sources of different kinds share the name "edge": they are two
// sources, kept apart everywhere a source is named.
const twoEdgesConfig = `project = "Test"
owner "security" { github = ["sec"] }
category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "security" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "security" }
category "compliance_signals"       { owner = "security" }
source "nginx_access_log" "edge" { paths = ["access.log"] }
source "nginx_error_log" "edge"  { paths = ["error.log"] }
metric "tls_downgrade_attempts" { gate = false }
`

// Three rate-limit rejections and one downgrade in the access log, two
// rejections and one refused handshake in the error log (all in the
// window ending 2026-11-27).
const twoEdgesAccess = `198.51.100.1 - - [20/Nov/2026:10:00:00 +0000] "POST /session HTTP/2.0" 429 166 "-" "curl/8" TLSv1.3
198.51.100.1 - - [20/Nov/2026:10:00:01 +0000] "POST /session HTTP/2.0" 429 166 "-" "curl/8" TLSv1.3
198.51.100.2 - - [21/Nov/2026:10:00:00 +0000] "GET /admin HTTP/1.1" 429 166 "-" "curl/8" TLSv1.2
198.51.100.3 - - [22/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "old/1" TLSv1
`

const twoEdgesError = `2026/11/23 10:00:00 [error] 1#1: *1 limiting requests, excess: 7.117 by zone "login", client: 198.51.100.4, server: a.example, request: "POST /session HTTP/2.0", host: "a.example"
2026/11/23 10:00:01 [error] 1#1: *2 limiting requests, excess: 7.500 by zone "login", client: 198.51.100.4, server: a.example, request: "POST /session HTTP/2.0", host: "a.example"
2026/11/24 10:00:00 [info] 1#1: *3 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 192.0.2.161, server: 0.0.0.0:443
`

func twoEdges(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"posture.hcl": twoEdgesConfig, "access.log": twoEdgesAccess, "error.log": twoEdgesError})
	return dir
}

func TestSourcesSharingANameStayApart(t *testing.T) {
	dir := twoEdges(t)

	code, out, errs := run(t, dir, "snapshot", "--out", "snap")
	require.Equal(t, ExitOK, code, out+errs)
	assert.Contains(t, out, "2 sources")
	// Progress lines name each source by its id.
	assert.Contains(t, errs, "source nginx_access_log.edge ")
	assert.Contains(t, errs, "source nginx_error_log.edge ")

	// One file per source, one manifest entry per source.
	for _, f := range []string{"nginx_access_log.edge.json", "nginx_error_log.edge.json"} {
		assert.FileExists(t, filepath.Join(dir, "snap", f))
	}
	var m snapshot.Manifest
	b, err := os.ReadFile(filepath.Join(dir, "snap", "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	require.Len(t, m.Sources, 2)
	entries := map[string]snapshot.ManifestEntry{}
	for _, e := range m.Sources {
		assert.Equal(t, "edge", e.Source)
		entries[e.Kind] = e
	}
	assert.Equal(t, "nginx_access_log.edge.json", entries["nginx_access_log"].File)
	assert.Equal(t, 4, entries["nginx_access_log"].Records)
	assert.Equal(t, "nginx_error_log.edge.json", entries["nginx_error_log"].File)
	assert.Equal(t, 3, entries["nginx_error_log"].Records)
	assert.NotEqual(t, entries["nginx_access_log"].SHA256, entries["nginx_error_log"].SHA256)

	// Evaluating the stored snapshot counts both sources' records.
	code, r, errs := evalJSON(t, dir, "--snapshot", "snap")
	require.Equal(t, ExitFail, code, errs)
	assert.Contains(t, errs, "gated metrics not measured", "the gate fails closed on what the two edge logs cannot feed")
	assert.Equal(t, 5.0, *metric(t, r, "rate_limit_triggers").Value, "3 from the access log + 2 from the error log")
	assert.Equal(t, 2.0, *metric(t, r, "tls_downgrade_attempts").Value, "1 request on TLSv1 + 1 refused handshake")
	assert.Equal(t, []string{"nginx_access_log.edge", "nginx_error_log.edge"}, metric(t, r, "rate_limit_triggers").Sources)
	require.Len(t, r.Inputs, 2)
	assert.Equal(t, report.Input{Source: "edge", Kind: "nginx_access_log", SHA256: entries["nginx_access_log"].SHA256, Records: 4}, r.Inputs[0])
	assert.Equal(t, report.Input{Source: "edge", Kind: "nginx_error_log", SHA256: entries["nginx_error_log"].SHA256, Records: 3}, r.Inputs[1])

	// A fresh collection gives the same report.
	_, fresh, _ := evalJSON(t, dir)
	assert.Equal(t, r.Metrics, fresh.Metrics)
	assert.Equal(t, r.Inputs, fresh.Inputs)

	// The input document keeps both sources and says which one each record came from.
	code, out, errs = run(t, dir, "eval", "--snapshot", "snap", "--dump-input")
	require.Equal(t, ExitOK, code, errs)
	var doc struct {
		Sources map[string]struct {
			Kind    string `json:"kind"`
			Records int    `json:"records"`
		} `json:"sources"`
		Events map[string][]snapshot.Event `json:"events"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Sources, 2)
	assert.Equal(t, "nginx_access_log", doc.Sources["nginx_access_log.edge"].Kind)
	assert.Equal(t, 4, doc.Sources["nginx_access_log.edge"].Records)
	assert.Equal(t, "nginx_error_log", doc.Sources["nginx_error_log.edge"].Kind)
	assert.Equal(t, 3, doc.Sources["nginx_error_log.edge"].Records)
	from := map[string]int{}
	for _, e := range doc.Events["rate_limited"] {
		from[e.Source]++
	}
	assert.Equal(t, map[string]int{"nginx_access_log.edge": 3, "nginx_error_log.edge": 2}, from)
}

func TestExplainAndMetricsNameSourcesByKindAndName(t *testing.T) {
	dir := twoEdges(t)

	code, out, errs := run(t, dir, "explain", "rate_limit_triggers")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "fed by: nginx_access_log.edge, nginx_error_log.edge\n")

	code, out, errs = run(t, dir, "metrics")
	require.Equal(t, ExitOK, code, errs)
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "rate_limit_triggers ") {
			line = l
		}
	}
	assert.True(t, strings.HasSuffix(line, "  nginx_access_log.edge, nginx_error_log.edge"), "%q", line)

	code, out, errs = run(t, dir, "metrics", "--format", "json")
	require.Equal(t, ExitOK, code, errs)
	var rows []struct {
		ID    string   `json:"id"`
		FedBy []string `json:"fed_by"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows))
	for _, r := range rows {
		if r.ID == "rate_limit_triggers" {
			assert.Equal(t, []string{"nginx_access_log.edge", "nginx_error_log.edge"}, r.FedBy)
		}
	}
}

// A source that fails is named by its id in the error and in the metrics
// it leaves in error.
func TestFailingSourceIsNamedByKindAndName(t *testing.T) {
	dir := twoEdges(t)
	require.NoError(t, os.Remove(filepath.Join(dir, "error.log")))
	code, r, errs := evalJSON(t, dir)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "source nginx_error_log.edge: ")
	assert.NotContains(t, errs, "source nginx_access_log.edge: ")
	m := metric(t, r, "rate_limit_triggers")
	assert.Equal(t, report.StatusError, m.Status)
	assert.Equal(t, "source failed: nginx_error_log.edge", m.Error)
}

// A snapshot written before sources were identified by kind and name (its
// records carry the bare source name) still reads and evaluates the same.
func TestOlderSnapshotStillEvaluates(t *testing.T) {
	dir := fixture(t, nil)
	code, out, errs := run(t, dir, "snapshot", "--out", "snap")
	require.Equal(t, ExitOK, code, out+errs)
	_, fresh, _ := evalJSON(t, dir)

	// Rewrite the parts as the earlier version wrote them.
	mp := filepath.Join(dir, "snap", "manifest.json")
	b, err := os.ReadFile(mp)
	require.NoError(t, err)
	var m snapshot.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	for i, e := range m.Sources {
		p := filepath.Join(dir, "snap", e.File)
		body, err := os.ReadFile(p)
		require.NoError(t, err)
		old := strings.ReplaceAll(string(body), `"source":"`+e.Kind+"."+e.Source+`"`, `"source":"`+e.Source+`"`)
		require.NotEqual(t, string(body), old, "records carry the source id")
		require.NoError(t, os.WriteFile(p, []byte(old), 0o644))
		sum := sha256.Sum256([]byte(old))
		m.Sources[i].SHA256 = hex.EncodeToString(sum[:])
	}
	b, err = json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(mp, b, 0o644))

	code, stored, errs := evalJSON(t, dir, "--snapshot", "snap")
	require.Equal(t, ExitOK, code, errs)
	assert.Equal(t, fresh.Metrics, stored.Metrics)
	require.Len(t, stored.Inputs, 2)
	assert.Equal(t, "iam", stored.Inputs[0].Source)
	assert.Equal(t, "accounts", stored.Inputs[0].Kind)
	assert.Equal(t, m.Sources[0].SHA256, stored.Inputs[0].SHA256)
}

package ledger

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	_ "github.com/localizevideos/posture/sources/vuln" // the scanner kinds
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func vuln(key, sev string) snapshot.Vulnerability {
	return snapshot.Vulnerability{Key: key, ID: key[:5], Package: "openssl", Target: "img", Severity: sev, State: "open", Scanner: "trivy", Source: "trivy.images", Origin: "trivy.json:3"}
}

// snap builds a snapshot with one trivy source listing keys (nil = failed).
func snap(asOf string, keys ...string) *snapshot.Snapshot {
	p := &snapshot.Part{Source: "images", Kind: "trivy", SHA256: "abc"}
	for _, k := range keys {
		p.Data.Vulnerabilities = append(p.Data.Vulnerabilities, vuln(k, "high"))
	}
	other := &snapshot.Part{Source: "iam", Kind: "accounts"}
	return &snapshot.Snapshot{AsOf: day(asOf), Parts: []*snapshot.Part{other, p}}
}

func failed(asOf string) *snapshot.Snapshot {
	s := snap(asOf)
	s.Parts[1].Error = "trivy.json: no such file"
	return s
}

func record(l *Ledger, s *snapshot.Snapshot) { l.Record(Observe(s, s.AsOf)) }

const (
	k1 = "CVE-1|openssl|img"
	k2 = "CVE-2|openssl|img"
)

func TestFixedReopenedAndSummary(t *testing.T) {
	l := New()
	record(l, snap("2026-11-01", k1, k2))
	record(l, snap("2026-11-02", k1, k2))
	record(l, snap("2026-11-05", k2)) // k1 fixed at 11-05
	record(l, snap("2026-11-09", k1, k2))
	f := l.Findings[k1]
	require.NotNil(t, f)
	assert.Equal(t, "2026-11-01T00:00:00Z", f.FirstSeen)
	assert.Equal(t, "2026-11-09T00:00:00Z", f.LastSeen)
	assert.Nil(t, f.FixedAt, "open again")
	assert.Equal(t, 1, f.Reopened)
	require.Len(t, f.History, 2)
	require.NotNil(t, f.History[0].Fixed)
	assert.Equal(t, "2026-11-05T00:00:00Z", *f.History[0].Fixed)
	assert.Equal(t, []string{"2026-11-01..2026-11-02", "2026-11-09"}, f.Listed)
	assert.Equal(t, &Seen{AsOf: "2026-11-05T00:00:00Z", Scanned: []string{"trivy.images"}, Failed: []string{}}, l.Reports["2026-11-05"])
	assert.Equal(t, []string{"2026-11-01..2026-11-09"}, l.Findings[k2].Listed)

	// The state at a date only sees observations dated on or before it.
	at := func(d string) map[string]State {
		out := map[string]State{}
		for _, s := range l.At(d) {
			out[s.Key] = s
		}
		return out
	}
	s := at("2026-11-05")[k1]
	assert.False(t, s.Open)
	require.Len(t, s.Fixes, 1)
	assert.Equal(t, Fix{Opened: "2026-11-01T00:00:00Z", Fixed: "2026-11-05T00:00:00Z"}, s.Fixes[0])
	s = at("2026-11-02")[k1]
	assert.True(t, s.Open)
	assert.Empty(t, s.Fixes)
	s = at("2026-11-09")[k1]
	assert.True(t, s.Open)
	assert.Equal(t, 1, s.Reopened)
	assert.Empty(t, at("2026-10-31"))
}

func TestFailedOrMissingSourceFixesNothing(t *testing.T) {
	l := New()
	record(l, snap("2026-11-01", k1))
	record(l, failed("2026-11-02"))
	assert.Nil(t, l.Findings[k1].FixedAt, "a failed scanner says nothing about its keys")
	noScanner := &snapshot.Snapshot{AsOf: day("2026-11-03"), Parts: []*snapshot.Part{{Source: "iam", Kind: "accounts"}}}
	record(l, noScanner)
	assert.Nil(t, l.Findings[k1].FixedAt, "a scanner no longer configured fixes nothing")
	renamed := snap("2026-11-04")
	renamed.Parts[1].Source = "images-v2"
	record(l, renamed)
	assert.Nil(t, l.Findings[k1].FixedAt, "another source not listing it fixes nothing")
	record(l, snap("2026-11-05"))
	require.NotNil(t, l.Findings[k1].FixedAt)
	assert.Equal(t, "2026-11-05T00:00:00Z", *l.Findings[k1].FixedAt)
	assert.Equal(t, []string{"2026-11-01"}, l.Findings[k1].Listed)
	assert.Equal(t, []string{"trivy.images"}, l.Reports["2026-11-02"].Failed)
}

func TestSameDateRerunIsIdempotent(t *testing.T) {
	l := New()
	record(l, snap("2026-11-01", k1))
	record(l, snap("2026-11-02"))
	record(l, snap("2026-11-03", k1))
	once, err := l.Encode()
	require.NoError(t, err)
	record(l, snap("2026-11-03", k1))
	twice, err := l.Encode()
	require.NoError(t, err)
	assert.Equal(t, string(once), string(twice))

	// A re-run whose data changed replaces that date's observation.
	record(l, snap("2026-11-03", k2))
	assert.NotNil(t, l.Findings[k1].FixedAt)
	assert.Equal(t, "2026-11-02T00:00:00Z", *l.Findings[k1].FixedAt, "still fixed since 11-02")
	assert.Equal(t, 0, l.Findings[k1].Reopened)
	record(l, snap("2026-11-03"))
	assert.NotContains(t, l.Findings, k2, "a key only the replaced observation listed is gone")
}

func TestOrderOfReportsDoesNotMatter(t *testing.T) {
	obs := []*snapshot.Snapshot{
		snap("2026-11-01", k1), snap("2026-11-02", k1, k2), failed("2026-11-03"), snap("2026-11-04", k2), snap("2026-11-06", k1, k2),
	}
	encode := func(order []int) string {
		l := New()
		for _, i := range order {
			record(l, obs[i])
		}
		b, err := l.Encode()
		require.NoError(t, err)
		return string(b)
	}
	want := encode([]int{0, 1, 2, 3, 4})
	for _, order := range [][]int{{4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {1, 3, 0, 4, 2}, {3, 3, 0, 1, 2, 4, 4}} {
		assert.Equal(t, want, encode(order), "order %v", order)
	}
}

func TestAnnotate(t *testing.T) {
	l := New()
	record(l, snap("2026-11-01", k1, k2))
	record(l, snap("2026-11-11", k2)) // k1 fixed 10 days after first seen
	s := snap("2026-11-21", k1, k2)   // k1 is back
	before, err := l.Encode()
	require.NoError(t, err)
	out := l.Annotate(s, s.AsOf, "security/reports/vulnerabilities.json")
	after, err := l.Encode()
	require.NoError(t, err)
	assert.Equal(t, before, after, "Annotate leaves the ledger untouched")
	assert.Len(t, s.Parts[1].Data.Vulnerabilities, 2, "nor the snapshot")
	assert.Nil(t, s.Parts[1].Data.Vulnerabilities[0].FirstSeen)

	assert.Same(t, s.Parts[0], out.Parts[0], "other parts are shared")
	vs := out.Parts[1].Data.Vulnerabilities
	require.Len(t, vs, 3)
	assert.Equal(t, "abc", out.Parts[1].SHA256)
	byState := map[string][]snapshot.Vulnerability{}
	for _, v := range vs {
		byState[v.State] = append(byState[v.State], v)
	}
	for _, v := range byState["open"] {
		require.NotNil(t, v.FirstSeen)
		assert.Equal(t, "2026-11-01T00:00:00Z", *v.FirstSeen, v.Key)
		assert.Equal(t, day("2026-11-01").UnixMilli(), *v.FirstSeenMS)
	}
	require.Len(t, byState["fixed"], 1)
	fx := byState["fixed"][0]
	assert.Equal(t, k1, fx.Key)
	assert.Equal(t, "2026-11-11T00:00:00Z", *fx.FixedAt)
	assert.Equal(t, day("2026-11-11").UnixMilli(), *fx.FixedAtMS)
	assert.Equal(t, "2026-11-01T00:00:00Z", *fx.FirstSeen)
	assert.Equal(t, "trivy.images", fx.Source)
	assert.Equal(t, "security/reports/vulnerabilities.json#"+k1, fx.Origin)

	// Evaluated at an earlier date the later observations do not count.
	early := l.Annotate(snap("2026-11-05", k1, k2), day("2026-11-05"), "x")
	for _, v := range early.Parts[1].Data.Vulnerabilities {
		assert.Equal(t, "open", v.State)
	}
	// A key never seen before is first seen now.
	fresh := New().Annotate(snap("2026-11-05", k1), day("2026-11-05"), "x")
	assert.Equal(t, "2026-11-05T00:00:00Z", *fresh.Parts[1].Data.Vulnerabilities[0].FirstSeen)
}

// TestSaveLoadRoundTrip: the file's checks and corrupt files are the
// store's (store/store_test.go).
func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reports", FileName)
	l, err := Load(path)
	require.NoError(t, err, "a missing ledger is empty")
	record(l, snap("2026-11-01", k1))
	record(l, snap("2026-11-02"))
	require.NoError(t, l.Save(path))
	back, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, l, back)
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left")
}

// Two scanner sources of different kinds may share a name: the ledger keeps
// them apart (which ran, which failed, which listed a key, which part the
// fixed records join).
func TestScannerSourcesSharingANameAreTwo(t *testing.T) {
	two := func(asOf string, trivyKeys []string, grypeFailed bool) *snapshot.Snapshot {
		tp := &snapshot.Part{Source: "app", Kind: "trivy"}
		for _, k := range trivyKeys {
			v := vuln(k, "high")
			v.Source = "trivy.app"
			tp.Data.Vulnerabilities = append(tp.Data.Vulnerabilities, v)
		}
		gp := &snapshot.Part{Source: "app", Kind: "grype"}
		if grypeFailed {
			gp.Error = "grype.json: no such file"
		}
		return &snapshot.Snapshot{AsOf: day(asOf), Parts: []*snapshot.Part{gp, tp}}
	}
	l := New()
	record(l, two("2026-11-01", []string{k1}, false))
	assert.Equal(t, []string{"trivy.app"}, l.Findings[k1].Sources)
	assert.Equal(t, []string{"grype.app", "trivy.app"}, l.Reports["2026-11-01"].Scanned)

	// trivy "app" ran without k1; grype "app", which never listed it, failed.
	s := two("2026-11-02", nil, true)
	out := l.Annotate(s, s.AsOf, "v.json")
	record(l, s)
	assert.Equal(t, &Seen{AsOf: "2026-11-02T00:00:00Z", Scanned: []string{"trivy.app"}, Failed: []string{"grype.app"}}, l.Reports["2026-11-02"])
	require.NotNil(t, l.Findings[k1].FixedAt, "the source that listed k1 ran without it")
	assert.Equal(t, "2026-11-02T00:00:00Z", *l.Findings[k1].FixedAt)

	// The fixed record joins the part of the source that listed the key.
	require.Len(t, out.Parts[1].Data.Vulnerabilities, 1)
	fx := out.Parts[1].Data.Vulnerabilities[0]
	assert.Equal(t, "fixed", fx.State)
	assert.Equal(t, "trivy.app", fx.Source)
	assert.Same(t, s.Parts[0], out.Parts[0], "the failed grype part is untouched")
}

// A ledger written when sources were named by their name alone keeps its
// history: a bare name matches the id of a scanner source of that name.
func TestLedgerWithBareSourceNamesCarriesOn(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	require.NoError(t, os.WriteFile(path, []byte(`{
  "schema": "posture.vulnerabilities/v1",
  "reports": {
    "2026-11-01": {"as_of": "2026-11-01T00:00:00Z", "scanned": ["images"], "failed": []},
    "2026-11-02": {"as_of": "2026-11-02T00:00:00Z", "scanned": ["images"], "failed": []}
  },
  "findings": {
    "`+k1+`": {"id": "CVE-1", "package": "openssl", "target": "img", "severity": "high", "scanner": "trivy",
      "sources": ["images"], "listed": ["2026-11-01"]},
    "`+k2+`": {"id": "CVE-2", "package": "openssl", "target": "img", "severity": "high", "scanner": "trivy",
      "sources": ["images"], "listed": ["2026-11-01..2026-11-02"]}
  }
}
`), 0o644))
	l, err := Load(path)
	require.NoError(t, err)
	record(l, snap("2026-11-01", k1, k2)) // re-run of an old date
	record(l, snap("2026-11-02", k2))
	require.NotNil(t, l.Findings[k1].FixedAt, "fixed by the same source, named by its id now")
	assert.Equal(t, "2026-11-02T00:00:00Z", *l.Findings[k1].FixedAt)
	assert.Equal(t, []string{"trivy.images"}, l.Findings[k1].Sources, "the bare name is replaced by the id")

	l, err = Load(path)
	require.NoError(t, err)
	out := l.Annotate(snap("2026-11-03"), day("2026-11-03"), "v.json")
	var fixed []string
	for _, v := range out.Parts[1].Data.Vulnerabilities {
		fixed = append(fixed, v.Key+" "+*v.FixedAt)
	}
	assert.Equal(t, []string{k1 + " 2026-11-02T00:00:00Z", k2 + " 2026-11-03T00:00:00Z"}, fixed,
		"keys listed under the bare name are fixed when the source, named by its id, runs without them")
}

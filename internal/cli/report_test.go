package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/ledger"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/synthetic"
	"github.com/localizevideos/posture/store"
)

const reportsDir = "security/reports"

func storedReport(t *testing.T, dir, date string) *report.Report {
	t.Helper()
	r, err := store.LoadReport(filepath.Join(dir, reportsDir, date+".json"))
	require.NoError(t, err)
	return r
}

// tree reads every file under root (relative path -> content).
func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = string(b)
		return nil
	}))
	return out
}

func TestReportWritesEveryFile(t *testing.T) {
	dir := fixture(t, nil)
	code, out, errs := run(t, dir, "report")
	require.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "report 2026-11-27: 0 fail")
	for _, f := range []string{"2026-11-27.json", "2026-11-27.md", "index.html", "metrics.prom", "vulnerabilities.json"} {
		assert.FileExists(t, filepath.Join(dir, reportsDir, f))
		assert.Contains(t, out, filepath.Join(reportsDir, f))
	}
	assert.FileExists(t, filepath.Join(dir, "security/snapshots/2026-11-27/manifest.json"))
	for name := range tree(t, filepath.Join(dir, "security")) {
		assert.NotContains(t, name, ".tmp-", "no temporary file left")
	}

	// D.json is the object `eval --format json` prints for the same snapshot.
	stored, err := os.ReadFile(filepath.Join(dir, reportsDir, "2026-11-27.json"))
	require.NoError(t, err)
	code, printed, errs := run(t, dir, "eval", "--format", "json", "--snapshot", "security/snapshots/2026-11-27")
	require.Equal(t, ExitOK, code, errs)
	assert.Equal(t, printed, string(stored))

	md, err := os.ReadFile(filepath.Join(dir, reportsDir, "2026-11-27.md"))
	require.NoError(t, err)
	for _, want := range []string{"# Test security posture — 2026-11-27", "## Failing metrics", "## Metrics by category",
		"### identity_access", "## Trends", "## Evidence highlights", "## Exceptions expiring soon", "## Unmeasured metrics", "`mttd_hours`"} {
		assert.Contains(t, string(md), want)
	}
	prom, err := os.ReadFile(filepath.Join(dir, reportsDir, "metrics.prom"))
	require.NoError(t, err)
	assert.Contains(t, string(prom), `posture_metric_value{id="account_total",category="identity_access",owner="security",unit="count"} 2`)
	assert.True(t, strings.HasSuffix(string(prom), "# EOF\n"))
}

func TestReportRerunTouchesOnlyItsDate(t *testing.T) {
	dir := fixture(t, nil)
	for _, d := range []string{"2026-11-25", "2026-11-26", "2026-11-27"} {
		code, _, errs := run(t, dir, "--as-of", d, "report")
		require.Equal(t, ExitOK, code, errs)
	}
	before := tree(t, filepath.Join(dir, "security"))
	// Change the data and report the middle date again, from its kept snapshot
	// copied elsewhere (--snapshot outside snapshots_dir is copied back).
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(staleAccounts), 0o644))
	code, _, errs := run(t, dir, "--as-of", "2026-11-26", "-q", "report")
	require.Equal(t, ExitFail, code, "orphaned_accounts is gated: %s", errs)
	after := tree(t, filepath.Join(dir, "security"))
	require.Equal(t, len(before), len(after))
	for name, content := range before {
		if strings.Contains(name, "2026-11-26") || name == "reports/index.html" || name == "reports/metrics.prom" ||
			name == "reports/vulnerabilities.json" {
			continue
		}
		assert.Equal(t, content, after[name], "%s must stay byte-identical", name)
	}
	assert.NotEqual(t, before["reports/2026-11-26.json"], after["reports/2026-11-26.json"])
	assert.Equal(t, report.StatusFail, metric(t, storedReport(t, dir, "2026-11-26"), "orphaned_accounts").Status,
		"the files are written when a gated metric fails")
	assert.Equal(t, report.StatusPass, metric(t, storedReport(t, dir, "2026-11-27"), "orphaned_accounts").Status)
	// metrics.prom holds the latest date's values.
	assert.Contains(t, after["reports/metrics.prom"], fmt.Sprint(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC).Unix()))
}

func TestReportFromSnapshotElsewhereKeepsACopy(t *testing.T) {
	dir := fixture(t, nil)
	code, _, errs := run(t, dir, "--as-of", "2026-11-20", "snapshot", "--out", "elsewhere")
	require.Equal(t, ExitOK, code, errs)
	code, _, errs = run(t, dir, "-q", "--as-of", "2026-11-20", "report", "--snapshot", "elsewhere")
	require.Equal(t, ExitOK, code, errs)
	kept := tree(t, filepath.Join(dir, "security/snapshots/2026-11-20"))
	orig := tree(t, filepath.Join(dir, "elsewhere"))
	assert.Equal(t, orig, kept, "copied byte for byte")
	r := storedReport(t, dir, "2026-11-20")
	assert.Equal(t, "2026-11-20T00:00:00Z", r.AsOf)
	// Reporting from the kept folder itself works too.
	code, _, errs = run(t, dir, "-q", "--as-of", "2026-11-20", "report", "--snapshot", "security/snapshots/2026-11-20")
	require.Equal(t, ExitOK, code, errs)
}

func TestReportSourceErrorWritesFilesAndExits2(t *testing.T) {
	dir := fixture(t, nil)
	require.NoError(t, os.Remove(filepath.Join(dir, "accounts.csv")))
	code, _, errs := run(t, dir, "-q", "report")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "accounts.csv")
	r := storedReport(t, dir, "2026-11-27")
	assert.Equal(t, report.StatusError, metric(t, r, "orphaned_accounts").Status)
	assert.Nil(t, metric(t, r, "orphaned_accounts").Value, "never a silent 0")
	assert.FileExists(t, filepath.Join(dir, reportsDir, "metrics.prom"))
	assert.FileExists(t, filepath.Join(dir, "security/snapshots/2026-11-27/manifest.json"))
}

func TestReportBadHistoryWritesNothing(t *testing.T) {
	dir := fixture(t, map[string]string{reportsDir + "/2026-11-01.json": "{"})
	code, _, errs := run(t, dir, "-q", "report")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "2026-11-01.json")
	assert.NoFileExists(t, filepath.Join(dir, reportsDir, "2026-11-27.json"))
	assert.NoFileExists(t, filepath.Join(dir, reportsDir, "index.html"))
}

// trendPolicy defines four custom metrics, all the number of accounts, with
// the four kinds of trend targets.
const trendPolicy = `package trend

_v := {"value": count(input.accounts), "items": count(input.accounts), "records": [], "waived": []}

# METADATA
# title: Down metric
# custom:
#   id: t_down
#   category: identity_access
#   unit: count
#   target: {trend: down}
#   inputs: [accounts]
t_down := _v

# METADATA
# title: Up metric
# custom:
#   id: t_up
#   category: identity_access
#   unit: count
#   target: {trend: up}
#   inputs: [accounts]
t_up := _v

# METADATA
# title: Stable metric
# custom:
#   id: t_stable
#   category: identity_access
#   unit: count
#   target: {trend: stable}
#   inputs: [accounts]
t_stable := _v

# METADATA
# title: Metric new from zero
# custom:
#   id: t_new
#   category: identity_access
#   unit: count
#   target: {trend: down}
#   inputs: [accounts]
t_new := _v
`

func accountsCSV(n int) string {
	var b strings.Builder
	b.WriteString("system,login,role,privileged,status,mfa,created_at,last_active_at\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "okta,user%d,user,false,active,true,2025-01-01,2026-11-20\n", i)
	}
	return b.String()
}

// generateTrendHistory stores 90 daily reports 2026-08-29 .. 2026-11-26:
// 100 every day except 10 on 2026-10-28 (exactly D-30 for D = 2026-11-27)
// and 1000 from 2026-10-29 (D-29) on; t_new is 0 on 2026-10-28.
func generateTrendHistory(t *testing.T, dir string) {
	t.Helper()
	hundred, thousand := 100.0, 1000.0
	schedule := func(at28 float64) func(time.Time) *float64 {
		return func(d time.Time) *float64 {
			switch s := d.Format("2006-01-02"); {
			case s == "2026-10-28":
				return &at28
			case s > "2026-10-28":
				return &thousand
			}
			return &hundred
		}
	}
	spec := func(id, trend string, at28 float64) synthetic.Spec {
		return synthetic.Spec{ID: id, Title: id, Category: "identity_access", Owner: "security", Unit: "count",
			Target: report.Target{Trend: trend}, Value: schedule(at28)}
	}
	rs := synthetic.Generate(time.Date(2026, 8, 29, 0, 0, 0, 0, time.UTC), 90, []synthetic.Spec{
		spec("t_down", "down", 10), spec("t_up", "up", 10), spec("t_stable", "stable", 10), spec("t_new", "down", 0),
	}, synthetic.Options{Project: "Test", WindowDays: 30, TolPct: 10})
	require.Len(t, rs, 90)
	require.Equal(t, "2026-11-26T00:00:00Z", rs[89].AsOf)
	require.NoError(t, synthetic.WriteJSON(filepath.Join(dir, reportsDir), rs))
}

func TestTrendsAgainstNinetyDaysOfHistory(t *testing.T) {
	dir := fixture(t, map[string]string{"policies/trend.rego": trendPolicy, "posture.hcl": baseConfig + "trend_tolerance_pct = 10\n"})
	generateTrendHistory(t, dir)

	type want struct {
		dir    string
		change *float64
		status report.Status
	}
	pct := func(v float64) *float64 { return &v }
	cases := []struct {
		accounts int
		metrics  map[string]want
	}{
		{12, map[string]want{ // +20 %
			"t_down":   {report.TrendWorsening, pct(20), report.StatusFail},
			"t_up":     {report.TrendImproving, pct(20), report.StatusPass},
			"t_stable": {report.TrendWorsening, pct(20), report.StatusFail},
			"t_new":    {report.TrendWorsening, nil, report.StatusFail}, // previous 0: "new"
		}},
		{11, map[string]want{ // +10 % = the tolerance
			"t_down":   {report.TrendStable, pct(10), report.StatusPass},
			"t_up":     {report.TrendStable, pct(10), report.StatusPass},
			"t_stable": {report.TrendStable, pct(10), report.StatusPass},
		}},
		{9, map[string]want{ // -10 %
			"t_down": {report.TrendStable, pct(-10), report.StatusPass},
		}},
		{8, map[string]want{ // -20 %
			"t_down":   {report.TrendImproving, pct(-20), report.StatusPass},
			"t_up":     {report.TrendWorsening, pct(-20), report.StatusFail},
			"t_stable": {report.TrendImproving, pct(-20), report.StatusPass},
		}},
	}
	for _, tc := range cases {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(accountsCSV(tc.accounts)), 0o644))
		code, _, errs := run(t, dir, "-q", "report")
		require.Equal(t, ExitOK, code, "trend metrics are not gated: %s", errs)
		r := storedReport(t, dir, "2026-11-27")
		for id, w := range tc.metrics {
			m := metric(t, r, id)
			msg := fmt.Sprintf("%d accounts, %s", tc.accounts, id)
			assert.Equal(t, float64(tc.accounts), *m.Value, msg)
			assert.Equal(t, w.dir, m.Trend.Direction, msg)
			assert.Equal(t, w.status, m.Status, msg)
			assert.Equal(t, w.change, m.Trend.ChangePct, msg)
			require.NotNil(t, m.Trend.Previous, msg)
			assert.Equal(t, "2026-10-28T00:00:00Z", m.Trend.PreviousAsOf, "exactly D-30 counts, D-29 does not: %s", msg)
			assert.Len(t, m.Series, 91, "90 stored reports + this one: %s", msg)
			assert.Equal(t, "2026-08-29T00:00:00Z", m.Series[0].AsOf)
			assert.Equal(t, r.AsOf, m.Series[90].AsOf)
		}
		assert.Equal(t, 0.0, *metric(t, r, "t_new").Trend.Previous)
	}

	// Without the D-30 report the previous one is the latest before it
	// (2026-10-27), never a report less than a window old.
	require.NoError(t, os.Remove(filepath.Join(dir, reportsDir, "2026-10-28.json")))
	code, _, errs := run(t, dir, "-q", "report")
	require.Equal(t, ExitOK, code, errs)
	m := metric(t, storedReport(t, dir, "2026-11-27"), "t_down")
	assert.Equal(t, "2026-10-27T00:00:00Z", m.Trend.PreviousAsOf)
	assert.Equal(t, 100.0, *m.Trend.Previous)
	assert.Equal(t, report.TrendImproving, m.Trend.Direction)
	assert.Equal(t, -92.0, *m.Trend.ChangePct)

	// Reporting the next day compares with 2026-10-29 (1000) and the
	// stored 2026-11-27 report joins the series.
	code, _, errs = run(t, dir, "-q", "--as-of", "2026-11-28", "report")
	require.Equal(t, ExitOK, code, errs)
	m = metric(t, storedReport(t, dir, "2026-11-28"), "t_down")
	assert.Equal(t, "2026-10-29T00:00:00Z", m.Trend.PreviousAsOf)
	assert.Equal(t, 1000.0, *m.Trend.Previous)
	assert.Len(t, m.Series, 90, "the last 90 days (2026-08-29 falls out; one report removed) + 2026-11-27 + this one")
	assert.Equal(t, "2026-08-30T00:00:00Z", m.Series[0].AsOf, "series reach back engine.SeriesDays")

	// A history without a report a whole window earlier is insufficient.
	fresh := fixture(t, map[string]string{"policies/trend.rego": trendPolicy})
	code, _, errs = run(t, fresh, "-q", "--as-of", "2026-11-20", "report")
	require.Equal(t, ExitOK, code, errs)
	code, _, errs = run(t, fresh, "-q", "report")
	require.Equal(t, ExitOK, code, errs)
	m = metric(t, storedReport(t, fresh, "2026-11-27"), "t_down")
	assert.Equal(t, report.TrendInsufficient, m.Trend.Direction)
	assert.Equal(t, report.StatusTracked, m.Status, "a trend target without enough history is tracked")
	assert.Len(t, m.Series, 2)
}

const trivyTemplate = `{"SchemaVersion": 2, "ArtifactName": "app:1", "Results": [{"Target": "app:1 (alpine 3.20)", "Vulnerabilities": [%s]}]}`

func trivyJSON(ids ...string) string {
	var vs []string
	for _, id := range ids {
		vs = append(vs, fmt.Sprintf(`{"VulnerabilityID": %q, "PkgName": "openssl", "InstalledVersion": "3.0.1", "FixedVersion": "3.0.9", "Severity": "MEDIUM"}`, id))
	}
	return fmt.Sprintf(trivyTemplate, strings.Join(vs, ", "))
}

func TestVulnerabilityLedgerAcrossReports(t *testing.T) {
	dir := fixture(t, map[string]string{
		// trivy feeds repeat_findings: it is gated again, as in the catalogue.
		"posture.hcl": strings.Replace(baseConfig, `metric "repeat_findings" { gate = false }`+"\n", "", 1) +
			`source "trivy" "images" { paths = ["trivy.json"] }` + "\n",
		"trivy.json": trivyJSON("CVE-2026-0001", "CVE-2026-0002"),
	})
	ledgerPath := filepath.Join(dir, reportsDir, ledger.FileName)
	reportAt := func(date string, wantCode int) *report.Report {
		t.Helper()
		code, _, errs := run(t, dir, "-q", "--as-of", date, "report")
		require.Equal(t, wantCode, code, errs)
		return storedReport(t, dir, date)
	}
	keyA := "CVE-2026-0001|openssl|app:1 (alpine 3.20)"

	r := reportAt("2026-11-01", ExitOK)
	assert.Equal(t, 2.0, *metric(t, r, "open_vulnerabilities").Value)
	assert.Equal(t, report.StatusNoData, metric(t, r, "mean_time_to_patch_days").Status, "nothing fixed yet")

	// CVE-2026-0001 disappears: fixed at this report's as-of, 10 days after first seen.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trivy.json"), []byte(trivyJSON("CVE-2026-0002")), 0o644))
	r = reportAt("2026-11-11", ExitOK)
	mttp := metric(t, r, "mean_time_to_patch_days")
	require.NotNil(t, mttp.Value, "the fix counts in the window")
	assert.Equal(t, 10.0, *mttp.Value)
	assert.Equal(t, 1, mttp.Evidence.Items)
	assert.Equal(t, []string{filepath.Join(reportsDir, ledger.FileName) + "#" + keyA}, mttp.Evidence.Records)
	assert.Equal(t, 1.0, *metric(t, r, "open_vulnerabilities").Value)
	assert.Equal(t, 0.0, *metric(t, r, "repeat_findings").Value)
	led, err := ledger.Load(ledgerPath)
	require.NoError(t, err)
	require.NotNil(t, led.Findings[keyA].FixedAt)
	assert.Equal(t, "2026-11-11T00:00:00Z", *led.Findings[keyA].FixedAt)
	assert.Equal(t, "2026-11-01T00:00:00Z", led.Findings[keyA].FirstSeen)

	// It comes back: a repeat finding (gated, max 0).
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trivy.json"), []byte(trivyJSON("CVE-2026-0001", "CVE-2026-0002")), 0o644))
	r = reportAt("2026-11-21", ExitFail)
	assert.Equal(t, 1.0, *metric(t, r, "repeat_findings").Value)
	assert.Equal(t, []string{keyA}, metric(t, r, "repeat_findings").Evidence.Records)
	assert.Equal(t, 10.0, *metric(t, r, "mean_time_to_patch_days").Value, "the fix of 11-11 is still in the window")
	once, err := os.ReadFile(ledgerPath)
	require.NoError(t, err)
	assert.Contains(t, string(once), `"reopened": 1`)

	// Re-running the same date changes nothing in the ledger.
	reportAt("2026-11-21", ExitFail)
	twice, err := os.ReadFile(ledgerPath)
	require.NoError(t, err)
	assert.Equal(t, string(once), string(twice))

	// eval applies the ledger read-only.
	code, ev, errs := evalJSON(t, dir, "--as-of", "2026-11-21")
	require.Equal(t, ExitFail, code, errs)
	assert.Equal(t, 1.0, *metric(t, ev, "repeat_findings").Value)
	after, err := os.ReadFile(ledgerPath)
	require.NoError(t, err)
	assert.Equal(t, string(once), string(after), "eval never writes the ledger")

	// Reporting an earlier date afterwards (out of order) sees only what
	// was observed up to it.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "trivy.json"), []byte(trivyJSON("CVE-2026-0002")), 0o644))
	r = reportAt("2026-11-05", ExitOK)
	assert.Equal(t, 0.0, *metric(t, r, "repeat_findings").Value)
	assert.Equal(t, 4.0, *metric(t, r, "mean_time_to_patch_days").Value, "fixed at 11-05, first seen 11-01")
	led, err = ledger.Load(ledgerPath)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-05T00:00:00Z", *led.Findings[keyA].History[0].Fixed)
	assert.Equal(t, 1, led.Findings[keyA].Reopened)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(after, &raw), "human-readable JSON")
}

func TestReportPrintsFormatWhenAsked(t *testing.T) {
	dir := fixture(t, nil)
	code, out, errs := run(t, dir, "--format", "json", "report")
	require.Equal(t, ExitOK, code, errs)
	var r report.Report
	require.NoError(t, json.NewDecoder(bytes.NewReader([]byte(out))).Decode(&r))
	assert.Equal(t, report.Schema, r.Schema)
}

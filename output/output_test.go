package output

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

func render(t *testing.T, format string, r *report.Report, opt Options) string {
	t.Helper()
	w, err := For(format)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, w.Write(&buf, r, opt))
	return buf.String()
}

func TestFor(t *testing.T) {
	assert.Equal(t, []string{"table", "json", "markdown", "sarif", "junit"}, Formats())
	for _, name := range Formats() {
		w, err := For(name)
		require.NoError(t, err, name)
		require.NotNil(t, w)
	}
	_, err := For("html")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"html"`)
	assert.Contains(t, err.Error(), "table, json, markdown, sarif, junit")
}

func TestOnlyUnknownMetric(t *testing.T) {
	for _, name := range Formats() {
		w, _ := For(name)
		err := w.Write(&bytes.Buffer{}, fixture(), Options{Only: []string{"mttd_hours", "nope"}})
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "nope")
	}
}

func TestDisplayWidth(t *testing.T) {
	assert.Equal(t, 7, displayWidth("trend ↓"))
	assert.Equal(t, 4, displayWidth("\x1b[31mfail\x1b[0m"))
	assert.Equal(t, 1, displayWidth("—"))
	assert.Equal(t, 1, displayWidth("⚠️")) // the variation selector takes no column
}

// tableRows returns the table lines: header through the last metric row.
func tableRows(t *testing.T, out string) []string {
	t.Helper()
	lines := strings.Split(out, "\n")
	require.GreaterOrEqual(t, len(lines), 3)
	require.Equal(t, "", lines[1])
	var rows []string
	for _, l := range lines[2:] {
		if l == "" {
			break
		}
		rows = append(rows, l)
	}
	return rows
}

var fieldRE = regexp.MustCompile(`\S+(?: \S+)*`)

// columnStarts is the display column where each field of a line starts;
// fields are separated by two or more spaces.
func columnStarts(line string) []int {
	var starts []int
	for _, loc := range fieldRE.FindAllStringIndex(line, -1) {
		starts = append(starts, displayWidth(line[:loc[0]]))
	}
	return starts
}

func TestTable(t *testing.T) {
	r := fixture()
	out := render(t, "table", r, Options{})
	golden(t, "table", []byte(out))

	assert.NotContains(t, out, "\x1b[", "no ANSI codes without colour")
	assert.True(t, strings.HasPrefix(out, "LocalizeVideos · as of 2026-11-27T00:00:00Z · window 30 days\n"))

	rows := tableRows(t, out)
	require.Len(t, rows, 1+len(r.Metrics))
	assert.Equal(t, []string{"STATUS", "METRIC", "VALUE", "TARGET", "TREND", "OWNER", "GATE"}, fieldRE.FindAllString(rows[0], -1))

	// Failing first: statuses never get less urgent going down, and within a
	// status category then id ascend.
	var prev report.Metric
	for i, row := range rows[1:] {
		fields := fieldRE.FindAllString(row, -1)
		cur := report.Metric{Status: report.Status(fields[0]), ID: fields[1]}
		for _, m := range r.Metrics {
			if m.ID == cur.ID {
				cur = m
			}
		}
		require.NotEmpty(t, cur.Category, "row %q", row)
		if i > 0 {
			require.LessOrEqual(t, prev.Status.Rank(), cur.Status.Rank(), "row %q", row)
			if prev.Status == cur.Status {
				require.True(t, prev.Category < cur.Category || prev.Category == cur.Category && prev.ID < cur.ID, "row %q", row)
			}
		}
		prev = cur
	}
	assert.True(t, strings.HasPrefix(rows[1], "error "))
	assert.True(t, strings.HasPrefix(rows[len(rows)-1], "pass "))

	// Alignment: every field starts at its header column (by display width).
	head := columnStarts(rows[0])
	for _, row := range rows[1:] {
		starts := columnStarts(row)
		require.LessOrEqual(t, len(starts), len(head), row)
		require.GreaterOrEqual(t, len(starts), len(head)-1, row) // GATE may be blank
		assert.Equal(t, head[:len(starts)], starts, "row %q", row)
	}

	assert.Contains(t, out, "\n13 metrics: 1 error, 2 fail, 1 warn, 1 no_data, 1 unmeasured, 4 tracked, 3 pass\n")
	assert.Contains(t, out, "error: mttr_hours: source pagerduty: open data/incidents.csv: no such file or directory\n")
	// The footer ends with the gate's verdict, one line per reason: the
	// gated audit_findings is not measured, apart from the failing ones.
	assert.True(t, strings.HasSuffix(out, "\n"+
		"gate failed: 1 source could not be read: pagerduty\n"+
		"gate failed: 1 metric in error: mttr_hours\n"+
		"gate failed: 2 gated metrics failed their target: high_critical_vulnerabilities, tls_downgrade_attempts\n"+
		"gate failed: 1 gated metric not measured (audit_findings): configure a source that feeds it "+
		"(`posture metrics` shows which kinds do) or set gate = false in its metric block\n"), out)
	assert.NotContains(t, out, "gate passed")
	assert.Contains(t, out, "≤ 0 (soft)")
	assert.Contains(t, out, "↑ +250%")
}

func TestTableColor(t *testing.T) {
	out := render(t, "table", fixture(), Options{Color: true})
	assert.Contains(t, out, ansiRed+"fail"+ansiReset)
	assert.Contains(t, out, ansiRed+"error"+ansiReset)
	assert.Contains(t, out, ansiYellow+"warn"+ansiReset)
	assert.Contains(t, out, ansiGreen+"pass"+ansiReset)
	assert.Contains(t, out, ansiDim+"unmeasured"+ansiReset)
	assert.Contains(t, out, ansiGreen+"↓"+ansiReset) // improving
	assert.Contains(t, out, ansiRed+"↑"+ansiReset)   // worsening

	// Still aligned once escapes are ignored.
	rows := tableRows(t, out)
	plain := make([]string, len(rows))
	for i, r := range rows {
		plain[i] = ansiRE.ReplaceAllString(r, "")
	}
	head := columnStarts(plain[0])
	for _, row := range plain[1:] {
		starts := columnStarts(row)
		assert.Equal(t, head[:len(starts)], starts, "row %q", row)
	}
	// Same text as without colour.
	assert.Equal(t, render(t, "table", fixture(), Options{}), ansiRE.ReplaceAllString(out, ""))
}

func TestTableOnly(t *testing.T) {
	out := render(t, "table", fixture(), Options{Only: []string{"token_expiry_compliance", "tls_downgrade_attempts"}})
	rows := tableRows(t, out)
	require.Len(t, rows, 3)
	assert.Regexp(t, `^fail +tls_downgrade_attempts +7 +≤ 0 +↑ \+250% +platform +gate$`, rows[1])
	assert.Regexp(t, `^pass +token_expiry_compliance +100 % +≥ 100 +· +security +gate$`, rows[2])
	assert.Contains(t, out, "2 metrics: 0 error, 1 fail, 0 warn, 0 no_data, 0 unmeasured, 0 tracked, 1 pass\n")
	assert.NotContains(t, out, "mttr_hours")
	assert.Contains(t, out, "gate failed: 1 gated metric failed its target: tls_downgrade_attempts\n")
	assert.NotContains(t, out, "not measured")

	// A source that could not be read fails the gate whatever the metrics.
	only := Options{Only: []string{"token_expiry_compliance", "orphaned_accounts", "exposed_ports"}}
	out = render(t, "table", fixture(), only)
	assert.True(t, strings.HasSuffix(out, "\ngate failed: 1 source could not be read: pagerduty\n"), out)
	r := fixture()
	r.Inputs = r.Inputs[:1]
	out = render(t, "table", r, only)
	assert.True(t, strings.HasSuffix(out, "\ngate passed: 2 gated metrics on target\n"), out)
}

func TestJSONRoundTrip(t *testing.T) {
	r := fixture()
	out := render(t, "json", r, Options{})
	require.True(t, strings.HasSuffix(out, "}\n"))
	assert.True(t, strings.HasPrefix(out, "{\n  \"schema\": \"posture.report/v1\",\n  \"project\": \"LocalizeVideos\",\n"))
	assert.Contains(t, out, `"waived": []`)
	assert.Contains(t, out, `"value": null`)
	var got report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, *r, got)

	// Only: a subset with the summary recomputed; the input is not modified.
	out = render(t, "json", r, Options{Only: []string{"audit_findings"}})
	var sub report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &sub))
	require.Len(t, sub.Metrics, 1)
	assert.Equal(t, 1, sub.Summary[report.StatusUnmeasured])
	assert.Equal(t, 0, sub.Summary[report.StatusFail])
	assert.Len(t, r.Metrics, 13)
	assert.Equal(t, 2, r.Summary[report.StatusFail])
}

func TestMarkdown(t *testing.T) {
	out := render(t, "markdown", fixture(), Options{MaxRecords: 3})
	golden(t, "markdown", []byte(out))

	assert.True(t, strings.HasPrefix(out, "# LocalizeVideos security posture — 2026-11-27\n"), "no title: the project's default")
	titled := fixture()
	titled.Title = "LocalizeVideos security KPIs"
	assert.True(t, strings.HasPrefix(render(t, "markdown", titled, Options{}), "# LocalizeVideos security KPIs — 2026-11-27\n"), "the configured title")
	assert.Contains(t, out, "**Summary:** 🛑 1 error · ❌ 2 fail · ⚠️ 1 warn · ∅ 1 no data · ❔ 1 unmeasured · 📈 4 tracked · ✅ 3 pass\n")
	assert.Contains(t, out, "\n**Gate:** ❌ failed — 1 source could not be read, 1 metric in error, 2 gated metrics failed their target, "+
		"1 gated metric not measured.\n")

	failing := strings.Index(out, "## Failing metrics")
	notMeasured := strings.Index(out, "## Not measured (gated)")
	byCat := strings.Index(out, "## Metrics by category")
	require.True(t, failing < notMeasured && notMeasured < byCat, "not measured (gated) after the failing metrics")
	// The gated audit_findings is listed with the fix; the ungated no_data
	// alert_to_incident_ratio is not (it does not fail the gate).
	nmSec := out[notMeasured:byCat]
	assert.Equal(t, "## Not measured (gated)\n\n- `audit_findings` — Open audit findings (owner security, unmeasured): not measured: "+
		"no configured source feeds it; configure a source that feeds it (`posture metrics` shows which kinds do) or set gate = false "+
		"in its metric block.\n\n", nmSec)
	evidence := strings.Index(out, "## Evidence highlights")
	expiring := strings.Index(out, "## Exceptions expiring soon")
	unmeasured := strings.Index(out, "## Unmeasured metrics")
	require.True(t, failing >= 0 && failing < byCat && byCat < evidence && evidence < expiring && expiring < unmeasured,
		"sections in order: %d %d %d %d %d", failing, byCat, evidence, expiring, unmeasured)

	failSec := out[failing:notMeasured]
	assert.Contains(t, failSec, "`tls_downgrade_attempts`")
	assert.Contains(t, failSec, "`mttr_hours`")
	assert.Contains(t, failSec, "`sev1_incidents`")
	assert.NotContains(t, failSec, "`token_expiry_compliance`")
	assert.NotContains(t, failSec, "`audit_findings`")
	// In the failing table the error comes before the fails, the warn after.
	assert.Less(t, strings.Index(failSec, "mttr_hours"), strings.Index(failSec, "tls_downgrade_attempts"))
	assert.Less(t, strings.Index(failSec, "tls_downgrade_attempts"), strings.Index(failSec, "sev1_incidents"))

	// Every metric appears in the by-category tables, pass ones included.
	catSec := out[byCat:evidence]
	for _, m := range fixture().Metrics {
		assert.Contains(t, catSec, "`"+m.ID+"`")
	}
	assert.Contains(t, catSec, "### prevention_controls\n")
	assert.Contains(t, catSec, "Ports \\| exposed", "pipes escaped in cells")
	assert.Contains(t, catSec, "| `tls_downgrade_attempts` TLS downgrade attempts (gate) | 7 | ≤ 0 | ❌ fail | ↑ worsening (+250%) | platform |")
	assert.Contains(t, catSec, "| `mttd_hours` Mean time to detect | 3.5 h | trend ↓ | 📈 tracked | ↓ improving (-12.5%) | security |")
	assert.Contains(t, catSec, "| `alert_to_incident_ratio` Alert to incident ratio | — | trend ↑ | ∅ no_data | · insufficient history | security |")

	evSec := out[evidence:expiring]
	assert.Contains(t, evSec, "- 7 items counted: `logs/nginx/error.log:12`, `logs/nginx/error.log:40`, `logs/nginx/error.log.1:7` and 4 more\n")
	assert.Contains(t, evSec, "- Waived: `CVE-2025-1111 web` (exception `EXC-7`)\n")
	assert.Contains(t, evSec, "- Error: source pagerduty: open data/incidents.csv: no such file or directory\n")
	assert.NotContains(t, evSec, "orphaned_accounts", "only failing/warn/error metrics are highlighted")

	assert.Contains(t, out[expiring:unmeasured], "| `EXC-7` | `high_critical_vulnerabilities` | `CVE-2025-1111 web` | security | 2026-12-05 |")
	assert.Contains(t, out[unmeasured:], "- `audit_findings` — Open audit findings (owner security, category compliance_signals): no configured source feeds it.\n")
}

func TestMarkdownNothingFailing(t *testing.T) {
	out := render(t, "markdown", fixture(), Options{Only: []string{"orphaned_accounts"}})
	assert.Contains(t, out, "## Failing metrics\n\nNone: no metric fails, warns or errors.\n")
	assert.Contains(t, out, "## Unmeasured metrics\n\nNone: every metric has a configured source.\n")
	assert.Contains(t, out, "## Not measured (gated)\n\nNone: every gated metric was measured.\n")
	assert.Contains(t, out, "**Gate:** ❌ failed — 1 source could not be read.\n")
	r := fixture()
	r.Inputs = r.Inputs[:1]
	assert.Contains(t, render(t, "markdown", r, Options{Only: []string{"orphaned_accounts"}}), "**Gate:** ✅ passed — 1 gated metric on target.\n")

	// gate --metrics: the chosen metrics are the gated ones; the kinds that
	// feed a metric are named when known.
	out = render(t, "markdown", r, Options{Only: []string{"orphaned_accounts", "alert_to_incident_ratio"},
		GateOn:  []string{"orphaned_accounts", "alert_to_incident_ratio"},
		Metrics: map[string]MetricInfo{"alert_to_incident_ratio": {Inputs: []string{"alerts", "incidents"}}}})
	assert.Contains(t, out, "**Gate:** ❌ failed — 1 gated metric not measured.\n")
	assert.Contains(t, out, "- `alert_to_incident_ratio` — Alert to incident ratio (owner security, no_data, fed by source kinds `alerts`, `incidents`): "+
		"not measured: its sources gave nothing to compute from in the window; check that the sources of alert_to_incident_ratio hold data "+
		"in the window (they gave nothing to compute from) or leave it out of --metrics.\n")
}

type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				Version         string `json:"version"`
				SemanticVersion string `json:"semanticVersion"`
				InformationURI  string `json:"informationUri"`
				Rules           []struct {
					ID               string            `json:"id"`
					Name             string            `json:"name"`
					ShortDescription map[string]string `json:"shortDescription"`
					FullDescription  map[string]string `json:"fullDescription"`
					Help             map[string]string `json:"help"`
					HelpURI          string            `json:"helpUri"`
					Properties       map[string]any    `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           int               `json:"ruleIndex"`
			Level               string            `json:"level"`
			Message             map[string]string `json:"message"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
				} `json:"logicalLocations"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIF(t *testing.T) {
	r := fixture()
	out := render(t, "sarif", r, Options{})
	var doc sarifDoc
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "2.1.0", doc.Version)
	assert.Equal(t, SARIFSchema, doc.Schema)
	require.Len(t, doc.Runs, 1)
	run := doc.Runs[0]
	assert.Equal(t, "posture", run.Tool.Driver.Name)
	assert.NotEmpty(t, run.Tool.Driver.InformationURI)
	require.Len(t, run.Tool.Driver.Rules, len(r.Metrics))
	for i, m := range r.Metrics {
		rule := run.Tool.Driver.Rules[i]
		assert.Equal(t, m.ID, rule.ID)
		assert.Equal(t, m.Title, rule.ShortDescription["text"])
		assert.Equal(t, m.Category, rule.Properties["category"])
		assert.Equal(t, m.Owner, rule.Properties["owner"])
		assert.Equal(t, m.Unit, rule.Properties["unit"])
		assert.NotEmpty(t, rule.FullDescription["text"])
		assert.NotEmpty(t, rule.Help["text"], m.ID)
		assert.NotEmpty(t, rule.Help["markdown"], m.ID)
		assert.Equal(t, m.Gate, rule.Properties["gate"], m.ID)
	}
	assert.Equal(t, "TlsDowngradeAttempts", run.Tool.Driver.Rules[6].Name)
	assert.Empty(t, run.Tool.Driver.Version, "the report names no tool")

	levels := map[string]string{}
	for _, res := range run.Results {
		levels[res.RuleID] = res.Level
		assert.Equal(t, res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
		// GitHub code scanning needs exactly one location with a URI.
		require.Len(t, res.Locations, 1, res.RuleID)
		require.NotNil(t, res.Locations[0].PhysicalLocation, res.RuleID)
		assert.NotEmpty(t, res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		assert.Equal(t, "%SRCROOT%", res.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID)
		assert.NotEmpty(t, res.PartialFingerprints[SARIFFingerprint], res.RuleID)
		assert.True(t, strings.HasSuffix(res.Message["text"], "."), "a sentence: %q", res.Message["text"])
		require.NotEmpty(t, res.Locations[0].LogicalLocations)
		assert.Equal(t, res.RuleID, res.Locations[0].LogicalLocations[0].Name)
	}
	assert.Equal(t, map[string]string{
		"mttr_hours":                    "error",
		"tls_downgrade_attempts":        "error",
		"high_critical_vulnerabilities": "error",
		"sev1_incidents":                "warning",
		"audit_findings":                "error", // gated and unmeasured: it fails the gate
	}, levels, "the ungated no_data alert_to_incident_ratio raises nothing")

	res := run.Results[1] // error first, then the fails by category
	require.Equal(t, "tls_downgrade_attempts", res.RuleID)
	assert.Equal(t, "TLS downgrade attempts: value 7, target ≤ 0 (owner platform).", res.Message["text"])
	pl := res.Locations[0].PhysicalLocation
	assert.Equal(t, "logs/nginx/error.log", pl.ArtifactLocation.URI)
	require.NotNil(t, pl.Region)
	assert.Equal(t, 12, pl.Region.StartLine)

	assert.Equal(t, "mttr_hours", run.Results[0].RuleID)
	assert.Contains(t, run.Results[0].Message["text"], "Mean time to resolve: evaluation error: source pagerduty")

	// No file:line evidence: anchored at the config file.
	res = run.Results[2]
	require.Equal(t, "high_critical_vulnerabilities", res.RuleID)
	assert.Equal(t, "posture.hcl", res.Locations[0].PhysicalLocation.ArtifactLocation.URI)

	res = run.Results[4]
	require.Equal(t, "audit_findings", res.RuleID)
	assert.Equal(t, "Open audit findings: not measured: no configured source feeds it; configure a source that feeds it "+
		"(`posture metrics` shows which kinds do) or set gate = false in its metric block (owner security).", res.Message["text"])
	assert.Equal(t, "audit_findings:not_measured", res.PartialFingerprints[SARIFFingerprint])

	// Evidence paths are rebased onto the config's folder.
	out = render(t, "sarif", r, Options{ConfigPath: "security/posture.hcl", Only: []string{"tls_downgrade_attempts", "sev1_incidents"}})
	doc = sarifDoc{}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Runs[0].Results, 2)
	assert.Equal(t, "security/logs/nginx/error.log", doc.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Equal(t, "security/posture.hcl", doc.Runs[0].Results[1].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	assert.Len(t, doc.Runs[0].Tool.Driver.Rules, 2)

	// Nothing failing: results is an empty array, not null.
	out = render(t, "sarif", r, Options{Only: []string{"orphaned_accounts"}})
	assert.Contains(t, out, `"results": []`)
}

func TestFileLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		file string
		line int
		ok   bool
	}{
		{"logs/auth.log:12", "logs/auth.log", 12, true},
		{"logs/auth.log.2.gz:7", "logs/auth.log.2.gz", 7, true},
		{"/var/log/auth log:3", "/var/log/auth log", 3, true},
		{"https://example.com:443", "", 0, false},
		{"https://example.com/a:12", "", 0, false},
		{"logs/auth.log:0", "", 0, false},
		{"logs/auth.log:", "", 0, false},
		{"logs/auth.log:12a", "", 0, false},
		{":12", "", 0, false},
		{"CVE-2026-0042 web", "", 0, false},
		{"logs/a.log:+3", "", 0, false},
	} {
		file, line, ok := fileLine(tc.in)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.file, file, tc.in)
		assert.Equal(t, tc.line, line, tc.in)
	}
	assert.Equal(t, "logs/my%20file.log", fileURI("logs/my file.log"))
	assert.Equal(t, "file:///var/log/x.log", fileURI("/var/log/x.log"))
}

type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			ClassName string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	r := fixture()
	out := render(t, "junit", r, Options{MaxRecords: 2})
	require.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`))
	var doc junitDoc
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))

	assert.Equal(t, len(r.Metrics), doc.Tests)
	// The gated audit_findings (unmeasured) fails like the failing metrics.
	assert.Equal(t, r.Summary[report.StatusFail]+1, doc.Failures)
	assert.Equal(t, r.Summary[report.StatusError], doc.Errors)
	// The common JUnit schema has no skipped count on <testsuites>.
	assert.NotContains(t, out[:strings.Index(out, "<testsuite ")], "skipped=")

	var names []string
	tests, failures, errors, skipped := 0, 0, 0, 0
	status := map[string]report.Status{}
	gated := map[string]bool{}
	for _, m := range r.Metrics {
		status[m.ID] = m.Status
		gated[m.ID] = m.Gate
	}
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		var f, e, sk int
		for _, c := range s.Cases {
			assert.Equal(t, "posture."+s.Name, c.ClassName)
			switch status[c.Name] {
			case report.StatusFail:
				require.NotNil(t, c.Failure, c.Name)
				assert.Equal(t, "fail", c.Failure.Type)
				f++
			case report.StatusError:
				require.NotNil(t, c.Error, c.Name)
				e++
			case report.StatusUnmeasured, report.StatusNoData:
				if gated[c.Name] {
					require.NotNil(t, c.Failure, c.Name)
					assert.Equal(t, "not_measured", c.Failure.Type)
					assert.Nil(t, c.Skipped, c.Name)
					f++
					break
				}
				require.NotNil(t, c.Skipped, c.Name)
				sk++
			case report.StatusWarn:
				assert.Nil(t, c.Failure)
				assert.Contains(t, c.SystemOut, "warning: soft target missed: value 1, target ≤ 0 (soft) (owner security)")
			default:
				assert.Nil(t, c.Failure, c.Name)
				assert.Nil(t, c.Error, c.Name)
				assert.Nil(t, c.Skipped, c.Name)
			}
		}
		assert.Equal(t, len(s.Cases), s.Tests, s.Name)
		assert.Equal(t, f, s.Failures, s.Name)
		assert.Equal(t, e, s.Errors, s.Name)
		assert.Equal(t, sk, s.Skipped, s.Name)
		tests += s.Tests
		failures += s.Failures
		errors += s.Errors
		skipped += s.Skipped
	}
	assert.Equal(t, []string{"detection_response", "prevention_controls", "vulnerability_management", "identity_access", "compliance_signals"}, names)
	assert.Equal(t, doc.Tests, tests)
	assert.Equal(t, doc.Failures, failures)
	assert.Equal(t, doc.Errors, errors)
	assert.Equal(t, 1, skipped, "the ungated no_data alert_to_incident_ratio")

	// Failure details carry the evidence, cut at MaxRecords.
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name == "tls_downgrade_attempts" {
				assert.Equal(t, "value 7, target ≤ 0 (owner platform)", c.Failure.Message)
				assert.Contains(t, c.Failure.Body, "  logs/nginx/error.log:12\n  logs/nginx/error.log:40\n  … and 5 more\n")
			}
			if c.Name == "audit_findings" {
				assert.Equal(t, "not measured: no configured source feeds it; configure a source that feeds it "+
					"(`posture metrics` shows which kinds do) or set gate = false in its metric block", c.Failure.Message)
				assert.Contains(t, c.Failure.Body, "status: unmeasured\n")
			}
			if c.Name == "alert_to_incident_ratio" {
				assert.Equal(t, "no_data: its sources gave nothing to compute from", c.Skipped.Message)
			}
		}
	}
}

func TestJUnitHostileText(t *testing.T) {
	r := fixture()
	r.Metrics[6].Evidence.Note = "bad\x00byte ]]> <tag> & \x1b[31m"
	r.Metrics[6].Error = "oops\x07 \"quoted\" <x>"
	out := render(t, "junit", r, Options{})
	var doc junitDoc
	require.NoError(t, xml.Unmarshal([]byte(out), &doc))
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name == "tls_downgrade_attempts" {
				found = true
				assert.Contains(t, c.Failure.Body, "note: badbyte ]]> <tag> & [31m\n")
				assert.Contains(t, c.Failure.Body, "error: oops \"quoted\" <x>\n")
			}
		}
	}
	assert.True(t, found)
}

// sarifOf renders r as SARIF and decodes it.
func sarifOf(t *testing.T, r *report.Report, opt Options) sarifDoc {
	t.Helper()
	var doc sarifDoc
	require.NoError(t, json.Unmarshal([]byte(render(t, "sarif", r, opt)), &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

// Results point at the real file behind them: a drifted watched file, the
// block of an expired exception, the metric's block in the config; never
// at a path outside the repository.
func TestSARIFLocations(t *testing.T) {
	r := fixture()
	r.Exceptions = append(r.Exceptions, report.Exception{ExceptionRef: report.ExceptionRef{ID: "EXC-9", Metric: "orphaned_accounts", Scope: "x", Owner: "security", Expires: "2026-11-20"}, Status: "open", State: "expired", Origin: "exceptions.hcl:12"})
	r.Metrics = append(r.Metrics,
		report.Metric{ID: "config_drift_events", Title: "Config drift events", Category: "operational_hygiene", Owner: "platform",
			Unit: "count", Value: f(2), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
			Evidence: report.Evidence{Items: 2, Records: []string{"removed: gone.yaml", "changed: deploy/app.yaml"}, RecordsTotal: 2}},
		report.Metric{ID: "expired_exceptions", Title: "Expired exceptions", Category: "compliance_signals", Owner: "security",
			Unit: "count", Value: f(1), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
			Evidence: report.Evidence{Items: 1, Records: []string{"EXC-9"}, RecordsTotal: 1}},
		report.Metric{ID: "compliance_drift", Title: "Compliance drift", Category: "compliance_signals", Owner: "security",
			Unit: "count", Value: f(1), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
			Evidence: report.Evidence{Items: 1, Records: []string{"compliance.exceptions:EXC-9"}, RecordsTotal: 1}},
		report.Metric{ID: "failed_logins", Title: "Failed logins", Category: "prevention_controls", Owner: "platform",
			Unit: "count", Value: f(3), Status: report.StatusFail, Target: report.Target{Max: f(0)},
			Evidence: report.Evidence{Items: 3, Records: []string{"/var/log/auth.log:3", "../../outside.log:4", "logs/auth.log:9"}, RecordsTotal: 3}},
		report.Metric{ID: "open_ports", Title: "Open ports", Category: "prevention_controls", Owner: "platform",
			Unit: "count", Value: f(3), Status: report.StatusFail, Target: report.Target{Max: f(0)},
			Evidence: report.Evidence{Items: 1, Records: []string{"/etc/hosts:1"}, RecordsTotal: 1}},
	)
	r.Summarise()
	opt := Options{ConfigPath: "security/posture.hcl", Metrics: map[string]MetricInfo{
		"high_critical_vulnerabilities": {ConfigLine: 40},
		"audit_findings":                {ConfigLine: 52},
		"open_ports":                    {ConfigLine: 61},
	}}
	type where struct {
		uri  string
		line int
	}
	got := map[string]where{}
	for _, res := range sarifOf(t, r, opt).Runs[0].Results {
		pl := res.Locations[0].PhysicalLocation
		got[res.RuleID] = where{pl.ArtifactLocation.URI, pl.Region.StartLine}
	}
	assert.Equal(t, map[string]where{
		"mttr_hours":                    {"security/posture.hcl", 1}, // an error, no evidence, no metric block
		"tls_downgrade_attempts":        {"security/logs/nginx/error.log", 12},
		"high_critical_vulnerabilities": {"security/posture.hcl", 40},    // its metric block
		"sev1_incidents":                {"security/posture.hcl", 1},     // INC-2041 is no file
		"audit_findings":                {"security/posture.hcl", 52},    // not measured: where to feed or ungate it
		"config_drift_events":           {"security/deploy/app.yaml", 1}, // the drifted file (a removed one is gone)
		"expired_exceptions":            {"security/exceptions.hcl", 12}, // the exception's block
		"compliance_drift":              {"security/exceptions.hcl", 12}, // check:EXC-9 names the exception
		"failed_logins":                 {"security/logs/auth.log", 9},   // absolute and escaping paths skipped
		"open_ports":                    {"security/posture.hcl", 61},
	}, got)
}

// Every rule says what the metric is and what to do about it, in text and
// markdown.
func TestSARIFRuleHelp(t *testing.T) {
	opt := Options{Metrics: map[string]MetricInfo{
		"tls_downgrade_attempts": {Description: "Handshakes refused for a protocol below TLS 1.2"},
		"audit_findings":         {Inputs: []string{"audit_findings"}},
	}}
	rules := map[string]map[string]string{}
	props := map[string]map[string]any{}
	for _, rule := range sarifOf(t, fixture(), opt).Runs[0].Tool.Driver.Rules {
		rules[rule.ID] = rule.Help
		props[rule.ID] = rule.Properties
	}
	tls := rules["tls_downgrade_attempts"]
	assert.Equal(t, "TLS downgrade attempts (tls_downgrade_attempts). Handshakes refused for a protocol below TLS 1.2.\n"+
		"Category prevention_controls, unit count, target ≤ 0, owner platform, gated: the gate fails when it fails its target or is not measured.\n"+
		"Status as of 2026-11-27: fail, value 7.\n"+
		"What to do: platform owns it: bring it back within its target (≤ 0): `posture explain tls_downgrade_attempts` lists the records "+
		"that counted, with their raw lines; for an accepted deviation, record an approved exception in the exceptions file.\n", tls["text"])
	assert.Contains(t, tls["markdown"], "**TLS downgrade attempts** (`tls_downgrade_attempts`)\n\nHandshakes refused for a protocol below TLS 1.2.\n\n")
	assert.Contains(t, tls["markdown"], "| prevention_controls | count | ≤ 0 | platform | yes |\n")
	assert.Contains(t, tls["markdown"], "**Status** as of 2026-11-27: ❌ fail, value 7.\n")
	assert.Contains(t, tls["markdown"], "**What to do:** platform owns it: bring it back within its target (≤ 0)")

	assert.Contains(t, rules["audit_findings"]["text"], "What to do: no configured source feeds it; the source kind that feeds it: audit_findings; "+
		"configure a source that feeds it (`posture metrics` shows which kinds do) or set gate = false in its metric block.\n")
	assert.Contains(t, rules["mttr_hours"]["text"], "What to do: fix the source or policy error: source pagerduty: open data/incidents.csv: no such file or directory.\n")
	assert.Contains(t, rules["orphaned_accounts"]["text"], "What to do: nothing: it is on target.\n")
	assert.Contains(t, rules["alert_to_incident_ratio"]["text"], "What to do: its sources gave nothing to compute from in the window; "+
		"configure a source of that kind to measure it")

	assert.Equal(t, "7.0", props["tls_downgrade_attempts"]["security-severity"], "gated: high")
	for _, rule := range sarifOf(t, fixture(), opt).Runs[0].Tool.Driver.Rules {
		assert.Empty(t, rule.HelpURI, "no built-in rule location given: %s", rule.ID)
	}
	assert.Equal(t, "4.0", props["mttd_hours"]["security-severity"])
	assert.Contains(t, props["tls_downgrade_attempts"]["tags"], "security", "security-severity needs the security tag")
}

// tool.driver.version is the build's version, starting with an integer as
// the SARIF multitool wants (SARIF2005); semanticVersion only for a semantic
// version.
func TestSARIFToolVersion(t *testing.T) {
	for _, tc := range []struct{ version, driver, semantic string }{
		{"v1.2.3", "1.2.3", "1.2.3"},
		{"v0.0.0-20261127000000-abcdef123456", "0.0.0-20261127000000-abcdef123456", "0.0.0-20261127000000-abcdef123456"},
		{"devel", "0.0.0-devel", ""},
		{"v1.2.3-devel", "1.2.3-devel", ""},
		{"1.2", "1.2", ""},
	} {
		r := fixture()
		r.Tool = &report.Tool{Name: "posture", Version: tc.version}
		d := sarifOf(t, r, Options{}).Runs[0].Tool.Driver
		assert.Equal(t, tc.driver, d.Version)
		assert.Equal(t, tc.semantic, d.SemanticVersion, tc.version)
	}

	// A built-in rule's helpUri links its policy at the release (a tag),
	// else on main.
	opt := Options{Metrics: map[string]MetricInfo{"mttd_hours": {BuiltinRule: "detection_response.rego:20"}}}
	for version, ref := range map[string]string{"v1.2.3": "v1.2.3", "v1.3.0-rc.1": "main", "devel": "main"} {
		r := fixture()
		r.Tool = &report.Tool{Name: "posture", Version: version}
		rule := sarifOf(t, r, opt).Runs[0].Tool.Driver.Rules[0]
		require.Equal(t, "mttd_hours", rule.ID)
		assert.Equal(t, InformationURI+"/blob/"+ref+"/policies/detection_response.rego#L20", rule.HelpURI, version)
	}
}

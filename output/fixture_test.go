package output

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func f(v float64) *float64 { return &v }

// fixture is a report with a metric in every status, null values, soft and
// trend targets, waived evidence and file:line evidence.
func fixture() *report.Report {
	r := &report.Report{
		Schema:     report.Schema,
		Project:    "LocalizeVideos",
		AsOf:       "2026-11-27T00:00:00Z",
		WindowDays: 30,
		Inputs: []report.Input{
			{Source: "bastion", Kind: "sshd_log", SHA256: "9f2c", Records: 1234, SkippedLines: 3},
			{Source: "pagerduty", Kind: "incidents_csv", SHA256: "", Records: 0, Error: "open data/incidents.csv: no such file or directory"},
		},
		Metrics: []report.Metric{
			{
				ID: "mttd_hours", Title: "Mean time to detect", Category: "detection_response", Owner: "security",
				Unit: "hours", Value: f(3.5), Status: report.StatusTracked, Target: report.Target{Trend: "down"},
				Trend:    report.Trend{Direction: report.TrendImproving, Previous: f(4), PreviousAsOf: "2026-10-28T00:00:00Z", ChangePct: f(-12.5)},
				Evidence: report.Evidence{Items: 4, Waived: []report.Waived{}, Records: []string{"data/incidents.csv:2", "data/incidents.csv:3"}, RecordsTotal: 4},
				Series:   []report.Point{{AsOf: "2026-10-28T00:00:00Z", Value: f(4)}, {AsOf: "2026-11-27T00:00:00Z", Value: f(3.5)}},
			},
			{
				ID: "mttr_hours", Title: "Mean time to resolve", Category: "detection_response", Owner: "security",
				Unit: "hours", Status: report.StatusError, Target: report.Target{Trend: "down"},
				Trend:    report.Trend{Direction: report.TrendInsufficient},
				Evidence: report.Evidence{Note: "source pagerduty failed"},
				Error:    "source pagerduty: open data/incidents.csv: no such file or directory",
				Sources:  []string{"pagerduty"},
			},
			{
				ID: "sev1_incidents", Title: "Sev1 incidents", Category: "detection_response", Owner: "security",
				Unit: "count", Value: f(1), Status: report.StatusWarn, Target: report.Target{Max: f(0), Soft: true},
				Trend:    report.Trend{Direction: report.TrendWorsening, Previous: f(0), PreviousAsOf: "2026-10-28T00:00:00Z"},
				Evidence: report.Evidence{Items: 1, Records: []string{"INC-2041"}, RecordsTotal: 1},
			},
			{
				ID: "alert_to_incident_ratio", Title: "Alert to incident ratio", Category: "detection_response", Owner: "security",
				Unit: "percent", Status: report.StatusNoData, Target: report.Target{Trend: "up"},
				Trend: report.Trend{Direction: report.TrendInsufficient},
			},
			{
				ID: "failed_login_rate", Title: "Failed login rate", Category: "prevention_controls", Owner: "platform",
				Unit: "percent", Value: f(12.5), Status: report.StatusTracked, Target: report.Target{Trend: "stable"},
				Trend: report.Trend{Direction: report.TrendStable, Previous: f(12.1), ChangePct: f(3.3057851)},
			},
			{
				ID: "blocked_ips", Title: "Blocked IPs", Category: "prevention_controls", Owner: "platform",
				Unit: "count", Value: f(4), Status: report.StatusTracked,
				Trend: report.Trend{Direction: report.TrendInsufficient},
			},
			{
				ID: "tls_downgrade_attempts", Title: "TLS downgrade attempts", Category: "prevention_controls", Owner: "platform",
				Unit: "count", Value: f(7), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
				Trend: report.Trend{Direction: report.TrendWorsening, Previous: f(2), ChangePct: f(250)},
				Evidence: report.Evidence{Items: 7, Records: []string{
					"logs/nginx/error.log:12", "logs/nginx/error.log:40", "logs/nginx/error.log.1:7",
					"logs/nginx/access.log:1033", "logs/nginx/access.log:1290", "logs/nginx/access.log:2001",
				}, RecordsTotal: 7},
			},
			{
				ID: "high_critical_vulnerabilities", Title: "High/critical vulnerabilities", Category: "vulnerability_management", Owner: "security",
				Unit: "count", Value: f(2), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
				Trend: report.Trend{Direction: report.TrendImproving, Previous: f(4), ChangePct: f(-50)},
				Evidence: report.Evidence{
					Items:        2,
					Waived:       []report.Waived{{Scope: "CVE-2025-1111 web", Exception: "EXC-7", Origin: "exceptions.hcl:3"}},
					Records:      []string{"CVE-2026-0042 web", "GHSA-xxxx-yyyy-zzzz api"},
					RecordsTotal: 2,
				},
			},
			{
				ID: "mean_time_to_patch_days", Title: "Mean time to patch", Category: "vulnerability_management", Owner: "security",
				Unit: "days", Value: f(2.1), Status: report.StatusTracked, Target: report.Target{Trend: "down"},
				Trend: report.Trend{Direction: report.TrendWorsening, Previous: f(1.5), ChangePct: f(40)},
			},
			{
				ID: "orphaned_accounts", Title: "Orphaned accounts", Category: "identity_access", Owner: "security",
				Unit: "count", Value: f(0), Status: report.StatusPass, Target: report.Target{Max: f(0)}, Gate: true,
				Trend:    report.Trend{Direction: report.TrendStable, Previous: f(0), ChangePct: f(0)},
				Evidence: report.Evidence{Waived: []report.Waived{{Scope: "svc-backup", Exception: "EXC-3"}}},
			},
			{
				ID: "token_expiry_compliance", Title: "Token expiry compliance", Category: "identity_access", Owner: "security",
				Unit: "percent", Value: f(100), Status: report.StatusPass, Target: report.Target{Min: f(100)}, Gate: true,
				Trend: report.Trend{Direction: report.TrendInsufficient},
			},
			{
				ID: "audit_findings", Title: "Open audit findings", Category: "compliance_signals", Owner: "security",
				Unit: "count", Status: report.StatusUnmeasured, Target: report.Target{Max: f(0)}, Gate: true,
				Trend: report.Trend{Direction: report.TrendInsufficient},
			},
			{
				ID: "exposed_ports", Title: "Ports | exposed", Category: "compliance_signals", Owner: "platform",
				Unit: "count", Value: f(0), Status: report.StatusPass, Target: report.Target{Max: f(0)},
				Trend: report.Trend{Direction: report.TrendInsufficient},
			},
		},
		Exceptions: []report.Exception{
			{ExceptionRef: report.ExceptionRef{ID: "EXC-7", Metric: "high_critical_vulnerabilities", Scope: "CVE-2025-1111 web", Owner: "security", ApprovedBy: "cto", Expires: "2026-12-05"}, Status: "approved", State: "active"},
			{ExceptionRef: report.ExceptionRef{ID: "EXC-3", Metric: "orphaned_accounts", Scope: "svc-backup", Owner: "platform", Expires: "2027-06-30"}, Status: "approved", State: "active"},
		},
		ExpiringSoon: []string{"EXC-7"},
	}
	r.Summarise()
	return r
}

// golden compares got with testdata/<name>.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(p, got, 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "run go test -update to create the golden file")
	require.Equal(t, string(want), string(got))
}

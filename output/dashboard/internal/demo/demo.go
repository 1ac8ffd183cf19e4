// Package demo generates a realistic, deterministic history of daily
// reports (every built-in metric plus one custom one) so the dashboard can
// be rendered and looked at without a configured posture project.
//
// The story it tells, ending on the as-of date: detection got faster, but
// response time climbed over the last month; TLS downgrade attempts and a
// manual production change appeared; high/critical vulnerabilities came back
// after reaching zero; open exceptions keep growing; the alerts export went
// empty three days ago (no data); fail2ban is not wired up (unmeasured).
package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/localizevideos/posture/kpi"
	"github.com/localizevideos/posture/report"
)

// Options shapes the generated history.
type Options struct {
	AsOf       time.Time // the last report's instant (midnight UTC)
	Days       int       // number of daily reports (default 90)
	WindowDays int       // trend window (default 30)
	TolPct     float64   // trend tolerance in percent (default 10)
}

type def struct {
	id, title, category, unit, owner, better string
	target                                   report.Target
	gate                                     bool
	sources                                  []string
	from                                     int // first day the metric exists (custom metrics join later)
	status                                   func(day, last int) report.Status
	value                                    func(day, last int, r *rand.Rand) *float64
}

func f(v float64) *float64 { return &v }

// curve interpolates keyframes (day, value) linearly and adds noise of the
// given amplitude (uniform in ±amp).
func curve(amp float64, keys ...[2]float64) func(day, last int, r *rand.Rand) *float64 {
	return func(day, last int, r *rand.Rand) *float64 {
		x := float64(day) / float64(last) * 89 // keys are written for a 90-day history
		v := keys[len(keys)-1][1]
		for i := 1; i < len(keys); i++ {
			if x <= keys[i][0] {
				a, b := keys[i-1], keys[i]
				t := (x - a[0]) / (b[0] - a[0])
				if b[0] == a[0] {
					t = 1
				}
				v = a[1] + t*(b[1]-a[1])
				break
			}
		}
		n := (r.Float64()*2 - 1) * amp
		v += n
		if v < 0 {
			v = 0
		}
		return &v
	}
}

// steps is a step function: the value of the last key whose day ≤ day.
func steps(keys ...[2]float64) func(day, last int, r *rand.Rand) *float64 {
	return func(day, last int, r *rand.Rand) *float64 {
		x := float64(day) / float64(last) * 89
		v := keys[0][1]
		for _, k := range keys {
			if x >= k[0] {
				v = k[1]
			}
		}
		return &v
	}
}

// gaps makes a value null on the given day ranges (of a 90-day history).
func gaps(fn func(int, int, *rand.Rand) *float64, ranges ...[2]int) func(int, int, *rand.Rand) *float64 {
	return func(day, last int, r *rand.Rand) *float64 {
		v := fn(day, last, r)
		x := int(math.Round(float64(day) / float64(last) * 89))
		for _, g := range ranges {
			if x >= g[0] && x <= g[1] {
				return nil
			}
		}
		return v
	}
}

func max0() report.Target          { return report.Target{Max: f(0)} }
func trend(t string) report.Target { return report.Target{Trend: t} }

// nullStatus tells which null status a metric has on days without a value.
func nullStatus(s report.Status) func(int, int) report.Status {
	return func(int, int) report.Status { return s }
}

var defs = []def{
	{id: "mttd_hours", title: "Mean time to detect", category: "detection_response", unit: "hours", owner: "soc", better: "down",
		target: trend("down"), sources: []string{"incidents"},
		value: curve(0.35, [2]float64{0, 9.6}, [2]float64{35, 8.1}, [2]float64{59, 6.2}, [2]float64{89, 3.4})},
	{id: "mttr_hours", title: "Mean time to resolve", category: "detection_response", unit: "hours", owner: "incident-response", better: "down",
		target: trend("down"), sources: []string{"incidents"},
		value: curve(0.8, [2]float64{0, 21}, [2]float64{40, 15.5}, [2]float64{59, 14.1}, [2]float64{75, 17.5}, [2]float64{89, 22.8})},
	{id: "incident_count", title: "Incidents", category: "detection_response", unit: "count", owner: "soc", better: "down",
		target: trend("stable"), sources: []string{"incidents"},
		value: curve(0.45, [2]float64{0, 9}, [2]float64{30, 11}, [2]float64{50, 8}, [2]float64{89, 8.2})},
	{id: "sev1_incidents", title: "Sev1 incidents", category: "detection_response", unit: "count", owner: "incident-response", better: "down",
		target: report.Target{Max: f(0), Soft: true}, sources: []string{"incidents"},
		value: steps([2]float64{0, 1}, [2]float64{21, 0}, [2]float64{76, 1})},
	{id: "alert_to_incident_ratio", title: "Alerts leading to an incident", category: "detection_response", unit: "percent", owner: "soc", better: "up",
		target: trend("up"), sources: []string{"alerts"},
		status: func(day, last int) report.Status {
			if day >= last-2 {
				return report.StatusNoData // the alerts export has been empty since the SIEM migration
			}
			return report.StatusError // the export failed for a week
		},
		value: gaps(curve(0.15, [2]float64{0, 2.9}, [2]float64{59, 3.6}, [2]float64{89, 4.4}), [2]int{24, 30}, [2]int{87, 89})},

	{id: "failed_login_rate", title: "Failed login rate", category: "prevention_controls", unit: "percent", owner: "iam", better: "down",
		target: trend("stable"), sources: []string{"bastion", "api-logs"},
		value: curve(0.12, [2]float64{0, 2.6}, [2]float64{44, 2.5}, [2]float64{48, 6.8}, [2]float64{54, 6.1}, [2]float64{58, 2.7}, [2]float64{89, 2.6})},
	{id: "rate_limit_triggers", title: "Rate-limit triggers", category: "prevention_controls", unit: "count", owner: "platform", better: "down",
		sources: []string{"edge-nginx"},
		value:   curve(60, [2]float64{0, 1380}, [2]float64{44, 1520}, [2]float64{50, 4210}, [2]float64{58, 1700}, [2]float64{89, 1610})},
	{id: "blocked_ips", title: "Blocked IPs", category: "prevention_controls", unit: "count", owner: "platform", better: "down",
		status: nullStatus(report.StatusUnmeasured),
		value:  func(int, int, *rand.Rand) *float64 { return nil }},
	{id: "security_header_drift", title: "Security header drift", category: "prevention_controls", unit: "count", owner: "appsec", better: "down",
		target: max0(), gate: true, sources: []string{"header-probe"},
		value: steps([2]float64{0, 3}, [2]float64{31, 1}, [2]float64{52, 0})},
	{id: "tls_downgrade_attempts", title: "TLS downgrade attempts", category: "prevention_controls", unit: "count", owner: "platform", better: "down",
		target: max0(), gate: true, sources: []string{"edge-nginx"},
		value: steps([2]float64{0, 0}, [2]float64{12, 1}, [2]float64{15, 0}, [2]float64{79, 2}, [2]float64{84, 5}, [2]float64{87, 7})},

	{id: "privileged_accounts", title: "Privileged accounts", category: "identity_access", unit: "count", owner: "iam", better: "down",
		target: report.Target{Trend: "down", Soft: true}, sources: []string{"accounts"},
		value: steps([2]float64{0, 13}, [2]float64{26, 12}, [2]float64{66, 14}, [2]float64{81, 15})},
	{id: "orphaned_accounts", title: "Orphaned accounts", category: "identity_access", unit: "count", owner: "iam", better: "down",
		target: max0(), gate: true, sources: []string{"accounts"},
		value: steps([2]float64{0, 6}, [2]float64{18, 4}, [2]float64{47, 2}, [2]float64{70, 0})},
	{id: "token_expiry_compliance", title: "Token expiry compliance", category: "identity_access", unit: "percent", owner: "iam", better: "up",
		target: report.Target{Min: f(100)}, gate: true, sources: []string{"tokens"},
		value: curve(0.2, [2]float64{0, 88.5}, [2]float64{40, 91}, [2]float64{59, 92.6}, [2]float64{89, 97.1})},
	{id: "unauthorized_access_attempts", title: "Unauthorized access attempts", category: "identity_access", unit: "count", owner: "appsec", better: "down",
		target: trend("down"), sources: []string{"edge-nginx", "bastion", "api-logs"},
		value: curve(14, [2]float64{0, 540}, [2]float64{59, 455}, [2]float64{89, 338})},

	{id: "open_vulnerabilities", title: "Open vulnerabilities", category: "vulnerability_management", unit: "count", owner: "appsec", better: "down",
		target: trend("down"), sources: []string{"trivy", "zap"},
		value: curve(1.2, [2]float64{0, 63}, [2]float64{30, 58}, [2]float64{59, 51}, [2]float64{89, 41})},
	{id: "high_critical_vulnerabilities", title: "High and critical vulnerabilities", category: "vulnerability_management", unit: "count", owner: "appsec", better: "down",
		target: max0(), gate: true, sources: []string{"trivy", "zap"},
		value: steps([2]float64{0, 5}, [2]float64{14, 4}, [2]float64{33, 2}, [2]float64{55, 1}, [2]float64{63, 0}, [2]float64{83, 2}, [2]float64{86, 3})},
	{id: "mean_time_to_patch_days", title: "Mean time to patch", category: "vulnerability_management", unit: "days", owner: "platform", better: "down",
		target: trend("down"), sources: []string{"trivy"},
		status: nullStatus(report.StatusNoData),
		value:  gaps(curve(0.3, [2]float64{0, 14.2}, [2]float64{59, 11.4}, [2]float64{89, 8.7}), [2]int{6, 9})},
	{id: "repeat_findings", title: "Repeat findings", category: "vulnerability_management", unit: "count", owner: "appsec", better: "down",
		target: max0(), gate: true, sources: []string{"trivy", "zap"},
		value: steps([2]float64{0, 2}, [2]float64{9, 1}, [2]float64{23, 0})},

	{id: "config_drift_events", title: "Config drift events", category: "operational_hygiene", unit: "count", owner: "sre", better: "down",
		target: max0(), gate: true, sources: []string{"prod-config"},
		value: steps([2]float64{0, 0}, [2]float64{36, 2}, [2]float64{39, 1}, [2]float64{41, 0})},
	{id: "manual_prod_changes", title: "Manual production changes", category: "operational_hygiene", unit: "count", owner: "sre", better: "down",
		target: max0(), gate: true, sources: []string{"deployments"},
		value: steps([2]float64{0, 1}, [2]float64{17, 0}, [2]float64{72, 1})},
	{id: "failed_deployments", title: "Failed deployments", category: "operational_hygiene", unit: "count", owner: "release-eng", better: "down",
		target: trend("down"), sources: []string{"deployments"},
		value: steps([2]float64{0, 7}, [2]float64{20, 6}, [2]float64{45, 5}, [2]float64{60, 5}, [2]float64{74, 4})},
	{id: "rollbacks", title: "Rollbacks", category: "operational_hygiene", unit: "count", owner: "release-eng", better: "down",
		target: trend("down"), sources: []string{"deployments"},
		value: steps([2]float64{0, 3}, [2]float64{28, 2}, [2]float64{51, 3}, [2]float64{57, 2})},

	{id: "compliance_drift", title: "Compliance drift", category: "compliance_signals", unit: "count", owner: "grc", better: "down",
		target: max0(), gate: true, sources: []string{"prod-config"},
		value: steps([2]float64{0, 4}, [2]float64{25, 2}, [2]float64{44, 0})},
	{id: "open_exceptions", title: "Open exceptions", category: "compliance_signals", unit: "count", owner: "grc", better: "down",
		target: trend("down"), sources: []string{"exceptions"},
		value: steps([2]float64{0, 4}, [2]float64{33, 5}, [2]float64{61, 6}, [2]float64{77, 7}, [2]float64{85, 8})},
	{id: "expired_exceptions", title: "Expired exceptions", category: "compliance_signals", unit: "count", owner: "grc", better: "down",
		target: max0(), gate: true, sources: []string{"exceptions"},
		value: steps([2]float64{0, 0}, [2]float64{30, 1}, [2]float64{38, 0})},
	{id: "audit_findings", title: "Open audit findings", category: "compliance_signals", unit: "count", owner: "grc", better: "down",
		target: max0(), gate: true, sources: []string{"audit"},
		value: steps([2]float64{0, 3}, [2]float64{42, 2}, [2]float64{68, 1}, [2]float64{82, 0})},

	// A custom metric (a Rego rule of the project's own), added mid-way.
	{id: "unsigned_container_images", title: "Unsigned container images in production", category: "supply_chain", unit: "count", owner: "platform", better: "down",
		target: max0(), sources: []string{"k8s-manifests"}, from: 48,
		value: steps([2]float64{0, 9}, [2]float64{56, 7}, [2]float64{66, 4}, [2]float64{80, 3})},
}

// History returns opt.Days daily reports ending at opt.AsOf, oldest first.
// Each carries its metrics' full series and trends, as `posture report`
// would have written them.
func History(opt Options) []*report.Report {
	if opt.Days <= 0 {
		opt.Days = 90
	}
	if opt.WindowDays <= 0 {
		opt.WindowDays = 30
	}
	if opt.TolPct == 0 {
		opt.TolPct = 10
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	}
	end := opt.AsOf.UTC().Truncate(24 * time.Hour)
	last := opt.Days - 1
	if last < 1 {
		last = 1
	}
	rng := rand.New(rand.NewPCG(38, 2026))
	hist := map[string][]report.Point{}
	var out []*report.Report
	for day := 0; day < opt.Days; day++ {
		asOf := end.AddDate(0, 0, day-(opt.Days-1))
		stamp := asOf.Format(time.RFC3339)
		r := &report.Report{Schema: report.Schema, Project: "LocalizeVideos", AsOf: stamp, WindowDays: opt.WindowDays}
		for _, d := range defs {
			from := int(math.Round(float64(d.from) / 89 * float64(last)))
			if day < from {
				continue
			}
			v := d.value(day, last, rng)
			m := report.Metric{ID: d.id, Title: d.title, Category: d.category, Owner: d.owner, Unit: d.unit,
				Target: d.target, Gate: d.gate, Sources: d.sources}
			if v != nil {
				x := kpi.Round(*v, d.unit)
				m.Value = &x
			}
			m.Trend = kpi.Trend(kpi.Better(d.target, d.better), d.target.Trend, m.Value, hist[d.id], asOf, opt.WindowDays, opt.TolPct)
			m.Status = kpi.Status(d.target, m.Value, m.Trend)
			if m.Value == nil && d.status != nil {
				m.Status = d.status(day, last)
				if m.Status == report.StatusError {
					m.Error = "source failed: siem-alerts (alerts)"
					m.Evidence.Note = m.Error
				}
			}
			if m.Status == report.StatusUnmeasured {
				m.Sources = nil
			}
			m.Evidence = evidence(d, m, day)
			m.Series = append(append([]report.Point(nil), hist[d.id]...), report.Point{AsOf: stamp, Value: m.Value})
			hist[d.id] = append(hist[d.id], report.Point{AsOf: stamp, Value: m.Value})
			r.Metrics = append(r.Metrics, m)
		}
		r.Inputs = inputs(stamp)
		r.Exceptions, r.ExpiringSoon = exceptions(asOf)
		r.Summarise()
		out = append(out, r)
	}
	return out
}

func evidence(d def, m report.Metric, day int) report.Evidence {
	e := report.Evidence{Note: m.Evidence.Note, Waived: []report.Waived{}, Records: []string{}}
	if m.Value == nil {
		return e
	}
	n := int(*m.Value)
	if d.unit != "count" {
		n = 3 + day%9 // a mean or a ratio over some records
	}
	e.Items = n
	for i := 0; i < n && i < 5; i++ {
		e.Records = append(e.Records, "data/"+d.sources[0]+".log:"+strconv.Itoa(100+17*i+day))
	}
	e.RecordsTotal = n
	if d.id == "high_critical_vulnerabilities" && n > 0 {
		e.Waived = append(e.Waived, report.Waived{Scope: "CVE-2026-31337 in api:1.42", Exception: "EX-2026-014"})
	}
	return e
}

func inputs(stamp string) []report.Input {
	srcs := []struct {
		name, kind string
		n          int
	}{
		{"bastion", "sshd_log", 18234}, {"edge-nginx", "nginx_access", 1284411}, {"api-logs", "app_log", 402117},
		{"incidents", "incidents_csv", 212}, {"siem-alerts", "alerts_csv", 0}, {"accounts", "accounts_csv", 318},
		{"tokens", "tokens_json", 1244}, {"trivy", "vuln_scan", 1633}, {"zap", "vuln_scan", 88},
		{"deployments", "deployments_json", 731}, {"prod-config", "config_files", 46}, {"audit", "audit_csv", 19},
		{"header-probe", "http_headers", 12}, {"k8s-manifests", "config_files", 64},
	}
	var out []report.Input
	for _, s := range srcs {
		h := sha256.Sum256([]byte(s.name + "@" + stamp))
		out = append(out, report.Input{Source: s.name, Kind: s.kind, SHA256: hex.EncodeToString(h[:]), Records: s.n})
	}
	return out
}

func exceptions(asOf time.Time) ([]report.Exception, []string) {
	all := []report.Exception{
		{ExceptionRef: report.ExceptionRef{ID: "EX-2026-014", Metric: "high_critical_vulnerabilities", Scope: "CVE-2026-31337 in api:1.42", Owner: "appsec", ApprovedBy: "ciso", Expires: "2026-12-04"}, Status: "approved"},
		{ExceptionRef: report.ExceptionRef{ID: "EX-2026-009", Metric: "security_header_drift", Scope: "https://legacy.localizevideos.example/ csp", Owner: "appsec", ApprovedBy: "ciso", Expires: "2027-01-31"}, Status: "approved"},
	}
	var out []report.Exception
	var soon []string
	day := asOf.Format("2006-01-02")
	horizon := asOf.AddDate(0, 0, 14).Format("2006-01-02")
	for _, e := range all {
		e.State = "active"
		if e.Expires < day {
			e.State = "expired"
		}
		out = append(out, e)
		if e.State == "active" && e.Expires <= horizon {
			soon = append(soon, e.ID)
		}
	}
	return out, soon
}

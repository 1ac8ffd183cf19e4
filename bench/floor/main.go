// Command floor is the native Go reference of the performance harness
// (bench/run.sh): it reads the policy input document that
//
//	posture eval --snapshot DIR --dump-input
//
// prints, decodes it into plain Go structs with encoding/json and computes
// the 26 built-in metric values directly, per the definitions of
// docs/metrics.md and docs/configuration.md (and docs/input-document.md), mirroring the
// built-in policies rule for rule. It prints {"<id>": value} (rounded by
// unit: hours and days to 2 decimals, percent to 1, counts to integers;
// null for no data, and for a metric no configured source feeds).
//
// It is both the speed floor (how fast plain Go does the same work,
// decode included) and an independent cross-check of posture's numbers:
// bench/run.sh compares the two and fails on any difference.
//
//	floor input.json            # {"id": value, ...}
//	floor -items input.json     # {"id": {"value": v, "items": n}, ...}
//	floor - < input.json
//
// It is deliberately independent of posture's packages: the input document
// is its only interface.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
)

const (
	hourMS = 3600000
	dayMS  = 86400000
)

type event struct {
	TS     *int64 `json:"ts_ms"`
	Origin string `json:"origin"`
	IP     any    `json:"ip"`
}

type incident struct {
	Severity   string `json:"severity"`
	StartedMS  *int64 `json:"started_at_ms"`
	DetectedMS *int64 `json:"detected_at_ms"`
	ResolvedMS *int64 `json:"resolved_at_ms"`
	Origin     string `json:"origin"`
}

type alert struct {
	FiredMS    *int64 `json:"fired_at_ms"`
	IncidentID any    `json:"incident_id"`
	Origin     string `json:"origin"`
}

type account struct {
	System       string `json:"system"`
	Login        string `json:"login"`
	Role         string `json:"role"`
	Privileged   any    `json:"privileged"`
	Status       string `json:"status"`
	MFA          any    `json:"mfa"`
	CreatedMS    *int64 `json:"created_at_ms"`
	LastActiveMS *int64 `json:"last_active_at_ms"`
	Origin       string `json:"origin"`
}

type token struct {
	CreatedMS *int64 `json:"created_at_ms"`
	ExpiresMS *int64 `json:"expires_at_ms"`
	Revoked   any    `json:"revoked"`
	Origin    string `json:"origin"`
}

type auditFinding struct {
	Status   string `json:"status"`
	OpenedMS *int64 `json:"opened_at_ms"`
	Origin   string `json:"origin"`
}

type deployment struct {
	Repo        string  `json:"repo"`
	SHA         string  `json:"sha"`
	Task        string  `json:"task"`
	Description string  `json:"description"`
	Creator     string  `json:"creator"`
	CreatedMS   *int64  `json:"created_at_ms"`
	Status      string  `json:"status"`
	Production  any     `json:"production"`
	Successful  any     `json:"successful"`
	PrevSHA     *string `json:"previous_success_sha"`
	Origin      string  `json:"origin"`
}

type vulnerability struct {
	Key         string `json:"key"`
	Severity    string `json:"severity"`
	State       string `json:"state"`
	FirstSeenMS *int64 `json:"first_seen_ms"`
	FixedMS     *int64 `json:"fixed_at_ms"`
	Origin      string `json:"origin"`
}

type configFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Origin string `json:"origin"`
}

type endpoint struct {
	URL      string              `json:"url"`
	FinalURL any                 `json:"final_url"`
	Headers  map[string][]string `json:"headers"`
	Error    any                 `json:"error"`
	Origin   string              `json:"origin"`
}

type tlsEndpoint struct {
	Address          string   `json:"address"`
	AcceptedVersions []string `json:"accepted_versions"`
	CertNotAfterMS   *int64   `json:"cert_not_after_ms"`
	CertVerified     any      `json:"cert_verified"`
	Error            any      `json:"error"`
}

type exception struct {
	ID           string `json:"id"`
	Metric       string `json:"metric"`
	Scope        any    `json:"scope"`
	ScopeRegex   string `json:"scope_regex"`
	Expires      string `json:"expires"`
	ExpiresEndMS int64  `json:"expires_end_ms"`
	Status       string `json:"status"`
}

type complianceFinding struct {
	Check    string  `json:"check"`
	Resource string  `json:"resource"`
	Scope    string  `json:"scope"`
	Origin   *string `json:"origin"`
}

type input struct {
	AsOfMS   int64  `json:"as_of_ms"`
	AsOfDate string `json:"as_of_date"`
	Window   struct {
		StartMS int64 `json:"start_ms"`
		EndMS   int64 `json:"end_ms"`
	} `json:"window"`
	Settings struct {
		InactiveCutoffMS   int64    `json:"inactive_cutoff_ms"`
		MaxTokenLifetimeMS int64    `json:"max_token_lifetime_ms"`
		AutomationActors   []string `json:"automation_actors"`
	} `json:"settings"`
	Sources map[string]struct {
		Kind string `json:"kind"`
		OK   bool   `json:"ok"`
	} `json:"sources"`
	Events          map[string][]event `json:"events"`
	Incidents       []incident         `json:"incidents"`
	Alerts          []alert            `json:"alerts"`
	Accounts        []account          `json:"accounts"`
	Tokens          []token            `json:"tokens"`
	AuditFindings   []auditFinding     `json:"audit_findings"`
	Deployments     []deployment       `json:"deployments"`
	Vulnerabilities []vulnerability    `json:"vulnerabilities"`
	ConfigFiles     []configFile       `json:"config_files"`
	Endpoints       []endpoint         `json:"endpoints"`
	TLSEndpoints    []tlsEndpoint      `json:"tls_endpoints"`
	Baseline        struct {
		Files  map[string]*string `json:"files"`
		Origin *string            `json:"origin"`
	} `json:"baseline"`
	Exceptions         []exception         `json:"exceptions"`
	ComplianceFindings []complianceFinding `json:"compliance_findings"`
}

// result is a metric's raw value (nil: null) and its item count.
type result struct {
	value *float64
	items int
}

type metric struct {
	id     string
	unit   string
	inputs []string // source kinds that feed it; "exceptions" / "*": always measured
	calc   func(*input) result
}

// metrics is the catalogue of the 26 built-in metrics, with the inputs the
// policies' METADATA declares.
var metrics = []metric{
	{"mttd_hours", "hours", []string{"incidents", "github.incidents"}, mttd},
	{"mttr_hours", "hours", []string{"incidents", "github.incidents"}, mttr},
	{"incident_count", "count", []string{"incidents", "github.incidents"}, incidentCount},
	{"sev1_incidents", "count", []string{"incidents", "github.incidents"}, sev1},
	{"alert_to_incident_ratio", "percent", []string{"alerts"}, alertRatio},
	{"failed_login_rate", "percent", []string{"sshd_log", "app_log"}, failedLoginRate},
	{"rate_limit_triggers", "count", []string{"nginx_access_log", "nginx_error_log", "app_log"}, eventCount("rate_limited")},
	{"blocked_ips", "count", []string{"fail2ban_log"}, blockedIPs},
	{"security_header_drift", "count", []string{"headers"}, headerDrift},
	{"tls_downgrade_attempts", "count", []string{"nginx_access_log", "nginx_error_log"}, eventCount("tls_downgrade")},
	{"privileged_accounts", "count", []string{"accounts", "github.members"}, privilegedAccounts},
	{"orphaned_accounts", "count", []string{"accounts"}, orphanedAccounts},
	{"token_expiry_compliance", "percent", []string{"tokens"}, tokenCompliance},
	{"unauthorized_access_attempts", "count", []string{"nginx_access_log", "sshd_log", "app_log"}, eventCount("http_forbidden", "invalid_user", "authz_fail")},
	{"open_vulnerabilities", "count", vulnInputs, openVulns},
	{"high_critical_vulnerabilities", "count", vulnInputs, highCritical},
	{"mean_time_to_patch_days", "days", vulnInputs, meanTimeToPatch},
	{"repeat_findings", "count", vulnInputs, repeatFindings},
	{"config_drift_events", "count", []string{"config_files"}, configDrift},
	{"manual_prod_changes", "count", []string{"deployments", "github.deployments"}, manualProdChanges},
	{"failed_deployments", "count", []string{"deployments", "github.deployments"}, failedDeployments},
	{"rollbacks", "count", []string{"deployments", "github.deployments"}, rollbacks},
	{"compliance_drift", "count", []string{"*"}, complianceDrift},
	{"open_exceptions", "count", []string{"exceptions"}, openExceptions(true)},
	{"expired_exceptions", "count", []string{"exceptions"}, openExceptions(false)},
	{"audit_findings", "count", []string{"audit_findings"}, openAuditFindings},
}

var vulnInputs = []string{"trivy", "grype", "govulncheck", "sarif", "github.alerts"}

func main() {
	items := flag.Bool("items", false, "print {id: {value, items}} instead of {id: value}")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: floor [-items] INPUT.json|-")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	var r io.Reader = os.Stdin
	if name := flag.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		r = f
	}
	var in input
	if err := json.NewDecoder(bufio.NewReaderSize(r, 1<<20)).Decode(&in); err != nil {
		fatal(fmt.Errorf("decode input: %w", err))
	}
	in.prepare()
	out := map[string]any{}
	for _, m := range metrics {
		var res result
		if in.measured(m.inputs) {
			res = m.calc(&in)
		}
		var v any
		if res.value != nil {
			v = round(*res.value, m.unit)
		}
		if *items {
			out[m.id] = map[string]any{"value": v, "items": res.items}
		} else {
			out[m.id] = v
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}

// round rounds by unit like posture's report (docs/metrics.md#how-a-metric-is-judged).
func round(v float64, unit string) float64 {
	switch unit {
	case "count":
		return math.Round(v)
	case "percent":
		return math.Round(v*10) / 10
	}
	return math.Round(v*100) / 100
}

// measured reports whether a configured source that did not fail feeds a
// metric with these inputs (posture reports the others unmeasured or
// error, with a null value).
func (in *input) measured(inputs []string) bool {
	kinds := map[string]bool{}
	failed := map[string]bool{}
	anyFailed := false
	for _, s := range in.Sources {
		kinds[s.Kind] = true
		if !s.OK {
			failed[s.Kind], anyFailed = true, true
		}
	}
	ok := false
	for _, k := range inputs {
		switch k {
		case "*":
			if anyFailed {
				return false
			}
			ok = true
			continue
		case "exceptions":
			ok = true
			continue
		}
		kind, _, _ := strings.Cut(k, ".")
		if failed[kind] {
			return false
		}
		if kinds[kind] && (kind == k || kind == "github") {
			ok = true
		}
	}
	return ok
}

// ---------------------------------------------------------------------------
// Helpers shared by the metrics (posture.lib).

func (in *input) inWindow(ms *int64) bool {
	return ms != nil && *ms > in.Window.StartMS && *ms <= in.Window.EndMS
}

func count(n int) result {
	v := float64(n)
	return result{value: &v, items: n}
}

// mean of durations (ms) in unit ms, with one division; null when empty.
func mean(sum float64, n int, unit float64) result {
	if n == 0 {
		return result{items: 0}
	}
	v := sum / (float64(n) * unit)
	return result{value: &v, items: n}
}

func percent(part, whole int) result {
	if whole == 0 {
		return result{items: 0}
	}
	v := 100 * float64(part) / float64(whole)
	return result{value: &v, items: whole}
}

func isTrue(v any) bool { b, ok := v.(bool); return ok && b }

func nonEmptyString(v any) bool { s, ok := v.(string); return ok && s != "" }

// Exceptions: active ones indexed by (metric, scope) when the scope has no
// wildcard, by metric otherwise.
type pattern struct {
	id     string
	prefix string // the scope's literal prefix, a cheap pre-filter
	re     *regexp.Regexp
}

type waivers struct {
	exact    map[[2]string]string // (metric, scope) -> smallest id
	patterns map[string][]pattern // metric -> wildcard exceptions
}

var active waivers

func (in *input) prepare() {
	active = waivers{exact: map[[2]string]string{}, patterns: map[string][]pattern{}}
	for _, e := range in.Exceptions {
		if e.Status == "closed" || in.AsOfMS >= e.ExpiresEndMS {
			continue
		}
		scope, isString := e.Scope.(string)
		if isString && !strings.ContainsAny(scope, "*?") {
			k := [2]string{e.Metric, scope}
			if id, ok := active.exact[k]; !ok || e.ID < id {
				active.exact[k] = e.ID
			}
			continue
		}
		re, err := regexp.Compile(e.ScopeRegex)
		if err != nil {
			continue // OPA's regex.match errors on it too; such an exception waives nothing
		}
		prefix := ""
		if isString {
			prefix = scope[:strings.IndexAny(scope, "*?")]
		}
		active.patterns[e.Metric] = append(active.patterns[e.Metric], pattern{id: e.ID, prefix: prefix, re: re})
	}
}

// waiver returns the smallest id of the active exceptions of metric that
// match scope, "" when none.
func waiver(metric, scope string) string {
	best := active.exact[[2]string{metric, scope}]
	for _, p := range active.patterns[metric] {
		if (best == "" || p.id < best) && strings.HasPrefix(scope, p.prefix) && p.re.MatchString(scope) {
			best = p.id
		}
	}
	return best
}

// findings counts the distinct scopes not waived (lib.findings_result).
func findings(metric string, scopes []string) result {
	seen := make(map[string]bool, len(scopes))
	n := 0
	for _, s := range scopes {
		if seen[s] {
			continue
		}
		seen[s] = true
		if waiver(metric, s) == "" {
			n++
		}
	}
	return count(n)
}

// ---------------------------------------------------------------------------
// Detection and response.

func mttd(in *input) result {
	var sum float64
	n := 0
	for _, i := range in.Incidents {
		if in.inWindow(i.DetectedMS) && i.StartedMS != nil {
			sum += float64(*i.DetectedMS - *i.StartedMS)
			n++
		}
	}
	return mean(sum, n, hourMS)
}

func mttr(in *input) result {
	var sum float64
	n := 0
	for _, i := range in.Incidents {
		if in.inWindow(i.ResolvedMS) && i.DetectedMS != nil {
			sum += float64(*i.ResolvedMS - *i.DetectedMS)
			n++
		}
	}
	return mean(sum, n, hourMS)
}

func incidentCount(in *input) result {
	n := 0
	for _, i := range in.Incidents {
		if in.inWindow(i.DetectedMS) {
			n++
		}
	}
	return count(n)
}

func sev1(in *input) result {
	n := 0
	for _, i := range in.Incidents {
		if in.inWindow(i.DetectedMS) && i.Severity == "sev1" {
			n++
		}
	}
	return count(n)
}

func alertRatio(in *input) result {
	fired, linked := 0, 0
	for _, a := range in.Alerts {
		if in.inWindow(a.FiredMS) {
			fired++
			if nonEmptyString(a.IncidentID) {
				linked++
			}
		}
	}
	return percent(linked, fired)
}

// ---------------------------------------------------------------------------
// Prevention controls.

func (in *input) eventsInWindow(typ string) int {
	n := 0
	for i := range in.Events[typ] {
		if in.inWindow(in.Events[typ][i].TS) {
			n++
		}
	}
	return n
}

func eventCount(types ...string) func(*input) result {
	return func(in *input) result {
		n := 0
		for _, t := range types {
			n += in.eventsInWindow(t)
		}
		return count(n)
	}
}

func failedLoginRate(in *input) result {
	failed := in.eventsInWindow("login_failed")
	return percent(failed, failed+in.eventsInWindow("login_success"))
}

func blockedIPs(in *input) result {
	ips := map[string]bool{}
	bans := 0
	for _, e := range in.Events["ban"] {
		if in.inWindow(e.TS) && nonEmptyString(e.IP) {
			bans++
			ips[e.IP.(string)] = true
		}
	}
	v := float64(len(ips))
	return result{value: &v, items: bans}
}

// ---------------------------------------------------------------------------
// Identity and access.

var adminRoles = map[string]bool{"admin": true, "owner": true, "root": true, "superuser": true}

func activeAccount(a *account) bool { return a.Status == "" || a.Status == "active" }

func privilegedAccount(a *account) bool {
	return activeAccount(a) && (isTrue(a.Privileged) || adminRoles[a.Role])
}

func privilegedAccounts(in *input) result {
	scopes := map[string]bool{}
	for i := range in.Accounts {
		if a := &in.Accounts[i]; privilegedAccount(a) {
			scopes[a.System+"/"+a.Login] = true
		}
	}
	return count(len(scopes))
}

func orphanedAccounts(in *input) result {
	cutoff := in.Settings.InactiveCutoffMS
	var scopes []string
	for i := range in.Accounts {
		a := &in.Accounts[i]
		if !activeAccount(a) {
			continue
		}
		if (a.LastActiveMS != nil && *a.LastActiveMS < cutoff) || (a.LastActiveMS == nil && a.CreatedMS != nil && *a.CreatedMS < cutoff) {
			scopes = append(scopes, a.System+"/"+a.Login)
		}
	}
	return findings("orphaned_accounts", scopes)
}

func tokenCompliance(in *input) result {
	live, compliant := 0, 0
	for _, t := range in.Tokens {
		if (t.Revoked != nil && t.Revoked != false) || (t.ExpiresMS != nil && *t.ExpiresMS <= in.AsOfMS) {
			continue
		}
		live++
		if t.ExpiresMS != nil && t.CreatedMS != nil && *t.ExpiresMS-*t.CreatedMS <= in.Settings.MaxTokenLifetimeMS {
			compliant++
		}
	}
	if live == 0 {
		v := 100.0
		return result{value: &v}
	}
	return percent(compliant, live)
}

// ---------------------------------------------------------------------------
// Vulnerability management.

func openVulns(in *input) result {
	keys := map[string]bool{}
	for _, v := range in.Vulnerabilities {
		if v.State == "open" {
			keys[v.Key] = true
		}
	}
	return count(len(keys))
}

func highCritical(in *input) result {
	var scopes []string
	for _, v := range in.Vulnerabilities {
		if v.State == "open" && (v.Severity == "high" || v.Severity == "critical") {
			scopes = append(scopes, v.Key)
		}
	}
	return findings("high_critical_vulnerabilities", scopes)
}

func meanTimeToPatch(in *input) result {
	var sum float64
	n := 0
	for _, v := range in.Vulnerabilities {
		if v.State == "fixed" && in.inWindow(v.FixedMS) && v.FirstSeenMS != nil {
			sum += float64(*v.FixedMS - *v.FirstSeenMS)
			n++
		}
	}
	return mean(sum, n, dayMS)
}

func repeatFindings(in *input) result {
	fixed := map[string]bool{}
	for _, v := range in.Vulnerabilities {
		if v.State == "fixed" && v.FixedMS != nil && *v.FixedMS <= in.AsOfMS {
			fixed[v.Key] = true
		}
	}
	keys := map[string]bool{}
	for _, v := range in.Vulnerabilities {
		if v.State == "open" && fixed[v.Key] {
			keys[v.Key] = true
		}
	}
	return count(len(keys))
}

// ---------------------------------------------------------------------------
// Operational hygiene.

func configDrift(in *input) result {
	var scopes []string
	current := make(map[string]bool, len(in.ConfigFiles))
	for _, f := range in.ConfigFiles {
		current[f.Path] = true
		approved, ok := in.Baseline.Files[f.Path]
		switch {
		case !ok || approved == nil:
			scopes = append(scopes, f.Path) // added
		case *approved != f.SHA256:
			scopes = append(scopes, f.Path) // changed
		}
	}
	for p := range in.Baseline.Files {
		if !current[p] {
			scopes = append(scopes, p) // removed
		}
	}
	return findings("config_drift_events", scopes)
}

func (in *input) prodInWindow(f func(*deployment) bool) result {
	n := 0
	for i := range in.Deployments {
		d := &in.Deployments[i]
		if isTrue(d.Production) && in.inWindow(d.CreatedMS) && f(d) {
			n++
		}
	}
	return count(n)
}

func manualProdChanges(in *input) result {
	actors := map[string]bool{}
	for _, a := range in.Settings.AutomationActors {
		actors[strings.ToLower(a)] = true
	}
	return in.prodInWindow(func(d *deployment) bool { return !actors[strings.ToLower(d.Creator)] })
}

func failedDeployments(in *input) result {
	return in.prodInWindow(func(d *deployment) bool { return d.Status == "failure" || d.Status == "error" })
}

func rollbacks(in *input) result {
	first := map[string]int64{} // "<repo>|<sha>" -> earliest successful production deployment
	for _, d := range in.Deployments {
		if isTrue(d.Production) && isTrue(d.Successful) && d.CreatedMS != nil {
			k := d.Repo + "|" + d.SHA
			if t, ok := first[k]; !ok || *d.CreatedMS < t {
				first[k] = *d.CreatedMS
			}
		}
	}
	return in.prodInWindow(func(d *deployment) bool {
		if strings.Contains(strings.ToLower(d.Task), "rollback") || strings.Contains(strings.ToLower(d.Description), "rollback") {
			return true
		}
		if d.PrevSHA == nil || d.SHA == *d.PrevSHA {
			return false
		}
		t, ok := first[d.Repo+"|"+d.SHA]
		return ok && t < *d.CreatedMS
	})
}

// ---------------------------------------------------------------------------
// Compliance signals.

// complianceDrift counts the failing (check, resource) pairs. The findings
// of the two built-in checks (compliance.identity, compliance.tls) are
// computed here from the records, independently of the ones posture put in
// the input; findings of other checks (custom or conftest-style policies)
// are taken from the input.
func complianceDrift(in *input) result {
	var scopes []string
	for _, f := range in.ComplianceFindings {
		if f.Check != "compliance.identity" && f.Check != "compliance.tls" {
			scopes = append(scopes, f.Scope)
		}
	}
	for i := range in.Accounts {
		if a := &in.Accounts[i]; privilegedAccount(a) && a.MFA == false {
			scopes = append(scopes, "compliance.identity:"+a.System+"/"+a.Login)
		}
	}
	soon := in.AsOfMS + 14*dayMS
	for _, t := range in.TLSEndpoints {
		fail := false
		for _, v := range t.AcceptedVersions {
			fail = fail || v == "TLS1.0" || v == "TLS1.1"
		}
		if n := t.CertNotAfterMS; n != nil && *n <= soon {
			fail = true // expired, or expires within 14 days
		}
		if t.CertVerified == false && !nonEmptyString(t.Error) {
			fail = true
		}
		if fail {
			scopes = append(scopes, "compliance.tls:"+t.Address)
		}
	}
	return findings("compliance_drift", scopes)
}

func openExceptions(open bool) func(*input) result {
	return func(in *input) result {
		ids := map[string]bool{}
		for _, e := range in.Exceptions {
			if e.Status != "closed" && (e.Expires >= in.AsOfDate) == open {
				ids[e.ID] = true
			}
		}
		return count(len(ids))
	}
}

func openAuditFindings(in *input) result {
	n := 0
	for _, f := range in.AuditFindings {
		if f.Status == "open" && (f.OpenedMS == nil || *f.OpenedMS <= in.AsOfMS) {
			n++
		}
	}
	return count(n)
}

// ---------------------------------------------------------------------------
// Security headers (docs/configuration.md#headers), the checks of prevention_controls.rego.

var headerChecks = []string{"hsts", "csp", "x_content_type_options", "frame_options", "referrer_policy"}

func headerDrift(in *input) result {
	var scopes []string
	for i := range in.Endpoints {
		ep := &in.Endpoints[i]
		failed := nonEmptyString(ep.Error)
		for _, c := range headerChecks {
			if failed || !passes(ep, c) {
				scopes = append(scopes, ep.URL+"#"+c)
			}
		}
	}
	return findings("security_header_drift", scopes)
}

func values(ep *endpoint, name string) []string {
	out := make([]string, 0, len(ep.Headers[name]))
	for _, v := range ep.Headers[name] {
		out = append(out, strings.TrimSpace(strings.ToLower(v)))
	}
	return out
}

var (
	digits      = regexp.MustCompile(`^[0-9]+$`)
	spaces      = regexp.MustCompile(`\s+`)
	nonceOrHash = regexp.MustCompile(`^'(nonce|sha256|sha384|sha512)-`)
	referrers   = map[string]bool{"no-referrer": true, "no-referrer-when-downgrade": true, "same-origin": true, "origin": true,
		"strict-origin": true, "origin-when-cross-origin": true, "strict-origin-when-cross-origin": true, "unsafe-url": true}
	strictReferrers = map[string]bool{"no-referrer": true, "same-origin": true, "strict-origin": true, "strict-origin-when-cross-origin": true}
)

func passes(ep *endpoint, check string) bool {
	switch check {
	case "hsts":
		final := ep.URL
		if s, ok := ep.FinalURL.(string); ok && s != "" {
			final = s
		}
		vs := values(ep, "strict-transport-security")
		if !strings.HasPrefix(strings.ToLower(final), "https://") || len(vs) != 1 {
			return false
		}
		var ages []string
		for _, d := range strings.Split(vs[0], ";") {
			kv := strings.Split(d, "=")
			if len(kv) == 2 && strings.TrimSpace(kv[0]) == "max-age" {
				ages = append(ages, strings.Trim(strings.TrimSpace(kv[1]), `"`))
			}
		}
		if len(ages) != 1 || !digits.MatchString(ages[0]) {
			return false
		}
		var n float64
		if _, err := fmt.Sscan(ages[0], &n); err != nil {
			return false
		}
		return n >= 15552000
	case "csp":
		for _, p := range cspPolicies(ep) {
			if src, ok := scriptSources(p); ok && safeSources(src) {
				return true
			}
		}
		return false
	case "x_content_type_options":
		for _, v := range values(ep, "x-content-type-options") {
			return strings.TrimSpace(strings.Split(v, ",")[0]) == "nosniff"
		}
		return false
	case "frame_options":
		for _, v := range values(ep, "x-frame-options") {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t == "deny" || t == "sameorigin" {
					return true
				}
			}
		}
		for _, p := range cspPolicies(ep) {
			if _, ok := directive(p, "frame-ancestors"); ok {
				return true
			}
		}
		return false
	case "referrer_policy":
		last := ""
		for _, v := range values(ep, "referrer-policy") {
			for _, raw := range strings.Split(v, ",") {
				if t := strings.TrimSpace(raw); referrers[t] {
					last = t
				}
			}
		}
		return strictReferrers[last]
	}
	return false
}

// cspPolicies returns the enforced policies, each a list of directives
// (token lists).
func cspPolicies(ep *endpoint) [][][]string {
	var out [][][]string
	for _, v := range values(ep, "content-security-policy") {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) == "" {
				continue
			}
			var policy [][]string
			for _, d := range strings.Split(p, ";") {
				if d = strings.TrimSpace(d); d != "" {
					policy = append(policy, spaces.Split(d, -1))
				}
			}
			out = append(out, policy)
		}
	}
	return out
}

func directive(policy [][]string, name string) ([]string, bool) {
	for _, d := range policy {
		if d[0] == name {
			return d[1:], true
		}
	}
	return nil, false
}

func scriptSources(policy [][]string) ([]string, bool) {
	if s, ok := directive(policy, "script-src"); ok {
		return s, true
	}
	return directive(policy, "default-src")
}

func safeSources(src []string) bool {
	inline, nonce := false, false
	for _, s := range src {
		switch s {
		case "*", "http:", "https:", "data:":
			return false
		case "'unsafe-inline'":
			inline = true
		}
		if nonceOrHash.MatchString(s) {
			nonce = true
		}
	}
	return !inline || nonce
}

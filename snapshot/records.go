// Package snapshot defines the normalised records every source produces and
// the on-disk snapshot layout (one JSON file per source plus manifest.json).
//
// The records are the raw facts; they carry no verdicts. Policies (Rego)
// decide what counts. Every record keeps its origin ("file:line" or an API
// URL) so `posture explain` can show where a number came from, and its
// source: the id "<kind>.<name>" of the configured source that produced it
// (a source is identified by its kind and name together; snapshots written
// by earlier versions carry the bare name).
//
// Time fields come in pairs: an RFC 3339 string in UTC ("2026-11-20T10:00:00Z",
// null when unknown) and, only when the time is known, the same instant as
// integer milliseconds since the Unix epoch in the sibling `*_ms` field.
// Policies compare the integers; humans read the strings.
package snapshot

// Event types produced by log sources. Each type is a list under
// input.events.<type>.
const (
	EventLoginFailed   = "login_failed"   // sshd Failed ..., app authn_login_fail
	EventLoginSuccess  = "login_success"  // sshd Accepted ..., app authn_login_success[afterfail]
	EventInvalidUser   = "invalid_user"   // sshd Invalid user / Illegal user
	EventHTTPForbidden = "http_forbidden" // nginx access status 403
	EventAuthzFail     = "authz_fail"     // app authz_fail
	EventRateLimited   = "rate_limited"   // nginx 429 / limit_req rejection / app excess_rate_limit_exceeded
	EventTLSDowngrade  = "tls_downgrade"  // request on SSLv2/3, TLSv1, TLSv1.1 or handshake refused for version
	EventBan           = "ban"            // fail2ban Ban / Restore Ban
)

// EventTypes lists every event type in a stable order.
var EventTypes = []string{
	EventLoginFailed, EventLoginSuccess, EventInvalidUser, EventHTTPForbidden,
	EventAuthzFail, EventRateLimited, EventTLSDowngrade, EventBan,
}

// Event is one security-relevant log line, or, from a query source
// (prometheus), a count of such events that the source's back-end already
// aggregated: one event of weight N stands for N events.
type Event struct {
	TimeMS int64  `json:"ts_ms"`            // epoch milliseconds, UTC
	Time   string `json:"time"`             // RFC 3339 UTC
	Source string `json:"source"`           // id of the source: "<kind>.<name>"
	Origin string `json:"origin"`           // file:line
	IP     string `json:"ip,omitempty"`     // client address when the line names one
	User   string `json:"user,omitempty"`   // account name when the line names one
	Detail string `json:"detail,omitempty"` // short qualifier: auth method, ssl protocol, status, jail, app event name
	// Weight is how many events the record stands for; 0 (left out of the
	// JSON) means 1, which is every log line. A query source records the
	// count its back-end computed as one event of that weight (never 0: a
	// count of zero is no event). Event metrics sum the weights. An event
	// with a weight and no IP that is a ban counts its weight as distinct
	// addresses (the query counted distinct addresses; see blocked_ips).
	Weight int64 `json:"weight,omitempty"`
}

// Incident is a security incident (incidents file or GitHub issue).
type Incident struct {
	ID           string  `json:"id"`
	Title        string  `json:"title"`
	Severity     string  `json:"severity"`     // lower-cased, '-' and spaces removed: "sev1"
	SeverityRaw  string  `json:"severity_raw"` // as given
	StartedAt    *string `json:"started_at"`
	StartedAtMS  *int64  `json:"started_at_ms,omitempty"`
	DetectedAt   *string `json:"detected_at"`
	DetectedAtMS *int64  `json:"detected_at_ms,omitempty"`
	ResolvedAt   *string `json:"resolved_at"`
	ResolvedAtMS *int64  `json:"resolved_at_ms,omitempty"`
	Source       string  `json:"source"`
	Origin       string  `json:"origin"`
}

// Alert is a fired alert, optionally linked to an incident.
type Alert struct {
	ID         string  `json:"id"`
	FiredAt    *string `json:"fired_at"`
	FiredAtMS  *int64  `json:"fired_at_ms,omitempty"`
	IncidentID string  `json:"incident_id"` // empty when the alert led to no incident
	Source     string  `json:"source"`
	Origin     string  `json:"origin"`
}

// Account is a login on some system. Unique by (system, login).
type Account struct {
	System         string  `json:"system"`
	Login          string  `json:"login"`
	Role           string  `json:"role"`       // lower-cased
	Privileged     bool    `json:"privileged"` // the explicit flag only; policies add roles
	Status         string  `json:"status"`     // lower-cased; "" means active
	MFA            *bool   `json:"mfa"`        // null when unknown
	CreatedAt      *string `json:"created_at"`
	CreatedAtMS    *int64  `json:"created_at_ms,omitempty"`
	LastActiveAt   *string `json:"last_active_at"`
	LastActiveAtMS *int64  `json:"last_active_at_ms,omitempty"`
	Source         string  `json:"source"`
	Origin         string  `json:"origin"`
}

// Token is an API/access token.
type Token struct {
	ID          string  `json:"id"`
	Account     string  `json:"account"`
	CreatedAt   *string `json:"created_at"`
	CreatedAtMS *int64  `json:"created_at_ms,omitempty"`
	ExpiresAt   *string `json:"expires_at"`
	ExpiresAtMS *int64  `json:"expires_at_ms,omitempty"`
	Revoked     bool    `json:"revoked"`
	Source      string  `json:"source"`
	Origin      string  `json:"origin"`
}

// AuditFinding is a finding from an external audit.
type AuditFinding struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Severity   string  `json:"severity"` // lower-cased
	Status     string  `json:"status"`   // lower-cased
	OpenedAt   *string `json:"opened_at"`
	OpenedAtMS *int64  `json:"opened_at_ms,omitempty"`
	ClosedAt   *string `json:"closed_at"`
	ClosedAtMS *int64  `json:"closed_at_ms,omitempty"`
	Source     string  `json:"source"`
	Origin     string  `json:"origin"`
}

// Deployment is one deployment to some environment.
type Deployment struct {
	ID          string   `json:"id"`
	Repo        string   `json:"repo"` // owner/name for GitHub, "" for files
	Environment string   `json:"environment"`
	SHA         string   `json:"sha"`
	Ref         string   `json:"ref"`
	Task        string   `json:"task"`
	Description string   `json:"description"`
	Creator     string   `json:"creator"`
	CreatedAt   *string  `json:"created_at"`
	CreatedAtMS *int64   `json:"created_at_ms,omitempty"`
	Status      string   `json:"status"`   // latest status, lower-cased
	Statuses    []string `json:"statuses"` // every status seen, lower-cased (includes Status)
	Source      string   `json:"source"`
	Origin      string   `json:"origin"`
}

// Vulnerability is one finding of a scanner or a GitHub alert.
type Vulnerability struct {
	Key          string  `json:"key"`      // <advisory id>|<package>|<target>
	ID           string  `json:"id"`       // advisory id (CVE-…, GHSA-…, GO-…, rule id)
	Package      string  `json:"package"`  // package / module / component ("" for SARIF rules)
	Version      string  `json:"version"`  // installed version when known
	FixedIn      string  `json:"fixed_in"` // fixed version when known
	Target       string  `json:"target"`   // Trivy Target, repo owner/name, SARIF artifact URI
	Severity     string  `json:"severity"` // critical, high, medium, low, unknown
	State        string  `json:"state"`    // open, fixed, dismissed
	Title        string  `json:"title"`
	Scanner      string  `json:"scanner"` // trivy, grype, govulncheck, sarif:<tool>, dependabot, code_scanning, secret_scanning
	FirstSeen    *string `json:"first_seen"`
	FirstSeenMS  *int64  `json:"first_seen_ms,omitempty"`
	FixedAt      *string `json:"fixed_at"`
	FixedAtMS    *int64  `json:"fixed_at_ms,omitempty"`
	DismissedFor string  `json:"dismissed_reason,omitempty"` // GitHub dismissal reason, lower-cased
	Source       string  `json:"source"`
	Origin       string  `json:"origin"`
}

// ConfigFile is the fingerprint of one watched configuration file.
type ConfigFile struct {
	Path    string `json:"path"`   // as matched by the glob, relative to the config's folder when inside it
	SHA256  string `json:"sha256"` // of the normalised content
	Format  string `json:"format"` // json, yaml, hcl, text
	Content any    `json:"content,omitempty"`
	Source  string `json:"source"`
	Origin  string `json:"origin"`
}

// Endpoint is the recorded response of an HTTP URL (headers source).
type Endpoint struct {
	URL        string              `json:"url"` // as configured
	FinalURL   string              `json:"final_url"`
	Status     int                 `json:"status"`
	TLSVersion string              `json:"tls_version,omitempty"`
	Redirects  []string            `json:"redirects"`
	Headers    map[string][]string `json:"headers"` // names lower-cased, values as sent (cookie values removed)
	Error      string              `json:"error,omitempty"`
	Source     string              `json:"source"`
	Origin     string              `json:"origin"`
}

// TLSEndpoint is the result of probing host:port with each TLS version.
type TLSEndpoint struct {
	Address          string   `json:"address"` // host:port as configured
	AcceptedVersions []string `json:"accepted_versions"`
	CertNotAfter     *string  `json:"cert_not_after"`
	CertNotAfterMS   *int64   `json:"cert_not_after_ms,omitempty"`
	CertVerified     bool     `json:"cert_verified"`
	CertError        string   `json:"cert_error,omitempty"`
	Cipher           string   `json:"cipher,omitempty"`
	Error            string   `json:"error,omitempty"`
	Source           string   `json:"source"`
	Origin           string   `json:"origin"`
}

// Data is what one source collected: its records of each collection of the
// policy input document (see Collection). The built-in collections keep
// their records in the fields below (read them there or through the
// collection: Incidents.Of(d)); collections registered elsewhere
// (NewCollection) keep theirs in an open set. Empty collections are
// omitted from snapshot files.
type Data struct {
	Events          map[string]EventList `json:"events,omitempty"`
	Incidents       []Incident           `json:"incidents,omitempty"`
	Alerts          []Alert              `json:"alerts,omitempty"`
	Accounts        []Account            `json:"accounts,omitempty"`
	Tokens          []Token              `json:"tokens,omitempty"`
	AuditFindings   []AuditFinding       `json:"audit_findings,omitempty"`
	Deployments     []Deployment         `json:"deployments,omitempty"`
	Vulnerabilities []Vulnerability      `json:"vulnerabilities,omitempty"`
	ConfigFiles     []ConfigFile         `json:"config_files,omitempty"`
	Endpoints       []Endpoint           `json:"endpoints,omitempty"`
	TLSEndpoints    []TLSEndpoint        `json:"tls_endpoints,omitempty"`
	// Baseline is the approved fingerprint set the config_files source read
	// from <reports_dir>/baseline.json, kept with the snapshot so a report
	// can be reproduced from it.
	Baseline *Baseline `json:"baseline,omitempty"`

	open map[string]any // name -> *[]T of the collections registered by NewCollection
}

// Baseline is the set of approved config file fingerprints.
type Baseline struct {
	Present    bool              `json:"present"`
	ApprovedBy string            `json:"approved_by,omitempty"`
	ApprovedAt string            `json:"approved_at,omitempty"`
	Files      map[string]string `json:"files"` // path -> sha256
}

// AddEvent appends an event of the given type.
func (d *Data) AddEvent(typ string, e Event) {
	if d.Events == nil {
		d.Events = map[string]EventList{}
	}
	l := d.Events[typ]
	l.Append(e)
	d.Events[typ] = l
}

// EventSlice returns the events of a type in one slice (see
// EventList.Slice).
func (d *Data) EventSlice(typ string) []Event {
	l := d.Events[typ]
	return l.Slice()
}

// Count returns the number of records held.
func (d *Data) Count() int {
	n := 0
	for _, c := range Collections() {
		n += c.Len(d)
	}
	for _, es := range d.Events {
		n += es.Len()
	}
	return n
}

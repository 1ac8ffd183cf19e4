// Package report defines the machine report (schema posture.report/v1): the
// evaluated metrics with owners, targets, statuses, trends and evidence.
package report

import (
	"strings"
	"time"
)

// Schema is the value of Report.Schema.
const Schema = "posture.report/v1"

// Status of a metric result (docs/metrics.md#how-a-metric-is-judged).
type Status string

// The statuses, in the order reports list them (most urgent first).
const (
	StatusError      Status = "error"
	StatusFail       Status = "fail"
	StatusWarn       Status = "warn"
	StatusNoData     Status = "no_data"
	StatusUnmeasured Status = "unmeasured"
	StatusTracked    Status = "tracked"
	StatusPass       Status = "pass"
)

// Statuses lists every status, most urgent first.
var Statuses = []Status{StatusError, StatusFail, StatusWarn, StatusNoData, StatusUnmeasured, StatusTracked, StatusPass}

// Rank orders statuses for display: lower is more urgent.
func (s Status) Rank() int {
	for i, x := range Statuses {
		if x == s {
			return i
		}
	}
	return len(Statuses)
}

// Target is a metric's threshold. All fields optional.
type Target struct {
	Max   *float64 `json:"max,omitempty"`
	Min   *float64 `json:"min,omitempty"`
	Trend string   `json:"trend,omitempty"` // down, up, stable
	Soft  bool     `json:"soft,omitempty"`
}

// IsZero reports whether no threshold is set.
func (t Target) IsZero() bool { return t.Max == nil && t.Min == nil && t.Trend == "" }

// Trend directions (docs/metrics.md#how-a-metric-is-judged, "Trends").
const (
	TrendInsufficient = "insufficient_history"
	TrendStable       = "stable"
	TrendImproving    = "improving"
	TrendWorsening    = "worsening"
)

// Trend compares a value with the one a whole window earlier.
type Trend struct {
	Direction    string   `json:"direction"`
	Previous     *float64 `json:"previous,omitempty"`
	PreviousAsOf string   `json:"previous_as_of,omitempty"`
	ChangePct    *float64 `json:"change_pct,omitempty"`
}

// Waived is a finding removed from a count by an active exception.
type Waived struct {
	Scope     string `json:"scope"`
	Exception string `json:"exception"`
	Origin    string `json:"origin,omitempty"`
}

// Evidence backs a value with the records that produced it.
type Evidence struct {
	Items  int      `json:"items"`  // how many records counted
	Waived []Waived `json:"waived"` // findings waived by exceptions (the first evidence_limit)
	// WaivedTotal is len(waived) before truncation; 0 (omitted) when none
	// was waived. An addition to posture.report/v1: reports without it
	// list every waived finding.
	WaivedTotal  int      `json:"waived_total,omitempty"`
	Records      []string `json:"records"`        // origins (file:line or URL) or scopes of what counted (the first evidence_limit)
	RecordsTotal int      `json:"records_total"`  // len(records) before truncation
	Note         string   `json:"note,omitempty"` // e.g. the source error
}

// WaivedCount is how many findings were waived: WaivedTotal, or in a
// report written before it existed, len(Waived).
func (e *Evidence) WaivedCount() int { return max(e.WaivedTotal, len(e.Waived)) }

// Point is one value of a metric's history.
type Point struct {
	AsOf  string   `json:"as_of"`
	Value *float64 `json:"value"`
}

// Metric is the evaluated result of one catalogue metric.
type Metric struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Category string   `json:"category"`
	Owner    string   `json:"owner"`
	Unit     string   `json:"unit"`
	Value    *float64 `json:"value"`
	Status   Status   `json:"status"`
	Target   Target   `json:"target"`
	Gate     bool     `json:"gate"`
	Trend    Trend    `json:"trend"`
	Evidence Evidence `json:"evidence"`
	Series   []Point  `json:"series,omitempty"`
	Error    string   `json:"error,omitempty"`
	Sources  []string `json:"sources,omitempty"` // configured sources that feed it
}

// Input describes one collected source.
type Input struct {
	Source       string `json:"source"`
	Kind         string `json:"kind"`
	SHA256       string `json:"sha256"`
	Records      int    `json:"records"`
	SkippedLines int    `json:"skipped_lines,omitempty"`
	Error        string `json:"error,omitempty"`
}

// ExceptionRef is what names an exception wherever one is listed: the
// report's exceptions and the quarterly review's rows.
type ExceptionRef struct {
	ID         string `json:"id"`
	Metric     string `json:"metric"`
	Scope      string `json:"scope"`
	Owner      string `json:"owner"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Expires    string `json:"expires"`
}

// Exception is an approved deviation as listed in a report.
type Exception struct {
	ExceptionRef
	Status string `json:"status"`
	State  string `json:"state"` // active, expired, closed
	// Origin is where the exception is declared, "file:line" with the file
	// relative to the config's folder (like evidence origins).
	Origin string `json:"origin,omitempty"`
}

// MetricHead is what heads every per-metric row of a listing (the monthly
// aggregate, the quarterly review, the catalogue): the metric's identity,
// owner, unit, target and gate.
type MetricHead struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Owner    string `json:"owner"`
	Unit     string `json:"unit"`
	Target   Target `json:"target"`
	Gate     bool   `json:"gate"`
}

// Head is m's MetricHead.
func (m *Metric) Head() MetricHead {
	return MetricHead{ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit, Target: m.Target, Gate: m.Gate}
}

// Tool names the program and build that wrote a report. It is an addition
// to posture.report/v1: readers that do not know it ignore it.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is the whole evaluation at one instant.
type Report struct {
	Schema  string `json:"schema"`
	Tool    *Tool  `json:"tool,omitempty"`
	Project string `json:"project"`
	// Title is the configured title, when there is one; DisplayTitle
	// applies the default.
	Title        string         `json:"title,omitempty"`
	AsOf         string         `json:"as_of"`
	WindowDays   int            `json:"window_days"`
	Inputs       []Input        `json:"inputs"`
	Metrics      []Metric       `json:"metrics"`
	Summary      map[Status]int `json:"summary"`
	Exceptions   []Exception    `json:"exceptions,omitempty"`
	ExpiringSoon []string       `json:"expiring_soon,omitempty"` // exception ids expiring within 14 days
	// Snapshot pins the raw data behind the report (written by `posture
	// report` and `posture run`). An addition to posture.report/v1.
	Snapshot *SnapshotRef `json:"snapshot,omitempty"`
}

// SnapshotRef names the snapshot a report was evaluated from: the sha256 of
// its manifest.json, which lists the sha256 of every part, and its folder
// (relative to the config file's folder, with forward slashes).
// `posture verify` checks a snapshot against it.
type SnapshotRef struct {
	SHA256 string `json:"sha256"`
	Dir    string `json:"dir"`
}

// DisplayTitle is the heading of the report's views (dashboard, Markdown
// report): its title, else "<project> security posture".
func (r *Report) DisplayTitle() string { return TitleOf(r.Title, r.Project) }

// TitleOf returns title, or when it is blank the default title of the
// project: "<project> security posture" ("Security posture" without one).
func TitleOf(title, project string) string {
	if t := strings.TrimSpace(title); t != "" {
		return t
	}
	if p := strings.TrimSpace(project); p != "" {
		return p + " security posture"
	}
	return "Security posture"
}

// AsOfTime parses the report's as_of.
func (r *Report) AsOfTime() (time.Time, error) { return time.Parse(time.RFC3339, r.AsOf) }

// Summarise recomputes Summary from Metrics (every status present, zero or not).
func (r *Report) Summarise() {
	r.Summary = make(map[Status]int, len(Statuses))
	for _, s := range Statuses {
		r.Summary[s] = 0
	}
	for _, m := range r.Metrics {
		r.Summary[m.Status]++
	}
}

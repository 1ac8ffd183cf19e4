// Package config loads posture.hcl and the exceptions files (documented in
// docs/configuration.md, which is generated from Settings, Blocks and the
// source kinds). Every problem is an HCL diagnostic with file, line and
// column.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"

	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/sources"
)

// Defaults of the optional top-level settings.
const (
	DefaultWindowDays           = 30
	DefaultInactiveDays         = 90
	DefaultMaxTokenLifetimeDays = 90
	DefaultTrendTolerancePct    = 10
	DefaultReportsDir           = "security/reports"
	DefaultSnapshotsDir         = "security/snapshots"
	// DefaultEvidenceLimit is how many evidence records (and waived
	// findings) a report keeps per metric.
	DefaultEvidenceLimit = 25
)

// Defaults of the optional list settings; Load gives each config its own copy.
var (
	DefaultProductionEnvironments = []string{"production", "prod"}
	// DefaultAutomationActors are the deployment creators that are not
	// manual changes when automation_actors is not given (an explicit
	// empty list means every deployment is manual).
	DefaultAutomationActors = []string{"github-actions[bot]"}
)

// Config is a loaded posture.hcl.
type Config struct {
	Path string // as given
	Dir  string // folder of the config file; relative paths resolve here

	Project                string
	Title                  string // as configured; DisplayTitle applies the default
	WindowDays             int
	ReportsDir             string // resolved against Dir
	SnapshotsDir           string // resolved against Dir
	InactiveDays           int
	MaxTokenLifetimeDays   int
	ProductionEnvironments []string
	AutomationActors       []string
	TrendTolerancePct      float64
	ExceptionFiles         []string // resolved
	PolicyDirs             []string // resolved
	// IssuesRepository is where `posture issues` keeps one issue per
	// off-target metric ("owner/repo"; default $GITHUB_REPOSITORY).
	IssuesRepository string
	// EvidenceLimit caps the evidence records and waived findings each
	// metric lists in a report (the counts stay whole).
	EvidenceLimit int
	// CommitSnapshots makes `run --commit` commit the snapshot folder too
	// (default: only the report files, the ledger and the issue index).
	CommitSnapshots bool

	Owners     []*Owner
	Categories []*Category
	Metrics    []*MetricOverride
	Sources    []*Source
	Exceptions []*Exception
}

// Owner is a team or person accountable for metrics.
type Owner struct {
	Name   string
	GitHub []string
	Email  string
	Range  hcl.Range
}

// Category assigns an owner to a metric category.
type Category struct {
	Name  string
	Owner string
	Range hcl.Range
}

// Target overrides a metric's default target as a whole.
type Target struct {
	Max   *float64 `hcl:"max,optional" doc:"The metric fails when its value is above max."`
	Min   *float64 `hcl:"min,optional" doc:"The metric fails when its value is below min."`
	Trend *string  `hcl:"trend,optional" doc:"The desired direction, down, up or stable: the metric fails when its trend against the previous period is worsening (tracked until there is enough history)."`
	Soft  *bool    `hcl:"soft,optional" doc:"A soft target warns (status warn) instead of failing."`
}

// MetricOverride is a `metric "<id>"` block.
type MetricOverride struct {
	ID     string
	Owner  *string
	Gate   *bool
	Target *Target // nil: keep the catalogue default
	Range  hcl.Range
}

// Source is a configured source block. A source is identified by its kind
// and its name together: `source "nginx_access_log" "edge"` and
// `source "nginx_error_log" "edge"` are two sources.
type Source struct {
	Kind   string
	Name   string
	Config any // the kind's decoded config struct
	Source sources.Source
	Range  hcl.Range
}

// ID is the source's display id, "<kind>.<name>".
func (s *Source) ID() string { return sources.ID(s.Kind, s.Name) }

// Owner returns the owner of the given name, or nil.
func (c *Config) Owner(name string) *Owner {
	for _, o := range c.Owners {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Category returns the category block of the given name, or nil.
func (c *Config) Category(name string) *Category {
	for _, x := range c.Categories {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// Metric returns the override block for the metric id, or nil.
func (c *Config) Metric(id string) *MetricOverride {
	for _, m := range c.Metrics {
		if m.ID == id {
			return m
		}
	}
	return nil
}

var rootSchema = &hcl.BodySchema{
	Attributes: settingsSchema(),
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "owner", LabelNames: []string{"name"}},
		{Type: "category", LabelNames: []string{"name"}},
		{Type: "metric", LabelNames: []string{"id"}},
		{Type: "source", LabelNames: []string{"kind", "name"}},
		{Type: "exception", LabelNames: []string{"id"}},
	},
}

type ownerBody struct {
	GitHub []string `hcl:"github,optional" doc:"GitHub logins assigned to the issues of this owner's off-target metrics."`
	Email  string   `hcl:"email,optional" doc:"Contact address, shown with the owner."`
}

type categoryBody struct {
	Owner string `hcl:"owner" doc:"The declared owner of the category's metrics."`
}

// metricBody is the schema of a metric block (decodeMetric reads it).
type metricBody struct {
	Owner  *string `hcl:"owner,optional" doc:"The declared owner of this metric, instead of its category's."`
	Gate   *bool   `hcl:"gate,optional" doc:"Whether posture gate (and the exit code of eval, report and run) fails when this metric fails, is unmeasured or has no data."`
	Target *Target `hcl:"target,block"`
}

var metricSchema, _ = gohcl.ImpliedBodySchema(&metricBody{})

// Error is a set of diagnostics; its message names file, line and column.
type Error struct{ Diags hcl.Diagnostics }

func (e *Error) Error() string { return FormatDiags(e.Diags) }

// FormatDiags renders diagnostics one per line as "file:line,col-col: summary; detail".
func FormatDiags(diags hcl.Diagnostics) string {
	var b strings.Builder
	for i, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteByte('\n')
		}
		if d.Subject != nil {
			b.WriteString(d.Subject.String())
			b.WriteString(": ")
		}
		b.WriteString(d.Summary)
		if d.Detail != "" {
			b.WriteString("; ")
			b.WriteString(d.Detail)
		}
	}
	return b.String()
}

func diagErr(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	r := rng
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r}
}

// Load reads and decodes the config file. Catalogue-dependent checks
// (metric ids, owners of categories) are done by Validate once the policies
// are compiled.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cfg := &Config{
		Path:                   path,
		Dir:                    filepath.Dir(abs),
		WindowDays:             DefaultWindowDays,
		InactiveDays:           DefaultInactiveDays,
		MaxTokenLifetimeDays:   DefaultMaxTokenLifetimeDays,
		TrendTolerancePct:      DefaultTrendTolerancePct,
		EvidenceLimit:          DefaultEvidenceLimit,
		ProductionEnvironments: append([]string(nil), DefaultProductionEnvironments...),
		AutomationActors:       append([]string(nil), DefaultAutomationActors...),
	}
	file, diags := parseHCL(src, path)
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	content, d := file.Body.Content(rootSchema)
	diags = append(diags, d...)

	reports, snaps := DefaultReportsDir, DefaultSnapshotsDir
	var exc, pol []string
	attr := func(name string, target any) {
		if a, ok := content.Attributes[name]; ok {
			diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, target)...)
		}
	}
	attr("project", &cfg.Project)
	attr("title", &cfg.Title)
	if a, ok := content.Attributes["title"]; ok && strings.TrimSpace(cfg.Title) == "" {
		diags = append(diags, diagErr(a.Expr.Range(), "Invalid value", "title must not be empty (leave it out for the default \"<project> security posture\")"))
	}
	attr("window_days", &cfg.WindowDays)
	attr("reports_dir", &reports)
	attr("snapshots_dir", &snaps)
	attr("inactive_days", &cfg.InactiveDays)
	attr("max_token_lifetime_days", &cfg.MaxTokenLifetimeDays)
	attr("production_environments", &cfg.ProductionEnvironments)
	attr("automation_actors", &cfg.AutomationActors)
	attr("trend_tolerance_pct", &cfg.TrendTolerancePct)
	attr("exceptions", &exc)
	attr("policies", &pol)
	attr("issues_repository", &cfg.IssuesRepository)
	attr("evidence_limit", &cfg.EvidenceLimit)
	attr("commit_snapshots", &cfg.CommitSnapshots)
	if a, ok := content.Attributes["evidence_limit"]; ok && cfg.EvidenceLimit <= 0 {
		diags = append(diags, diagErr(a.Expr.Range(), "Invalid value", "evidence_limit must be a positive number of records"))
	}
	if a, ok := content.Attributes["issues_repository"]; ok {
		if o, n, found := strings.Cut(cfg.IssuesRepository, "/"); !found || o == "" || n == "" || strings.Contains(n, "/") {
			diags = append(diags, diagErr(a.Expr.Range(), "Invalid value", fmt.Sprintf("issues_repository must be \"owner/repo\", not %q", cfg.IssuesRepository)))
		}
	}
	positive := func(name string, v int) {
		if a, ok := content.Attributes[name]; ok && v <= 0 {
			diags = append(diags, diagErr(a.Expr.Range(), "Invalid value", name+" must be a positive number of days"))
		}
	}
	positive("window_days", cfg.WindowDays)
	positive("inactive_days", cfg.InactiveDays)
	positive("max_token_lifetime_days", cfg.MaxTokenLifetimeDays)
	if a, ok := content.Attributes["trend_tolerance_pct"]; ok && cfg.TrendTolerancePct < 0 {
		diags = append(diags, diagErr(a.Expr.Range(), "Invalid value", "trend_tolerance_pct must not be negative"))
	}
	cfg.ReportsDir = cfg.Resolve(reports)
	cfg.SnapshotsDir = cfg.Resolve(snaps)
	for _, p := range pol {
		cfg.PolicyDirs = append(cfg.PolicyDirs, cfg.Resolve(p))
	}

	seen := map[string]hcl.Range{}
	dup := func(kind, name string, rng hcl.Range) bool {
		key := kind + "\x00" + name
		if prev, ok := seen[key]; ok {
			diags = append(diags, diagErr(rng, "Duplicate "+kind+" block",
				fmt.Sprintf("%s %q was already declared at %s", kind, name, prev)))
			return true
		}
		seen[key] = rng
		return false
	}
	// Sources are identified by (kind, name): only a repeated pair is a
	// duplicate.
	type sourceKey struct{ kind, name string }
	seenSources := map[sourceKey]hcl.Range{}
	dupSource := func(s *Source, rng hcl.Range) bool {
		key := sourceKey{s.Kind, s.Name}
		if prev, ok := seenSources[key]; ok {
			diags = append(diags, diagErr(rng, "Duplicate source block",
				fmt.Sprintf("source %q %q is already declared at %s (a source is identified by its kind and name)", s.Kind, s.Name, prev)))
			return true
		}
		seenSources[key] = rng
		return false
	}
	for _, blk := range content.Blocks {
		name := blk.Labels[0]
		switch blk.Type {
		case "owner":
			var ob ownerBody
			diags = append(diags, gohcl.DecodeBody(blk.Body, nil, &ob)...)
			if !dup("owner", name, blk.DefRange) {
				cfg.Owners = append(cfg.Owners, &Owner{Name: name, GitHub: ob.GitHub, Email: ob.Email, Range: blk.DefRange})
			}
		case "category":
			var cb categoryBody
			diags = append(diags, gohcl.DecodeBody(blk.Body, nil, &cb)...)
			if !dup("category", name, blk.DefRange) {
				cfg.Categories = append(cfg.Categories, &Category{Name: name, Owner: cb.Owner, Range: blk.DefRange})
			}
		case "metric":
			m, d := decodeMetric(name, blk)
			diags = append(diags, d...)
			if m != nil && !dup("metric", name, blk.DefRange) {
				cfg.Metrics = append(cfg.Metrics, m)
			}
		case "source":
			s, d := decodeSource(blk)
			diags = append(diags, d...)
			if s != nil && !dupSource(s, blk.DefRange) {
				cfg.Sources = append(cfg.Sources, s)
			}
		case "exception":
			e, d := decodeException(name, blk)
			diags = append(diags, d...)
			if e != nil && !dup("exception", name, blk.DefRange) {
				cfg.Exceptions = append(cfg.Exceptions, e)
			}
		}
	}
	// Owners named by categories and metrics must be declared.
	for _, c := range cfg.Categories {
		if cfg.Owner(c.Owner) == nil {
			diags = append(diags, diagErr(c.Range, "Unknown owner",
				fmt.Sprintf("category %q names owner %q, which no owner block declares", c.Name, c.Owner)))
		}
	}
	for _, m := range cfg.Metrics {
		if m.Owner != nil && cfg.Owner(*m.Owner) == nil {
			diags = append(diags, diagErr(m.Range, "Unknown owner",
				fmt.Sprintf("metric %q names owner %q, which no owner block declares", m.ID, *m.Owner)))
		}
	}
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	for _, p := range exc {
		matches, err := filepath.Glob(cfg.Resolve(p))
		if err != nil || len(matches) == 0 {
			rng := content.Attributes["exceptions"].Expr.Range()
			return nil, &Error{hcl.Diagnostics{diagErr(rng, "Exceptions file not found", fmt.Sprintf("%q matches no file", p))}}
		}
		sort.Strings(matches)
		cfg.ExceptionFiles = append(cfg.ExceptionFiles, matches...)
	}
	byID := make(map[string]*Exception, len(cfg.Exceptions))
	for _, e := range cfg.Exceptions {
		byID[e.ID] = e
	}
	defer trace.Phase("exceptions")()
	for _, f := range cfg.ExceptionFiles {
		excs, err := LoadExceptions(f, cfg.displayPath(f))
		if err != nil {
			return nil, err
		}
		for _, e := range excs {
			if prev, dup := byID[e.ID]; dup {
				return nil, &Error{hcl.Diagnostics{diagErr(e.Range, "Duplicate exception",
					fmt.Sprintf("exception %q was already declared at %s", e.ID, prev.Range))}}
			}
			byID[e.ID] = e
			cfg.Exceptions = append(cfg.Exceptions, e)
		}
	}
	return cfg, nil
}

// Resolve makes a config-relative path absolute.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// displayPath names a file the way the user would: relative to the working
// directory when possible.
func (c *Config) displayPath(abs string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return abs
}

func decodeMetric(id string, blk *hcl.Block) (*MetricOverride, hcl.Diagnostics) {
	content, diags := blk.Body.Content(metricSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	m := &MetricOverride{ID: id, Range: blk.DefRange}
	if a, ok := content.Attributes["owner"]; ok {
		var s string
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &s)...)
		m.Owner = &s
	}
	if a, ok := content.Attributes["gate"]; ok {
		var b bool
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &b)...)
		m.Gate = &b
	}
	for i, tb := range content.Blocks {
		if i > 0 {
			diags = append(diags, diagErr(tb.DefRange, "Duplicate target block", "a metric has at most one target"))
			continue
		}
		var t Target
		diags = append(diags, gohcl.DecodeBody(tb.Body, nil, &t)...)
		if t.Trend != nil {
			switch *t.Trend {
			case "down", "up", "stable":
			default:
				diags = append(diags, diagErr(tb.DefRange, "Invalid trend", fmt.Sprintf("trend must be \"down\", \"up\" or \"stable\", not %q", *t.Trend)))
			}
		}
		m.Target = &t
	}
	return m, diags
}

func decodeSource(blk *hcl.Block) (*Source, hcl.Diagnostics) {
	kindName, name := blk.Labels[0], blk.Labels[1]
	kind, ok := sources.Lookup(kindName)
	if !ok {
		return nil, hcl.Diagnostics{diagErr(blk.LabelRanges[0], "Unknown source kind",
			fmt.Sprintf("%q is not a source kind; known kinds: %s", kindName, strings.Join(sources.Kinds(), ", ")))}
	}
	cfgVal := kind.NewConfig()
	diags := gohcl.DecodeBody(blk.Body, nil, cfgVal)
	if diags.HasErrors() {
		return nil, diags
	}
	src, err := kind.New(cfgVal)
	if err != nil {
		return nil, hcl.Diagnostics{diagErr(blk.DefRange, "Invalid source", fmt.Sprintf("source %q %q: %v", kindName, name, err))}
	}
	return &Source{Kind: kindName, Name: name, Config: cfgVal, Source: src, Range: blk.DefRange}, nil
}

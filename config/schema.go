package config

import (
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/localizevideos/posture/report"
)

// Setting is a top-level attribute of posture.hcl. The loader accepts
// exactly the attributes listed in Settings, and docs/configuration.md
// documents them from it: the type and the default are those of the value
// Get reads from a config that sets nothing but the project.
type Setting struct {
	Name     string
	Required bool
	Doc      string // Markdown
	// Get reads the setting from a loaded config, as it would be written
	// in HCL (folders relative to the config file's folder).
	Get func(*Config) any
	// DefaultDoc, when set, describes the default in words (one read from
	// the environment); the reference shows it instead of Get's value.
	DefaultDoc string
}

// Settings are the top-level attributes, in the order they are documented.
var Settings = []Setting{
	{Name: "project", Required: true,
		Doc: "Name of the project: the report's `project`, shown on the dashboard and in the reports.",
		Get: func(c *Config) any { return c.Project }},
	{Name: "title",
		Doc: "Heading of the dashboard (`index.html`) and of the Markdown reports.",
		Get: func(c *Config) any { return c.DisplayTitle() }},
	{Name: "window_days",
		Doc: "The reporting period in days: the window is `(as_of - window_days × 24h, as_of]`, and trends compare with the latest report at least one window earlier.",
		Get: func(c *Config) any { return c.WindowDays }},
	{Name: "reports_dir",
		Doc: "Folder of the dated reports, `index.html`, `metrics.prom`, the vulnerability history and the config baseline; commit it to keep the history.",
		Get: func(c *Config) any { return c.rel(c.ReportsDir) }},
	{Name: "snapshots_dir",
		Doc: "Folder of the snapshots `posture snapshot` and `posture report` keep, one folder per as-of date.",
		Get: func(c *Config) any { return c.rel(c.SnapshotsDir) }},
	{Name: "inactive_days",
		Doc: "An active account whose last activity (else creation) is older than this many days is orphaned.",
		Get: func(c *Config) any { return c.InactiveDays }},
	{Name: "max_token_lifetime_days",
		Doc: "A live token is compliant when it has an expiry at most this many days after its creation.",
		Get: func(c *Config) any { return c.MaxTokenLifetimeDays }},
	{Name: "production_environments",
		Doc: "Deployment environments that are production (compared case-insensitively).",
		Get: func(c *Config) any { return c.ProductionEnvironments }},
	{Name: "automation_actors",
		Doc: "Deployment creators that are automation (compared case-insensitively): a production deployment created by anyone else is a manual change.",
		Get: func(c *Config) any { return c.AutomationActors }},
	{Name: "trend_tolerance_pct",
		Doc: "A change of at most this many percent against the previous period is `stable`.",
		Get: func(c *Config) any { return c.TrendTolerancePct }},
	{Name: "evidence_limit",
		Doc: "How many evidence records (and waived findings) each metric lists in a report; `records_total` and `waived_total` keep the whole counts. " +
			"The cap keeps the dated report that is committed every day the same size whatever the volume of data: every record stays in the snapshot, whose digest the report carries (`snapshot.sha256`). `posture explain` lists them all.",
		Get: func(c *Config) any { return c.EvidenceLimit }},
	{Name: "commit_snapshots",
		Doc: "Whether `posture run --commit` commits the snapshot folder (`<snapshots_dir>/<date>/`) with the report files. " +
			"By default it does not: a snapshot holds every raw record (hundreds of MB a day at scale) and is better kept as a workflow artifact or in an object store or Git LFS (see [GitHub Actions](github-actions.md#keeping-snapshots)); the report pins it by its digest either way.",
		Get: func(c *Config) any { return c.CommitSnapshots }},
	{Name: "exceptions",
		Doc: "Files of `exception` blocks (glob patterns, relative to the config file's folder); each pattern must match a file. Exception blocks may also be written in posture.hcl itself.",
		Get: func(c *Config) any { return c.rels(c.ExceptionFiles) }},
	{Name: "policies",
		Doc: "Extra folders (or files) of Rego policies: custom metrics and compliance checks, which join the built-in catalogue.",
		Get: func(c *Config) any { return c.rels(c.PolicyDirs) }},
	{Name: "issues_repository",
		Doc:        "The repository (`owner/repo`) where `posture issues` keeps one issue per off-target metric.",
		Get:        func(c *Config) any { return c.IssuesRepository },
		DefaultDoc: "`$GITHUB_REPOSITORY`"},
}

func settingsSchema() []hcl.AttributeSchema {
	out := make([]hcl.AttributeSchema, len(Settings))
	for i, s := range Settings {
		out[i] = hcl.AttributeSchema{Name: s.Name, Required: s.Required}
	}
	return out
}

// DisplayTitle is the heading of the dashboard and the reports: the
// configured title, else "<project> security posture".
func (c *Config) DisplayTitle() string { return report.TitleOf(c.Title, c.Project) }

// Rel names a resolved path relative to the config file's folder, with
// forward slashes, as it would be written in the config.
func (c *Config) Rel(p string) string { return c.rel(p) }

// rel names a resolved path relative to the config file's folder, with
// forward slashes, as it would be written in the config.
func (c *Config) rel(p string) string {
	if r, err := filepath.Rel(c.Dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

func (c *Config) rels(ps []string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, c.rel(p))
	}
	return out
}

// Block documents a block type of posture.hcl (exception blocks may also
// stand in exceptions files).
type Block struct {
	Type   string
	Labels []string // the label names, from the loader's schema
	Doc    string   // Markdown
	// Body is a pointer to the gohcl-tagged struct its body decodes into
	// (`doc` tags describe the attributes); nil when the body depends on a
	// label (source blocks: the kind's own schema).
	Body any
	// Defaults of the optional attributes, by name.
	Defaults map[string]any
}

var blockDocs = map[string]Block{
	"owner": {
		Doc:  "A team or person accountable for metrics. Every category and every metric must resolve to a declared owner: a config where one does not is refused (measuring without ownership).",
		Body: &ownerBody{},
	},
	"category": {
		Doc:  "Assigns an owner to a metric category; a metric's owner defaults to its category's owner.",
		Body: &categoryBody{},
	},
	"metric": {
		Doc: "Overrides a catalogue metric (built-in or custom; an id that is neither is an error). " +
			"`owner` and `gate` replace the defaults only when given; a `target` block replaces the default target as a whole (attributes not given are unset).",
		Body: &metricBody{},
	},
	"source": {
		Doc: "A source of data, identified by its kind and name: `source \"nginx_access_log\" \"edge\"` and `source \"nginx_error_log\" \"edge\"` are two sources, only a repeated (kind, name) pair is an error. " +
			"Several sources of one kind may coexist: their records are merged. The body is the kind's (see [Source kinds](#source-kinds)).",
	},
	"exception": {
		Doc: "An approved deviation: while active (not closed, not expired) it removes the findings of `metric` whose scope matches `scope` from the count; they are listed in the evidence as waived, with the exception's id. " +
			"See [Exceptions](#exceptions).",
		Body:     &exceptionBody{},
		Defaults: map[string]any{"status": DefaultExceptionStatus},
	},
}

// Blocks documents the block types of posture.hcl, in the loader's order.
func Blocks() []Block {
	out := make([]Block, 0, len(rootSchema.Blocks))
	for _, h := range rootSchema.Blocks {
		b := blockDocs[h.Type]
		b.Type, b.Labels = h.Type, h.LabelNames
		out = append(out, b)
	}
	return out
}

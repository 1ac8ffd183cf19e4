// Package output renders a report (schema posture.report/v1) in the printed
// formats: table, json, markdown, sarif and junit. Each format lives in its own
// file behind the Writer interface; For picks one by name.
package output

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/localizevideos/posture/report"
)

// DefaultMaxRecords is the number of evidence records shown when
// Options.MaxRecords is not positive.
const DefaultMaxRecords = 5

// DefaultConfigPath is the SARIF anchor used when Options.ConfigPath is empty.
const DefaultConfigPath = "posture.hcl"

// Options tune what a writer prints.
type Options struct {
	Color      bool     // ANSI colours (table only)
	Only       []string // metric ids to show; empty = all
	MaxRecords int      // evidence records shown per metric; <= 0 means DefaultMaxRecords
	// ConfigPath is the config file's path relative to the repository root
	// (default "posture.hcl"). SARIF only: evidence origins are relative to
	// the config's folder, so they are rebased onto its folder, and results
	// without a file:line record point at the config file (GitHub code
	// scanning rejects results without a physical location).
	ConfigPath string
	// Charts adds a trend section to the markdown report: mermaid line
	// charts of the failing metrics' and a few key metrics' series.
	Charts bool
	// GateOn names the metrics the gate is on when they are chosen on the
	// command line (gate --metrics); empty: each metric's own gate flag.
	// A gated metric that is unmeasured or no_data fails the gate: every
	// format shows it as not measured (see Verdict).
	GateOn []string
	// Metrics adds what the report does not carry about each metric (by id):
	// its definition and where it is configured. SARIF rule help uses it.
	Metrics map[string]MetricInfo
}

// MetricInfo is catalogue and config knowledge about a metric.
type MetricInfo struct {
	Description string   // the policy's METADATA description
	Inputs      []string // source kinds that feed it
	// ConfigLine is the line of the metric's block in the config file
	// (ConfigPath), 0 when the config has none.
	ConfigLine int
	// BuiltinRule is "file.rego:line" of a built-in metric's rule in this
	// repository's policies/ folder (SARIF links it as the rule's helpUri);
	// empty for custom metrics.
	BuiltinRule string
}

func (o Options) maxRecords() int {
	if o.MaxRecords <= 0 {
		return DefaultMaxRecords
	}
	return o.MaxRecords
}

func (o Options) configPath() string {
	if o.ConfigPath == "" {
		return DefaultConfigPath
	}
	return o.ConfigPath
}

// Writer renders a report to w.
type Writer interface {
	Write(w io.Writer, r *report.Report, opt Options) error
}

var writers = map[string]Writer{
	"table":    Table{},
	"json":     JSON{},
	"markdown": Markdown{},
	"sarif":    SARIF{},
	"junit":    JUnit{},
}

var formats = []string{"table", "json", "markdown", "sarif", "junit"}

// Formats lists the valid format names, the default first.
func Formats() []string { return append([]string(nil), formats...) }

// For returns the writer of a format.
func For(format string) (Writer, error) {
	if w, ok := writers[format]; ok {
		return w, nil
	}
	return nil, fmt.Errorf("unknown output format %q (valid: %s)", format, strings.Join(formats, ", "))
}

// selected returns the report restricted to opt.Only (summary recomputed),
// or r itself when Only is empty. Unknown ids are an error.
func selected(r *report.Report, opt Options) (*report.Report, error) {
	if r == nil {
		return nil, fmt.Errorf("output: nil report")
	}
	if len(opt.Only) == 0 {
		return r, nil
	}
	want := make(map[string]bool, len(opt.Only))
	for _, id := range opt.Only {
		want[id] = true
	}
	cp := *r
	cp.Metrics = nil
	for _, m := range r.Metrics {
		if want[m.ID] {
			cp.Metrics = append(cp.Metrics, m)
			delete(want, m.ID)
		}
	}
	if len(want) > 0 {
		var missing []string
		for id := range want {
			missing = append(missing, id)
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("output: unknown metric id(s) %s", strings.Join(missing, ", "))
	}
	cp.Summarise()
	return &cp, nil
}

// counts tallies the statuses of ms.
func counts(ms []report.Metric) map[report.Status]int {
	c := make(map[report.Status]int, len(report.Statuses))
	for _, m := range ms {
		c[m.Status]++
	}
	return c
}

// byUrgency sorts metrics by status rank, then category, then id.
func byUrgency(ms []report.Metric) []report.Metric {
	out := append([]report.Metric(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := a.Status.Rank(), b.Status.Rank(); ra != rb {
			return ra < rb
		}
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return a.ID < b.ID
	})
	return out
}

// byCategory groups metrics by category in order of first appearance; within
// a category they are sorted by status rank, then id.
func byCategory(ms []report.Metric) (cats []string, groups map[string][]report.Metric) {
	groups = map[string][]report.Metric{}
	for _, m := range ms {
		if _, ok := groups[m.Category]; !ok {
			cats = append(cats, m.Category)
		}
		groups[m.Category] = append(groups[m.Category], m)
	}
	for _, c := range cats {
		g := groups[c]
		sort.SliceStable(g, func(i, j int) bool {
			if ra, rb := g[i].Status.Rank(), g[j].Status.Rank(); ra != rb {
				return ra < rb
			}
			return g[i].ID < g[j].ID
		})
	}
	return cats, groups
}

// isProblem reports whether a status needs attention (error, fail, warn).
func isProblem(s report.Status) bool {
	return s == report.StatusError || s == report.StatusFail || s == report.StatusWarn
}

// statusExplain says why a metric has no value or what went wrong. it
// names the metric "it" (in a message about one metric: an annotation, a
// SARIF result) rather than "this metric", and says where the sources gave
// nothing.
func statusExplain(m report.Metric, it bool) string {
	switch m.Status {
	case report.StatusUnmeasured:
		if it {
			return "no configured source feeds it"
		}
		return "no configured source feeds this metric"
	case report.StatusNoData:
		if it {
			return "its sources gave nothing to compute from in the window"
		}
		return "its sources gave nothing to compute from"
	case report.StatusError:
		if m.Error != "" {
			return "evaluation error: " + m.Error
		}
		return "evaluation error"
	}
	return ""
}

// shownRecords returns at most max records and how many more there were.
func shownRecords(e report.Evidence, max int) (shown []string, more int) {
	total := e.RecordsTotal
	if total < len(e.Records) {
		total = len(e.Records)
	}
	shown = e.Records
	if len(shown) > max {
		shown = shown[:max]
	}
	return shown, total - len(shown)
}

func projectName(r *report.Report) string {
	if r.Project == "" {
		return "posture"
	}
	return r.Project
}

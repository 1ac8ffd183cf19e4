package docgen

import (
	"sort"
	"strings"

	"github.com/localizevideos/posture/engine"
)

// metrics is the data of docs/metrics.md.
type metrics struct {
	Count      int
	Categories []categoryDoc
	Checks     []checkDoc
}

type categoryDoc struct {
	ID      string
	Metrics []metricDoc
}

type metricDoc struct {
	ID, Title, Description, Category, Unit string
	Target, Gate, Better                   string
	Inputs                                 string // Markdown
	Policy                                 string // repository path of the policy file
}

// checkDoc is a built-in compliance check: a package under compliance.
type checkDoc struct {
	Package string
	Policy  string
	Doc     string
}

func metricsData(cat []*engine.Definition, checks []checkDoc) *metrics {
	out := &metrics{Count: len(cat), Checks: checks}
	for _, d := range cat {
		if len(out.Categories) == 0 || out.Categories[len(out.Categories)-1].ID != d.Category {
			out.Categories = append(out.Categories, categoryDoc{ID: d.Category})
		}
		c := &out.Categories[len(out.Categories)-1]
		c.Metrics = append(c.Metrics, metricDoc{
			ID: d.ID, Title: d.Title, Description: strings.TrimSpace(d.Description), Category: d.Category, Unit: d.Unit,
			Target: targetText(d.Target), Gate: yesNo(d.Gate), Better: d.Better,
			Inputs: inputsText(d.Inputs), Policy: policyFile(d),
		})
	}
	return out
}

// inputsText says in words which sources feed a metric.
func inputsText(inputs []string) string {
	var parts []string
	for _, in := range inputs {
		switch in {
		case engine.InputAlways:
			parts = append(parts, "the exceptions of the config (always measured)")
		case engine.InputAll:
			parts = append(parts, "the whole snapshot: every configured source (always measured; `error` when any source failed)")
		default:
			var kinds []string
			for _, f := range engine.InputFeeds(in) {
				s := kindLink(f.Kind, MetricsFile)
				if f.Part != "" {
					s += " (part `" + f.Part + "`)"
				}
				kinds = append(kinds, s)
			}
			if !engine.IsCollectionInput(in) {
				parts = append(parts, kinds...)
				continue
			}
			s := "`" + in + "`"
			if len(kinds) > 0 {
				s += " (" + strings.Join(kinds, ", ") + ")"
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// complianceChecks lists the built-in packages under compliance with the
// comment that opens their file.
func complianceChecks() ([]checkDoc, error) {
	mods, err := builtinModules()
	if err != nil {
		return nil, err
	}
	var out []checkDoc
	for _, m := range mods {
		pkg := strings.TrimPrefix(m.Module.Package.Path.String(), "data.")
		if pkg != "compliance" && !strings.HasPrefix(pkg, "compliance.") {
			continue
		}
		var lines []string
		for _, c := range m.Module.Comments {
			if c.Location.Row >= m.Module.Package.Location.Row {
				break
			}
			lines = append(lines, strings.TrimSpace(string(c.Text)))
		}
		out = append(out, checkDoc{Package: pkg, Policy: m.Name, Doc: strings.Join(lines, " ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out, nil
}

package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/localizevideos/posture/kpi"
	"github.com/localizevideos/posture/report"
)

// Units a metric may declare.
var Units = map[string]bool{"hours": true, "days": true, "percent": true, "count": true}

// Special values of a metric's inputs.
const (
	InputAlways = "exceptions" // fed by the config itself: always measured
	InputAll    = "*"          // runs over the whole snapshot: always measured, needs every source
)

// Definition is a catalogue entry, declared once in the rule's METADATA.
type Definition struct {
	ID          string
	Title       string
	Description string
	Category    string
	Unit        string
	Target      report.Target // default target
	Gate        bool          // default gate
	Better      string        // down or up: the desired direction for trends (kpi.Better of custom.better and Target)
	Inputs      []string      // collections it reads (see IsCollectionInput), source kinds, or InputAlways / InputAll
	Rule        ast.Ref       // data.<package>.<rule>
	Location    string        // file:line of the rule
	Builtin     bool
}

// Query is the Rego query that evaluates the metric.
func (d *Definition) Query() string { return d.Rule.String() }

// Catalogue extracts the metric definitions from the compiled modules: every
// rule whose METADATA has custom.id. builtin tells which files are built in.
func Catalogue(c *ast.Compiler, builtin func(file string) bool) ([]*Definition, error) {
	var defs []*Definition
	var errs []string
	seen := map[string]*Definition{}
	for _, ar := range c.GetAnnotationSet().Flatten() {
		a := ar.Annotations
		if a == nil || a.Custom == nil {
			continue
		}
		idv, ok := a.Custom["id"]
		if !ok {
			continue
		}
		loc := ""
		if ar.Location != nil {
			loc = fmt.Sprintf("%s:%d", ar.Location.File, ar.Location.Row)
		}
		bad := func(format string, args ...any) {
			errs = append(errs, loc+": "+fmt.Sprintf(format, args...))
		}
		if a.Scope != "rule" {
			bad("metric METADATA must have rule scope (put it right above the rule)")
			continue
		}
		d := &Definition{Title: a.Title, Description: a.Description, Rule: ar.Path, Location: loc, Better: ""}
		if ar.Location != nil && builtin != nil {
			d.Builtin = builtin(ar.Location.File)
		}
		d.ID, _ = idv.(string)
		if d.ID == "" {
			bad("custom.id must be a non-empty string")
			continue
		}
		if d.Title == "" {
			bad("metric %q: title is required", d.ID)
		}
		d.Category, _ = a.Custom["category"].(string)
		if d.Category == "" {
			bad("metric %q: custom.category is required", d.ID)
		}
		d.Unit, _ = a.Custom["unit"].(string)
		if !Units[d.Unit] {
			bad("metric %q: custom.unit must be one of hours, days, percent, count (got %q)", d.ID, d.Unit)
		}
		if t, ok := a.Custom["target"]; ok && t != nil {
			tgt, err := parseTarget(t)
			if err != nil {
				bad("metric %q: target: %v", d.ID, err)
			}
			d.Target = tgt
		}
		if g, ok := a.Custom["gate"]; ok {
			b, isBool := g.(bool)
			if !isBool {
				bad("metric %q: custom.gate must be true or false", d.ID)
			}
			d.Gate = b
		}
		if b, ok := a.Custom["better"]; ok {
			s, _ := b.(string)
			if s != "down" && s != "up" {
				bad("metric %q: custom.better must be \"down\" or \"up\"", d.ID)
			}
			d.Better = s
		}
		d.Better = kpi.Better(d.Target, d.Better)
		switch in := a.Custom["inputs"].(type) {
		case nil:
			bad("metric %q: custom.inputs must list the collections it reads", d.ID)
		case []any:
			for _, x := range in {
				s, ok := x.(string)
				if !ok || s == "" {
					bad("metric %q: custom.inputs must be a list of collections", d.ID)
					break
				}
				d.Inputs = append(d.Inputs, s)
			}
		default:
			bad("metric %q: custom.inputs must be a list of collections", d.ID)
		}
		if prev, dup := seen[d.ID]; dup {
			bad("metric %q is already declared at %s", d.ID, prev.Location)
			continue
		}
		seen[d.ID] = d
		defs = append(defs, d)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("policies: %s", strings.Join(errs, "\n"))
	}
	SortDefinitions(defs)
	return defs, nil
}

// SortDefinitions orders by category (built-in order first) then as declared by id.
func SortDefinitions(defs []*Definition) {
	sort.SliceStable(defs, func(i, j int) bool {
		ri, rj := report.CategoryRank(defs[i].Category), report.CategoryRank(defs[j].Category)
		if ri != rj {
			return ri < rj
		}
		if defs[i].Category != defs[j].Category {
			return defs[i].Category < defs[j].Category
		}
		if defs[i].Builtin != defs[j].Builtin {
			return defs[i].Builtin
		}
		return defs[i].Location < defs[j].Location
	})
}

func parseTarget(v any) (report.Target, error) {
	var t report.Target
	m, ok := v.(map[string]any)
	if !ok {
		return t, fmt.Errorf("must be an object with max, min, trend or soft")
	}
	for k, x := range m {
		switch k {
		case "max", "min":
			f, err := toFloat(x)
			if err != nil {
				return t, fmt.Errorf("%s: %w", k, err)
			}
			if k == "max" {
				t.Max = &f
			} else {
				t.Min = &f
			}
		case "trend":
			s, _ := x.(string)
			if s != "down" && s != "up" && s != "stable" {
				return t, fmt.Errorf("trend must be down, up or stable")
			}
			t.Trend = s
		case "soft":
			b, ok := x.(bool)
			if !ok {
				return t, fmt.Errorf("soft must be true or false")
			}
			t.Soft = b
		default:
			return t, fmt.Errorf("unknown key %q (max, min, trend, soft)", k)
		}
	}
	return t, nil
}

func toFloat(x any) (float64, error) {
	switch n := x.(type) {
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case float64:
		return n, nil
	case uint64:
		return float64(n), nil
	case interface{ Float64() (float64, error) }:
		return n.Float64()
	}
	return 0, fmt.Errorf("not a number: %v", x)
}

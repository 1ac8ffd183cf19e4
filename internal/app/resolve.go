package app

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/report"
)

// The config's part of the engine's work: the engine knows nothing of the
// config; what it needs from it is translated here.

// Settings are the config values the policies see under input.settings.
func Settings(c *config.Config) engine.Settings {
	return engine.Settings{
		WindowDays: c.WindowDays, InactiveDays: c.InactiveDays, MaxTokenLifetimeDays: c.MaxTokenLifetimeDays,
		ProductionEnvironments: c.ProductionEnvironments, AutomationActors: c.AutomationActors,
		TrendTolerancePct: c.TrendTolerancePct,
	}
}

// Exceptions are the config's exceptions as the engine takes them, their
// scope patterns compiled (config.ScopeRegex, config.ScopePrefix) and their
// origin the position of their block; Declared is that block's file:line,
// the file relative to configDir when inside it ("" keeps the name it was
// read under).
func Exceptions(excs []*config.Exception, configDir string) []engine.Exception {
	out := make([]engine.Exception, 0, len(excs))
	for _, e := range excs {
		out = append(out, engine.Exception{ExceptionRef: report.ExceptionRef{ID: e.ID, Metric: e.Metric, Scope: e.Scope, Owner: e.Owner, ApprovedBy: e.ApprovedBy, Expires: e.Expires}, ScopeRegex: config.ScopeRegex(e.Scope), ScopePrefix: config.ScopePrefix(e.Scope), Reason: e.Reason, ExpiresEnd: e.ExpiresEnd, Status: e.Status, Origin: e.Range.String(), Declared: declared(e.Range, configDir)})
	}
	return out
}

// Resolve applies the config's owners, targets and gates to the catalogue,
// refusing metrics without an owner, unknown metric ids in metric blocks and
// exceptions naming unknown metrics.
func Resolve(cfg *config.Config, defs []*engine.Definition) ([]*engine.Resolved, error) {
	var diags hcl.Diagnostics
	bad := func(rng hcl.Range, summary, detail string) {
		r := rng
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &r})
	}
	known := map[string]*engine.Definition{}
	for _, d := range defs {
		known[d.ID] = d
	}
	for _, m := range cfg.Metrics {
		if known[m.ID] == nil {
			bad(m.Range, "Unknown metric", fmt.Sprintf("%q is not in the catalogue and no custom policy defines it; see `posture metrics`", m.ID))
		}
	}
	for _, e := range cfg.Exceptions {
		if known[e.Metric] == nil {
			bad(e.Range, "Unknown metric", fmt.Sprintf("exception %q waives findings of %q, which is not in the catalogue", e.ID, e.Metric))
		}
	}
	var out []*engine.Resolved
	var unowned []string
	for _, d := range defs {
		r := &engine.Resolved{Definition: d, Target: d.Target, Gate: d.Gate}
		if c := cfg.Category(d.Category); c != nil {
			r.Owner = c.Owner
		}
		if m := cfg.Metric(d.ID); m != nil {
			if m.Owner != nil {
				r.Owner = *m.Owner
			}
			if m.Gate != nil {
				r.Gate = *m.Gate
			}
			if m.Target != nil {
				t := report.Target{Max: m.Target.Max, Min: m.Target.Min}
				if m.Target.Trend != nil {
					t.Trend = *m.Target.Trend
				}
				if m.Target.Soft != nil {
					t.Soft = *m.Target.Soft
				}
				r.Target = t
			}
		}
		if r.Owner == "" {
			unowned = append(unowned, fmt.Sprintf("%s (category %s, %s)", d.ID, d.Category, d.Location))
		}
		out = append(out, r)
	}
	if len(unowned) > 0 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Metrics without an owner",
			Detail:  fmt.Sprintf("measuring without ownership is refused: add a category block with an owner (or a metric block naming one) for: %s", strings.Join(unowned, "; ")),
			Subject: &hcl.Range{Filename: cfg.Path, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 1, Byte: 0}}})
	}
	if diags.HasErrors() {
		return nil, &config.Error{Diags: diags}
	}
	return out, nil
}

// declared is "file:line" of a block, the file relative to dir when given
// and below it.
func declared(r hcl.Range, dir string) string {
	file := r.Filename
	if file == "" || r.Start.Line < 1 {
		return ""
	}
	if dir != "" {
		if abs, err := filepath.Abs(file); err == nil {
			if rel, err := filepath.Rel(dir, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				file = rel
			}
		}
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(file), r.Start.Line)
}

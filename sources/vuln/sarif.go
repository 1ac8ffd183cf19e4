package vuln

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string     `json:"id"`
	Name                 string     `json:"name"`
	ShortDescription     *sarifText `json:"shortDescription"`
	DefaultConfiguration *struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties map[string]any `json:"properties"`
}

type sarifComponent struct {
	Name  string      `json:"name"`
	Rules []sarifRule `json:"rules"`
}

type sarifTool struct {
	Driver     sarifComponent   `json:"driver"`
	Extensions []sarifComponent `json:"extensions"`
}

type sarifArtifactLocation struct {
	URI   string `json:"uri"`
	Index *int   `json:"index"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Rule      *struct {
		ID            string `json:"id"`
		Index         *int   `json:"index"`
		ToolComponent *struct {
			Index *int `json:"index"`
		} `json:"toolComponent"`
	} `json:"rule"`
	Kind      string    `json:"kind"`
	Level     string    `json:"level"`
	Message   sarifText `json:"message"`
	Locations []struct {
		PhysicalLocation *struct {
			ArtifactLocation *sarifArtifactLocation `json:"artifactLocation"`
		} `json:"physicalLocation"`
	} `json:"locations"`
	Suppressions []struct {
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"suppressions"`
	BaselineState string `json:"baselineState"`
}

type sarifArtifact struct {
	Location *sarifArtifactLocation `json:"location"`
}

// ParseSARIF reads a SARIF 2.1.0 log (CodeQL, Semgrep, Trivy, …):
// runs[].results[]. Key = ruleId | "" | the first location's artifact URI
// (as written, or from run.artifacts[] when only an index is given; "" for
// a result without location). Several results of one rule in one file are
// one finding. The scanner is "sarif:<driver name, lower-cased>".
//
// Severity: from the rule's properties.security-severity (the rule is
// found through the result's rule.toolComponent/index, ruleIndex, or its
// id, in tool.driver.rules and tool.extensions[].rules): ≥ 9.0 critical,
// ≥ 7.0 high, ≥ 4.0 medium, else low. A rule without a security-severity
// (linters, older tools) is rated from the SARIF level instead — the
// result's level, else the rule's defaultConfiguration.level, else SARIF's
// default "warning": error high, warning medium, note and none low — so a
// finding is never left unrated when the tool did rate it.
//
// Not open, and skipped: results with a suppression whose status is
// accepted or not given (in-source suppressions, dismissed alerts),
// results with baselineState "absent" (gone since the baseline), and
// results of kind pass, notApplicable or informational (not failures).
func ParseSARIF(display string, data []byte) ([]snapshot.Vulnerability, error) {
	doc, err := newDoc(display, data)
	if err != nil {
		return nil, err
	}
	var (
		out  []snapshot.Vulnerability
		runs bool
	)
	err = doc.Object(func(key string, _ int) error {
		if key != "runs" {
			return doc.Skip()
		}
		runs = true
		return doc.Array(func(int) error { return sarifRun(doc, &out) })
	})
	if err != nil {
		return nil, err
	}
	if !runs {
		return nil, doc.Errorf(1, "not a SARIF log (no runs)")
	}
	return Dedupe(out), nil
}

func sarifRun(doc *jsonpos.Doc, out *[]snapshot.Vulnerability) error {
	type pending struct {
		r    sarifResult
		line int
	}
	var (
		tool      sarifTool
		artifacts []sarifArtifact
		results   []pending
	)
	err := doc.Object(func(key string, _ int) error {
		switch key {
		case "tool":
			return doc.Decode(&tool)
		case "artifacts":
			return doc.Decode(&artifacts)
		case "results":
			return doc.Array(func(line int) error {
				var r sarifResult
				if err := doc.Decode(&r); err != nil {
					return err
				}
				results = append(results, pending{r, line})
				return nil
			})
		}
		return doc.Skip()
	})
	if err != nil {
		return err
	}
	scanner := "sarif"
	if n := strings.ToLower(strings.TrimSpace(tool.Driver.Name)); n != "" {
		scanner += ":" + n
	}
	for _, p := range results {
		r := p.r
		if !sarifOpen(r) {
			continue
		}
		rule := findRule(tool, r)
		id := strings.TrimSpace(r.RuleID)
		if id == "" && r.Rule != nil {
			id = strings.TrimSpace(r.Rule.ID)
		}
		if id == "" && rule != nil {
			id = rule.ID
		}
		if id == "" {
			return doc.Errorf(p.line, "result without ruleId")
		}
		title := r.Message.Text
		if rule != nil {
			if rule.ShortDescription != nil && strings.TrimSpace(rule.ShortDescription.Text) != "" {
				title = rule.ShortDescription.Text
			} else if rule.Name != "" {
				title = rule.Name
			}
		}
		v := record(scanner, id, "", sarifURI(r, artifacts), sarifSeverity(r, rule), firstLine(title, 200),
			origin(doc.Name(), p.line))
		*out = append(*out, v)
	}
	return nil
}

// sarifOpen reports whether a result is an open failure.
func sarifOpen(r sarifResult) bool {
	switch strings.ToLower(r.Kind) {
	case "pass", "notapplicable", "informational":
		return false
	}
	if strings.EqualFold(r.BaselineState, "absent") {
		return false
	}
	for _, s := range r.Suppressions {
		if s.Status == "" || strings.EqualFold(s.Status, "accepted") {
			return false
		}
	}
	return true
}

// findRule resolves the rule metadata of a result.
func findRule(tool sarifTool, r sarifResult) *sarifRule {
	id := r.RuleID
	index := r.RuleIndex
	comp := &tool.Driver
	if r.Rule != nil {
		if id == "" {
			id = r.Rule.ID
		}
		if r.Rule.Index != nil {
			index = r.Rule.Index
		}
		if tc := r.Rule.ToolComponent; tc != nil && tc.Index != nil {
			if *tc.Index >= 0 && *tc.Index < len(tool.Extensions) {
				comp = &tool.Extensions[*tc.Index]
			}
		}
	}
	matches := func(rule *sarifRule) bool {
		// A hierarchical ruleId ("CA1001/sub") belongs to rule "CA1001".
		return id == "" || rule.ID == id || strings.HasPrefix(id, rule.ID+"/")
	}
	if index != nil && *index >= 0 && *index < len(comp.Rules) && matches(&comp.Rules[*index]) {
		return &comp.Rules[*index]
	}
	if id == "" {
		return nil
	}
	comps := []*sarifComponent{comp, &tool.Driver}
	for i := range tool.Extensions {
		comps = append(comps, &tool.Extensions[i])
	}
	for _, c := range comps {
		for i := range c.Rules {
			if c.Rules[i].ID == id {
				return &c.Rules[i]
			}
		}
	}
	for _, c := range comps {
		for i := range c.Rules {
			if matches(&c.Rules[i]) {
				return &c.Rules[i]
			}
		}
	}
	return nil
}

func sarifURI(r sarifResult, artifacts []sarifArtifact) string {
	for _, l := range r.Locations {
		if l.PhysicalLocation == nil || l.PhysicalLocation.ArtifactLocation == nil {
			continue
		}
		al := l.PhysicalLocation.ArtifactLocation
		if al.URI != "" {
			return al.URI
		}
		if al.Index != nil && *al.Index >= 0 && *al.Index < len(artifacts) {
			if loc := artifacts[*al.Index].Location; loc != nil {
				return loc.URI
			}
		}
	}
	return ""
}

func sarifSeverity(r sarifResult, rule *sarifRule) string {
	if rule != nil {
		if score, ok := securitySeverity(rule.Properties["security-severity"]); ok {
			return FromScore(score)
		}
	}
	level := r.Level
	if level == "" && rule != nil && rule.DefaultConfiguration != nil {
		level = rule.DefaultConfiguration.Level
	}
	switch strings.ToLower(level) {
	case "error":
		return "high"
	case "note", "none":
		return "low"
	}
	return "medium" // "warning", SARIF's default level
}

func securitySeverity(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f >= 0 && f <= 10) {
		return 0, false
	}
	return f, true
}

package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/report"
)

// SARIF prints a SARIF 2.1.0 log for GitHub code scanning: one rule per
// metric, one result per metric that fails, warns or errors.
type SARIF struct{}

// SARIF constants.
const (
	SARIFSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	SARIFVersion   = "2.1.0"
	ToolName       = "posture"
	InformationURI = "https://github.com/localizevideos/posture"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name,omitempty"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  *sarifText     `json:"fullDescription,omitempty"`
	Properties       sarifRuleProps `json:"properties"`
}

type sarifRuleProps struct {
	Category string   `json:"category"`
	Owner    string   `json:"owner"`
	Unit     string   `json:"unit"`
	Tags     []string `json:"tags,omitempty"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical  `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical  `json:"logicalLocations,omitempty"`
	Message          *sarifText      `json:"message,omitempty"`
	Properties       *sarifLocationP `json:"properties,omitempty"`
}

type sarifLocationP struct {
	Evidence string `json:"evidence,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
}

// Write implements Writer.
func (SARIF) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           ToolName,
			InformationURI: InformationURI,
			Rules:          []sarifRule{},
		}},
		Results: []sarifResult{},
	}
	index := map[string]int{}
	for _, m := range r.Metrics {
		if _, dup := index[m.ID]; dup {
			continue
		}
		index[m.ID] = len(run.Tool.Driver.Rules)
		rule := sarifRule{
			ID:               m.ID,
			Name:             m.ID,
			ShortDescription: sarifText{Text: orDefault(m.Title, m.ID)},
			Properties: sarifRuleProps{
				Category: m.Category,
				Owner:    m.Owner,
				Unit:     m.Unit,
				Tags:     []string{"security", "posture"},
			},
		}
		if m.Category != "" {
			rule.Properties.Tags = append(rule.Properties.Tags, m.Category)
		}
		target := "target " + formatTarget(m.Target, m.Unit)
		if m.Target.IsZero() {
			target = "no target (tracked)"
		}
		full := fmt.Sprintf("%s (%s, unit %s), %s, owned by %s.",
			orDefault(m.Title, m.ID), orDefault(m.Category, "uncategorised"), orDefault(m.Unit, "none"),
			target, orDefault(m.Owner, "nobody"))
		rule.FullDescription = &sarifText{Text: full}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, rule)
	}

	for _, m := range byUrgency(r.Metrics) {
		var level, text string
		title := orDefault(m.Title, m.ID)
		owner := orDefault(m.Owner, "none")
		switch m.Status {
		case report.StatusFail, report.StatusWarn:
			level = "error"
			if m.Status == report.StatusWarn {
				level = "warning"
			}
			text = fmt.Sprintf("%s: value %s, target %s (owner %s)",
				title, formatValue(m.Value, m.Unit), formatTarget(m.Target, m.Unit), owner)
		case report.StatusError:
			level = "error"
			text = fmt.Sprintf("%s: evaluation error: %s, target %s (owner %s)",
				title, oneLine(orDefault(m.Error, "unknown")), formatTarget(m.Target, m.Unit), owner)
		default:
			continue
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    m.ID,
			RuleIndex: index[m.ID],
			Level:     level,
			Message:   sarifText{Text: text},
			Locations: []sarifLocation{sarifLocationOf(m, opt.configPath())},
		})
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	log := sarifLog{Schema: SARIFSchema, Version: SARIFVersion, Runs: []sarifRun{run}}
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// sarifLocationOf points at the first evidence record of the form
// "file:line". Without one it points at line 1 of the config file: GitHub
// code scanning rejects results whose locations lack a physical location.
// The metric is always named as a logical location.
func sarifLocationOf(m report.Metric, configPath string) sarifLocation {
	loc := sarifLocation{LogicalLocations: []sarifLogical{{
		Name:               m.ID,
		FullyQualifiedName: strings.TrimPrefix(m.Category+"/"+m.ID, "/"),
	}}}
	base := path.Dir(strings.ReplaceAll(configPath, `\`, "/"))
	for _, rec := range m.Evidence.Records {
		file, line, ok := fileLine(rec)
		if !ok {
			continue
		}
		if !strings.HasPrefix(file, "/") {
			file = path.Join(base, file)
		}
		loc.PhysicalLocation = &sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: fileURI(file)},
			Region:           &sarifRegion{StartLine: line},
		}
		loc.Properties = &sarifLocationP{Evidence: rec}
		return loc
	}
	loc.PhysicalLocation = &sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: fileURI(strings.ReplaceAll(configPath, `\`, "/"))},
		Region:           &sarifRegion{StartLine: 1},
	}
	loc.Message = &sarifText{Text: "metric " + m.ID + " has no file:line evidence; anchored at the posture config"}
	return loc
}

// fileLine splits an evidence origin "path:line". URLs, scopes and origins
// whose path holds another colon do not qualify.
func fileLine(rec string) (file string, line int, ok bool) {
	i := strings.LastIndexByte(rec, ':')
	if i <= 0 || i == len(rec)-1 {
		return "", 0, false
	}
	file, num := rec[:i], rec[i+1:]
	for _, c := range num {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strings.ContainsAny(file, ":?#") || strings.TrimSpace(file) == "" {
		return "", 0, false
	}
	return file, n, true
}

// fileURI percent-encodes a slash path as a URI reference; absolute paths
// become file:// URIs.
func fileURI(p string) string {
	u := (&url.URL{Path: p}).EscapedPath()
	if strings.HasPrefix(p, "/") {
		return "file://" + u
	}
	return u
}

package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// SARIF prints a SARIF 2.1.0 log for GitHub code scanning: one rule per
// metric, one result per metric that fails, warns, errors or, gated, is not
// measured. The log follows GitHub's SARIF rules: every rule has a short and
// a full description and help (text and markdown: the metric's definition
// and what to do); every result has a message, a partial fingerprint and one
// physical location with a relative URI (uriBaseId %SRCROOT%) and a start
// line: the file behind the result where one is known (a file:line evidence
// record, a drifted watched file, the exceptions file), else the metric's
// block in the config, else the config file.
type SARIF struct{}

// SARIF constants.
const (
	SARIFSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	SARIFVersion   = "2.1.0"
	ToolName       = "posture"
	InformationURI = "https://github.com/localizevideos/posture"
	// SARIFSrcRoot is the uriBaseId of every location: the repository root
	// (posture runs there, so paths relative to the working directory are
	// relative to it).
	SARIFSrcRoot = "%SRCROOT%"
	// SARIFFingerprint is the partialFingerprints key: one alert per metric
	// and outcome, wherever its location moves.
	SARIFFingerprint = "postureMetric/v1"
)

// GitHub's security-severity of a rule: a gated metric blocks the pipeline
// (high), the others inform (medium).
const (
	severityGated   = "7.0"
	severityUngated = "4.0"
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
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifHelp      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Category         string   `json:"category"`
	Owner            string   `json:"owner"`
	Unit             string   `json:"unit"`
	Gate             bool     `json:"gate"`
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
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
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
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
	driver := sarifDriver{Name: ToolName, InformationURI: InformationURI, Rules: []sarifRule{}}
	if r.Tool != nil {
		driver.Version = driverVersion(r.Tool.Version)
		driver.SemanticVersion = semanticVersion(r.Tool.Version)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	index := map[string]int{}
	for _, m := range r.Metrics {
		if _, dup := index[m.ID]; dup {
			continue
		}
		index[m.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(r, m, opt))
	}

	chosen := len(opt.GateOn) > 0
	for _, m := range byUrgency(r.Metrics) {
		var level, msg string
		title := orDefault(m.Title, m.ID)
		owner := orDefault(m.Owner, "none")
		switch {
		case m.Status == report.StatusFail || m.Status == report.StatusWarn:
			level = "error"
			if m.Status == report.StatusWarn {
				level = "warning"
			}
			msg = fmt.Sprintf("%s: value %s, target %s (owner %s).",
				title, text.Value(m.Value, m.Unit), text.Target(m.Target, m.Unit), owner)
		case m.Status == report.StatusError:
			level = "error"
			msg = fmt.Sprintf("%s: evaluation error: %s, target %s (owner %s).",
				title, strings.TrimSuffix(text.OneLine(orDefault(m.Error, "unknown")), "."), text.Target(m.Target, m.Unit), owner)
		case opt.isNotMeasured(m):
			level = "error"
			msg = fmt.Sprintf("%s: %s (owner %s).", title, MetricNotMeasured(m, chosen), owner)
		default:
			continue
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:              m.ID,
			RuleIndex:           index[m.ID],
			Level:               level,
			Message:             sarifText{Text: msg},
			Locations:           []sarifLocation{sarifLocationOf(r, m, opt)},
			PartialFingerprints: map[string]string{SARIFFingerprint: m.ID + ":" + outcome(m)},
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

// outcome groups statuses into the alerts they raise: one for a missed
// target (fail or warn), one for an error, one for not measured.
func outcome(m report.Metric) string {
	switch m.Status {
	case report.StatusFail, report.StatusWarn:
		return "off_target"
	case report.StatusUnmeasured, report.StatusNoData:
		return "not_measured"
	}
	return string(m.Status)
}

// sarifRuleOf describes a metric: its definition, target, owner, gate, its
// status in this report and what to do about it.
func sarifRuleOf(r *report.Report, m report.Metric, opt Options) sarifRule {
	info := opt.Metrics[m.ID]
	gated := opt.gated(m)
	title := orDefault(m.Title, m.ID)
	target := "target " + text.Target(m.Target, m.Unit)
	if m.Target.IsZero() {
		target = "no target (tracked)"
	}
	rule := sarifRule{
		ID:               m.ID,
		Name:             ruleName(m.ID),
		ShortDescription: sarifText{Text: title},
		FullDescription: sarifText{Text: fmt.Sprintf("%s (%s, unit %s), %s, owned by %s.",
			title, orDefault(m.Category, "uncategorised"), orDefault(m.Unit, "none"), target, orDefault(m.Owner, "nobody"))},
		DefaultConfiguration: sarifConfig{Level: "warning"},
		Properties: sarifRuleProps{
			Category:         m.Category,
			Owner:            m.Owner,
			Unit:             m.Unit,
			Gate:             gated,
			Tags:             []string{"security", "posture"},
			Precision:        "very-high", // counted from the records, not inferred
			SecuritySeverity: severityUngated,
		},
	}
	if m.Category != "" {
		rule.Properties.Tags = append(rule.Properties.Tags, m.Category)
	}
	if gated {
		rule.DefaultConfiguration.Level = "error"
		rule.Properties.Tags = append(rule.Properties.Tags, "gated")
		rule.Properties.SecuritySeverity = severityGated
	}
	desc := strings.TrimSpace(text.OneLine(info.Description))
	if desc != "" && !strings.HasSuffix(desc, ".") {
		desc += "."
	}
	gate := "not gated"
	if gated {
		gate = "gated: the gate fails when it fails its target or is not measured"
	}
	status := fmt.Sprintf("%s, value %s", m.Status, text.Value(m.Value, m.Unit))
	todo := whatToDo(m, info, gated, len(opt.GateOn) > 0)

	var t strings.Builder
	fmt.Fprintf(&t, "%s (%s).", title, m.ID)
	if desc != "" {
		fmt.Fprintf(&t, " %s", desc)
	}
	fmt.Fprintf(&t, "\nCategory %s, unit %s, %s, owner %s, %s.\n", orDefault(m.Category, "uncategorised"),
		orDefault(m.Unit, "none"), target, orDefault(m.Owner, "none"), gate)
	fmt.Fprintf(&t, "Status as of %s: %s.\n", text.Date(r.AsOf), status)
	fmt.Fprintf(&t, "What to do: %s\n", todo)

	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s)\n\n", text.MD(title), text.Code(m.ID))
	if desc != "" {
		fmt.Fprintf(&md, "%s\n\n", text.MD(desc))
	}
	fmt.Fprintf(&md, "| Category | Unit | Target | Owner | Gate |\n|---|---|---|---|---|\n")
	gateCell := "no"
	if gated {
		gateCell = "yes"
	}
	fmt.Fprintf(&md, "| %s | %s | %s | %s | %s |\n\n", text.Cell(orDefault(m.Category, "uncategorised")), text.Cell(orDefault(m.Unit, "none")),
		text.Cell(text.Target(m.Target, m.Unit)), text.Cell(text.MD(orDefault(m.Owner, "none"))), gateCell)
	fmt.Fprintf(&md, "**Status** as of %s: %s %s.\n\n", text.Date(r.AsOf), text.StatusEmoji(m.Status), text.MD(status))
	fmt.Fprintf(&md, "**What to do:** %s\n", todo)
	rule.Help = sarifHelp{Text: t.String(), Markdown: md.String()}
	rule.HelpURI = builtinRuleURI(info.BuiltinRule, r.Tool)
	return rule
}

// builtinRuleURI links a built-in metric's rule (its METADATA and Rego) in
// the repository, at the release the report was made with ("main" for
// development builds); "" for custom metrics.
func builtinRuleURI(rule string, tool *report.Tool) string {
	file, line, ok := fileLine(rule)
	if !ok {
		return ""
	}
	ref := "main"
	if tool != nil {
		if v := semanticVersion(tool.Version); v != "" && !strings.ContainsAny(v, "-+") {
			ref = tool.Version
		}
	}
	return fmt.Sprintf("%s/blob/%s/policies/%s#L%d", InformationURI, ref, (&url.URL{Path: file}).EscapedPath(), line)
}

// whatToDo is the fix for a metric in its status (one paragraph; code
// spans are plain backticks, readable as text too).
func whatToDo(m report.Metric, info MetricInfo, gated, chosen bool) string {
	owner := orDefault(m.Owner, "its owner")
	target := text.Target(m.Target, m.Unit)
	explain := fmt.Sprintf("`posture explain %s` lists the records that counted, with their raw lines", m.ID)
	switch m.Status {
	case report.StatusFail:
		return fmt.Sprintf("%s owns it: bring it back within its target (%s): %s; for an accepted deviation, record an approved exception in the exceptions file.",
			owner, target, explain)
	case report.StatusWarn:
		return fmt.Sprintf("%s owns it: the soft target (%s) is missed; act on it as on a failing metric (%s).", owner, target, explain)
	case report.StatusError:
		return fmt.Sprintf("fix the source or policy error: %s.", strings.TrimSuffix(text.OneLine(orDefault(m.Error, "unknown")), "."))
	case report.StatusUnmeasured, report.StatusNoData:
		var s string
		if kinds := sourceKinds(info); len(kinds) > 0 {
			s = fmt.Sprintf("%s; the source %s: %s", statusExplain(m, true),
				text.Plural(len(kinds), "kind that feeds it", "kinds that feed it"), strings.Join(kinds, ", "))
		} else {
			s = statusExplain(m, true)
		}
		if m.Status == report.StatusNoData && len(m.Sources) > 0 {
			s += fmt.Sprintf(" (configured: %s)", strings.Join(m.Sources, ", "))
		}
		if gated {
			return s + "; " + notMeasuredFix([]report.Metric{m}, chosen) + "."
		}
		return s + "; configure a source of that kind to measure it (`posture metrics` shows which kinds feed it)."
	case report.StatusPass:
		return "nothing: it is on target."
	}
	return "nothing: it is tracked without a threshold; watch its trend."
}

// sarifLocationOf points at the file behind a result: the first evidence
// record that names a file in the repository (a file:line origin, a drifted
// watched file "changed: path", or an exception id, whose block in the
// exceptions file is the location), else the metric's block in the config,
// else line 1 of the config file. Evidence paths are relative to the
// config's folder and are rebased onto it; paths outside the repository
// (absolute, or climbing out of it) cannot be shown by GitHub code scanning
// and are skipped. The metric is always named as a logical location.
func sarifLocationOf(r *report.Report, m report.Metric, opt Options) sarifLocation {
	loc := sarifLocation{LogicalLocations: []sarifLogical{{
		Name:               m.ID,
		FullyQualifiedName: strings.TrimPrefix(m.Category+"/"+m.ID, "/"),
	}}}
	configPath := strings.ReplaceAll(opt.configPath(), `\`, "/")
	base := path.Dir(configPath)
	at := func(file string, line int, msg, evidence string) sarifLocation {
		loc.PhysicalLocation = &sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: fileURI(file), URIBaseID: SARIFSrcRoot},
			Region:           &sarifRegion{StartLine: line},
		}
		if strings.HasPrefix(file, "/") {
			loc.PhysicalLocation.ArtifactLocation.URIBaseID = ""
		}
		if msg != "" {
			loc.Message = &sarifText{Text: msg}
		}
		if evidence != "" {
			loc.Properties = &sarifLocationP{Evidence: evidence}
		}
		return loc
	}
	// inRepo rebases an evidence path onto the config's folder; ok is false
	// when the result would not be a path inside the repository.
	inRepo := func(file string) (string, bool) {
		file = strings.ReplaceAll(file, `\`, "/")
		if path.IsAbs(file) {
			return "", false
		}
		p := path.Join(base, file)
		if p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) {
			return "", false
		}
		return p, true
	}
	exceptions := map[string]report.Exception{}
	for _, x := range r.Exceptions {
		if x.Origin != "" {
			exceptions[x.ID] = x
		}
	}
	if m.Status != report.StatusUnmeasured && m.Status != report.StatusNoData {
		for _, rec := range m.Evidence.Records {
			if file, ok := driftedFile(rec); ok {
				if p, ok := inRepo(file); ok {
					return at(p, 1, "watched config file "+rec, rec)
				}
				continue
			}
			if file, line, ok := fileLine(rec); ok {
				if p, ok := inRepo(file); ok {
					return at(p, line, "", rec)
				}
				continue
			}
			if x, ok := exceptionOf(rec, exceptions); ok {
				if file, line, ok := fileLine(x.Origin); ok {
					if p, ok := inRepo(file); ok {
						return at(p, line, fmt.Sprintf("exception %s (%s)", x.ID, orDefault(x.State, "declared")), rec)
					}
				}
			}
		}
	}
	if n := opt.Metrics[m.ID].ConfigLine; n > 0 {
		return at(configPath, n, "the metric block of "+m.ID+" in the posture config", "")
	}
	if m.Status == report.StatusUnmeasured || m.Status == report.StatusNoData {
		return at(configPath, 1, "metric "+m.ID+" is not measured: its sources and its gate are configured in the posture config", "")
	}
	return at(configPath, 1, "metric "+m.ID+" has no file:line evidence; anchored at the posture config", "")
}

// driftedFile reads a config drift record, "changed: path" or "added:
// path" (a removed file has nothing to point at).
func driftedFile(rec string) (string, bool) {
	for _, prefix := range []string{"changed: ", "added: "} {
		if p, ok := strings.CutPrefix(rec, prefix); ok && strings.TrimSpace(p) != "" {
			return p, true
		}
	}
	return "", false
}

// exceptionOf finds the exception a record names: the record is its id,
// or ends with ":" and its id (a compliance check's "check:EXC-006").
func exceptionOf(rec string, exceptions map[string]report.Exception) (report.Exception, bool) {
	if x, ok := exceptions[rec]; ok {
		return x, true
	}
	if i := strings.LastIndexByte(rec, ':'); i >= 0 {
		x, ok := exceptions[rec[i+1:]]
		return x, ok
	}
	return report.Exception{}, false
}

// semverRE is Semantic Versioning 2.0.0's own pattern, with an optional "v".
var semverRE = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// semanticVersion is a version as SARIF's semanticVersion wants it ("1.2.3",
// no "v"), or "" when it is not a semantic version (a development build).
func semanticVersion(v string) string {
	if strings.Contains(v, "devel") || !semverRE.MatchString(v) {
		return ""
	}
	return strings.TrimPrefix(v, "v")
}

// driverVersion is the tool version as SARIF's driver.version wants it:
// starting with an integer (SARIF2005), so "v1.2.0" is given as "1.2.0" and
// a development build ("devel") as "0.0.0-devel".
func driverVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' {
		return "0.0.0-" + v
	}
	return v
}

// ruleName is a rule's friendly name, omitted when it would only repeat
// the id (SARIF1001: a name identical to the id must be left out).
func ruleName(id string) string {
	if n := pascalCase(id); !strings.EqualFold(n, id) {
		return n
	}
	return ""
}

// pascalCase turns a metric id into a SARIF rule's friendly name:
// tls_downgrade_attempts → TlsDowngradeAttempts.
func pascalCase(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
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

package docgen

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/tabular"
	"github.com/localizevideos/posture/sources/vuln"
)

// configuration is the data of docs/configuration.md.
type configuration struct {
	Example  string
	Settings []Attr
	Blocks   []blockDoc
	Groups   []kindGroup
	Env      []EnvVar
}

type blockDoc struct {
	Type   string
	Header string // owner "<name>"
	Doc    string
	Body   *Body
}

type kindGroup struct {
	Title  string
	Anchor string
	Intro  string // Markdown
	Kinds  []kindDoc
}

type kindDoc struct {
	Name    string
	Summary string
	Doc     string
	Attrs   []Attr
	Columns []sources.Column
	Feeds   string // Markdown: the metrics it feeds
	Short   string // Markdown: the same, ids only, for the summary table
}

// kindGroups orders the source kinds in the reference. A registered kind
// missing here is listed under "Other kinds" (and a test fails).
var kindGroups = []struct {
	title, anchor, intro string
	kinds                []string
}{
	{"Log files", "log-files", "The log kinds stream their files line by line, gzip-rotated files (`.gz`) included. " +
		"A line that matches no known pattern is skipped and counted (`skipped_lines` in the snapshot manifest), never an error; " +
		"a pattern that matches no file is a source error. Every event keeps its `file:line` origin, and the window is applied by the policies, " +
		"so a snapshot holds every event of the files.",
		[]string{"sshd_log", "nginx_access_log", "nginx_error_log", "app_log", "fail2ban_log"}},
	{"Table files", "table-files", tabular.Formats,
		[]string{"incidents", "alerts", "accounts", "tokens", "audit_findings", "deployments"}},
	{"Vulnerability findings", "vulnerability-findings", vuln.Findings,
		[]string{"trivy", "grype", "govulncheck", "sarif"}},
	{"Watched config files", "watched-config-files", "",
		[]string{"config_files"}},
	{"Live sources", "live-sources", "These kinds query live systems when a snapshot is taken: run them where the systems are reachable " +
		"(and take the snapshot once, then `posture eval --snapshot DIR` as often as needed). A target that cannot be reached is recorded with its error; " +
		"when every target fails, the source fails.",
		[]string{"headers", "tls", "github"}},
	{"Systems of record", "systems-of-record", "These kinds read the systems where a team keeps its incidents, alerts, accounts, tokens and " +
		"audit findings, through their APIs, so no metric depends on a hand-made export. Credentials come from the environment only " +
		"(each kind names its variables) and never reach a snapshot, a report or an error. A read that fails or stays rate-limited " +
		"after the retries fails the source: the metrics it feeds are `error` and the run exits 2.",
		[]string{"pagerduty", "jira", "okta", "aws_iam"}},
	{"Query back-ends", "query-back-ends", "These kinds count events where the data already lives instead of reading its lines: one query per " +
		"event type over the report window, each count recorded as one event whose weight is that count, so it feeds the same event metrics " +
		"as the log kinds (a log line weighs 1). Only the event types queried count as measured by the source. Distinct counts (blocked IPs) " +
		"are the query's job. Credentials come from the environment only; a query that fails or times out fails the source: the metrics it " +
		"feeds are `error` and the run exits 2.",
		[]string{"prometheus", "loki", "elasticsearch"}},
}

// exampleConfig is the example at the top of the reference (a test loads
// it and resolves it against the catalogue).
const exampleConfig = "templates/example.hcl"

func configurationData(cat []*engine.Definition) (*configuration, error) {
	ex, err := templates.ReadFile(exampleConfig)
	if err != nil {
		return nil, err
	}
	out := &configuration{Example: strings.TrimSpace(string(ex)), Env: EnvVars}
	if out.Settings, err = settings(); err != nil {
		return nil, err
	}
	for _, b := range config.Blocks() {
		d := blockDoc{Type: b.Type, Doc: b.Doc, Header: b.Type}
		for _, l := range b.Labels {
			d.Header += ` "<` + l + `>"`
		}
		if b.Body != nil {
			if d.Body, err = bodyOf(b.Body, b.Defaults); err != nil {
				return nil, fmt.Errorf("block %s: %w", b.Type, err)
			}
		}
		out.Blocks = append(out.Blocks, d)
	}
	listed := map[string]bool{}
	for _, g := range kindGroups {
		grp := kindGroup{Title: g.title, Anchor: g.anchor, Intro: strings.TrimSpace(g.intro)}
		for _, name := range g.kinds {
			k, ok := sources.Lookup(name)
			if !ok {
				return nil, fmt.Errorf("source kind %q is listed in kindGroups but not registered", name)
			}
			listed[name] = true
			kd, err := kindData(k, cat)
			if err != nil {
				return nil, err
			}
			grp.Kinds = append(grp.Kinds, kd)
		}
		out.Groups = append(out.Groups, grp)
	}
	other := kindGroup{Title: "Other kinds", Anchor: "other-kinds"}
	for _, name := range sources.Kinds() {
		if listed[name] {
			continue
		}
		k, _ := sources.Lookup(name)
		kd, err := kindData(k, cat)
		if err != nil {
			return nil, err
		}
		other.Kinds = append(other.Kinds, kd)
	}
	if len(other.Kinds) > 0 {
		out.Groups = append(out.Groups, other)
	}
	return out, nil
}

// settings documents the top-level attributes: types and defaults are
// those of a config that sets nothing but the project, loaded for real.
func settings() ([]Attr, error) {
	dir, err := os.MkdirTemp("", "posture-docgen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "posture.hcl")
	if err := os.WriteFile(path, []byte(`project = "<project>"`+"\n"), 0o644); err != nil {
		return nil, err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading a config with defaults only: %w", err)
	}
	var out []Attr
	for _, s := range config.Settings {
		v := s.Get(cfg)
		a := Attr{Name: s.Name, Type: hclType(reflect.TypeOf(v)), Required: s.Required, Doc: s.Doc}
		switch {
		case s.Required:
		case s.DefaultDoc != "":
			a.Default = s.DefaultDoc
		default:
			a.Default = hclValue(v)
		}
		out = append(out, a)
	}
	return out, nil
}

func kindData(k sources.Kind, cat []*engine.Definition) (kindDoc, error) {
	d := kindDoc{Name: k.Name, Summary: k.Summary, Doc: strings.TrimSpace(k.Doc), Columns: k.Columns}
	if k.Build == nil {
		return d, fmt.Errorf("source kind %s: no Build", k.Name)
	}
	b, err := bodyOf(k.NewConfig(), k.Defaults)
	if err != nil {
		return d, fmt.Errorf("source kind %s: %w", k.Name, err)
	}
	d.Attrs = b.Attrs
	for _, blk := range b.Blocks { // a kind's nested blocks (query "<type>" {...}) and their attributes
		d.Attrs = append(d.Attrs, Attr{Name: blk.Name, Type: "block", Doc: blk.Doc})
		for _, a := range blk.Block.Attrs {
			a.Name = blk.Name + "." + a.Name
			d.Attrs = append(d.Attrs, a)
		}
	}
	d.Feeds, d.Short = feeds(k.Name, cat)
	return d, nil
}

// feeds lists the catalogue metrics fed by the kind: whose inputs name a
// collection it provides (or one of its parts does).
func feeds(kind string, cat []*engine.Definition) (long, short string) {
	var parts, ids []string
	for _, def := range cat {
		for _, f := range def.Feeds() {
			if f.Kind != kind {
				continue
			}
			s := metricLink(def.ID, ConfigurationFile)
			if f.Part != "" {
				s += " (part `" + f.Part + "`)"
			}
			parts = append(parts, s)
			ids = append(ids, "`"+def.ID+"`")
			break
		}
	}
	if len(parts) == 0 {
		none := "no metric directly: its records are judged by the compliance checks, whose failures count toward " + metricLink("compliance_drift", ConfigurationFile) + "."
		return none, "compliance checks"
	}
	return strings.Join(parts, ", ") + ".", strings.Join(ids, ", ")
}

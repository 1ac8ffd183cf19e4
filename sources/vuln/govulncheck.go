package vuln

import (
	"encoding/json"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

type govMessage struct {
	Config *struct {
		ScanLevel string `json:"scan_level"`
	} `json:"config"`
	Progress json.RawMessage `json:"progress"`
	SBOM     json.RawMessage `json:"SBOM"`
	OSV      *osvEntry       `json:"osv"`
	Finding  *govFinding     `json:"finding"`
}

type osvEntry struct {
	ID               string         `json:"id"`
	Summary          string         `json:"summary"`
	Details          string         `json:"details"`
	DatabaseSpecific map[string]any `json:"database_specific"`
	Severity         []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
}

type govFinding struct {
	OSV          string `json:"osv"`
	FixedVersion string `json:"fixed_version"`
	Trace        []struct {
		Module   string `json:"module"`
		Version  string `json:"version"`
		Package  string `json:"package"`
		Function string `json:"function"`
	} `json:"trace"`
}

// ParseGovulncheck reads a `govulncheck -json` stream: JSON objects one
// after another (pretty-printed), each with one of config, progress, SBOM,
// osv or finding. Like govulncheck's text output, a finding counts only at
// the scan's level: at the default symbol level only findings whose first
// trace frame names a function (the vulnerable symbol is called); with
// `-scan package` findings naming a package; with `-scan module` all.
// Imported-but-not-called and required-but-not-imported findings are not
// open vulnerabilities.
//
// Key: the OSV id (GO-…), the module path (trace[0].module, "stdlib" for
// the standard library) and, as target, the report file's display path
// (the stream does not name the scanned module). The many findings of one
// vulnerability (one per call path) are one record, the origin is the
// first one's line. version = the module version found, fixed_in =
// fixed_version, title = the OSV summary.
//
// Severity: the Go vulnerability database does not rate severity, so it is
// the OSV entry's database_specific.severity when present, else the one
// computed from a CVSS v3 vector (or a numeric score) in its severity[],
// else unknown.
func ParseGovulncheck(display string, data []byte) ([]snapshot.Vulnerability, error) {
	data, err := prepare(display, data)
	if err != nil {
		return nil, err
	}
	doc := jsonpos.New(display, data)
	type pending struct {
		f    govFinding
		line int
	}
	var (
		level    = "symbol"
		osvs     = map[string]*osvEntry{}
		findings []pending
		known    bool
	)
	err = doc.Stream(func(line int) error {
		if doc.Peek() != '{' {
			return doc.Errorf(line, "expected a JSON object (govulncheck -json message)")
		}
		var m govMessage
		if err := doc.Decode(&m); err != nil {
			return err
		}
		switch {
		case m.Config != nil:
			known = true
			if l := strings.ToLower(strings.TrimSpace(m.Config.ScanLevel)); l != "" {
				level = l
			}
		case m.OSV != nil:
			known = true
			if m.OSV.ID != "" {
				osvs[m.OSV.ID] = m.OSV
			}
		case m.Finding != nil:
			known = true
			if strings.TrimSpace(m.Finding.OSV) == "" {
				return doc.Errorf(line, "finding without osv id")
			}
			findings = append(findings, pending{*m.Finding, line})
		case m.Progress != nil, m.SBOM != nil:
			known = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, doc.Errorf(1, "not a govulncheck -json stream (no config, osv or finding message)")
	}
	var out []snapshot.Vulnerability
	for _, p := range findings {
		f := p.f
		if len(f.Trace) == 0 {
			continue
		}
		fr := f.Trace[0]
		switch level {
		case "module":
		case "package":
			if fr.Package == "" {
				continue
			}
		default: // symbol
			if fr.Function == "" {
				continue
			}
		}
		id := strings.TrimSpace(f.OSV)
		sev, title := "unknown", ""
		if e := osvs[id]; e != nil {
			sev = osvSeverity(e)
			title = e.Summary
			if strings.TrimSpace(title) == "" {
				title = e.Details
			}
		}
		r := record("govulncheck", id, fr.Module, display, sev, firstLine(title, 200), origin(display, p.line))
		r.Version = fr.Version
		r.FixedIn = f.FixedVersion
		out = append(out, r)
	}
	return Dedupe(out), nil
}

// osvSeverity rates an OSV entry (see ParseGovulncheck).
func osvSeverity(e *osvEntry) string {
	if s, ok := e.DatabaseSpecific["severity"].(string); ok {
		if sev := NormalizeSeverity(s); sev != "unknown" {
			return sev
		}
	}
	best := -1.0
	for _, s := range e.Severity {
		if score, ok := CVSSScore(s.Score); ok && score > best {
			best = score
		}
	}
	if best >= 0 {
		return FromScore(best)
	}
	return "unknown"
}

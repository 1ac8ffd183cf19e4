package vuln

import (
	"encoding/json"
	"strings"

	"github.com/localizevideos/posture/snapshot"
)

type grypeMatch struct {
	Vulnerability struct {
		ID          string `json:"id"`
		Severity    string `json:"severity"`
		Description string `json:"description"`
		Fix         struct {
			Versions []string `json:"versions"`
		} `json:"fix"`
	} `json:"vulnerability"`
	RelatedVulnerabilities []struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	} `json:"relatedVulnerabilities"`
	Artifact struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"artifact"`
}

type grypeSource struct {
	Type   string          `json:"type"`
	Target json.RawMessage `json:"target"`
}

// ParseGrype reads a Grype JSON report (`grype -o json`): matches[], keyed
// by vulnerability.id (a GHSA stays a GHSA even when relatedVulnerabilities
// names its CVE: the key must not change when the database adds an alias),
// package = artifact.name, version = artifact.version, fixed_in = the
// fix versions joined with ", ". ignoredMatches (suppressed by the Grype
// config) are not open and are not read.
//
// Target = what was scanned, from `source`: for an image the reference the
// user gave (target.userInput, else the first tag, else the image id); for a
// directory, file or SBOM the path (target is a string there); a report
// without a usable source falls back to the report's own path. Per-artifact
// locations are not part of the key: the same package found in two places
// of one image is one finding.
//
// Severity: Negligible is low, Unknown unknown. The title is the first line
// of the description (the vulnerability's, else its first related one's).
func ParseGrype(display string, data []byte) ([]snapshot.Vulnerability, error) {
	doc, err := newDoc(display, data)
	if err != nil {
		return nil, err
	}
	type pending struct {
		m    grypeMatch
		line int
	}
	var (
		list    []pending
		src     grypeSource
		hasSrc  bool
		matches bool
	)
	err = doc.Object(func(key string, line int) error {
		switch key {
		case "matches":
			matches = true
			return doc.Array(func(line int) error {
				var m grypeMatch
				if err := doc.Decode(&m); err != nil {
					return err
				}
				if strings.TrimSpace(m.Vulnerability.ID) == "" {
					return doc.Errorf(line, "match without vulnerability.id")
				}
				list = append(list, pending{m, line})
				return nil
			})
		case "source":
			hasSrc = true
			return doc.Decode(&src)
		}
		return doc.Skip()
	})
	if err != nil {
		return nil, err
	}
	if !matches {
		return nil, doc.Errorf(1, "not a Grype JSON report (no matches)")
	}
	target := ""
	if hasSrc {
		target = grypeTarget(src)
	}
	if target == "" {
		target = display
	}
	out := make([]snapshot.Vulnerability, 0, len(list))
	for _, p := range list {
		m := p.m
		title := m.Vulnerability.Description
		if strings.TrimSpace(title) == "" {
			for _, r := range m.RelatedVulnerabilities {
				if strings.TrimSpace(r.Description) != "" {
					title = r.Description
					break
				}
			}
		}
		r := record("grype", strings.TrimSpace(m.Vulnerability.ID), m.Artifact.Name, target,
			NormalizeSeverity(m.Vulnerability.Severity), firstLine(title, 200), origin(display, p.line))
		r.Version = m.Artifact.Version
		r.FixedIn = strings.Join(m.Vulnerability.Fix.Versions, ", ")
		out = append(out, r)
	}
	return Dedupe(out), nil
}

// grypeTarget picks the display of the scanned source.
func grypeTarget(src grypeSource) string {
	if len(src.Target) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(src.Target, &s) == nil {
		if s == "unknown" && src.Type == "unknown" {
			return ""
		}
		return s
	}
	var img struct {
		UserInput string   `json:"userInput"`
		Tags      []string `json:"tags"`
		ImageID   string   `json:"imageID"`
		Path      string   `json:"path"`
		Name      string   `json:"name"`
	}
	if json.Unmarshal(src.Target, &img) != nil {
		return ""
	}
	switch {
	case img.UserInput != "":
		return img.UserInput
	case len(img.Tags) > 0 && img.Tags[0] != "":
		return img.Tags[0]
	case img.ImageID != "":
		return img.ImageID
	case img.Path != "":
		return img.Path
	}
	return img.Name
}

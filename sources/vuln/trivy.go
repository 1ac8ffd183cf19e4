package vuln

import (
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/tabular/jsonpos"
)

type trivyVuln struct {
	VulnerabilityID  string
	PkgName          string
	InstalledVersion string
	FixedVersion     string
	Severity         string
	Title            string
	Description      string
}

// ParseTrivy reads a Trivy JSON report (`trivy image|fs|repo --format
// json`): Results[].Vulnerabilities[], with the result's Target as the
// target. Also read: the `trivy k8s --format json` reports, whose resources
// (`Resources[]`, or `Vulnerabilities[]` in older releases) each carry their
// own Results. Results or Vulnerabilities may be null. Misconfigurations and
// secrets are not vulnerabilities and are ignored. A result without a
// Target takes the report's ArtifactName. Severity UNKNOWN is unknown. The
// origin is the line of the vulnerability object.
func ParseTrivy(display string, data []byte) ([]snapshot.Vulnerability, error) {
	doc, err := newDoc(display, data)
	if err != nil {
		return nil, err
	}
	var (
		out      []snapshot.Vulnerability
		artifact string
		known    bool
	)
	resources := func() error {
		return doc.Array(func(int) error {
			return doc.Object(func(key string, _ int) error {
				if strings.EqualFold(key, "Results") {
					return trivyResults(doc, &out)
				}
				return doc.Skip()
			})
		})
	}
	err = doc.Object(func(key string, _ int) error {
		switch {
		case strings.EqualFold(key, "Results"):
			known = true
			return trivyResults(doc, &out)
		case strings.EqualFold(key, "Resources"), strings.EqualFold(key, "Vulnerabilities"):
			known = true
			return resources()
		case strings.EqualFold(key, "ArtifactName"):
			known = true
			var s *string
			if err := doc.Decode(&s); err != nil {
				return err
			}
			if s != nil {
				artifact = *s
			}
			return nil
		case strings.EqualFold(key, "SchemaVersion"), strings.EqualFold(key, "ClusterName"):
			known = true
		}
		return doc.Skip()
	})
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, doc.Errorf(1, "not a Trivy JSON report (no SchemaVersion, ArtifactName or Results)")
	}
	for i := range out {
		if out[i].Target == "" && artifact != "" {
			out[i].Target = artifact
			out[i].Key = Key(out[i].ID, out[i].Package, artifact)
		}
	}
	return Dedupe(out), nil
}

// trivyResults walks a Results array.
func trivyResults(doc *jsonpos.Doc, out *[]snapshot.Vulnerability) error {
	return doc.Array(func(int) error {
		type pending struct {
			v    trivyVuln
			line int
		}
		var (
			target string
			list   []pending
		)
		err := doc.Object(func(key string, _ int) error {
			switch {
			case strings.EqualFold(key, "Target"):
				var s *string
				if err := doc.Decode(&s); err != nil {
					return err
				}
				if s != nil {
					target = *s
				}
				return nil
			case strings.EqualFold(key, "Vulnerabilities"):
				return doc.Array(func(line int) error {
					var v trivyVuln
					if err := doc.Decode(&v); err != nil {
						return err
					}
					if strings.TrimSpace(v.VulnerabilityID) == "" {
						return doc.Errorf(line, "vulnerability without VulnerabilityID")
					}
					list = append(list, pending{v, line})
					return nil
				})
			}
			return doc.Skip()
		})
		if err != nil {
			return err
		}
		for _, p := range list {
			title := p.v.Title
			if strings.TrimSpace(title) == "" {
				title = p.v.Description
			}
			r := record("trivy", strings.TrimSpace(p.v.VulnerabilityID), p.v.PkgName, target,
				NormalizeSeverity(p.v.Severity), firstLine(title, 200), origin(doc.Name(), p.line))
			r.Version = p.v.InstalledVersion
			r.FixedIn = p.v.FixedVersion
			*out = append(*out, r)
		}
		return nil
	})
}

package cli

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/version"
	"github.com/localizevideos/posture/report"
)

// The machine outputs of the bundled example, checked against what their
// consumers accept: GitHub code scanning (SARIF) and JUnit test reporters
// (the common JUnit schema).

const exampleConfig = "examples/localizevideos/posture.hcl"

// runExample runs posture from the repository root on the example (the
// way CI runs it: locations relative to the root).
func runExample(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return run(t, repoRoot(t), append([]string{"-c", exampleConfig, "--as-of", "2026-11-27"}, args...)...)
}

// githubSARIF is the part of a SARIF log GitHub code scanning reads.
type githubSARIF struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				Version         string `json:"version"`
				SemanticVersion string `json:"semanticVersion"`
				Rules           []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					FullDescription struct {
						Text string `json:"text"`
					} `json:"fullDescription"`
					Help *struct {
						Text     string `json:"text"`
						Markdown string `json:"markdown"`
					} `json:"help"`
					HelpURI    string `json:"helpUri"`
					Properties struct {
						Tags             []string `json:"tags"`
						SecuritySeverity *string  `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Locations           []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

var securitySeverity = regexp.MustCompile(`^(10(\.0)?|\d(\.\d)?)$`)

// checkGitHubSARIF checks a SARIF log against the rules of GitHub code
// scanning that hold structurally (GitHub's "SARIF support for code
// scanning" and the SARIF multitool's GH rules): version 2.1.0; the driver
// names the tool and its version; every rule has an id, short and full
// descriptions and help with text and markdown, and a security-severity
// between 0 and 10 only with the "security" tag; every result has a rule id
// matching its rule index, a level of note, warning or error, a message, a
// partial fingerprint and exactly one physical location whose URI is a
// relative path inside the repository, with startLine >= 1, that exists.
// It returns the results' locations by rule id ("uri:line").
func checkGitHubSARIF(t *testing.T, data []byte, root string) map[string]string {
	t.Helper()
	var doc githubSARIF
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, "2.1.0", doc.Version)
	require.Len(t, doc.Runs, 1)
	run := doc.Runs[0]
	d := run.Tool.Driver
	assert.Equal(t, "posture", d.Name)
	assert.NotEmpty(t, d.Version, "tool.driver.version")
	require.NotEmpty(t, d.Rules)
	for _, rule := range d.Rules {
		assert.NotEmpty(t, rule.ID)
		assert.NotEmpty(t, rule.ShortDescription.Text, rule.ID)
		assert.NotEmpty(t, rule.FullDescription.Text, rule.ID)
		if assert.NotNil(t, rule.Help, "GH2012: rule %s has no help", rule.ID) {
			assert.NotEmpty(t, strings.TrimSpace(rule.Help.Text), "rule %s help.text", rule.ID)
			assert.NotEmpty(t, strings.TrimSpace(rule.Help.Markdown), "rule %s help.markdown", rule.ID)
		}
		if s := rule.Properties.SecuritySeverity; s != nil {
			assert.Regexp(t, securitySeverity, *s, rule.ID)
			assert.Contains(t, rule.Properties.Tags, "security", "security-severity needs the security tag: %s", rule.ID)
		}
	}
	where := map[string]string{}
	for _, res := range run.Results {
		if assert.NotNil(t, res.RuleIndex, res.RuleID) && assert.Less(t, *res.RuleIndex, len(d.Rules), res.RuleID) {
			assert.Equal(t, res.RuleID, d.Rules[*res.RuleIndex].ID, "ruleId and ruleIndex agree")
		}
		assert.Contains(t, []string{"note", "warning", "error"}, res.Level, res.RuleID)
		assert.NotEmpty(t, res.Message.Text, res.RuleID)
		assert.NotEmpty(t, res.PartialFingerprints, res.RuleID)
		require.Len(t, res.Locations, 1, res.RuleID)
		pl := res.Locations[0].PhysicalLocation
		require.NotNil(t, pl, "%s: a physical location", res.RuleID)
		require.NotNil(t, pl.Region, "%s: a region", res.RuleID)
		assert.GreaterOrEqual(t, pl.Region.StartLine, 1, res.RuleID)
		uri := pl.ArtifactLocation.URI
		u, err := url.Parse(uri)
		require.NoError(t, err, uri)
		assert.False(t, u.IsAbs() || strings.HasPrefix(u.Path, "/"), "%s: %q is not a relative URI", res.RuleID, uri)
		assert.False(t, u.Path == ".." || strings.HasPrefix(u.Path, "../"), "%s: %q leaves the repository", res.RuleID, uri)
		assert.Equal(t, "%SRCROOT%", pl.ArtifactLocation.URIBaseID, res.RuleID)
		assert.FileExists(t, filepath.Join(root, filepath.FromSlash(u.Path)), "%s: the location is a file of the repository", res.RuleID)
		where[res.RuleID] = u.Path + ":" + strconv.Itoa(pl.Region.StartLine)
	}
	return where
}

func TestExampleSARIFForGitHubCodeScanning(t *testing.T) {
	root := repoRoot(t)
	for _, cmd := range []string{"eval", "gate"} {
		t.Run(cmd, func(t *testing.T) {
			code, out, errs := runExample(t, "--format", "sarif", cmd)
			require.Equal(t, ExitFail, code, errs)
			where := checkGitHubSARIF(t, []byte(out), root)
			assert.Regexp(t, `^examples/localizevideos/data/logs/edge/.+:\d+$`, where["tls_downgrade_attempts"])
			want := map[string]string{
				// file:line evidence
				"tls_downgrade_attempts":  where["tls_downgrade_attempts"],
				"token_expiry_compliance": "examples/localizevideos/data/exports/tokens.json:107",
				"audit_findings":          "examples/localizevideos/data/exports/audit_findings.csv:2",
				// the drifted watched file
				"config_drift_events": "examples/localizevideos/data/config/k8s/api-deployment.yaml:1",
				// the expired exception's block, and the one without an approver
				"expired_exceptions": "examples/localizevideos/exceptions.hcl:43",
				"compliance_drift":   "examples/localizevideos/exceptions.hcl:79",
				// the report lists vulnerability keys, not their files: the config
				"high_critical_vulnerabilities": "examples/localizevideos/posture.hcl:1",
				// gated and not measured: the config (it has no metric block)
				"security_header_drift": "examples/localizevideos/posture.hcl:1",
			}
			if cmd == "eval" {
				// the soft target missed (a warning; gate shows the gated metrics only)
				want["sev1_incidents"] = "examples/localizevideos/data/exports/incidents.csv:7"
			}
			assert.Equal(t, want, where)

			var doc githubSARIF
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			d := doc.Runs[0].Tool.Driver
			assert.Equal(t, strings.TrimPrefix(testVersion, "v"), d.Version, "driver.version starts with an integer (SARIF2005)")
			assert.Equal(t, "0.0.0-test", d.SemanticVersion)
			// Built-in rules link their policy (custom ones have none).
			for _, rule := range d.Rules {
				if rule.ID == "mfa_coverage" {
					assert.Empty(t, rule.HelpURI)
					continue
				}
				file, line, ok := strings.Cut(strings.TrimPrefix(rule.HelpURI, "https://github.com/localizevideos/posture/blob/main/"), "#L")
				require.True(t, ok, "%s: %q", rule.ID, rule.HelpURI)
				src := readFile(t, filepath.Join(root, filepath.FromSlash(file)))
				n, err := strconv.Atoi(line)
				require.NoError(t, err)
				require.Less(t, n, strings.Count(src, "\n")+1, rule.ID)
				assert.Contains(t, strings.Split(src, "\n")[n-1], rule.ID+" ", "%s: the link points at its rule", rule.ID)
			}
		})
	}

	// A metric override in the config anchors a result at its block.
	dir := t.TempDir()
	copyTree(t, filepath.Join(root, "examples", "localizevideos"), dir)
	cfg := filepath.Join(dir, "posture.hcl")
	appendFile(t, cfg, "\nmetric \"security_header_drift\" {\n  owner = \"platform\"\n}\n")
	lines := strings.Count(readFile(t, cfg), "\n")
	code, out, errs := run(t, dir, "--as-of", "2026-11-27", "--format", "sarif", "gate")
	require.Equal(t, ExitFail, code, errs)
	where := checkGitHubSARIF(t, []byte(out), dir)
	assert.Equal(t, "posture.hcl:"+strconv.Itoa(lines-2), where["security_header_drift"])
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

// validateJUnit runs xmllint --schema with the common JUnit schema; the
// test is skipped without xmllint (.ci/run installs libxml2-utils).
func validateJUnit(t *testing.T, doc string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils): the JUnit schema check needs it")
	}
	p := filepath.Join(t.TempDir(), "junit.xml")
	require.NoError(t, os.WriteFile(p, []byte(doc), 0o644))
	xsd := filepath.Join(repoRoot(t), "output", "testdata", "junit-10.xsd")
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, p).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestExampleJUnitValidatesAgainstTheSchema(t *testing.T) {
	for _, cmd := range []string{"eval", "gate"} {
		code, out, errs := runExample(t, "--format", "junit", cmd)
		require.Equal(t, ExitFail, code, errs)
		assert.Contains(t, out, `<failure message="not measured: no configured source feeds it; `, cmd)
		assert.Contains(t, out, `type="not_measured"`, cmd)
		validateJUnit(t, out)
	}

	// With an error: a source that cannot be read makes its metrics error.
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples", "localizevideos"), dir)
	require.NoError(t, os.Remove(filepath.Join(dir, "data", "exports", "tokens.json")))
	for _, cmd := range []string{"eval", "gate"} {
		code, out, errs := run(t, dir, "--as-of", "2026-11-27", "--format", "junit", cmd)
		require.Equal(t, ExitError, code, errs)
		assert.Contains(t, out, `<error message="evaluation error: `, cmd)
		assert.Contains(t, out, `type="not_measured"`, cmd)
		validateJUnit(t, out)
	}
}

// The JSON report names the tool and its version (an addition to
// posture.report/v1); the version is the build's.
func TestReportNamesTheTool(t *testing.T) {
	code, out, errs := runExample(t, "--format", "json", "eval")
	require.Equal(t, ExitFail, code, errs)
	assert.True(t, strings.HasPrefix(out, "{\n  \"schema\": \"posture.report/v1\",\n  \"tool\": {\n    \"name\": \"posture\",\n    \"version\": \""+testVersion+"\"\n  },\n"), out[:200])
	var r report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.NotNil(t, r.Tool)
	assert.Equal(t, report.Tool{Name: "posture", Version: testVersion}, *r.Tool)
	// Exceptions carry where they are declared, relative to the config's
	// folder like evidence origins (SARIF points expired ones there).
	origins := map[string]string{}
	for _, x := range r.Exceptions {
		origins[x.ID] = x.Origin
	}
	assert.Equal(t, "exceptions.hcl:43", origins["EXC-003"])
	assert.Equal(t, "exceptions.hcl:79", origins["EXC-006"])

	// Without the tests' fixed version, it is the build's.
	saved := toolVersion
	defer func() { toolVersion = saved }()
	toolVersion = func() string { return version.Get().Version }
	_, out, _ = runExample(t, "--format", "json", "eval")
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, version.Get().Version, r.Tool.Version)
	assert.NotEmpty(t, r.Tool.Version)
}

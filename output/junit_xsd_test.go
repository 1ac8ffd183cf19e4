package output

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

// JUnitXSD is the common JUnit schema the JUnit output must satisfy.
const JUnitXSD = "testdata/junit-10.xsd"

// validateJUnit runs xmllint --schema on a JUnit document; the test is
// skipped without xmllint (CI installs libxml2-utils: .ci/run).
func validateJUnit(t *testing.T, doc string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils): the JUnit schema check needs it")
	}
	p := filepath.Join(t.TempDir(), "junit.xml")
	require.NoError(t, os.WriteFile(p, []byte(doc), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", JUnitXSD, p).CombinedOutput()
	require.NoError(t, err, "%s\n%s", out, doc)
}

// Every case of the fixture (fail, error, warn, skipped, a gated metric not
// measured, hostile text) validates against the schema.
func TestJUnitValidatesAgainstTheSchema(t *testing.T) {
	validateJUnit(t, render(t, "junit", fixture(), Options{}))

	r := fixture()
	r.Metrics[6].Evidence.Note = "bad\x00byte ]]> <tag> & \x1b[31m"
	r.Metrics[1].Error = "oops\x07 \"quoted\" <x>"
	validateJUnit(t, render(t, "junit", r, Options{GateOn: []string{"alert_to_incident_ratio", "mttd_hours"},
		Only: []string{"alert_to_incident_ratio", "mttd_hours", "mttr_hours", "tls_downgrade_attempts"}}))

	empty := &report.Report{Schema: report.Schema, AsOf: "2026-11-27T00:00:00Z"}
	validateJUnit(t, render(t, "junit", empty, Options{}))
}

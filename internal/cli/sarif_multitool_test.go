package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// multitoolFinding is a line of the SARIF multitool's report: "file(l,c):
// error GH2012: ..." or "warning SARIF1001: ...".
var multitoolFinding = regexp.MustCompile(`(?m)^.*\b(error|warning) [A-Z]+[0-9]+:.*$`)

// The example's SARIF passes Microsoft's SARIF multitool with GitHub's upload
// rules (--rule-kind "Gh;Sarif") with no error and no warning. The tool comes
// from npm (@microsoft/sarif-multitool, installed by .ci/run); set
// SARIF_MULTITOOL to its Sarif.Multitool binary, else the test is skipped.
func TestExampleSARIFPassesTheSARIFMultitool(t *testing.T) {
	tool := os.Getenv("SARIF_MULTITOOL")
	if tool == "" {
		var err error
		if tool, err = exec.LookPath("Sarif.Multitool"); err != nil {
			t.Skip("SARIF multitool not installed (npm install @microsoft/sarif-multitool-linux; SARIF_MULTITOOL=<its Sarif.Multitool>)")
		}
	}
	for _, cmd := range []string{"eval", "gate"} {
		t.Run(cmd, func(t *testing.T) {
			code, out, errs := runExample(t, "--format", "sarif", cmd)
			require.Equal(t, ExitFail, code, errs)
			dir := t.TempDir()
			in := filepath.Join(dir, "posture.sarif")
			require.NoError(t, os.WriteFile(in, []byte(out), 0o644))
			c := exec.Command(tool, "validate", "--rule-kind", "Gh;Sarif", "--output", filepath.Join(dir, "validation.sarif"), in)
			c.Env = append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
			report, err := c.CombinedOutput()
			require.NoError(t, err, "%s", report)
			assert.Contains(t, string(report), "Analysis completed successfully", "%s", report)
			assert.Empty(t, multitoolFinding.FindAllString(string(report), -1), "the multitool's findings")
		})
	}
}

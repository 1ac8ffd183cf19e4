package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExampleMatchesExpected evaluates the bundled example and compares
// every metric with the values computed independently in its expected.md.
func TestExampleMatchesExpected(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(root, "expected.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| \\d+ \\| `([a-z0-9_]+)`[^|]*\\| ([0-9.]+|null) \\| \\**([a-z_]+)\\**")
	rows := row.FindAllStringSubmatch(string(md), -1)
	require.Len(t, rows, 27, "expected.md lists 26 catalogue metrics and the custom one")

	code, r, errs := evalJSON(t, "", "-c", filepath.Join(root, "posture.hcl"), "--as-of", "2026-11-27")
	require.Equal(t, ExitFail, code, errs)
	require.Len(t, r.Metrics, 27)
	for _, x := range rows {
		m := metric(t, r, x[1])
		assert.Equal(t, x[3], string(m.Status), x[1])
		if x[2] == "null" {
			assert.Nil(t, m.Value, x[1])
			continue
		}
		want, _ := strconv.ParseFloat(x[2], 64)
		if assert.NotNil(t, m.Value, x[1]) {
			assert.Equal(t, want, *m.Value, x[1])
		}
	}
}

package cli

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/version"
)

func TestVersionBothSpellings(t *testing.T) {
	want := "posture " + version.String() + "\n"
	for _, args := range [][]string{{"--version"}, {"version"}, {"--version", "eval"}} {
		code, out, errs := run(t, "", args...)
		assert.Equal(t, ExitOK, code, "%v: %s", args, errs)
		assert.Equal(t, want, out, "%v", args)
		assert.Empty(t, errs)
	}

	code, out, errs := run(t, "", "version", "--format", "json")
	require.Equal(t, ExitOK, code, errs)
	var got version.Info
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	assert.Equal(t, version.Get(), got)
	assert.NotEmpty(t, got.GoVersion)

	code, _, errs = run(t, "", "version", "--format", "sarif")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, `version: format "sarif" not supported (table, json)`)
}

// The built binary prints the version and revision its build recorded
// (here set as a release build does, with -ldflags).
func TestVersionOfTheBuiltBinary(t *testing.T) {
	goBin := goTool(t)
	bin := filepath.Join(t.TempDir(), "posture")
	pkg := "github.com/localizevideos/posture/internal/version"
	cmd := exec.Command(goBin, "build", "-ldflags", "-X "+pkg+".version=v1.7.0 -X "+pkg+".revision=0123456789abcdef0123456789abcdef01234567",
		"-o", bin, "./cmd/posture")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))

	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		require.NoError(t, err)
		assert.Equal(t, "posture v1.7.0 (0123456789ab)\n", string(out), "%v", args)
	}
	out, err = exec.Command(bin, "version", "--format", "json").Output()
	require.NoError(t, err)
	var got version.Info
	require.NoError(t, json.Unmarshal(out, &got), string(out))
	assert.Equal(t, "v1.7.0", got.Version)
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", got.Revision)
	assert.True(t, strings.HasPrefix(got.GoVersion, "go"), got.GoVersion)
}

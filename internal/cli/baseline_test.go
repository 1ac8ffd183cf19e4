package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/store"
)

func baselineFixture(t *testing.T) (string, string) {
	t.Helper()
	cfg := baseConfig + "source \"config_files\" \"infra\" { paths = [\"deploy/*.yaml\"] }\n"
	dir := fixture(t, map[string]string{"posture.hcl": cfg, "deploy/app.yaml": "replicas: 2\n"})
	return dir, store.BaselinePath(filepath.Join(dir, "security", "reports"))
}

func TestBaselineApprovedBy(t *testing.T) {
	t.Run("--approved-by names the approver", func(t *testing.T) {
		dir, path := baselineFixture(t)
		code, out, errs := runEnv(t, dir, map[string]string{"USER": "someone-else"}, "baseline", "--approve", "--approved-by", "ciso")
		require.Equal(t, ExitOK, code, out+errs)
		assert.Contains(t, out, "by ciso")
		b, err := store.LoadBaseline(path)
		require.NoError(t, err)
		assert.Equal(t, "ciso", b.ApprovedBy)
		assert.Len(t, b.Files, 1)
	})
	t.Run("else $GITHUB_ACTOR, else $USER", func(t *testing.T) {
		dir, path := baselineFixture(t)
		code, out, errs := runEnv(t, dir, map[string]string{"GITHUB_ACTOR": "octocat", "USER": "runner"}, "baseline", "--approve")
		require.Equal(t, ExitOK, code, out+errs)
		b, err := store.LoadBaseline(path)
		require.NoError(t, err)
		assert.Equal(t, "octocat", b.ApprovedBy)
		code, out, errs = runEnv(t, dir, map[string]string{"USER": "runner"}, "baseline", "--approve")
		require.Equal(t, ExitOK, code, out+errs)
		b, err = store.LoadBaseline(path)
		require.NoError(t, err)
		assert.Equal(t, "runner", b.ApprovedBy)
	})
	t.Run("no approver is refused", func(t *testing.T) {
		for _, args := range [][]string{{"baseline", "--approve"}, {"baseline"}, {"baseline", "--approve", "--approved-by", " "}} {
			dir, path := baselineFixture(t)
			code, out, errs := runEnv(t, dir, nil, args...)
			assert.Equal(t, ExitError, code, "%v: %s%s", args, out, errs)
			assert.Contains(t, errs, "no approver: pass --approved-by NAME", args)
			_, err := os.Stat(path)
			assert.ErrorIs(t, err, os.ErrNotExist, "%v: nothing written", args)
		}
	})
	t.Run("checking drift needs no approver", func(t *testing.T) {
		dir, _ := baselineFixture(t)
		code, out, errs := runEnv(t, dir, nil, "baseline", "--approved-by", "ciso")
		require.Equal(t, ExitOK, code, out+errs)
		code, out, errs = runEnv(t, dir, nil, "baseline")
		require.Equal(t, ExitOK, code, out+errs)
		assert.Contains(t, out, "no drift against the approved baseline")
	})
}

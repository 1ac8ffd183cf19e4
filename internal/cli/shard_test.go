package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The command line of a sharded collection: two shards collected apart and
// merged give the part files of an unsharded snapshot, byte for byte; an
// incomplete set of shards is refused (exit 2) and writes nothing.
func TestShardAndMergeCommands(t *testing.T) {
	logs := map[string]string{}
	for i, day := range []string{"20", "21", "22", "23", "24", "25"} {
		logs[filepath.Join("logs", "auth-"+string(rune('a'+i))+".log")] = "Nov " + day + " 10:00:00 bastion sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2\n" +
			"Nov " + day + " 10:00:01 bastion sshd[1]: Accepted publickey for alice from 198.51.100.2 port 22 ssh2\n"
	}
	files := map[string]string{"posture.hcl": baseConfig + "source \"sshd_log\" \"bastion\" { paths = [\"logs/*.log\"] }\n"}
	for k, v := range logs {
		files[k] = v
	}
	dir := fixture(t, files)
	asOf := "--as-of=2026-11-27"

	for _, args := range [][]string{
		{"snapshot", "--out", "whole"},
		{"snapshot", "--shard", "2/2", "--out", "s2"},
		{"snapshot", "--shard", "1/2", "--out", "s1"},
		{"merge", "--out", "merged", "s2", "s1"},
	} {
		code, out, errs := run(t, dir, append([]string{asOf}, args...)...)
		require.Equal(t, ExitOK, code, "%v: %s%s", args, out, errs)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "whole"))
	require.NoError(t, err)
	parts := 0
	for _, e := range entries {
		if e.Name() == "manifest.json" {
			continue
		}
		parts++
		a := readFile(t, filepath.Join(dir, "whole", e.Name()))
		b := readFile(t, filepath.Join(dir, "merged", e.Name()))
		assert.Equal(t, a, b, "part %s", e.Name())
	}
	assert.Equal(t, 3, parts, "accounts, tokens and the sshd log")

	code, out, errs := run(t, dir, asOf, "merge", "--out", "half", "s1")
	assert.Equal(t, ExitError, code, out+errs)
	assert.Contains(t, errs, "shard")
	_, err = os.Stat(filepath.Join(dir, "half"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing written")
}

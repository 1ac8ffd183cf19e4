package app

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimitMemoryFollowsTheSnapshotsSize(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "") // the runtime read it at start; only its presence counts here
	os.Unsetenv("GOMEMLIMIT")
	before := debug.SetMemoryLimit(-1)
	dir := t.TempDir()
	write := func(name string, n int) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), make([]byte, n), 0o644))
	}
	write("manifest.json", 1<<20)
	write("sshd_log.bastion.json", 199<<20)
	write("notes.txt", 500<<20) // not a part
	restore := limitMemory(dir)
	assert.Equal(t, int64(4*200<<20-outsideRuntime), debug.SetMemoryLimit(-1), "4 × the parts and manifest, less what the runtime does not hold")
	restore()
	assert.Equal(t, before, debug.SetMemoryLimit(-1), "restored")

	small := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(small, "manifest.json"), []byte("{}"), 0o644))
	restore = limitMemory(small)
	assert.Equal(t, int64(minMemoryBudget), debug.SetMemoryLimit(-1), "a floor for small snapshots")
	restore()

	restore = limitMemory(filepath.Join(dir, "missing"))
	assert.Equal(t, before, debug.SetMemoryLimit(-1), "no snapshot, no limit")
	restore()

	t.Setenv("GOMEMLIMIT", "8GiB")
	restore = limitMemory(dir)
	assert.Equal(t, before, debug.SetMemoryLimit(-1), "the user's GOMEMLIMIT wins")
	restore()
}

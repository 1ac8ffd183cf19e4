package atomicfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b.json")
	require.NoError(t, Write(p, []byte("one")))
	require.NoError(t, Write(p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	entries, _ := os.ReadDir(filepath.Dir(p))
	assert.Len(t, entries, 1, "no temporary file left behind")
	assert.ErrorContains(t, Write(dir, []byte("x")), "is a folder")
}

func TestWriteToADeviceKeepsTheDevice(t *testing.T) {
	st, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	if st.Mode()&os.ModeDevice == 0 {
		t.Skipf("%s is not a device here", os.DevNull)
	}
	require.NoError(t, Write(os.DevNull, []byte("x")))
	after, err := os.Stat(os.DevNull)
	require.NoError(t, err)
	assert.NotZero(t, after.Mode()&os.ModeDevice, "still the device, not a regular file")
}

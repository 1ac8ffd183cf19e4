package files

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", 300<<10) // longer than the reader's buffer
	in := "a\r\n\nb\n" + long + "\nlast-without-newline"
	var got []string
	var nums []int
	require.NoError(t, ReadLines(strings.NewReader(in), func(n int, line []byte) error {
		nums = append(nums, n)
		got = append(got, string(line))
		return nil
	}))
	assert.Equal(t, []int{1, 2, 3, 4, 5}, nums)
	assert.Equal(t, []string{"a", "", "b", long, "last-without-newline"}, got)
}

func TestGlobAndGzip(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "auth.log"), []byte("one\n"), 0o644))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write([]byte("two\nthree\n"))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "auth.log.2.gz"), buf.Bytes(), 0o644))
	paths, err := Glob(dir, []string{"auth.log*"})
	require.NoError(t, err)
	require.Len(t, paths, 2)
	var lines []string
	for _, p := range paths {
		require.NoError(t, Lines(p, func(_ int, l []byte) error { lines = append(lines, string(l)); return nil }))
	}
	assert.Equal(t, []string{"one", "two", "three"}, lines)

	_, err = Glob(dir, []string{"auth.log*", "missing.log"})
	assert.ErrorContains(t, err, "missing.log: no such file")
	_, err = Glob(dir, nil)
	assert.Error(t, err)
	assert.Equal(t, "x/y.log", Display("/a", "/a/x/y.log"))
	assert.Equal(t, "/b/y.log", Display("/a", "/b/y.log"))
}

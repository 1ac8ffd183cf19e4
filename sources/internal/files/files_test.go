package files

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
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

func TestMappedLinesMatchReadLines(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("y", 100)
	cases := map[string]string{
		"plain":      "a\nb\nc\n",
		"no-newline": "a\r\n\nlast",
		"crlf":       "x\r\ny\r\n",
		"one":        long,
	}
	for name, body := range cases {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		var viaMap, viaRead []string
		done, err := mappedLines(p, func(n int, l []byte) error { viaMap = append(viaMap, fmt.Sprint(n, ":", string(l))); return nil })
		require.NoError(t, err)
		if !done {
			t.Skip("mapping not supported here")
		}
		require.NoError(t, ReadLines(strings.NewReader(body), func(n int, l []byte) error { viaRead = append(viaRead, fmt.Sprint(n, ":", string(l))); return nil }))
		assert.Equal(t, viaRead, viaMap, name)
	}
}

func TestMappedLinesAcrossWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a file larger than one map window")
	}
	p := filepath.Join(t.TempDir(), "big.log")
	f, err := os.Create(p)
	require.NoError(t, err)
	line := strings.Repeat("z", 999) + "\n" // 1000 bytes: lines straddle the 64 MiB windows
	w := bufio.NewWriter(f)
	total := mapWindow/1000*2 + 3
	for i := 0; i < total; i++ {
		_, _ = w.WriteString(line)
	}
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
	count := 0
	done, err := mappedLines(p, func(n int, l []byte) error {
		count++
		if n != count || len(l) != 999 {
			return fmt.Errorf("line %d: %d bytes", n, len(l))
		}
		return nil
	})
	require.NoError(t, err)
	require.True(t, done)
	assert.Equal(t, total, count)
}

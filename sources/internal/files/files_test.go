package files

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
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
	sourcetest.WriteFile(t, filepath.Join(dir, "auth.log"), "one\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "auth.log.2.gz"), "two\nthree\n")
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
		sourcetest.WriteFile(t, p, body)
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

func TestByteOrderMarkDroppedFromLineOne(t *testing.T) {
	dir := t.TempDir()
	body := "\uFEFFone\n\uFEFFtwo\n"
	p := filepath.Join(dir, "bom.log")
	sourcetest.WriteFile(t, p, body)
	sourcetest.WriteGzip(t, p+".gz", body)
	for _, path := range []string{p, p + ".gz"} {
		var lines []string
		require.NoError(t, Lines(path, func(_ int, l []byte) error { lines = append(lines, string(l)); return nil }))
		assert.Equal(t, []string{"one", "\uFEFFtwo"}, lines, path)
	}
}

// Paths that are not regular files are errors naming them (a named pipe
// must not be opened: that waits for a writer), directories matched by a
// wildcard are skipped.
func TestGlobRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "a.log"), "x\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a.log.d"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "only"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "only", "sub"), 0o755))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe.log"), 0o644))
	require.NoError(t, os.Symlink("loop.log", filepath.Join(dir, "loop.log")))
	require.NoError(t, os.Symlink("gone.log", filepath.Join(dir, "dangling.log")))

	paths, err := Glob(dir, []string{"a.log*"})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a.log")}, paths)
	for pattern, want := range map[string]string{
		"a.log.d":      "a.log.d: is a directory, not a file",
		"only/*":       "only/*: matches only directories, no file",
		"pipe.log":     "pipe.log: not a regular file (a named pipe)",
		"*.log":        "dangling.log: symbolic link to a missing file",
		"loop.log":     "loop.log: too many levels of symbolic links",
		"dangling.log": "dangling.log: symbolic link to a missing file",
	} {
		_, err := Glob(dir, []string{pattern})
		assert.EqualError(t, err, want, pattern)
	}
	// GlobAny: a link to nothing is a file that is gone, the rest as Glob.
	paths, err = GlobAny(dir, []string{"dangling.log", "missing.log", "a.log"})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "a.log")}, paths)
	_, err = GlobAny(dir, []string{"pipe.log"})
	assert.EqualError(t, err, "pipe.log: not a regular file (a named pipe)")

	// Opened directly, a named pipe is refused at once too.
	for _, open := range []func(string) error{
		func(p string) error { _, err := Open(p); return err },
		func(p string) error { _, err := ReadFile(p); return err },
		func(p string) error { return Lines(p, func(int, []byte) error { return nil }) },
	} {
		err := open(filepath.Join(dir, "pipe.log"))
		assert.ErrorContains(t, err, "not a regular file (a named pipe)")
	}
}

func TestReadFileLimits(t *testing.T) {
	defer func(old int64) { MaxStructured = old }(MaxStructured)
	MaxStructured = 1000
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		sourcetest.WriteFile(t, p, data)
		return p
	}
	full := bytes.Repeat([]byte("x"), 1000)
	for name, data := range map[string][]byte{"full.json": full, "full.json.gz": sourcetest.Gzip(t, full)} {
		got, err := ReadFile(write(name, data))
		require.NoError(t, err, name)
		assert.Equal(t, full, got, name)
	}
	_, err := ReadFile(write("big.json", append(full, 'x')))
	assert.EqualError(t, err, "holds 1001 bytes, more than the 1000 bytes a structured file may hold")
	_, err = ReadFile(write("big.json.gz", sourcetest.Gzip(t, append(full, 'x'))))
	assert.EqualError(t, err, "decompresses to more than 1000 bytes, the most a structured file may hold")
	raw, err := ReadRaw(write("raw.gz", sourcetest.Gzip(t, full)))
	require.NoError(t, err)
	assert.Equal(t, sourcetest.Gzip(t, full), raw, "ReadRaw does not decompress")

	z := sourcetest.Gzip(t, bytes.Repeat([]byte("line\n"), 100))
	_, err = ReadFile(write("cut.json.gz", z[:len(z)-10]))
	assert.ErrorContains(t, err, "truncated or corrupt gzip: unexpected EOF")
	_, err = ReadFile(write("empty.json.gz", nil))
	assert.ErrorContains(t, err, "truncated or corrupt gzip: unexpected EOF")
	var re *ReadError
	err = Lines(write("cut.log.gz", z[:len(z)-10]), func(int, []byte) error { return nil })
	require.ErrorAs(t, err, &re)
	assert.Greater(t, re.Line, 1)
	assert.ErrorContains(t, err, "truncated or corrupt gzip: unexpected EOF")
}

package sourcetest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Content is what the file helpers take: text or bytes.
type Content interface{ ~string | ~[]byte }

// WriteFile writes content to path, making its folder first.
func WriteFile[T Content](tb testing.TB, path string, content T) {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb, os.WriteFile(path, []byte(content), 0o644))
}

// Gzip returns content compressed as one gzip member, as logrotate's
// compress option writes a rotated log.
func Gzip[T Content](tb testing.TB, content T) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(content))
	require.NoError(tb, err)
	require.NoError(tb, zw.Close())
	return buf.Bytes()
}

// WriteGzip writes content compressed to path, making its folder first.
func WriteGzip[T Content](tb testing.TB, path string, content T) {
	tb.Helper()
	WriteFile(tb, path, Gzip(tb, content))
}

// DirWith returns a new temporary folder holding one file, name, with
// content.
func DirWith[T Content](tb testing.TB, name string, content T) string {
	tb.Helper()
	dir := tb.TempDir()
	WriteFile(tb, filepath.Join(dir, name), content)
	return dir
}

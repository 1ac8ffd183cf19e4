package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Unix(1764979200, 0) // 2025-12-06T00:00:00Z

// sample writes the three files of a release archive into a new folder with
// the given permissions and modification time.
func sample(t *testing.T, binMode, docMode os.FileMode, mtime time.Time) []File {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string, mode os.FileMode) File {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), mode))
		require.NoError(t, os.Chmod(p, mode))
		require.NoError(t, os.Chtimes(p, mtime, mtime))
		return File{Name: name, Path: p}
	}
	// Given out of order: the archive sorts them.
	return []File{
		write("posture", "#!/bin/sh\necho posture\n", binMode),
		write("README.md", "# posture\n", docMode),
		write("LICENSE", "Apache License\n", docMode),
	}
}

func TestTarGzReproducible(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, WriteTarGz(&a, sample(t, 0o700, 0o600, time.Now()), epoch))
	require.NoError(t, WriteTarGz(&b, sample(t, 0o775, 0o664, time.Unix(0, 0)), epoch))
	assert.Equal(t, a.Bytes(), b.Bytes(), "the machine's permissions and times do not leak in")

	gz, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, "", gz.Name)
	assert.True(t, gz.ModTime.IsZero() || gz.ModTime.Unix() == 0)
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
		assert.Equal(t, byte(tar.TypeReg), h.Typeflag)
		assert.Equal(t, 0, h.Uid, h.Name)
		assert.Equal(t, 0, h.Gid, h.Name)
		assert.Empty(t, h.Uname)
		assert.Empty(t, h.Gname)
		assert.Equal(t, epoch.Unix(), h.ModTime.Unix(), h.Name)
		want := int64(0o644)
		if h.Name == "posture" {
			want = 0o755
		}
		assert.Equal(t, want, h.Mode, h.Name)
	}
	assert.Equal(t, []string{"LICENSE", "README.md", "posture"}, names)
}

func TestZipReproducible(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, WriteZip(&a, sample(t, 0o700, 0o600, time.Now()), epoch))
	require.NoError(t, WriteZip(&b, sample(t, 0o755, 0o644, time.Unix(0, 0)), epoch))
	assert.Equal(t, a.Bytes(), b.Bytes())

	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		assert.Equal(t, epoch.Unix(), f.Modified.Unix(), f.Name)
		assert.Equal(t, zip.Deflate, f.Method)
		if f.Name == "posture" {
			assert.Equal(t, os.FileMode(0o755), f.Mode().Perm())
		}
	}
	assert.Equal(t, []string{"LICENSE", "README.md", "posture"}, names)
}

func TestArchiveRefusesBadMembers(t *testing.T) {
	files := sample(t, 0o755, 0o644, epoch)
	var buf bytes.Buffer
	assert.Error(t, WriteTarGz(&buf, append(files, files[0]), epoch), "a name twice")
	assert.Error(t, WriteTarGz(&buf, []File{{Name: "a/b", Path: files[0].Path}}, epoch), "a folder")
	assert.Error(t, WriteZip(&buf, []File{{Name: "x", Path: t.TempDir()}}, epoch), "not a regular file")
	assert.Error(t, WriteArchive(filepath.Join(t.TempDir(), "x.tar.xz"), files, epoch), "unknown format")
}

func TestChecksumsSha256sumFormat(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	files := sample(t, 0o755, 0o644, epoch)
	require.NoError(t, WriteArchive(filepath.Join(out, "posture_v1.0.0_windows_arm64.zip"), files, epoch))
	require.NoError(t, WriteArchive(filepath.Join(out, "posture_v1.0.0_linux_amd64.tar.gz"), files, epoch))
	sums, err := Checksums([]string{filepath.Join(out, "posture_v1.0.0_windows_arm64.zip"), filepath.Join(out, "posture_v1.0.0_linux_amd64.tar.gz")})
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSuffix(sums, []byte("\n")), []byte("\n"))
	require.Len(t, lines, 2)
	assert.Regexp(t, `^[0-9a-f]{64}  posture_v1.0.0_linux_amd64.tar.gz$`, string(lines[0]), "sorted by name")
	assert.Regexp(t, `^[0-9a-f]{64}  posture_v1.0.0_windows_arm64.zip$`, string(lines[1]))
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file left behind")

	if _, err := exec.LookPath("sha256sum"); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(out, "checksums.txt"), sums, 0o644))
		cmd := exec.Command("sha256sum", "-c", "checksums.txt")
		cmd.Dir = out
		b, err := cmd.CombinedOutput()
		assert.NoError(t, err, string(b))
	}
	if _, err := exec.LookPath("unzip"); err == nil {
		b, err := exec.Command("unzip", "-t", filepath.Join(out, "posture_v1.0.0_windows_arm64.zip")).CombinedOutput()
		assert.NoError(t, err, string(b))
	}
	if _, err := exec.LookPath("tar"); err == nil {
		b, err := exec.Command("tar", "-tzf", filepath.Join(out, "posture_v1.0.0_linux_amd64.tar.gz")).CombinedOutput()
		assert.NoError(t, err, string(b))
		assert.Equal(t, "LICENSE\nREADME.md\nposture\n", string(b))
	}
}

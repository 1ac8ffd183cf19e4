// Package release writes posture's release archives and their checksums
// reproducibly: the same files and the same time give the same bytes, on any
// machine (scripts/release.sh; docs/releasing.md).
//
// Archives hold their files flat (no folder), in name order, owned by 0:0
// with no user or group names, with one fixed modification time (the
// commit's, from SOURCE_DATE_EPOCH), and mode 0755 for executables and 0644
// for the rest: nothing of the machine that built them leaks in.
package release

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// File is one member of an archive: Name inside the archive, read from Path.
type File struct {
	Name string
	Path string
}

type member struct {
	name string
	mode int64
	data []byte
}

// read loads the files, sorted by name; a name that repeats or names a
// folder is refused.
func read(files []File) ([]member, error) {
	ms := make([]member, 0, len(files))
	seen := map[string]bool{}
	for _, f := range files {
		if f.Name == "" || strings.ContainsAny(f.Name, `/\`) || f.Name == "." || f.Name == ".." {
			return nil, fmt.Errorf("archive member %q: want a plain file name", f.Name)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("archive member %q named twice", f.Name)
		}
		seen[f.Name] = true
		info, err := os.Stat(f.Path)
		if err != nil {
			return nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", f.Path)
		}
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		mode := int64(0o644)
		if info.Mode().Perm()&0o111 != 0 || strings.HasSuffix(f.Name, ".exe") {
			mode = 0o755
		}
		ms = append(ms, member{name: f.Name, mode: mode, data: data})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].name < ms[j].name })
	return ms, nil
}

// WriteTarGz writes files as a gzip-compressed tar (ustar) to w.
func WriteTarGz(w io.Writer, files []File, mtime time.Time) error {
	ms, err := read(files)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// gzip header: no name, no time (zero), OS unknown: the same everywhere.
	gz.OS = 255
	tw := tar.NewWriter(gz)
	for _, m := range ms {
		h := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     m.name,
			Mode:     m.mode,
			Size:     int64(len(m.data)),
			ModTime:  mtime.UTC().Truncate(time.Second),
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(m.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// WriteZip writes files as a deflated zip to w (for windows).
func WriteZip(w io.Writer, files []File, mtime time.Time) error {
	ms, err := read(files)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	for _, m := range ms {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: mtime.UTC().Truncate(time.Second)}
		h.SetMode(os.FileMode(m.mode))
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(m.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// WriteArchive writes files to path, a .tar.gz or a .zip by its name, through
// a temporary file renamed into place.
func WriteArchive(path string, files []File, mtime time.Time) error {
	write := WriteTarGz
	switch {
	case strings.HasSuffix(path, ".tar.gz"):
	case strings.HasSuffix(path, ".zip"):
		write = WriteZip
	default:
		return fmt.Errorf("%s: want a .tar.gz or .zip name", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".archive-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, files, mtime); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Checksums returns the sha256 of the files in sha256sum's format
// ("<hex>  <base name>\n"), sorted by name: `sha256sum -c` checks it in the
// files' folder.
func Checksums(paths []string) ([]byte, error) {
	type sum struct{ name, hex string }
	var sums []sum
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		sums = append(sums, sum{filepath.Base(p), hex.EncodeToString(h.Sum(nil))})
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].name < sums[j].name })
	var b strings.Builder
	for i, s := range sums {
		if i > 0 && sums[i-1].name == s.name {
			return nil, fmt.Errorf("checksums: %s named twice", s.name)
		}
		fmt.Fprintf(&b, "%s  %s\n", s.hex, s.name)
	}
	return []byte(b.String()), nil
}

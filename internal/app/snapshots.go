package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/localizevideos/posture/snapshot"
)

// samePath reports whether two paths name the same folder.
func samePath(a, b string) bool {
	ra, err1 := filepath.Abs(a)
	rb, err2 := filepath.Abs(b)
	if err1 != nil || err2 != nil {
		return false
	}
	if x, err := filepath.EvalSymlinks(ra); err == nil {
		ra = x
	}
	if x, err := filepath.EvalSymlinks(rb); err == nil {
		rb = x
	}
	return ra == rb
}

// copySnapshot copies a snapshot folder (manifest.json and the files it
// lists, byte for byte, so the sha256s recorded in the report stay true)
// to dst, atomically: into a sibling temporary folder that then replaces dst.
func copySnapshot(src, dst string) (*snapshot.Manifest, error) {
	m, err := snapshot.Verify(src, "") // checks every sha256
	if err != nil {
		return nil, err
	}
	return m, copyVerified(src, dst, m)
}

func copyVerified(src, dst string, m *snapshot.Manifest) error {
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := []string{"manifest.json"}
	for _, s := range m.Sources {
		names = append(names, filepath.Base(s.File))
	}
	for _, n := range names {
		if err := copyFile(filepath.Join(src, n), filepath.Join(tmp, n)); err != nil {
			return err
		}
	}
	old := ""
	if _, err := os.Stat(dst); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return fmt.Errorf("snapshot: %w", err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}

func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("%s: %w", dst, cerr)
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

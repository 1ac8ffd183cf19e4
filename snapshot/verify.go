package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/localizevideos/posture/internal/parallel"
)

// MismatchError is a file of a snapshot whose sha256 is not the recorded one:
// a part against the manifest, or manifest.json against the digest a report
// recorded.
type MismatchError struct {
	Path string
	Want string
	Got  string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: sha256 %s does not match the manifest (%s)", e.Path, e.Got, e.Want)
}

// ErrUnreadable wraps what keeps Verify from reading a snapshot: a missing
// folder, manifest or part, or a manifest that is not one.
var ErrUnreadable = errors.New("unreadable snapshot")

// Verify checks the snapshot folder dir without decoding it: manifest.json
// against want (its sha256 as a report records it; "" skips that check),
// then every part it lists against its sha256, streamed and on all cores.
// A mismatch is a *MismatchError naming the file; a file that cannot be read
// wraps ErrUnreadable. It returns the manifest.
func Verify(dir, want string) (*Manifest, error) {
	path := filepath.Join(dir, "manifest.json")
	mb, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if got := digest(mb); want != "" && got != want {
		return nil, &MismatchError{Path: path, Want: want, Got: got}
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnreadable, path, err)
	}
	m.SHA256 = digest(mb)
	errs := make([]error, len(m.Sources))
	parallel.ForEach(len(m.Sources), func(i int) {
		e := m.Sources[i]
		p := filepath.Join(dir, filepath.Base(e.File))
		got, err := fileDigest(p)
		switch {
		case err != nil:
			errs[i] = fmt.Errorf("%w: %w", ErrUnreadable, err)
		case got != e.SHA256:
			errs[i] = &MismatchError{Path: p, Want: e.SHA256, Got: got}
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err // the first in manifest order
		}
	}
	return &m, nil
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

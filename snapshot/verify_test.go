package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyPinsManifestAndParts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026-11-27")
	s := &Snapshot{AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Parts: []*Part{samplePart()}}
	m, err := Write(dir, "p", s)
	require.NoError(t, err)
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	sum := sha256.Sum256(mb)
	assert.Equal(t, hex.EncodeToString(sum[:]), m.SHA256, "the digest of manifest.json as written")

	_, back, err := Read(dir)
	require.NoError(t, err)
	assert.Equal(t, m.SHA256, back.SHA256, "and as read")
	got, err := Verify(dir, m.SHA256)
	require.NoError(t, err)
	assert.Equal(t, m.SHA256, got.SHA256)

	// Another manifest digest: the manifest is named.
	_, err = Verify(dir, "00"+m.SHA256[2:])
	var mm *MismatchError
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, filepath.Join(dir, "manifest.json"), mm.Path)

	// A changed part: Verify and Read name it.
	part := filepath.Join(dir, m.Sources[0].File)
	b, err := os.ReadFile(part)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(part, append(b, ' '), 0o644))
	_, err = Verify(dir, m.SHA256)
	require.ErrorAs(t, err, &mm)
	assert.Equal(t, part, mm.Path)
	_, _, err = Read(dir)
	require.ErrorAs(t, err, &mm)
	assert.Contains(t, err.Error(), "does not match the manifest")

	// A missing part or folder is unreadable, not a mismatch.
	require.NoError(t, os.Remove(part))
	_, err = Verify(dir, m.SHA256)
	assert.ErrorIs(t, err, ErrUnreadable)
	assert.False(t, errors.As(err, &mm))
	_, err = Verify(filepath.Join(dir, "nope"), "")
	assert.ErrorIs(t, err, ErrUnreadable)
}

package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func samplePart() *Part {
	s, ms := "2026-11-27T00:00:00Z", int64(1795737600000)
	no := false
	p := &Part{Source: "bastion", Kind: "sshd_log", SkippedLines: 3, Files: []string{"auth.log"}, Notes: []string{"n <&>"},
		Data: Data{
			Accounts: []Account{{System: "okta", Login: "a", MFA: &no, CreatedAt: &s, CreatedAtMS: &ms, Source: "x", Origin: "a.csv:2"}},
			Baseline: &Baseline{Present: true, Files: map[string]string{"a": "b"}},
		}}
	p.Data.AddEvent(EventLoginFailed, Event{TimeMS: ms, Time: s, Source: "bastion", Origin: "auth.log:1", User: `we"ird`})
	p.Data.AddEvent(EventBan, Event{TimeMS: ms, Time: s, Source: "bastion", Origin: "auth.log:2", IP: "192.0.2.1"})
	p.Data.AddEvent(EventBan, Event{TimeMS: ms, Time: s, Source: "bastion", Origin: "auth.log:3", IP: "192.0.2.2"})
	return p
}

func TestPartRoundTripAndDigest(t *testing.T) {
	p := samplePart()
	b, err := p.Encode()
	require.NoError(t, err)
	require.True(t, json.Valid(b), string(b))
	sum := sha256.Sum256(b)
	assert.Equal(t, hex.EncodeToString(sum[:]), p.SHA256, "the digest is of exactly the bytes written")
	var back Part
	require.NoError(t, json.Unmarshal(b, &back))
	back.SHA256 = p.SHA256
	assert.Equal(t, *p, back)
	assert.Contains(t, string(b), "\n{\"ts_ms\":1795737600000", "one record per line")

	q := samplePart()
	d, err := q.Digest()
	require.NoError(t, err)
	assert.Equal(t, p.SHA256, d, "same content, same digest")
	q.CollectedAt = "2026-11-27T10:00:00Z"
	q.SHA256 = ""
	d2, _ := q.Digest()
	assert.Equal(t, d, d2, "the collection time is not part of the content")

	empty := &Part{Source: "e", Kind: "k"}
	b, err = empty.Encode()
	require.NoError(t, err)
	require.True(t, json.Valid(b), string(b))
}

func TestWriteReadSnapshot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "2026-11-27")
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	p := samplePart()
	p.CollectedAt = "2026-11-27T00:00:05Z"
	m, err := Write(dir, "P", &Snapshot{AsOf: asOf, Parts: []*Part{p, {Source: "down", Kind: "tls", Error: "boom"}}})
	require.NoError(t, err)
	require.Len(t, m.Sources, 2)
	assert.Equal(t, 4, m.Sources[0].Records)
	assert.Equal(t, "boom", m.Sources[1].Error)

	s, _, err := Read(dir)
	require.NoError(t, err)
	assert.Equal(t, asOf, s.AsOf)
	require.Len(t, s.Parts, 2)
	assert.Equal(t, "2026-11-27T00:00:05Z", s.Parts[0].CollectedAt, "from the manifest")
	assert.Equal(t, p.Data, s.Parts[0].Data)

	// Rewriting replaces the folder whole.
	_, err = Write(dir, "P", &Snapshot{AsOf: asOf, Parts: []*Part{{Source: "only", Kind: "k"}}})
	require.NoError(t, err)
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 2, "manifest + one part: nothing left from the previous snapshot")
}

func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	cases := []Event{
		{TimeMS: 1, Time: "t", Source: "s", Origin: "o"},
		{TimeMS: -5, Time: "t", Source: "s", Origin: "a.log:1", IP: "192.0.2.1", User: "we\"ird\\ \n\t\r\b\f\x01 <&> é 日本", Detail: "\u2028\u2029"},
		{TimeMS: 1795737600000, Origin: "bad \xff\xfe utf8 \xe2\x82", User: "x"},
	}
	for _, e := range cases {
		want, err := (&recordEncoder{je: nil}).marshalFresh(e)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendEvent(nil, &e)))
	}
}

func FuzzAppendEvent(f *testing.F) {
	f.Add("root", "192.0.2.1", "auth.log:1")
	f.Add("we\"ird\xff", "", "\u2028")
	f.Fuzz(func(t *testing.T, user, ip, origin string) {
		e := Event{TimeMS: 7, Time: "t", Source: "s", Origin: origin, IP: ip, User: user}
		want, err := (&recordEncoder{}).marshalFresh(e)
		if err != nil {
			t.Skip()
		}
		if got := appendEvent(nil, &e); string(got) != string(want) {
			t.Fatalf("appendEvent = %s, encoding/json = %s", got, want)
		}
	})
}

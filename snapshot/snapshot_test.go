package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
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
		{TimeMS: 1, Time: "t", Source: "prometheus.edge", Origin: "http://prom:9090/api/v1/query?query=sum(x)", Detail: "rate_limited", Weight: 1234567890123},
		{TimeMS: 1, Time: "t", Source: "s", Origin: "o", Weight: -3},
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

// Every source gets its own part file and manifest entry: the file is named
// by kind and name, and names that only differ in characters a file name
// cannot keep (or in case) still give distinct files.
func TestPartFilesAreDistinctPerSource(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	parts := []*Part{
		{Source: "edge", Kind: "nginx_error_log", Notes: []string{"1"}},
		{Source: "edge", Kind: "nginx_access_log", Notes: []string{"2"}},
		{Source: "a/b", Kind: "trivy", Notes: []string{"3"}},
		{Source: "a_b", Kind: "trivy", Notes: []string{"4"}},
		{Source: "Img", Kind: "trivy", Notes: []string{"5"}},
		{Source: "img", Kind: "trivy", Notes: []string{"6"}},
	}
	m, err := Write(dir, "P", &Snapshot{AsOf: asOf, Parts: parts})
	require.NoError(t, err)
	files := map[string]bool{}
	for _, e := range m.Sources {
		files[strings.ToLower(e.File)] = true
	}
	assert.Len(t, files, 6, "one file per source, even on a case-insensitive file system: %v", m.Sources)
	assert.Equal(t, "nginx_error_log.edge.json", m.Sources[0].File)
	assert.Equal(t, "nginx_access_log.edge.json", m.Sources[1].File)
	assert.Equal(t, "trivy.a_b.json", m.Sources[3].File, "a name that needs no change keeps its plain file name")
	assert.Regexp(t, `^trivy\.a_b~[0-9a-f]{8}\.json$`, m.Sources[2].File)
	assert.Regexp(t, `^trivy\.Img~[0-9a-f]{8}\.json$`, m.Sources[4].File)
	assert.Regexp(t, `^trivy\.img~[0-9a-f]{8}\.json$`, m.Sources[5].File)

	s, _, err := Read(dir)
	require.NoError(t, err)
	var got []string
	for _, p := range s.Parts {
		got = append(got, p.ID()+"="+p.Notes[0])
	}
	assert.Equal(t, []string{"nginx_access_log.edge=2", "nginx_error_log.edge=1", "trivy.Img=5", "trivy.a/b=3", "trivy.a_b=4", "trivy.img=6"}, got,
		"read back whole, ordered by (kind, name)")
}

func TestReleaseKeepsCountsAndDigests(t *testing.T) {
	p := &Part{Source: "s", Kind: "k", Data: Data{Accounts: []Account{{Login: "a"}, {Login: "b"}},
		Events: map[string]EventList{"ban": EventsOf(Event{Origin: "x"})}}}
	want, err := p.Digest()
	require.NoError(t, err)
	p.SHA256 = "" // computed again by Release
	s := &Snapshot{Parts: []*Part{p}}
	require.NoError(t, s.Release())
	assert.True(t, p.Released())
	assert.Equal(t, 3, p.Records())
	assert.Equal(t, want, p.SHA256)
	assert.Equal(t, 0, p.Data.Count(), "the records are gone")
	_, err = p.WriteTo(io.Discard)
	assert.ErrorContains(t, err, "released", "a released part is never written empty")
	require.NoError(t, s.Release(), "twice is harmless")
	assert.Equal(t, 3, p.Records())
}

package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/localizevideos/posture/internal/parallel"
	"github.com/localizevideos/posture/internal/trace"
)

// ManifestSchema is the schema of manifest.json.
const ManifestSchema = "posture.snapshot/v1"

// Part is one source's collected data: the content of <dir>/<kind>.<name>.json.
type Part struct {
	Source string `json:"source"`
	Kind   string `json:"kind"`
	// CollectedAt is kept in the manifest, not in the part's file, so the
	// file (and its sha256) depends only on what was collected.
	CollectedAt  string   `json:"-"`
	Error        string   `json:"error,omitempty"`
	SkippedLines int      `json:"skipped_lines"`
	Files        []string `json:"files,omitempty"`
	// Provides names the parts of a multi-part kind this source collected
	// (e.g. "deployments" for a github source); metrics fed by
	// "<kind>.<part>" are measured only when it is listed.
	Provides []string `json:"provides,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	// Shard is set in the snapshot of one shard of a sharded collection:
	// which share of the source the part holds.
	Shard *ShardInfo `json:"shard,omitempty"`
	Data  Data       `json:"data"`

	// SHA256 of the part's file as written or read (not serialised).
	SHA256 string `json:"-"`

	// released is set by Release: Data is gone, records is its count.
	released bool
	records  int
	// releasedEvents counts the events ReleaseEvents dropped.
	releasedEvents int
}

// Records is the number of records the part holds (or held before Release
// and ReleaseEvents).
func (p *Part) Records() int {
	if p.released {
		return p.records
	}
	return p.Data.Count() + p.releasedEvents
}

// ReleaseEvents drops the part's log events once its digest is known,
// keeping their count (Records): for a reader that converted them
// (ReadWith). Writing the part afterwards is refused.
func (p *Part) ReleaseEvents() error {
	if len(p.Data.Events) == 0 {
		return nil
	}
	if _, err := p.Digest(); err != nil {
		return fmt.Errorf("%s: %w", p.ID(), err)
	}
	for _, es := range p.Data.Events {
		p.releasedEvents += es.Len()
	}
	p.Data.Events = nil
	return nil
}

// Released reports whether Release dropped the part's records.
func (p *Part) Released() bool { return p.released }

// Release drops the records of every part once their digest and counts are
// kept (Part.Records, Part.SHA256): for a caller that needs neither again,
// such as an evaluation whose input is converted (engine.Input.Release).
func (s *Snapshot) Release() error {
	for _, p := range s.Parts {
		if p.released {
			continue
		}
		if _, err := p.Digest(); err != nil {
			return fmt.Errorf("%s: %w", p.ID(), err)
		}
		p.records = p.Records()
		p.released = true
		p.Data = Data{}
	}
	return nil
}

// Failed reports whether the source could not be collected.
func (p *Part) Failed() bool { return p.Error != "" }

// ID is the display id of the part's source, "<kind>.<name>": a source is
// identified by its kind and name together, so two parts may share a name.
func (p *Part) ID() string { return p.Kind + "." + p.Source }

// SortParts orders parts by (kind, source name), the order of reports and
// manifests.
func SortParts(parts []*Part) {
	sort.SliceStable(parts, func(i, j int) bool {
		a, b := parts[i], parts[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Source < b.Source
	})
}

// ManifestEntry describes one part in manifest.json.
type ManifestEntry struct {
	Source       string   `json:"source"`
	Kind         string   `json:"kind"`
	File         string   `json:"file"`
	SHA256       string   `json:"sha256"`
	Records      int      `json:"records"`
	SkippedLines int      `json:"skipped_lines"`
	CollectedAt  string   `json:"collected_at"`
	Error        string   `json:"error,omitempty"`
	Notes        []string `json:"notes,omitempty"`
	// Partial: the part holds this shard's share of the source (or none
	// of it); only in a shard's snapshot.
	Partial bool `json:"partial,omitempty"`
}

// Manifest is manifest.json.
type Manifest struct {
	Schema  string `json:"schema"`
	Project string `json:"project"`
	AsOf    string `json:"as_of"`
	// Shard is "i/N" in the snapshot of one shard of a sharded collection
	// (`posture snapshot --shard i/N`), which `posture merge` joins with
	// the others; Config is then the sha256 of the config file, which
	// every shard must share.
	Shard   string          `json:"shard,omitempty"`
	Config  string          `json:"config,omitempty"`
	Sources []ManifestEntry `json:"sources"`

	// SHA256 is the digest of manifest.json as written or read (not
	// serialised). The manifest lists every part's sha256, so this one
	// digest pins the whole snapshot; reports carry it (report.Snapshot).
	SHA256 string `json:"-"`
}

// Snapshot is every source's part plus the manifest.
type Snapshot struct {
	AsOf  time.Time
	Parts []*Part
	// Shard and Config are written to the manifest (see Manifest).
	Shard, Config string
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// partFiles names the file of each part: "<kind>.<name>.json". A name with
// characters a file name should not hold has them replaced by "_" and gets
// "~" and 8 hex digits of the sha256 of its id appended, as do ids that only
// differ in case (a case-insensitive file system would merge them): every
// source keeps a file of its own. "~" is never in a plain file name, so a
// plain name cannot meet a marked one.
func partFiles(parts []*Part) []string {
	names := make([]string, len(parts))
	plain := map[string]int{} // lower-cased id -> safe ids with it
	for _, p := range parts {
		if id := p.ID(); !safeName.MatchString(id) {
			plain[strings.ToLower(id)]++
		}
	}
	for i, p := range parts {
		id := p.ID()
		name := safeName.ReplaceAllString(id, "_")
		if name != id || plain[strings.ToLower(id)] > 1 {
			sum := sha256.Sum256([]byte(id))
			name += "~" + hex.EncodeToString(sum[:4])
		}
		names[i] = name + ".json"
	}
	return names
}

// Write stores the snapshot in dir atomically: everything is written to a
// sibling temporary folder which then replaces dir, so a reader never sees a
// half-written snapshot.
func Write(dir, project string, s *Snapshot) (*Manifest, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(tmp)
	m := &Manifest{Schema: ManifestSchema, Project: project, AsOf: s.AsOf.UTC().Format(time.RFC3339), Shard: s.Shard, Config: s.Config}
	files := partFiles(s.Parts)
	for i, p := range s.Parts {
		name := files[i]
		end := trace.Phase("write " + name)
		err := writePart(filepath.Join(tmp, name), p)
		end()
		if err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		m.Sources = append(m.Sources, ManifestEntry{
			Source: p.Source, Kind: p.Kind, File: name, SHA256: p.SHA256, Records: p.Data.Count(),
			SkippedLines: p.SkippedLines, CollectedAt: p.CollectedAt, Error: p.Error, Notes: p.Notes,
			Partial: p.Shard != nil,
		})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	mb = append(mb, '\n')
	if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), mb, 0o644); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	m.SHA256 = digest(mb)
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return m, nil
}

// Read loads a snapshot folder written by Write, checking each part's sha256
// against the manifest.
func Read(dir string) (*Snapshot, *Manifest, error) { return ReadWith(dir, nil) }

// ReadWith is Read calling each (when not nil) with every part as soon as it
// is decoded and checked, on the core that decoded it, before the next part
// starts there: a caller can convert what it needs of a part and release
// its records (Part.ReleaseEvents) while the other parts decode, so all the
// parts' records are never in memory at once. An error from each is the
// read's error.
func ReadWith(dir string, each func(m *Manifest, p *Part) error) (*Snapshot, *Manifest, error) {
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: not a snapshot (no manifest.json)", dir)
		}
		return nil, nil, err
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	m.SHA256 = digest(mb)
	asOf, err := time.Parse(time.RFC3339, m.AsOf)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bad as_of: %w", filepath.Join(dir, "manifest.json"), err)
	}
	s := &Snapshot{AsOf: asOf, Parts: make([]*Part, len(m.Sources)), Shard: m.Shard, Config: m.Config}
	errs := make([]error, len(m.Sources))
	// Parts are read and decoded on all cores, the largest first so that
	// no large part starts last.
	order := make([]int, len(m.Sources))
	size := make([]int64, len(m.Sources))
	for i, e := range m.Sources {
		order[i] = i
		if fi, err := os.Stat(filepath.Join(dir, filepath.Base(e.File))); err == nil {
			size[i] = fi.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	parallel.ForEach(len(order), func(k int) {
		i := order[k]
		s.Parts[i], errs[i] = readPart(dir, m.Sources[i])
		if errs[i] == nil && each != nil {
			errs[i] = each(&m, s.Parts[i])
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, nil, err // the first in manifest order
		}
	}
	SortParts(s.Parts)
	return s, &m, nil
}

// readPart reads, checks and decodes the file of one manifest entry.
func readPart(dir string, e ManifestEntry) (*Part, error) {
	path := filepath.Join(dir, filepath.Base(e.File))
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// The sha256 is computed while the part decodes (a core of its own:
	// the hash of a large part costs no wall time).
	sum := make(chan string, 1)
	go func() { sum <- digest(b) }()
	p := &Part{}
	// goccy/go-json decodes the same JSON about twice as fast as
	// encoding/json (a 100x snapshot is hundreds of MB).
	err = gojson.Unmarshal(b, p)
	if err == nil {
		err = decodeOpen(b, p)
	}
	if got := <-sum; got != e.SHA256 {
		return nil, &MismatchError{Path: path, Want: e.SHA256, Got: got}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.SHA256 = e.SHA256
	p.CollectedAt = e.CollectedAt
	return p, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func writePart(path string, p *Part) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := p.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

package snapshot

import (
	"fmt"
	"sort"
	"strings"
)

// How a shard's snapshot (`posture snapshot --shard i/N`) holds a source:
// ShardInfo.Mode.
const (
	// ShardUnits: the source's units of work (files, repositories, URLs,
	// hosts) were shared out; ShardInfo.Units lists all of them, in the
	// order an unsharded collection reads them, and which are this shard's.
	ShardUnits = "units"
	// ShardWhole: this shard collected the whole source.
	ShardWhole = "whole"
	// ShardElsewhere: another shard collects the source; the part holds no
	// data.
	ShardElsewhere = "elsewhere"
)

// ShardInfo says which share of a source a shard's part holds. Parts of an
// unsharded snapshot (and merged ones) have none.
type ShardInfo struct {
	Mode  string `json:"mode"`
	Units []Unit `json:"units,omitempty"`
}

// Unit is one unit of work of a source whose work is shared out: a file
// (its path relative to the config's folder), a repository, a URL, a host.
type Unit struct {
	Key string `json:"key"`
	// Owned: this shard collected the unit. Records and Files count what
	// it gave: the records by collection ("events.<type>" for log events)
	// and the files read.
	Owned   bool           `json:"owned,omitempty"`
	Records map[string]int `json:"records,omitempty"`
	Files   int            `json:"files,omitempty"`
}

// Counts returns the number of records d holds by collection: "events.<type>"
// for each event type, the name of every other non-empty collection.
func (d *Data) Counts() map[string]int {
	out := map[string]int{}
	for t, l := range d.Events {
		if l.Len() > 0 {
			out[EventCollection(t)] = l.Len()
		}
	}
	for _, c := range Collections() {
		if n := c.Len(d); n > 0 {
			out[c.Name()] = n
		}
	}
	return out
}

// Diff returns after minus before, by collection, without zeros.
func Diff(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range after {
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sub returns the events lo..hi of the list (sharing its segments).
func (l EventList) sub(lo, hi int) [][]Event {
	var out [][]Event
	off := 0
	for _, s := range l.segs {
		a, b := max(lo-off, 0), min(hi-off, len(s))
		if a < b {
			out = append(out, s[a:b])
		}
		off += len(s)
	}
	return out
}

// take is n records of one collection from source part src.
type take struct{ src, n int }

func (c *Collection[T]) splice(dst *Data, srcs []*Data, takes []take) error {
	pos := make([]int, len(srcs))
	var out []T
	for _, t := range takes {
		recs := c.Of(srcs[t.src])
		if pos[t.src]+t.n > len(recs) {
			return fmt.Errorf("%s: shard holds %d records, its units count more", c.name, len(recs))
		}
		out = append(out, recs[pos[t.src]:pos[t.src]+t.n]...)
		pos[t.src] += t.n
	}
	for i, s := range srcs {
		if pos[i] != c.Len(s) {
			return fmt.Errorf("%s: shard holds %d records, its units count %d", c.name, c.Len(s), pos[i])
		}
	}
	if len(out) > 0 {
		c.Set(dst, out)
	}
	return nil
}

func spliceEvents(dst *Data, typ string, srcs []*Data, takes []take) error {
	pos := make([]int, len(srcs))
	var segs [][]Event
	for _, t := range takes {
		l := srcs[t.src].Events[typ]
		if pos[t.src]+t.n > l.Len() {
			return fmt.Errorf("%s: shard holds %d records, its units count more", EventCollection(typ), l.Len())
		}
		segs = append(segs, l.sub(pos[t.src], pos[t.src]+t.n)...)
		pos[t.src] += t.n
	}
	for i, s := range srcs {
		if n := s.Events[typ].Len(); pos[i] != n {
			return fmt.Errorf("%s: shard holds %d records, its units count %d", EventCollection(typ), n, pos[i])
		}
	}
	if len(segs) > 0 {
		if dst.Events == nil {
			dst.Events = map[string]EventList{}
		}
		dst.Events[typ] = SegmentedEvents(segs)
	}
	return nil
}

// MergeShardParts joins the parts one source has in the snapshots of every
// shard (parts[i] from shard names[i], in shard order) into the part an
// unsharded collection would have written: for a source whose units were
// shared out, each unit's records are taken from the shard that owns it,
// in unit order (byte for byte the unsharded part); for a source collected
// whole, the part of the one shard that did. Skipped lines are summed, and
// provides and notes joined without repeats in shard order. A source that
// failed in any shard fails, the shard named. An error means the shards do
// not fit together (a unit owned by no shard or by two, a source collected
// whole twice).
func MergeShardParts(parts []*Part, names []string) (*Part, error) {
	first := parts[0]
	out := &Part{Source: first.Source, Kind: first.Kind}
	for i, p := range parts {
		if p.CollectedAt > out.CollectedAt {
			out.CollectedAt = p.CollectedAt
		}
		if p.Failed() {
			out.Error = fmt.Sprintf("shard %s: %s", names[i], p.Error)
			return out, nil
		}
		if p.Shard == nil {
			return nil, fmt.Errorf("source %s: shard %s's part is not marked as a shard's", p.ID(), names[i])
		}
	}
	switch first.Shard.Mode {
	case ShardWhole, ShardElsewhere:
		owner := -1
		for i, p := range parts {
			switch p.Shard.Mode {
			case ShardWhole:
				if owner >= 0 {
					return nil, fmt.Errorf("source %s: collected whole by shards %s and %s", p.ID(), names[owner], names[i])
				}
				owner = i
			case ShardElsewhere:
			default:
				return nil, fmt.Errorf("source %s: shards disagree on how it is sharded", p.ID())
			}
		}
		if owner < 0 {
			return nil, fmt.Errorf("source %s: collected by no shard", first.ID())
		}
		w := *parts[owner]
		w.Shard, w.SHA256 = nil, ""
		w.CollectedAt = parts[owner].CollectedAt
		return &w, nil
	case ShardUnits:
	default:
		return nil, fmt.Errorf("source %s: unknown shard mode %q", first.ID(), first.Shard.Mode)
	}

	// Every shard lists the same units; each is owned by exactly one.
	units := first.Shard.Units
	owner := make([]int, len(units))
	for u := range owner {
		owner[u] = -1
	}
	for i, p := range parts {
		if p.Shard.Mode != ShardUnits || len(p.Shard.Units) != len(units) {
			return nil, fmt.Errorf("source %s: shards %s and %s list different units of work", p.ID(), names[0], names[i])
		}
		for u, un := range p.Shard.Units {
			if un.Key != units[u].Key {
				return nil, fmt.Errorf("source %s: shards %s and %s list different units of work (%q, %q)", p.ID(), names[0], names[i], units[u].Key, un.Key)
			}
			if un.Owned {
				if owner[u] >= 0 {
					return nil, fmt.Errorf("source %s: %s collected by shards %s and %s", p.ID(), un.Key, names[owner[u]], names[i])
				}
				owner[u] = i
			}
		}
		out.SkippedLines += p.SkippedLines
		out.Provides = union(out.Provides, p.Provides)
		out.Notes = union(out.Notes, p.Notes)
	}
	keys := map[string]bool{}
	var fileTakes []take
	for u, un := range units {
		if owner[u] < 0 {
			return nil, fmt.Errorf("source %s: %s collected by no shard", first.ID(), un.Key)
		}
		un = parts[owner[u]].Shard.Units[u]
		for k := range un.Records {
			keys[k] = true
		}
		if un.Files > 0 {
			fileTakes = append(fileTakes, take{owner[u], un.Files})
		}
	}
	// Files not tied to a unit (a CA file) come first, as they are read first.
	filePos := make([]int, len(parts))
	unitFiles := make([]int, len(parts))
	for _, t := range fileTakes {
		unitFiles[t.src] += t.n
	}
	for i, p := range parts {
		extra := len(p.Files) - unitFiles[i]
		if extra < 0 {
			return nil, fmt.Errorf("source %s: shard %s lists fewer files than its units count", p.ID(), names[i])
		}
		out.Files = union(out.Files, p.Files[:extra])
		filePos[i] = extra
	}
	for _, t := range fileTakes {
		out.Files = append(out.Files, parts[t.src].Files[filePos[t.src]:filePos[t.src]+t.n]...)
		filePos[t.src] += t.n
	}

	srcs := make([]*Data, len(parts))
	for i, p := range parts {
		srcs[i] = &p.Data
		for k := range p.Data.Counts() {
			keys[k] = true
		}
		if p.Data.Baseline != nil && out.Data.Baseline == nil {
			out.Data.Baseline = p.Data.Baseline
		}
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		var takes []take
		for u := range units {
			if n := parts[owner[u]].Shard.Units[u].Records[k]; n > 0 {
				takes = append(takes, take{owner[u], n})
			}
		}
		var err error
		if typ, ok := strings.CutPrefix(k, EventsPrefix); ok {
			err = spliceEvents(&out.Data, typ, srcs, takes)
		} else if c := lookupCollection(k); c != nil {
			err = c.splice(&out.Data, srcs, takes)
		} else {
			err = fmt.Errorf("%s: not a collection", k)
		}
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", first.ID(), err)
		}
	}
	return out, nil
}

func lookupCollection(name string) AnyCollection {
	for _, c := range Collections() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// union appends the items of b that a lacks, in order.
func union(a, b []string) []string {
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			seen[s] = true
			a = append(a, s)
		}
	}
	return a
}

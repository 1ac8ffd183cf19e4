package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/internal/shard"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// A sharded collection (`posture snapshot --shard i/N`, then `posture
// merge`): each shard collects the units of work (files, repositories,
// URLs, hosts) of the shardable kinds that the hash of their key gives it
// (internal/shard), and the sources of the other kinds whole when the hash
// of their id "<kind>.<name>" names it. Merge joins the shards' snapshots
// into the one an unsharded collection writes, part for part byte-identical.

// shardSource marks p with how this shard holds source s and sets env's
// shard for a shardable kind. It reports whether s is to be collected here.
func (a *App) shardSource(s *config.Source, p *snapshot.Part, env *sources.Env) bool {
	if k, ok := sources.Lookup(s.Kind); ok && k.Shardable {
		env.Shard = a.Shard
		p.Shard = &snapshot.ShardInfo{Mode: snapshot.ShardUnits}
		return true
	}
	if a.Shard.Owns(s.ID()) {
		p.Shard = &snapshot.ShardInfo{Mode: snapshot.ShardWhole}
		return true
	}
	p.Shard = &snapshot.ShardInfo{Mode: snapshot.ShardElsewhere}
	return false
}

// configDigest is the sha256 of the config file, which the shards of one
// collection must share.
func configDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ErrShards is wrapped by the errors of Merge about shards that do not make
// a whole (one missing, counts or as-of or configs that differ).
var ErrShards = errors.New("shards do not make a whole")

// Merge reads the snapshots of the shards of one sharded collection (every
// shard 1..N once, same N, as-of, project, config and sources), joins them
// (snapshot.MergeShardParts) and writes the result to out: the snapshot an
// unsharded collection would have written, without shard marks. A source
// that failed in a shard is failed, the shard named (SourceErrors tells).
func Merge(ctx context.Context, out string, dirs []string) (*Snapshotted, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%w: no shard snapshots given", ErrShards)
	}
	type read struct {
		dir  string
		spec shard.Spec
		snap *snapshot.Snapshot
		man  *snapshot.Manifest
	}
	shards := make([]read, 0, len(dirs))
	for _, d := range dirs {
		if err := interrupted(ctx); err != nil {
			return nil, err
		}
		s, m, err := snapshot.Read(d)
		if err != nil {
			return nil, err
		}
		if m.Shard == "" {
			return nil, fmt.Errorf("%w: %s is not a shard's snapshot (no shard in its manifest)", ErrShards, Display(d))
		}
		spec, err := shard.Parse(m.Shard)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Display(d), err)
		}
		shards = append(shards, read{d, spec, s, m})
	}
	sort.SliceStable(shards, func(i, j int) bool { return shards[i].spec.Index < shards[j].spec.Index })
	first := shards[0]
	n := first.spec.Count
	seen := map[int]string{}
	for _, r := range shards {
		where := Display(r.dir)
		switch {
		case r.spec.Count != n:
			return nil, fmt.Errorf("%w: %s is shard %s, %s is shard %s", ErrShards, Display(first.dir), first.man.Shard, where, r.man.Shard)
		case seen[r.spec.Index] != "":
			return nil, fmt.Errorf("%w: %s and %s are both shard %s", ErrShards, seen[r.spec.Index], where, r.man.Shard)
		case r.man.AsOf != first.man.AsOf:
			return nil, fmt.Errorf("%w: %s is as of %s, %s as of %s", ErrShards, Display(first.dir), first.man.AsOf, where, r.man.AsOf)
		case r.man.Config != first.man.Config:
			return nil, fmt.Errorf("%w: %s and %s were collected with different configs", ErrShards, Display(first.dir), where)
		case r.man.Project != first.man.Project:
			return nil, fmt.Errorf("%w: %s is of project %q, %s of %q", ErrShards, Display(first.dir), first.man.Project, where, r.man.Project)
		}
		seen[r.spec.Index] = where
	}
	var missing []string
	for i := 1; i <= n; i++ {
		if seen[i] == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: shard %s missing", ErrShards, strings.Join(missing, ", "))
	}

	names := make([]string, len(shards))
	for i, r := range shards {
		names[i] = r.man.Shard
	}
	merged := &snapshot.Snapshot{AsOf: first.snap.AsOf}
	for j, p := range first.snap.Parts {
		parts := make([]*snapshot.Part, len(shards))
		for i, r := range shards {
			if len(r.snap.Parts) != len(first.snap.Parts) || r.snap.Parts[j].ID() != p.ID() {
				return nil, fmt.Errorf("%w: %s and %s hold different sources", ErrShards, Display(first.dir), Display(r.dir))
			}
			parts[i] = r.snap.Parts[j]
		}
		mp, err := snapshot.MergeShardParts(parts, names)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrShards, err)
		}
		merged.Parts = append(merged.Parts, mp)
	}
	m, err := snapshot.Write(out, first.man.Project, merged)
	if err != nil {
		return nil, err
	}
	return &Snapshotted{Dir: out, Snapshot: merged, Manifest: m}, nil
}

package tabular

import (
	"context"
	"fmt"
	"time"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// Zone returns the zone for timestamps without an offset: the config's
// timezone, else env.Zone, else UTC.
func Zone(cfg *sources.FileConfig, env sources.Env) (*time.Location, error) {
	if cfg != nil && cfg.Timezone != "" {
		loc, err := timefmt.Location(cfg.Timezone)
		if err != nil {
			return nil, fmt.Errorf("timezone %q: %w", cfg.Timezone, err)
		}
		return loc, nil
	}
	if env.Zone != nil {
		return env.Zone, nil
	}
	return time.UTC, nil
}

// CheckPaths validates a decoded FileConfig (used by the kinds' New).
func CheckPaths(c *sources.FileConfig) error {
	if len(c.Paths) == 0 {
		return fmt.Errorf("paths: at least one path is required")
	}
	if _, err := timefmt.Location(c.Timezone); err != nil {
		return fmt.Errorf("timezone %q: %w", c.Timezone, err)
	}
	return nil
}

// Each reads every file matched by the config's globs (relative to
// env.BaseDir) as a table with the given required columns and calls fn for
// each row. It returns the files read (full paths). In a sharded run
// (env.Shard, for a kind that is Shardable) it reads only the files whose
// path relative to env.BaseDir is the shard's, and records every file in
// res.Units with the records fn added to res.Data; res may be nil for a
// kind that is not shardable.
func Each(ctx context.Context, env sources.Env, cfg *sources.FileConfig, required []string, res *sources.Result, fn func(*Row) error) ([]string, error) {
	loc, err := Zone(cfg, env)
	if err != nil {
		return nil, err
	}
	paths, err := files.Glob(env.BaseDir, cfg.Paths)
	if err != nil {
		return nil, err
	}
	rd := Reader{Required: required, Zone: loc}
	var units sources.Units
	var read []string
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		disp := files.Display(env.BaseDir, p)
		if res != nil && !env.Owns(disp) {
			units.Skip(env, disp)
			continue
		}
		var before map[string]int
		if res != nil {
			before = res.Data.Counts()
		}
		if err := rd.ReadFile(p, disp, fn); err != nil {
			return nil, err
		}
		if res != nil {
			units.Done(env, disp, before, res.Data.Counts(), 1)
		}
		read = append(read, p)
	}
	if res != nil {
		res.Units = units.List(env)
	}
	return read, nil
}

// tableSource is a file source whose rows become records via collect.
type tableSource struct {
	cfg     *sources.FileConfig
	collect func(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error)
}

func (s *tableSource) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	return s.collect(ctx, env, s.cfg)
}

// register registers a table kind described by k (name, summary, doc and
// columns).
func register(k sources.Kind, collect func(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error)) {
	k.Build = sources.Typed(func(c *sources.FileConfig) (*tableSource, error) {
		if err := CheckPaths(c); err != nil {
			return nil, err
		}
		return &tableSource{cfg: c, collect: collect}, nil
	})
	sources.Register(k)
}

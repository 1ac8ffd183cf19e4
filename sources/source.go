// Package sources holds the source adapters: each kind reads one kind of raw
// state (a log format, a CSV export, a scanner report, an API) and normalises
// it into snapshot records. Sources never judge; policies do.
//
// Each kind lives in its own sub-package and registers itself with Register
// from an init function; package sources/all imports every kind.
package sources

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/localizevideos/posture/internal/shard"
	"github.com/localizevideos/posture/snapshot"
)

// ID is the display id of the source of the given kind and name,
// "<kind>.<name>". A source is identified by its kind and name together, so
// the id is unique within a config where the name alone may not be.
func ID(kind, name string) string { return kind + "." + name }

// Env is what a source may know about the run.
type Env struct {
	Name    string         // configured source name
	Kind    string         // the source's kind
	AsOf    time.Time      // evaluation instant (UTC)
	BaseDir string         // folder of the config file; relative paths resolve here
	Zone    *time.Location // zone of timestamps without an offset (UTC unless configured)
	// ReportsDir is where reports, the vulnerability ledger and the config
	// baseline (baseline.json) live.
	ReportsDir string
	// CacheDir is where API sources may keep an HTTP cache between runs
	// (<snapshots_dir>/.cache; each kind uses a folder of its own). ""
	// when there is none.
	CacheDir string
	// WindowDays is the config's reporting window (window_days): API
	// sources read as far back as the metrics need. 0 when unknown.
	WindowDays int
	// Getenv reads the environment (tokens such as GITHUB_TOKEN); tests pass
	// their own. Never log or return what it gives.
	Getenv func(string) string
	// Progress, when set, is told how far a long collection has come (URLs
	// probed, repositories read). It is only for display.
	Progress func(done, total int)
	// Say, when set, shows a line to the person running posture (stderr),
	// such as an API source's request estimate. Only for display.
	Say func(line string)
	// Shard is this run's shard of a sharded collection (`posture
	// snapshot --shard i/N`); the zero Spec when not sharded. Only kinds
	// that declare Kind.Shardable see it set: they collect the units of
	// work (files, repositories, URLs, hosts) Owns gives them and list
	// every unit in Result.Units (Units helps).
	Shard shard.Spec
}

// Owns reports whether the unit of work with the given key is this run's
// to collect: always when not sharded.
func (e Env) Owns(key string) bool { return e.Shard.Owns(key) }

// ID is the source's display id "<kind>.<name>", which records carry as
// their source. An Env without a Kind (one built by hand in a test) gives
// the name alone.
func (e Env) ID() string {
	if e.Kind == "" {
		return e.Name
	}
	return ID(e.Kind, e.Name)
}

// Env returns e.Getenv(key), or "" when no Getenv is set.
func (e Env) Env(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

// Sayf shows a line through e.Say when it is set.
func (e Env) Sayf(format string, args ...any) {
	if e.Say != nil {
		e.Say(fmt.Sprintf(format, args...))
	}
}

// Report calls e.Progress when it is set.
func (e Env) Report(done, total int) {
	if e.Progress != nil {
		e.Progress(done, total)
	}
}

// Result is what one collection produced.
type Result struct {
	Data         snapshot.Data
	SkippedLines int      // log lines that matched no known pattern
	Files        []string // files read, for the manifest
	// Provides lists the parts of a multi-part kind that were collected
	// (the github kind: members, alerts, deployments, incidents): the kind's
	// collections that come with a part (snapshot.Provided.Part) are
	// provided only when it is listed.
	Provides []string
	// Notes say what was skipped and why (a feature turned off, a field not
	// readable). They go to the manifest; never put credentials in them.
	Notes []string
	// Units, in a sharded run, lists every unit of work of the source in
	// the order an unsharded run reads them, with what the owned ones gave
	// (Units builds it). nil when not sharded.
	Units []snapshot.Unit
}

// Units records the units of work of a sharded collection as a kind goes
// through them. The zero value is ready; on an unsharded run (env.Shard
// zero) it records nothing.
type Units struct {
	list []snapshot.Unit
}

// Skip records a unit another shard collects.
func (u *Units) Skip(env Env, key string) {
	if env.Shard.Sharded() {
		u.list = append(u.list, snapshot.Unit{Key: key})
	}
}

// Done records a unit this shard collected: the records it added (counts
// by collection before and after, snapshot.Data.Counts) and the files it
// read.
func (u *Units) Done(env Env, key string, before, after map[string]int, files int) {
	if env.Shard.Sharded() {
		u.list = append(u.list, snapshot.Unit{Key: key, Owned: true, Records: snapshot.Diff(before, after), Files: files})
	}
}

// List returns the units recorded, nil on an unsharded run (for
// Result.Units).
func (u *Units) List(env Env) []snapshot.Unit {
	if !env.Shard.Sharded() {
		return nil
	}
	if u.list == nil {
		return []snapshot.Unit{}
	}
	return u.list
}

// Source collects one configured source.
type Source interface {
	Collect(ctx context.Context, env Env) (*Result, error)
}

// Kind describes a source kind: its configuration schema and constructor,
// and the collections its sources provide.
//
// The reference (docs/configuration.md) is generated from it: the
// attributes from the config struct Build makes (the `hcl` tag gives the
// name and whether it is optional, the `doc` tag the meaning, the field
// type the HCL type), their defaults from Defaults, the prose from Summary,
// Doc and Columns, and the metrics it feeds from Collections.
type Kind struct {
	Name string
	// Summary is one line for `posture metrics` and docs.
	Summary string
	// Doc is the kind's reference in Markdown: what it reads (formats, with
	// sample lines), what it records and what it skips. It describes the
	// outside (files, lines, API calls), never the code.
	Doc string
	// Columns are the columns (CSV header names, JSON keys) of a table kind,
	// in the order they are documented; nil for other kinds.
	Columns []Column
	// Defaults are the values the optional attributes take when a block
	// leaves them out, by attribute name: the constants the kind applies,
	// or a DefaultDoc describing them.
	Defaults map[string]any
	// Collections are the collections the kind's sources provide, with the
	// traits of their records ("scanner" findings, accounts with
	// "activity"). A metric is measured by the configured sources that
	// provide a collection among its inputs.
	Collections []snapshot.Provided
	// Shardable kinds share their work out in a sharded collection
	// (`posture snapshot --shard i/N`): they honour Env.Shard and fill
	// Result.Units. The sources of other kinds are collected whole by the
	// one shard the hash of their id "<kind>.<name>" names.
	Shardable bool
	// Build makes the kind's config struct and its sources: Typed(New)
	// for a constructor New(*Config) (S, error).
	Build Builder
}

// Builder makes a kind's config struct and builds sources from it. Typed
// is the implementation every kind uses.
type Builder interface {
	// NewConfig returns a pointer to a fresh config struct whose fields
	// carry gohcl tags (`hcl:"paths"`, `hcl:"timezone,optional"`...). The
	// config loader decodes the source block's body into it.
	NewConfig() any
	// New builds the source from a decoded config (the pointer NewConfig
	// gave).
	New(cfg any) (Source, error)
}

// Typed returns the Builder of a kind from its constructor: the config
// struct is a new C, and the decoded config is handed to newSource as the
// *C it is (no kind repeats the type assertion).
func Typed[C any, S Source](newSource func(*C) (S, error)) Builder {
	return typed[C, S](newSource)
}

type typed[C any, S Source] func(*C) (S, error)

func (f typed[C, S]) NewConfig() any { return new(C) }

func (f typed[C, S]) New(cfg any) (Source, error) {
	c, ok := cfg.(*C)
	if !ok || c == nil {
		return nil, fmt.Errorf("internal error: config is %T, want %T", cfg, c)
	}
	s, err := f(c)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NewConfig returns a fresh config struct of the kind (see Builder).
func (k Kind) NewConfig() any { return k.Build.NewConfig() }

// New builds a source of the kind from its decoded config (see Builder).
func (k Kind) New(cfg any) (Source, error) { return k.Build.New(cfg) }

var (
	mu    sync.RWMutex
	kinds = map[string]Kind{}
)

// Register makes a kind available. It panics on duplicates (a programming error).
func Register(k Kind) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := kinds[k.Name]; dup {
		panic(fmt.Sprintf("source kind %q registered twice", k.Name))
	}
	if k.Build == nil {
		panic(fmt.Sprintf("source kind %q has no Build", k.Name))
	}
	snapshot.DeclareKind(k.Name, k.Collections)
	kinds[k.Name] = k
}

// Lookup returns the kind of the given name.
func Lookup(name string) (Kind, bool) {
	mu.RLock()
	defer mu.RUnlock()
	k, ok := kinds[name]
	return k, ok
}

// Kinds lists the registered kind names, sorted.
func Kinds() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(kinds))
	for n := range kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Events returns the event collections "events.<type>" of the given types,
// for Kind.Collections of a log kind.
func Events(types ...string) []snapshot.Provided {
	out := make([]snapshot.Provided, len(types))
	for i, t := range types {
		out[i] = snapshot.Provided{Collection: snapshot.EventCollection(t)}
	}
	return out
}

// DefaultDoc is a default that is not a plain value (one read from the
// environment, "every repository"): Kind.Defaults gives it as text, shown
// as written (Markdown).
type DefaultDoc string

// Column is one column of a table export: a CSV header name or a JSON key.
type Column struct {
	Name string
	// Type is what the cell holds: "text", "time", "boolean" or "list".
	Type string
	// Required columns must be in the header and non-empty on every row.
	Required bool
	Doc      string
}

// RequiredColumns returns the names of the required columns.
func RequiredColumns(cols []Column) []string {
	var out []string
	for _, c := range cols {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

// FileConfig is the configuration shared by file sources.
type FileConfig struct {
	Paths    []string `hcl:"paths" doc:"Files to read: glob patterns (*, ?, [...]; no **), relative to the config file's folder. A pattern that matches no file is a source error."`
	Timezone string   `hcl:"timezone,optional" doc:"IANA zone name (Europe/Berlin) of timestamps written without an offset; empty means UTC."`
}

// FilePaths returns the configured globs.
func (c *FileConfig) FilePaths() []string { return c.Paths }

// Package logfile is what the log source kinds (sshd_log, nginx_access_log,
// nginx_error_log, app_log, fail2ban_log) share: their configuration, the
// zone of zoneless timestamps, and the walk that streams every matched file
// (rotated *.gz ones transparently) through a per-line parser and turns its
// events into snapshot events. Each kind only supplies the parser.
package logfile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// CancelEvery is how many lines are read between checks of the context.
const CancelEvery = 4096

// Event is one security event found on a line, before it becomes a
// snapshot.Event (which needs the source name and the line's origin).
type Event struct {
	Type   string    // snapshot.Event* constant
	T      time.Time // instant of the event
	IP     string
	User   string
	Detail string
}

// LineFunc parses one line, appending its events to dst. ok=false means the
// line matched no known shape (counted as skipped). The line is only valid
// during the call.
type LineFunc func(dst []Event, line []byte) (out []Event, ok bool)

// NewLineFunc returns the LineFunc for one file. It is called once per file,
// so the parser may keep state across the lines of a file. loc is the zone
// of zoneless timestamps, asOf the evaluation instant.
type NewLineFunc func(loc *time.Location, asOf time.Time) LineFunc

// Config is the body of a log source block.
type Config struct {
	Paths    []string `hcl:"paths"`
	Timezone string   `hcl:"timezone,optional"`
}

// Files is a configured set of log files: globs and zone.
type Files struct {
	paths []string
	loc   *time.Location // nil: use env.Zone
}

// New checks the globs and loads the timezone ("" = the run's zone).
func New(paths []string, timezone string) (Files, error) {
	if len(paths) == 0 {
		return Files{}, errors.New("paths: at least one path is required")
	}
	f := Files{paths: paths}
	if timezone != "" {
		loc, err := timefmt.Location(timezone)
		if err != nil {
			return Files{}, fmt.Errorf("timezone: %w", err)
		}
		f.loc = loc
	}
	return f, nil
}

// Zone is the location of zoneless timestamps: the configured timezone,
// else the run's zone, else UTC.
func (f Files) Zone(env sources.Env) *time.Location {
	if f.loc != nil {
		return f.loc
	}
	if env.Zone != nil {
		return env.Zone
	}
	return time.UTC
}

// Collect streams every file matched by the globs through the LineFunc
// newLine returns for it. Every event is kept (window filtering is the
// policies' job); lines the parser does not know are counted in
// SkippedLines. Result.Files lists the files read as displayed (relative
// to env.BaseDir when inside it), and an error reading a file is prefixed
// with that name. The context is checked before each file and every
// CancelEvery lines.
func (f Files) Collect(ctx context.Context, env sources.Env, newLine NewLineFunc) (*sources.Result, error) {
	paths, err := files.Glob(env.BaseDir, f.paths)
	if err != nil {
		return nil, err
	}
	loc := f.Zone(env)
	res := &sources.Result{}
	var buf []Event
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		disp := files.Display(env.BaseDir, p)
		res.Files = append(res.Files, disp)
		parse := newLine(loc, env.AsOf)
		err := files.Lines(p, func(n int, line []byte) error {
			if n%CancelEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var ok bool
			buf, ok = parse(buf[:0], line)
			if !ok {
				res.SkippedLines++
				return nil
			}
			if len(buf) > 0 {
				add(res, env.Name, disp+":"+strconv.Itoa(n), buf)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", disp, err)
		}
	}
	return res, nil
}

// add records the events of one line. Events of the same instant (a
// repeated line, or one line yielding several types) share one time string.
func add(res *sources.Result, name, origin string, evs []Event) {
	var (
		ts   string
		ms   int64
		last time.Time
	)
	for i, ev := range evs {
		if i == 0 || !ev.T.Equal(last) {
			ts, ms = timefmt.Stamp(ev.T)
			last = ev.T
		}
		res.Data.AddEvent(ev.Type, snapshot.Event{
			TimeMS: ms, Time: ts, Source: name, Origin: origin,
			IP: ev.IP, User: ev.User, Detail: ev.Detail,
		})
	}
}

// source is a log source whose configuration is Config.
type source struct {
	files   Files
	newLine NewLineFunc
}

func (s *source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	return s.files.Collect(ctx, env, s.newLine)
}

// Register registers a source kind whose configuration is Config and whose
// files are parsed by the LineFuncs of newLine. It returns the kind's
// constructor, for the package to export as New.
func Register(kind, summary string, newLine NewLineFunc) func(*Config) (sources.Source, error) {
	newSource := func(cfg *Config) (sources.Source, error) {
		if cfg == nil {
			cfg = &Config{}
		}
		f, err := New(cfg.Paths, cfg.Timezone)
		if err != nil {
			return nil, err
		}
		return &source{files: f, newLine: newLine}, nil
	}
	sources.Register(sources.Kind{
		Name:      kind,
		Summary:   summary,
		NewConfig: func() any { return &Config{} },
		New: func(cfg any) (sources.Source, error) {
			c, ok := cfg.(*Config)
			if !ok {
				return nil, fmt.Errorf("%s: unexpected config type %T", kind, cfg)
			}
			return newSource(c)
		},
	})
	return newSource
}

// One adapts a parser finding at most one event on a line (Type "" = none)
// into a LineFunc.
func One(parse func(line []byte) (Event, bool)) LineFunc {
	return func(dst []Event, line []byte) ([]Event, bool) {
		ev, ok := parse(line)
		if ok && ev.Type != "" {
			dst = append(dst, ev)
		}
		return dst, ok
	}
}

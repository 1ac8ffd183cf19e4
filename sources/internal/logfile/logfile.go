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
	st := stamper{chunks: map[string][][]snapshot.Event{}}
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
				st.add(env.Name, disp+":"+strconv.Itoa(n), buf)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", disp, err)
		}
	}
	st.flush(res)
	return res, nil
}

// stamper renders event times, reusing the last rendering (consecutive log
// lines mostly share their second, and a line's events their instant), and
// gathers events in fixed-size chunks so millions of them are copied once,
// into slices of the exact size, instead of at every doubling.
type stamper struct {
	last   time.Time
	ts     string
	ms     int64
	set    bool
	chunks map[string][][]snapshot.Event
}

const chunkSize = 8192

func (s *stamper) push(typ string, e snapshot.Event) {
	cs := s.chunks[typ]
	if n := len(cs); n == 0 || len(cs[n-1]) == cap(cs[n-1]) {
		cs = append(cs, make([]snapshot.Event, 0, chunkSize))
		s.chunks[typ] = cs
	}
	cs[len(cs)-1] = append(cs[len(cs)-1], e)
}

// flush moves the gathered events into res.
func (s *stamper) flush(res *sources.Result) {
	for typ, cs := range s.chunks {
		n := 0
		for _, c := range cs {
			n += len(c)
		}
		out := make([]snapshot.Event, 0, n)
		for _, c := range cs {
			out = append(out, c...)
		}
		if res.Data.Events == nil {
			res.Data.Events = map[string][]snapshot.Event{}
		}
		res.Data.Events[typ] = out
	}
	s.chunks = map[string][][]snapshot.Event{}
}

// add records the events of one line.
func (s *stamper) add(name, origin string, evs []Event) {
	for _, ev := range evs {
		if !s.set || !ev.T.Equal(s.last) {
			s.ts, s.ms = timefmt.Stamp(ev.T)
			s.last, s.set = ev.T, true
		}
		ts, ms := s.ts, s.ms
		s.push(ev.Type, snapshot.Event{
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

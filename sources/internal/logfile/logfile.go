// Package logfile is what the log source kinds (sshd_log, nginx_access_log,
// nginx_error_log, app_log, fail2ban_log) share: their configuration, the
// zone of zoneless timestamps, and the walk that streams every matched file
// (rotated *.gz ones transparently) through a per-line parser and turns its
// events into snapshot events. Each kind only supplies the parser, and says
// what state it keeps across lines (Carry), which decides whether a large
// file may be parsed in parallel ranges.
package logfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/localizevideos/posture/internal/parallel"
	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/files"
	"github.com/localizevideos/posture/sources/internal/timefmt"
	"github.com/localizevideos/posture/sources/internal/validutf8"
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
	Paths    []string `hcl:"paths" doc:"Log files to read: glob patterns (*, ?, [...]; no **), relative to the config file's folder; rotated .gz files are read too. A pattern that matches no file is a source error."`
	Timezone string   `hcl:"timezone,optional" doc:"IANA zone name (Europe/Berlin) of timestamps written without an offset; empty means UTC."`
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
// newLine returns for it, one file after the other, each in one pass
// (CollectWith with Sequential). Every event is kept (window filtering is
// the policies' job); lines the parser does not know, and lines whose
// events are dated before 1970 or after 9999, are counted in
// SkippedLines. Event strings are made valid UTF-8 (validutf8). Result.Files
// lists the files read as displayed (relative to env.BaseDir when inside
// it), and an error reading a file is prefixed with that name (and the
// line, for a .gz file that ends early: "<file>:<line>: truncated or
// corrupt gzip"). Which paths are read, and which are errors (a directory
// named, a named pipe, a symbolic link loop), is files.Glob's rule. The
// context is checked before each file and every CancelEvery lines.
func (f Files) Collect(ctx context.Context, env sources.Env, newLine NewLineFunc) (*sources.Result, error) {
	return f.CollectWith(ctx, env, newLine, Sequential)
}

// CollectWith is Collect for a parser whose state across lines is carry: a
// plain (not .gz) file of at least SplitSize bytes of a kind whose carry
// allows it is cut into ranges at line starts (files.Split) parsed on
// GOMAXPROCS goroutines, each range by its own LineFunc (primed as carry
// says) gathering its own events; once every range's lines are counted,
// the events get their origins and are appended in range order. The result
// is the one of the sequential pass: same events in the same order, same
// origins, same skipped lines. The context is checked as Collect does, in
// every range.
func (f Files) CollectWith(ctx context.Context, env sources.Env, newLine NewLineFunc, carry Carry) (*sources.Result, error) {
	paths, err := files.Glob(env.BaseDir, f.paths)
	if err != nil {
		return nil, err
	}
	loc := f.Zone(env)
	res := &sources.Result{}
	st := stamper{}
	var units sources.Units
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		disp := files.Display(env.BaseDir, p)
		if !env.Owns(disp) {
			units.Skip(env, disp)
			continue
		}
		var before map[string]int
		if env.Shard.Sharded() {
			before = st.counts()
		}
		res.Files = append(res.Files, disp)
		ps := &parser{ctx: ctx, name: env.ID(), disp: disp, st: &st}
		var err error
		if rs := carry.split(p); rs != nil {
			end := trace.Phase(fmt.Sprintf("read %s (%d ranges)", disp, len(rs)))
			err = collectRanges(ctx, p, rs, ps, func() LineFunc { return newLine(loc, env.AsOf) })
			end()
		} else {
			end := trace.Phase("read " + disp)
			ps.parse = newLine(loc, env.AsOf)
			err = files.Lines(p, ps.line)
			end()
		}
		res.SkippedLines += ps.skipped
		if err != nil {
			var re *files.ReadError
			if errors.As(err, &re) {
				return nil, fmt.Errorf("%s:%d: %w", disp, re.Line, re.Err)
			}
			return nil, fmt.Errorf("%s: %w", disp, unwrapPath(err))
		}
		if env.Shard.Sharded() {
			units.Done(env, disp, before, st.counts(), 1)
		}
	}
	res.Units = units.List(env)
	end := trace.Phase("gather events of " + env.ID())
	st.flush(res)
	end()
	return res, nil
}

// SplitSize is the size from which a file is parsed in parallel ranges
// (when its kind's Carry allows it). Below it, a file is not worth the
// goroutines. A variable for tests.
var SplitSize int64 = 32 << 20

// SplitRanges, when > 0, is how many ranges a large file is cut into
// instead of rangesPerProc per GOMAXPROCS. For tests.
var SplitRanges = 0

// rangesPerProc: a file is cut into more ranges than there are goroutines,
// so that a range slower than the others (denser in events, or its core
// busy with another source) does not hold the rest.
const rangesPerProc = 4

// Carry says what state a kind's parser keeps from one line to the next,
// which decides whether a large file may be cut into ranges parsed in
// parallel. It is part of the kind (Register), never guessed: the zero
// value is Sequential.
type Carry struct {
	parallel bool
	// primes reports whether the parser's state after a line depends on that
	// line alone; nil: the parser keeps no state.
	primes func(line []byte) bool
}

var (
	// Sequential is for a parser whose state cannot be rebuilt from the
	// line before: every file is read in one pass.
	Sequential = Carry{}
	// Stateless is for a parser whose result for a line depends on that
	// line alone.
	Stateless = Carry{parallel: true}
)

// PrimedBy is the Carry of a parser whose state after a line depends on
// that line alone whenever primes reports true for it (a "last message
// repeated" line, which keeps the state of the line before, must answer
// false). A range then only starts right after such a line, and its
// LineFunc is first given that line, its result discarded. primes may
// answer false when unsure: that only moves a range start on.
func PrimedBy(primes func(line []byte) bool) Carry {
	return Carry{parallel: true, primes: primes}
}

// split cuts a file into ranges when the carry allows it and the file is
// large enough (nil: read it in one pass).
func (c Carry) split(path string) []files.Range {
	if !c.parallel {
		return nil
	}
	n := SplitRanges
	if n <= 0 {
		n = rangesPerProc * runtime.GOMAXPROCS(0)
	}
	return files.Split(path, n, SplitSize, c.primes)
}

// errStopped ends a range's parse when another range failed.
var errStopped = errors.New("stopped: another range failed")

// parser parses the lines of a file or of one range of it.
type parser struct {
	ctx     context.Context
	name    string // source id, "<kind>.<name>", which the events carry
	disp    string // file name as displayed in origins
	parse   LineFunc
	st      *stamper
	buf     []Event
	skipped int
	lines   int          // lines seen
	stop    *atomic.Bool // set when another range failed
	// inRange: line numbers are within a range, whose first line's number
	// is not known yet; events keep theirs until finishRange.
	inRange bool
	origin  []byte // scratch
}

// line is the files.Lines callback.
func (p *parser) line(n int, line []byte) error {
	p.lines = n
	if n%CancelEvery == 0 {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		if p.stop != nil && p.stop.Load() {
			return errStopped
		}
	}
	var ok bool
	p.buf, ok = p.parse(p.buf[:0], line)
	if ok && !inRange(p.buf) {
		ok = false
	}
	if !ok {
		p.skipped++
		return nil
	}
	if len(p.buf) == 0 {
		return nil
	}
	if p.inRange {
		p.st.add(p.name, "", n, p.buf)
	} else {
		p.st.add(p.name, p.originOf(n), n, p.buf)
	}
	return nil
}

// Events happen from 1970 to the year 9999 (UTC): no log line this tool
// reads predates the epoch (a zero time means garbage), and RFC 3339
// cannot write a later year. A line whose event is dated otherwise is
// skipped like a line that does not parse, whatever the kind's parser
// accepted.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

func inRange(evs []Event) bool {
	for i := range evs {
		if evs[i].T.Before(minTime) || !evs[i].T.Before(maxTime) {
			return false
		}
	}
	return true
}

// unwrapPath drops the *fs.PathError wrapper whose message repeats the
// file's full path (the error is prefixed with its display name).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// originOf returns "<file>:<n>".
func (p *parser) originOf(n int) string {
	p.origin = append(append(p.origin[:0], p.disp...), ':')
	p.origin = strconv.AppendInt(p.origin, int64(n), 10)
	return p.st.strings.string(p.origin)
}

// collectRanges parses the ranges of one file on GOMAXPROCS goroutines,
// each with its own LineFunc and stamper, then appends their events to
// into.st and their skipped lines to into.skipped, in range order.
func collectRanges(ctx context.Context, path string, rs []files.Range, into *parser, newParse func() LineFunc) error {
	parts := make([]parser, len(rs))
	stamps := make([]stamper, len(rs))
	errs := make([]error, len(rs))
	var stop atomic.Bool
	parallel.ForEach(len(rs), func(i int) {
		if stop.Load() {
			errs[i] = errStopped
			return
		}
		ps := &parts[i]
		*ps = parser{ctx: ctx, name: into.name, disp: into.disp, st: &stamps[i], parse: newParse(), stop: &stop, inRange: true}
		if rs[i].Prime != nil {
			ps.buf, _ = ps.parse(ps.buf, rs[i].Prime) // sets the state; events and verdict dropped
		}
		if errs[i] = files.RangeLines(path, rs[i], ps.line); errs[i] != nil {
			stop.Store(true)
		}
	})
	for _, err := range errs {
		if err != nil && !errors.Is(err, errStopped) {
			return err
		}
	}
	// Now that every range's lines are counted, number the events.
	before := make([]int, len(rs))
	for i := 1; i < len(rs); i++ {
		before[i] = before[i-1] + parts[i-1].lines
	}
	parallel.ForEach(len(rs), func(i int) { parts[i].finishRange(before[i]) })
	for i := range parts {
		into.skipped += parts[i].skipped
		into.st.append(&stamps[i])
	}
	return nil
}

// finishRange sets the origins of the events of a range whose first line
// is line before+1 of the file.
func (p *parser) finishRange(before int) {
	for _, cs := range p.st.chunks {
		for _, c := range cs {
			for i := range c.evs {
				c.evs[i].Origin = p.originOf(before + c.lines[i])
			}
		}
	}
}

// stamper renders event times, reusing the last rendering (consecutive log
// lines mostly share their second, and a line's events their instant), and
// gathers events in chunks that become the segments of the type's list, so
// millions of events are never copied (neither at every doubling of a
// slice nor into one slice at the end).
type stamper struct {
	last    time.Time
	ts      string
	ms      int64
	set     bool
	chunks  map[string][]chunk
	strings arena // the times and origins of the events
	scratch []byte
}

// chunk is a run of events of one type. Until finishRange, the events of a
// range have no origin but their line number in the range in lines.
type chunk struct {
	evs   []snapshot.Event
	lines []int
}

// Chunks start small and double up to chunkSize, so a short log does not
// hold mostly empty chunks.
const (
	firstChunkSize = 64
	chunkSize      = 8192
)

// flush hands the gathered events to res: each type's chunks become the
// segments of its list, in order, without being copied.
func (s *stamper) flush(res *sources.Result) {
	for typ, cs := range s.chunks {
		segs := make([][]snapshot.Event, len(cs))
		for i, c := range cs {
			segs[i] = c.evs
			// A chunk that is mostly empty (the last of a file or of a
			// range) is kept at its size: at most half a chunk is copied.
			if cap(c.evs) > 2*len(c.evs) {
				segs[i] = append([]snapshot.Event(nil), c.evs...)
			}
		}
		if res.Data.Events == nil {
			res.Data.Events = map[string]snapshot.EventList{}
		}
		res.Data.Events[typ] = snapshot.SegmentedEvents(segs)
	}
	s.chunks = nil
}

// append moves the events gathered by o after those of s.
func (s *stamper) append(o *stamper) {
	for typ, cs := range o.chunks {
		if s.chunks == nil {
			s.chunks = map[string][]chunk{}
		}
		s.chunks[typ] = append(s.chunks[typ], cs...)
	}
	o.chunks = nil
}

// counts returns the number of events gathered by type, as
// snapshot.Data.Counts names them ("events.<type>").
func (s *stamper) counts() map[string]int {
	out := map[string]int{}
	for typ, cs := range s.chunks {
		n := 0
		for _, c := range cs {
			n += len(c.evs)
		}
		if n > 0 {
			out[snapshot.EventCollection(typ)] = n
		}
	}
	return out
}

// add records the events of line n; origin "" keeps n for finishRange.
func (s *stamper) add(name, origin string, n int, evs []Event) {
	if s.chunks == nil {
		s.chunks = map[string][]chunk{}
	}
	for _, ev := range evs {
		if !s.set || !ev.T.Equal(s.last) {
			s.scratch, s.ms = timefmt.AppendStamp(s.scratch[:0], ev.T)
			s.ts = s.strings.string(s.scratch)
			s.last, s.set = ev.T, true
		}
		cs := s.chunks[ev.Type]
		if k := len(cs); k == 0 || len(cs[k-1].evs) == cap(cs[k-1].evs) {
			size := firstChunkSize
			if k > 0 {
				size = min(2*cap(cs[k-1].evs), chunkSize)
			}
			c := chunk{evs: make([]snapshot.Event, 0, size)}
			if origin == "" {
				c.lines = make([]int, 0, size)
			}
			cs = append(cs, c)
			s.chunks[ev.Type] = cs
		}
		c := &cs[len(cs)-1]
		c.evs = append(c.evs, snapshot.Event{
			TimeMS: s.ms, Time: s.ts, Source: name, Origin: origin,
			IP: validutf8.String(ev.IP), User: validutf8.String(ev.User), Detail: validutf8.String(ev.Detail),
		})
		if origin == "" {
			c.lines = append(c.lines, n)
		}
	}
}

// source is a log source whose configuration is Config.
type source struct {
	files   Files
	newLine NewLineFunc
	carry   Carry
}

func (s *source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	return s.files.CollectWith(ctx, env, s.newLine, s.carry)
}

// Register registers a source kind whose configuration is Config and whose
// files are parsed by the LineFuncs of newLine. k gives the kind's name and
// its documentation (Summary, Doc) and the event collections it provides
// (sources.Events); its Build is set here.
// carry (at most one) is what state the parser keeps across lines; without
// it, Sequential: a large file is then never parsed in parallel ranges. It
// returns the kind's constructor, for the package to export as New.
func Register(k sources.Kind, newLine NewLineFunc, carry ...Carry) func(*Config) (sources.Source, error) {
	kind := k.Name
	if len(carry) > 1 {
		panic("logfile.Register: more than one Carry for " + kind)
	}
	c := Sequential
	if len(carry) == 1 {
		c = carry[0]
	}
	newSource := func(cfg *Config) (sources.Source, error) {
		if cfg == nil {
			cfg = &Config{}
		}
		f, err := New(cfg.Paths, cfg.Timezone)
		if err != nil {
			return nil, err
		}
		return &source{files: f, newLine: newLine, carry: c}, nil
	}
	k.Build = sources.Typed(newSource)
	k.Shardable = true // CollectWith shares the files out
	sources.Register(k)
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

// Package nginx holds two source kinds: nginx_access_log (contract 4.2, the
// combined log format) and nginx_error_log (contract 4.3). They produce
// http_forbidden, rate_limited and tls_downgrade events.
package nginx

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

// cancelEvery is how many lines are read between checks of the context.
const cancelEvery = 4096

// event is one security event found on a line, before it becomes a
// snapshot.Event (which needs the source name and the line's origin).
type event struct {
	typ    string // snapshot.Event* constant
	t      time.Time
	ip     string
	user   string
	detail string
}

// lineFunc parses one line, appending its events to dst. ok=false means the
// line matched no known shape (counted as skipped).
type lineFunc func(dst []event, line []byte) (out []event, ok bool)

// fileSource is what both kinds share: globs, zone and the file walk.
type fileSource struct {
	kind  string
	paths []string
	loc   *time.Location // nil: use env.Zone
}

func newFileSource(kind string, paths []string, timezone string) (fileSource, error) {
	if len(paths) == 0 {
		return fileSource{}, errors.New("paths: at least one path is required")
	}
	s := fileSource{kind: kind, paths: paths}
	if timezone != "" {
		loc, err := timefmt.Location(timezone)
		if err != nil {
			return fileSource{}, fmt.Errorf("timezone: %w", err)
		}
		s.loc = loc
	}
	return s, nil
}

// zone is the location of zoneless timestamps: the configured timezone,
// else the run's zone, else UTC.
func (s fileSource) zone(env sources.Env) *time.Location {
	if s.loc != nil {
		return s.loc
	}
	if env.Zone != nil {
		return env.Zone
	}
	return time.UTC
}

// collect streams every file matched by the globs through parse.
func (s fileSource) collect(ctx context.Context, env sources.Env, parse lineFunc) (*sources.Result, error) {
	paths, err := files.Glob(env.BaseDir, s.paths)
	if err != nil {
		return nil, err
	}
	res := &sources.Result{}
	var buf []event
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		disp := files.Display(env.BaseDir, p)
		res.Files = append(res.Files, disp)
		err := files.Lines(p, func(n int, line []byte) error {
			if n%cancelEvery == 0 {
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
			if len(buf) == 0 {
				return nil
			}
			origin := disp + ":" + strconv.Itoa(n)
			for _, ev := range buf {
				ts, ms := timefmt.Stamp(ev.t)
				res.Data.AddEvent(ev.typ, snapshot.Event{
					TimeMS: ms, Time: ts, Source: env.Name, Origin: origin,
					IP: ev.ip, User: ev.user, Detail: ev.detail,
				})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", disp, err)
		}
	}
	return res, nil
}

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for i--; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

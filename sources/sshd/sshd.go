// Package sshd is the sshd_log source kind (contract 4.1): OpenSSH log lines
// from syslog files or the journal, normalised into login_failed,
// login_success and invalid_user events.
package sshd

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

// KindName is the source kind.
const KindName = "sshd_log"

// cancelEvery is how many lines are read between checks of the context.
const cancelEvery = 4096

func init() {
	sources.Register(sources.Kind{
		Name:      KindName,
		Summary:   "OpenSSH log lines (syslog or journal): failed and successful logins, invalid users",
		NewConfig: func() any { return &Config{} },
		New: func(cfg any) (sources.Source, error) {
			c, ok := cfg.(*Config)
			if !ok {
				return nil, fmt.Errorf("%s: unexpected config type %T", KindName, cfg)
			}
			return New(c)
		},
	})
}

// Config is the body of a `source "sshd_log" "<name>"` block (the fields of
// sources.FileConfig, declared directly for gohcl).
type Config struct {
	Paths    []string `hcl:"paths"`
	Timezone string   `hcl:"timezone,optional"`
}

// Source reads sshd log files.
type Source struct {
	paths []string
	loc   *time.Location // nil: use env.Zone
}

// New builds a Source from its configuration.
func New(cfg *Config) (*Source, error) {
	if cfg == nil || len(cfg.Paths) == 0 {
		return nil, errors.New("paths: at least one path is required")
	}
	s := &Source{paths: cfg.Paths}
	if cfg.Timezone != "" {
		loc, err := timefmt.Location(cfg.Timezone)
		if err != nil {
			return nil, fmt.Errorf("timezone: %w", err)
		}
		s.loc = loc
	}
	return s, nil
}

// Collect reads every configured file (rotated *.gz ones transparently) and
// returns its events. Lines that are not sshd lines are counted in
// SkippedLines. Window filtering is the policies' job: every event is kept.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	loc := s.loc
	if loc == nil {
		loc = env.Zone
	}
	if loc == nil {
		loc = time.UTC
	}
	paths, err := files.Glob(env.BaseDir, s.paths)
	if err != nil {
		return nil, err
	}
	res := &sources.Result{}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		disp := files.Display(env.BaseDir, p)
		res.Files = append(res.Files, disp)
		// The previous line of this file, for syslogd's "last message repeated".
		var prev parsed
		err := files.Lines(p, func(n int, line []byte) error {
			if n%cancelEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := parseLine(line, env.AsOf, loc)
			switch {
			case !r.ok:
				res.SkippedLines++
				prev = parsed{}
				return nil
			case r.repeatLast > 0:
				if !prev.ok {
					// Repeats a line of another program.
					res.SkippedLines++
					return nil
				}
				if prev.ev.typ != "" {
					add(res, env.Name, disp, n, r.t, prev.ev, r.repeatLast)
				}
				return nil // prev stays the repeated line
			}
			prev = r
			if r.ev.typ != "" {
				add(res, env.Name, disp, n, r.t, r.ev, r.n)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", disp, err)
		}
	}
	return res, nil
}

func add(res *sources.Result, name, disp string, lineNo int, t time.Time, ev event, times int) {
	ts, ms := timefmt.Stamp(t)
	e := snapshot.Event{
		TimeMS: ms, Time: ts, Source: name,
		Origin: disp + ":" + strconv.Itoa(lineNo),
		IP:     ev.ip, User: ev.user, Detail: ev.detail,
	}
	for range times {
		res.Data.AddEvent(ev.typ, e)
	}
}

// Package applog is the app_log source kind (contract 4.4): application
// security events as JSON Lines in the OWASP Logging Vocabulary, normalised
// into login_failed, login_success, authz_fail and rate_limited events.
package applog

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
const KindName = "app_log"

// cancelEvery is how many lines are read between checks of the context.
const cancelEvery = 4096

func init() {
	sources.Register(sources.Kind{
		Name:      KindName,
		Summary:   "application JSON Lines log (OWASP Logging Vocabulary): logins, authz failures, rate limits",
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

// Config is the body of a `source "app_log" "<name>"` block. Timezone
// applies to datetimes without an offset ("2026-11-27 03:12:01,123").
type Config struct {
	Paths    []string `hcl:"paths"`
	Timezone string   `hcl:"timezone,optional"`
}

// Source reads application logs.
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

// Collect reads every configured file (rotated *.gz ones transparently).
// A log line that does not parse is skipped and counted, never an error: an
// application log is a log, not a structured export.
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
		err := files.Lines(p, func(n int, line []byte) error {
			if n%cancelEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			ev, ok := parseLine(line, loc)
			if !ok {
				res.SkippedLines++
				return nil
			}
			if ev.typ == "" {
				return nil
			}
			ts, ms := timefmt.Stamp(ev.t)
			res.Data.AddEvent(ev.typ, snapshot.Event{
				TimeMS: ms, Time: ts, Source: env.Name,
				Origin: disp + ":" + strconv.Itoa(n),
				IP:     ev.ip, User: ev.user, Detail: ev.detail,
			})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", disp, err)
		}
	}
	return res, nil
}

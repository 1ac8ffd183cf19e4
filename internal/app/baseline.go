package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/configfiles"
	"github.com/localizevideos/posture/store"
)

// Watched is the state of the watched config files against their approved
// baseline (posture baseline).
type Watched struct {
	Path     string                // <reports_dir>/baseline.json
	Current  []snapshot.ConfigFile // the fingerprints now
	Approved *store.Baseline       // nil when none is recorded
}

// WatchedFiles collects every config_files source (a config without one is
// refused) and reads the approved baseline.
func WatchedFiles(ctx context.Context, req Request) (*Watched, error) {
	a, err := Load(ctx, req.Config)
	if err != nil {
		return nil, err
	}
	w := &Watched{Path: store.BaselinePath(a.Config.ReportsDir)}
	n := 0
	for _, s := range a.Config.Sources {
		if s.Kind != "config_files" {
			continue
		}
		n++
		res, err := s.Source.Collect(ctx, SourceEnv(a.Config, s, req.AsOf))
		if ierr := interrupted(ctx); ierr != nil {
			return nil, ierr
		}
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.ID(), err)
		}
		w.Current = append(w.Current, res.Data.ConfigFiles...)
	}
	if n == 0 {
		return nil, errors.New("baseline: no config_files source is configured")
	}
	if w.Approved, err = store.LoadBaseline(w.Path); err != nil {
		return nil, err
	}
	return w, nil
}

// Drift lists the changes of the watched files against the approved
// baseline.
func (w *Watched) Drift() []configfiles.Change { return configfiles.Diff(w.Approved, w.Current) }

// Approve records the current fingerprints as the baseline, approved by
// who at at.
func (w *Watched) Approve(who string, at time.Time) error {
	return store.SaveBaseline(w.Path, configfiles.NewBaseline(who, at, w.Current))
}

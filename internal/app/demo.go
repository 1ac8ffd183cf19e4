package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/report/publish"
	"github.com/localizevideos/posture/report/synthetic"
	"github.com/localizevideos/posture/store"
)

const demoNote = "synthetic demo history (posture demo-history): not measured"

// DemoOptions shape a synthetic history.
type DemoOptions struct {
	Out   string // reports folder to write ("" for the config's reports_dir)
	Days  int    // synthetic days before the as-of date
	Seed  uint64 // same seed, same history
	Force bool   // write even when Out already holds dated reports
}

// Demo is what DemoHistory wrote.
type Demo struct {
	Out    string
	Past   []*report.Report // the synthetic reports, oldest first
	Report *report.Report   // the real report of the as-of date
	Files  *publish.Files
}

// DemoHistory writes a plausible synthetic past for a config (the bundled
// example) so the dashboard and the trends show something at once:
// opt.Days daily reports before the as-of date, drifting towards today's
// real values, then the real report of the as-of date evaluated against
// that history, with index.html and metrics.prom. Synthetic reports say so
// in every metric's evidence note. A folder that already holds dated
// reports is refused unless opt.Force.
func DemoHistory(ctx context.Context, req Request, opt DemoOptions) (*Demo, error) {
	a, err := Load(ctx, req.Config)
	if err != nil {
		return nil, err
	}
	a.Tick = req.Tick
	asOf, out := req.AsOf, opt.Out
	if out == "" {
		out = a.Config.ReportsDir
	}
	if dates, err := store.ReportDates(out); err != nil {
		return nil, err
	} else if len(dates) > 0 && !opt.Force {
		return nil, fmt.Errorf("%s already holds %d dated reports: use another --out, or --force to overwrite", Display(out), len(dates))
	}
	snap, err := a.collect(ctx, asOf, req.Progress)
	if err != nil {
		return nil, err
	}
	today, _, err := a.Evaluate(ctx, snap, asOf, false)
	if err != nil {
		return nil, err
	}
	if err := interrupted(ctx); err != nil {
		return nil, err
	}
	defs := map[string]*engine.Resolved{}
	for _, m := range a.Metrics {
		defs[m.ID] = m
	}
	var specs []synthetic.Spec
	for _, m := range today.Metrics {
		s := synthetic.Spec{ID: m.ID, Title: m.Title, Category: m.Category, Owner: m.Owner, Unit: m.Unit,
			Target: m.Target, Gate: m.Gate, Note: demoNote}
		if d := defs[m.ID]; d != nil {
			s.Better = d.Better
		}
		if m.Value == nil {
			s.Status = m.Status
		} else {
			s.Value = demoWalk(m, s.Better, asOf, opt.Days, opt.Seed)
		}
		specs = append(specs, s)
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	past := synthetic.Generate(day.AddDate(0, 0, -opt.Days), opt.Days, specs, synthetic.Options{
		Project: today.Project, WindowDays: today.WindowDays, TolPct: a.Config.TrendTolerancePct,
		Inputs: today.Inputs, Exceptions: today.Exceptions})
	for _, r := range past {
		if err := publish.WriteDated(out, r); err != nil {
			return nil, err
		}
	}
	// Today's real report against the synthetic past.
	a.Config.ReportsDir = out
	r, _, err := a.Evaluate(ctx, snap, asOf, true)
	if err != nil {
		return nil, err
	}
	files, err := publish.Write(out, r)
	if err != nil {
		return nil, err
	}
	return &Demo{Out: out, Past: past, Report: r, Files: files}, nil
}

// demoWalk returns a value function drifting over the past days towards
// the metric's real value today: each metric gets a story from its id and
// the seed (it improved, worsened or held steady), with noise.
func demoWalk(m report.Metric, better string, asOf time.Time, days int, seed uint64) func(time.Time) *float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(m.ID))
	id := h.Sum64()
	v0 := *m.Value
	story := id % 3 // 0 improved (was worse), 1 worsened (was better), 2 steady
	level := v0
	if level == 0 {
		level = map[string]float64{"count": 3, "hours": 12, "days": 20, "percent": 20}[m.Unit]
		if level == 0 {
			level = 1
		}
	}
	worseUp := better != "up" // for most metrics a higher value is worse
	end := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return func(d time.Time) *float64 {
		k := end.Sub(d).Hours() / 24 / float64(days) // 1 at the start, 0 today
		rng := rand.New(rand.NewPCG(seed, id^uint64(d.Unix())))
		var drift float64
		switch story {
		case 0:
			drift = 0.8 * k // further from today's value in the past, on the worse side
		case 1:
			drift = -0.5 * k
		}
		if !worseUp {
			drift = -drift
		}
		noise := 0.12 * (rng.Float64()*2 - 1)
		base := v0
		if v0 == 0 {
			// a zero today: the past had a few, fading out over the last weeks
			base = 0
			if story != 2 && k > 0.25 {
				base = level * (k - 0.25) / 0.75
			}
		}
		v := base * (1 + drift + noise)
		if v0 == 0 {
			v = base * (1 + noise)
		}
		v = math.Max(v, 0)
		if m.Unit == "percent" {
			v = math.Min(v, 100)
		}
		if m.Unit == "count" {
			v = math.Round(v)
		}
		return &v
	}
}

package dashboard

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// point is one value of a metric's history on the dashboard's date axis.
type point struct {
	AsOf  string
	Value *float64
}

// chart is the geometry of one inline SVG line chart, computed here so the
// template only prints numbers.
type chart struct {
	W, H   int
	Labels bool // axis labels (cards) or none (sparklines)

	PlotL, PlotR, PlotT, PlotB string
	PlotW, YLabX, DateY        string
	MidX, MidY                 string

	Lines []string // polyline points, one per run of non-null values
	Dots  []dot    // runs of a single value, drawn as a dot
	Last  *dot     // the latest non-null value, highlighted
	Grid  []gridLine
	Zones []zone // failing zones beyond a max or min target
	Marks []gridLine

	FirstX, LastX       string
	FirstDate, LastDate string
	Values, Nulls       int
	Empty               bool
	Aria                string
}

type dot struct{ X, Y string }

type gridLine struct {
	Y, Label, LabelY string
}

type zone struct{ Y, H string }

// f1 prints a coordinate with at most one decimal, deterministically.
func f1(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	if s == "-0" {
		s = "0"
	}
	return s
}

// niceStep rounds a raw step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// yRange is the value range a chart shows: the values and the target
// thresholds, widened to round numbers; never below 0 for non-negative data
// and never above 100 for percentages that stay at or below it.
func yRange(vals []float64, unit string) (lo, hi float64) {
	lo, hi = vals[0], vals[0]
	for _, v := range vals[1:] {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	nonNeg := lo >= 0
	capped := unit == "percent" && hi <= 100
	if hi == lo {
		pad := math.Abs(lo) * 0.1
		if pad == 0 || (unit == "count" && pad < 1) {
			pad = 1
		}
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep((hi - lo) / 4)
	if unit == "count" && step < 1 {
		step = 1
	}
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	if nonNeg && lo < 0 {
		lo = 0
	}
	if capped && hi > 100 {
		hi = 100
	}
	if hi <= lo {
		hi = lo + step
	}
	return lo, hi
}

// axisNumber prints an axis label: the unit's rounding, thousands grouped.
func axisNumber(v float64, unit string) string {
	if unit == "count" || v == math.Trunc(v) {
		return formatNumber(v, "count")
	}
	return formatNumber(v, unit)
}

// newChart lays out a metric's history. dates is the dashboard's date axis
// (oldest first); pts are the metric's values on it.
func newChart(pts []point, t report.Target, unit string, labels bool, aria string) *chart {
	c := &chart{W: 270, H: 104, Labels: labels, Aria: aria}
	if !labels {
		c.W, c.H = 132, 34
	}
	var vals []float64
	for _, p := range pts {
		if p.Value != nil {
			vals = append(vals, *p.Value)
		} else {
			c.Nulls++
		}
	}
	c.Values = len(vals)

	// Vertical layout.
	top, bottom := 8.0, float64(c.H)-21
	left, right := 2.0, float64(c.W)-6
	if !labels {
		top, bottom, left, right = 4, float64(c.H)-4, 3, float64(c.W)-5
	}

	rangeVals := append([]float64(nil), vals...)
	if t.Max != nil {
		rangeVals = append(rangeVals, *t.Max)
	}
	if t.Min != nil {
		rangeVals = append(rangeVals, *t.Min)
	}
	if len(rangeVals) == 0 {
		rangeVals = []float64{0, 1}
	}
	lo, hi := yRange(rangeVals, unit)
	loLabel, hiLabel := axisNumber(lo, unit), axisNumber(hi, unit)
	if labels {
		w := len([]rune(loLabel))
		if n := len([]rune(hiLabel)); n > w {
			w = n
		}
		left = float64(w)*6.4 + 8
	}
	y := func(v float64) float64 { return bottom - (v-lo)/(hi-lo)*(bottom-top) }

	// Horizontal layout: proportional to time when every date parses.
	xs := make([]float64, len(pts))
	times := make([]time.Time, len(pts))
	byTime := len(pts) > 1
	for i, p := range pts {
		tt, ok := text.ParseDate(p.AsOf)
		times[i] = tt
		byTime = byTime && ok
	}
	if byTime && !times[len(times)-1].After(times[0]) {
		byTime = false
	}
	for i := range pts {
		switch {
		case len(pts) == 1:
			xs[i] = (left + right) / 2
		case byTime:
			xs[i] = left + float64(times[i].Sub(times[0]))/float64(times[len(times)-1].Sub(times[0]))*(right-left)
		default:
			xs[i] = left + float64(i)/float64(len(pts)-1)*(right-left)
		}
	}

	c.PlotL, c.PlotR, c.PlotT, c.PlotB = f1(left), f1(right), f1(top), f1(bottom)
	c.PlotW, c.YLabX, c.DateY = f1(right-left), f1(left-5), f1(float64(c.H)-6)
	c.MidX, c.MidY = f1((left+right)/2), f1((top+bottom)/2+4)
	c.Grid = []gridLine{
		{Y: f1(y(hi)), Label: hiLabel, LabelY: f1(y(hi) + 3.5)},
		{Y: f1(y((lo + hi) / 2))},
		{Y: f1(y(lo)), Label: loLabel, LabelY: f1(y(lo) + 3.5)},
	}
	if t.Max != nil && *t.Max >= lo && *t.Max <= hi {
		ym := y(*t.Max)
		c.Marks = append(c.Marks, gridLine{Y: f1(ym), Label: "≤ " + axisNumber(*t.Max, unit)})
		if ym > top && ym-top < 0.85*(bottom-top) { // a zone filling the plot says nothing
			c.Zones = append(c.Zones, zone{Y: f1(top), H: f1(ym - top)})
		}
	}
	if t.Min != nil && *t.Min >= lo && *t.Min <= hi {
		ym := y(*t.Min)
		c.Marks = append(c.Marks, gridLine{Y: f1(ym), Label: "≥ " + axisNumber(*t.Min, unit)})
		if ym < bottom && bottom-ym < 0.85*(bottom-top) {
			c.Zones = append(c.Zones, zone{Y: f1(ym), H: f1(bottom - ym)})
		}
	}

	// Runs of non-null values become polylines; nulls break the line.
	var run []string
	var runDot dot
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			c.Lines = append(c.Lines, run[0])
			c.Dots = append(c.Dots, runDot)
		default:
			c.Lines = append(c.Lines, strings.Join(run, " "))
		}
		run = nil
	}
	for i, p := range pts {
		if p.Value == nil {
			flush()
			continue
		}
		d := dot{X: f1(xs[i]), Y: f1(y(*p.Value))}
		run = append(run, d.X+","+d.Y)
		runDot = d
		last := d
		c.Last = &last
	}
	flush()
	c.Empty = c.Values == 0
	if c.Empty { // no scale to read: keep the grid, drop the numbers
		for i := range c.Grid {
			c.Grid[i].Label = ""
		}
	}

	if len(pts) > 0 {
		withYear := false
		if t0, ok0 := text.ParseDate(pts[0].AsOf); ok0 {
			if t1, ok1 := text.ParseDate(pts[len(pts)-1].AsOf); ok1 && t0.Year() != t1.Year() {
				withYear = true
			}
		}
		c.FirstDate = text.ShortDate(pts[0].AsOf, withYear)
		c.LastDate = text.ShortDate(pts[len(pts)-1].AsOf, withYear)
		c.FirstX, c.LastX = f1(left), f1(right)
	}
	return c
}

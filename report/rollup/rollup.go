// Package rollup computes the monthly aggregate and the quarterly review
// (posture aggregate, posture review) from the stored dated reports.
//
// A report belongs to the month (quarter) of its file date. The month-end
// value is the metric's value in the latest report of the month; min, max
// and mean are over the month's non-null values. The quarterly review takes
// the three month-end values, compares the quarter-end value (latest report
// of the quarter) with the previous quarter's end (else with the quarter's
// first month end) using the trend rules of docs/metrics.md ("Trends"), and lists what needs
// action per owner.
package rollup

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/history"
	"github.com/localizevideos/posture/kpi"
	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

// Schemas of the JSON files.
const (
	MonthlySchema   = "posture.monthly/v1"
	QuarterlySchema = "posture.quarterly/v1"
)

// ErrNoReports is returned when no report exists in the period.
var ErrNoReports = errors.New("no report in the period")

// Value is a metric's value in one report.
type Value struct {
	AsOf   string        `json:"as_of"`
	Value  *float64      `json:"value"`
	Status report.Status `json:"status,omitempty"`
}

// MonthMetric is one metric of the monthly aggregate.
type MonthMetric struct {
	report.MetricHead
	MonthEnd  Value    `json:"month_end"` // latest report of the month
	Min       *float64 `json:"min"`
	Max       *float64 `json:"max"`
	Mean      *float64 `json:"mean"`
	Reports   int      `json:"reports"` // reports of the month carrying the metric
	Values    int      `json:"values"`  // of those, with a value
	Previous  *Value   `json:"previous_month_end"`
	Change    *float64 `json:"change"`     // month_end - previous
	ChangePct *float64 `json:"change_pct"` // 100 × change / |previous|; null when previous is 0 or null
}

// Monthly is <reports_dir>/monthly/YYYY-MM.json.
type Monthly struct {
	Schema  string        `json:"schema"`
	Project string        `json:"project"`
	Title   string        `json:"title,omitempty"` // the latest report's configured title
	Month   string        `json:"month"`
	From    string        `json:"from"` // first report date of the month
	To      string        `json:"to"`   // last report date of the month
	Reports int           `json:"reports"`
	Metrics []MonthMetric `json:"metrics"`
}

// ParseMonth checks YYYY-MM and returns its first day (UTC).
func ParseMonth(s string) (time.Time, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--month %q: want YYYY-MM (2026-11)", s)
	}
	return t.UTC(), nil
}

var quarterRE = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)

// ParseQuarter checks YYYY-Qn and returns its first day (UTC).
func ParseQuarter(s string) (time.Time, error) {
	m := quarterRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("--quarter %q: want YYYY-Qn (2026-Q4)", s)
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	return time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC), nil
}

func quarterName(start time.Time) string {
	return fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
}

// between returns the reports dated in [from, to) (dates YYYY-MM-DD).
func between(all []history.Dated, from, to time.Time) []history.Dated {
	f, t := from.Format("2006-01-02"), to.Format("2006-01-02")
	var out []history.Dated
	for _, d := range all {
		if d.Date >= f && d.Date < t {
			out = append(out, d)
		}
	}
	return out
}

// metricOrder lists the metric ids of the reports, in the order of the
// latest report, then those only earlier reports carry.
func metricOrder(ds []history.Dated) []string {
	var ids []string
	seen := map[string]bool{}
	for i := len(ds) - 1; i >= 0; i-- {
		for _, m := range ds[i].Report.Metrics {
			if !seen[m.ID] {
				seen[m.ID] = true
				ids = append(ids, m.ID)
			}
		}
	}
	return ids
}

func find(r *report.Report, id string) *report.Metric {
	for i := range r.Metrics {
		if r.Metrics[i].ID == id {
			return &r.Metrics[i]
		}
	}
	return nil
}

// latestWith returns the metric in the latest of ds that carries it.
func latestWith(ds []history.Dated, id string) (*report.Metric, *report.Report) {
	for i := len(ds) - 1; i >= 0; i-- {
		if m := find(ds[i].Report, id); m != nil {
			return m, ds[i].Report
		}
	}
	return nil, nil
}

// Month aggregates the reports of month (YYYY-MM) out of all (oldest first).
func Month(all []history.Dated, month string) (*Monthly, error) {
	start, err := ParseMonth(month)
	if err != nil {
		return nil, err
	}
	in := between(all, start, start.AddDate(0, 1, 0))
	if len(in) == 0 {
		return nil, fmt.Errorf("month %s: %w", month, ErrNoReports)
	}
	prev := between(all, start.AddDate(0, -1, 0), start)
	last := in[len(in)-1].Report
	out := &Monthly{Schema: MonthlySchema, Project: last.Project, Title: last.Title, Month: start.Format("2006-01"),
		From: in[0].Date, To: in[len(in)-1].Date, Reports: len(in), Metrics: []MonthMetric{}}
	for _, id := range metricOrder(in) {
		m, r := latestWith(in, id)
		mm := MonthMetric{MetricHead: m.Head(), MonthEnd: Value{AsOf: r.AsOf, Value: m.Value, Status: m.Status}}
		sum := 0.0
		for _, d := range in {
			x := find(d.Report, id)
			if x == nil {
				continue
			}
			mm.Reports++
			if x.Value == nil {
				continue
			}
			v := *x.Value
			mm.Values++
			sum += v
			if mm.Min == nil || v < *mm.Min {
				mm.Min = ptr(v)
			}
			if mm.Max == nil || v > *mm.Max {
				mm.Max = ptr(v)
			}
		}
		if mm.Values > 0 {
			mm.Mean = ptr(roundMean(sum/float64(mm.Values), m.Unit))
		}
		if pm, pr := latestWith(prev, id); pm != nil {
			mm.Previous = &Value{AsOf: pr.AsOf, Value: pm.Value, Status: pm.Status}
			mm.Change, mm.ChangePct = change(m.Value, pm.Value, m.Unit)
		}
		out.Metrics = append(out.Metrics, mm)
	}
	return out, nil
}

// QuarterMetric is one metric of the quarterly review.
type QuarterMetric struct {
	report.MetricHead
	// Months are the three month-end values (as_of empty when a month has
	// no report carrying the metric).
	Months []Value `json:"months"`
	End    Value   `json:"quarter_end"`
	// Baseline is the previous quarter's end, else the quarter's first
	// month end (BaselineKind says which).
	Baseline     *Value       `json:"baseline"`
	BaselineKind string       `json:"baseline_kind,omitempty"` // previous_quarter_end, first_month_end
	Change       *float64     `json:"change"`
	ChangePct    *float64     `json:"change_pct"`
	Direction    string       `json:"direction"` // improving, worsening, stable, insufficient_history
	Worsened     bool         `json:"worsened"`
	Failed       bool         `json:"failed"` // fail or error at quarter end
	Reasons      []string     `json:"reasons,omitempty"`
	Issue        *store.Issue `json:"issue"`
}

// ExceptionRow is an exception as the review lists it.
type ExceptionRow struct {
	report.ExceptionRef
	Reason string `json:"reason"`
}

// Exceptions are the config's exceptions by state at the review's as-of.
type Exceptions struct {
	Open                []ExceptionRow `json:"open"`
	Expired             []ExceptionRow `json:"expired"`
	ExpiringNextQuarter []ExceptionRow `json:"expiring_next_quarter"` // open now, expiring by the end of next quarter
}

// ActionItem is one thing an owner has to act on.
type ActionItem struct {
	Metric    string       `json:"metric,omitempty"`
	Exception string       `json:"exception,omitempty"`
	What      string       `json:"what"`
	Issue     *store.Issue `json:"issue,omitempty"`
}

// OwnerActions is an owner's action list.
type OwnerActions struct {
	Owner string       `json:"owner"`
	Items []ActionItem `json:"items"`
}

// Quarterly is <reports_dir>/quarterly/YYYY-Qn.json.
type Quarterly struct {
	Schema     string          `json:"schema"`
	Project    string          `json:"project"`
	Title      string          `json:"title,omitempty"` // the latest report's configured title
	Quarter    string          `json:"quarter"`
	Months     []string        `json:"months"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	AsOf       string          `json:"as_of"` // the latest report of the quarter
	Reports    int             `json:"reports"`
	Metrics    []QuarterMetric `json:"metrics"`
	Attention  []string        `json:"attention"` // ids that worsened, failed, warned or errored
	Exceptions Exceptions      `json:"exceptions"`
	Unmeasured []string        `json:"unmeasured"`
	Actions    []OwnerActions  `json:"actions"`
}

// QuarterOptions are the inputs of Quarter besides the reports.
type QuarterOptions struct {
	TolPct     float64                // trend_tolerance_pct
	Exceptions []*config.Exception    // the config's exceptions
	Issues     map[string]store.Issue // metric id -> issue (store.IssueIndex, issues.json); may be nil
}

// Quarter builds the review of quarter (YYYY-Qn) out of all (oldest first).
func Quarter(all []history.Dated, quarter string, opt QuarterOptions) (*Quarterly, error) {
	start, err := ParseQuarter(quarter)
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 3, 0)
	in := between(all, start, end)
	if len(in) == 0 {
		return nil, fmt.Errorf("quarter %s: %w", quarterName(start), ErrNoReports)
	}
	prevQ := between(all, start.AddDate(0, -3, 0), start)
	var months [3][]history.Dated
	for i := range months {
		ms := start.AddDate(0, i, 0)
		months[i] = between(in, ms, ms.AddDate(0, 1, 0))
	}
	last := in[len(in)-1].Report
	q := &Quarterly{Schema: QuarterlySchema, Project: last.Project, Title: last.Title, Quarter: quarterName(start),
		From: in[0].Date, To: in[len(in)-1].Date, AsOf: last.AsOf, Reports: len(in),
		Metrics: []QuarterMetric{}, Attention: []string{}, Unmeasured: []string{}, Actions: []OwnerActions{},
		Exceptions: Exceptions{Open: []ExceptionRow{}, Expired: []ExceptionRow{}, ExpiringNextQuarter: []ExceptionRow{}}}
	for i := 0; i < 3; i++ {
		q.Months = append(q.Months, start.AddDate(0, i, 0).Format("2006-01"))
	}
	asOf, err := last.AsOfTime()
	if err != nil {
		return nil, fmt.Errorf("%s: as_of: %w", in[len(in)-1].Path, err)
	}
	actions := map[string][]ActionItem{}
	for _, id := range metricOrder(in) {
		m, r := latestWith(in, id)
		qm := QuarterMetric{MetricHead: m.Head(), End: Value{AsOf: r.AsOf, Value: m.Value, Status: m.Status},
			Direction: report.TrendInsufficient}
		var firstMonthEnd *Value
		for i := range months {
			v := Value{}
			if mm, mr := latestWith(months[i], id); mm != nil {
				v = Value{AsOf: mr.AsOf, Value: mm.Value, Status: mm.Status}
				if firstMonthEnd == nil && mm.Value != nil {
					fv := v
					firstMonthEnd = &fv
				}
			}
			qm.Months = append(qm.Months, v)
		}
		if pm, pr := latestWith(prevQ, id); pm != nil && pm.Value != nil {
			qm.Baseline = &Value{AsOf: pr.AsOf, Value: pm.Value, Status: pm.Status}
			qm.BaselineKind = "previous_quarter_end"
		} else if firstMonthEnd != nil && firstMonthEnd.AsOf != r.AsOf {
			qm.Baseline = firstMonthEnd
			qm.BaselineKind = "first_month_end"
		}
		if qm.Baseline != nil && m.Value != nil {
			qm.Change, qm.ChangePct = change(m.Value, qm.Baseline.Value, m.Unit)
			tr := kpi.Trend(kpi.Better(m.Target, ""), m.Target.Trend, m.Value,
				[]report.Point{{AsOf: qm.Baseline.AsOf, Value: qm.Baseline.Value}}, asOf, 0, opt.TolPct)
			qm.Direction = tr.Direction
		}
		qm.Worsened = qm.Direction == report.TrendWorsening
		qm.Failed = m.Status == report.StatusFail || m.Status == report.StatusError
		switch m.Status {
		case report.StatusFail, report.StatusWarn, report.StatusError:
			qm.Reasons = append(qm.Reasons, string(m.Status))
		case report.StatusUnmeasured:
			q.Unmeasured = append(q.Unmeasured, m.ID)
		}
		if qm.Worsened {
			qm.Reasons = append(qm.Reasons, "worsened")
		}
		if is, ok := opt.Issues[m.ID]; ok {
			is := is
			qm.Issue = &is
		}
		if len(qm.Reasons) > 0 {
			q.Attention = append(q.Attention, m.ID)
			actions[m.Owner] = append(actions[m.Owner], ActionItem{Metric: m.ID, What: actionText(qm), Issue: qm.Issue})
		}
		q.Metrics = append(q.Metrics, qm)
	}
	nextEnd := end.AddDate(0, 3, 0)
	for _, e := range opt.Exceptions {
		if e.Status == "closed" {
			continue
		}
		row := ExceptionRow{ExceptionRef: report.ExceptionRef{ID: e.ID, Metric: e.Metric, Scope: e.Scope, Owner: e.Owner,
			ApprovedBy: e.ApprovedBy, Expires: e.Expires}, Reason: e.Reason}
		if !asOf.Before(e.ExpiresEnd) {
			q.Exceptions.Expired = append(q.Exceptions.Expired, row)
			actions[e.Owner] = append(actions[e.Owner], ActionItem{Exception: e.ID,
				What: fmt.Sprintf("renew or close exception %s (%s, expired %s)", e.ID, e.Metric, e.Expires)})
			continue
		}
		q.Exceptions.Open = append(q.Exceptions.Open, row)
		if !e.ExpiresEnd.After(nextEnd) {
			q.Exceptions.ExpiringNextQuarter = append(q.Exceptions.ExpiringNextQuarter, row)
			actions[e.Owner] = append(actions[e.Owner], ActionItem{Exception: e.ID,
				What: fmt.Sprintf("renew or close exception %s (%s) before it expires on %s", e.ID, e.Metric, e.Expires)})
		}
	}
	owners := make([]string, 0, len(actions))
	for o := range actions {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		q.Actions = append(q.Actions, OwnerActions{Owner: o, Items: actions[o]})
	}
	return q, nil
}

func actionText(qm QuarterMetric) string {
	s := qm.Title
	if s == "" {
		s = qm.ID
	}
	var why []string
	for _, r := range qm.Reasons {
		switch r {
		case "worsened":
			w := "worsened"
			if qm.Change != nil {
				w += " since " + text.Date(qm.Baseline.AsOf)
				w += text.ParenPct(qm.ChangePct)
			}
			why = append(why, w)
		default:
			why = append(why, "status "+r+" at quarter end")
		}
	}
	if len(qm.Reasons) == 1 && qm.Reasons[0] == "worsened" {
		return fmt.Sprintf("reverse the trend of %s: %s", s, joinAnd(why))
	}
	return fmt.Sprintf("bring %s back on target: %s", s, joinAnd(why))
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := ""
	for i, x := range xs {
		switch {
		case i == 0:
			out = x
		case i == len(xs)-1:
			out += " and " + x
		default:
			out += ", " + x
		}
	}
	return out
}

// change returns v - prev (rounded for the unit) and the change in percent
// (one decimal; null when prev is 0).
func change(v, prev *float64, unit string) (*float64, *float64) {
	if v == nil || prev == nil {
		return nil, nil
	}
	d := kpi.Round(*v-*prev, unit)
	if unit == "count" {
		d = round(*v-*prev, 2)
	}
	if *prev == 0 {
		return &d, nil
	}
	pct := round(100*(*v-*prev)/math.Abs(*prev), 1)
	return &d, &pct
}

// roundMean rounds a mean: 1 decimal for percentages, else 2 (a mean of
// counts keeps its decimals).
func roundMean(v float64, unit string) float64 {
	if unit == "percent" {
		return round(v, 1)
	}
	return round(v, 2)
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

func ptr(v float64) *float64 { return &v }

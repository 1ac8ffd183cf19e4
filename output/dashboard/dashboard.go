// Package dashboard renders the static HTML dashboard of a report history
// (<reports_dir>/index.html, written by posture report): one self-contained page with
// inline CSS and inline SVG charts, no scripts, no external assets, so it
// opens from the file system and shows the same thing offline.
//
// The page leads with what needs action (failing, erroring, warning or
// worsening metrics with their owners), then shows every metric by category
// as a card with its value, target, status, trend and the chart of its whole
// history. Unmeasured and no-data metrics are shown greyed, never hidden.
// The output is deterministic: the same reports give the same bytes.
package dashboard

import (
	"bufio"
	_ "embed"
	"errors"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

//go:embed dashboard.html.tmpl
var pageTemplate string

//go:embed dashboard.css
var pageCSS string

var tmpl = template.Must(template.New("dashboard").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(pageTemplate))

// Write renders the dashboard of reports (oldest first; the last one is the
// current report) as one HTML document.
func Write(w io.Writer, reports []*report.Report) error {
	p, err := build(reports)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	if err := tmpl.Execute(b, p); err != nil {
		return err
	}
	return b.Flush()
}

type page struct {
	CSS          template.CSS
	Project      string
	Title        string // the latest report's title, else "<project> security posture"
	AsOf         string
	AsOfISO      string
	WindowDays   int
	Reports      int
	FirstDate    string
	LastDate     string
	Metrics      int
	Summary      []statusCount
	Trends       []trendCount
	GatesFailing []*card
	Action       []*card
	Gaps         []*card // no current value: unmeasured, no data
	Categories   []*category
	Expiring     []expiring
	Inputs       []input
}

type statusCount struct {
	Status, Label, Icon, Class, Help string
	Count                            int
	Zero                             bool
}

type trendCount struct {
	Arrow, Words, Class string
	Count               int
}

type category struct {
	ID, Name, Anchor string
	Cards            []*card
	Note             string
}

type expiring struct {
	ID, Metric, Scope, Owner, Expires string
}

type input struct {
	Source, Kind, Records, Error string
}

type card struct {
	ID, Title, Owner, Category, CategoryName string
	Status                                   string
	StatusLabel, StatusIcon, StatusClass     string
	Value, Unit, UnitWord                    string
	Target                                   string
	Gate                                     bool
	TrendArrow, TrendWords, TrendClass       string
	TrendChange, TrendSince, TrendSinceLong  string
	TrendPrev                                string // the previous value alone
	Worsening                                bool
	Explain                                  string
	Evidence                                 string
	Muted                                    bool
	Chart, Spark                             *chart

	rank, order int
}

func build(in []*report.Report) (*page, error) {
	var reports []*report.Report
	for _, r := range in {
		if r != nil {
			reports = append(reports, r)
		}
	}
	if len(reports) == 0 {
		return nil, errors.New("dashboard: no reports")
	}
	// Oldest first, as given; a stable sort keeps equal dates in input order.
	sort.SliceStable(reports, func(i, j int) bool { return reports[i].AsOf < reports[j].AsOf })
	cur := reports[len(reports)-1]

	// The date axis: every report's date and every date of the current
	// series (a report may carry history the caller did not pass in).
	byDate := map[string]map[string]*float64{} // date -> metric id -> value
	for _, r := range reports {
		d := text.Date(r.AsOf)
		vals := map[string]*float64{}
		for i := range r.Metrics {
			vals[r.Metrics[i].ID] = r.Metrics[i].Value
		}
		byDate[d] = vals // a later report of the same date replaces it
	}
	axis := map[string]bool{}
	for d := range byDate {
		axis[d] = true
	}
	for i := range cur.Metrics {
		for _, p := range cur.Metrics[i].Series {
			axis[text.Date(p.AsOf)] = true
		}
	}
	dates := make([]string, 0, len(axis))
	for d := range axis {
		dates = append(dates, d)
	}
	sort.Strings(dates)

	p := &page{
		CSS:        template.CSS(pageCSS),
		Project:    cur.Project,
		Title:      cur.DisplayTitle(),
		AsOf:       text.LongDate(cur.AsOf),
		AsOfISO:    text.Date(cur.AsOf),
		WindowDays: cur.WindowDays,
		Reports:    len(byDate),
		FirstDate:  text.LongDate(dates[0]),
		LastDate:   text.LongDate(dates[len(dates)-1]),
		Metrics:    len(cur.Metrics),
	}
	if p.Project == "" {
		p.Project = "posture"
	}

	counts := map[report.Status]int{}
	trends := map[string]int{}
	var cards []*card
	for i := range cur.Metrics {
		m := &cur.Metrics[i]
		series := map[string]*float64{}
		for _, sp := range m.Series {
			series[text.Date(sp.AsOf)] = sp.Value
		}
		pts := make([]point, len(dates))
		for j, d := range dates {
			pts[j] = point{AsOf: d}
			if vals, ok := byDate[d]; ok {
				if v, ok := vals[m.ID]; ok {
					pts[j].Value = v
					continue
				}
			}
			pts[j].Value = series[d]
		}
		c := newCard(m, pts)
		c.order = i
		cards = append(cards, c)
		counts[m.Status]++
		trends[m.Trend.Direction]++
	}

	for _, s := range report.Statuses {
		p.Summary = append(p.Summary, statusCount{
			Status: string(s), Label: statusLabel(s), Icon: statusIcon(s), Class: statusClass(s),
			Help: statusInfo[s].help, Count: counts[s], Zero: counts[s] == 0,
		})
	}
	for _, t := range []struct{ dir, arrow string }{
		{report.TrendWorsening, "↘"}, {report.TrendImproving, "↗"}, {report.TrendStable, "→"}, {report.TrendInsufficient, "·"},
	} {
		n := trends[t.dir]
		if t.dir == report.TrendInsufficient {
			n = len(cur.Metrics) - trends[report.TrendWorsening] - trends[report.TrendImproving] - trends[report.TrendStable]
		}
		p.Trends = append(p.Trends, trendCount{Arrow: t.arrow, Words: text.TrendWords(t.dir), Class: trendClass(t.dir), Count: n})
	}

	// Needs action: problems first by urgency, then worsening metrics.
	for _, c := range cards {
		if isProblem(report.Status(c.Status)) || c.Worsening {
			p.Action = append(p.Action, c)
		}
		if c.Muted {
			p.Gaps = append(p.Gaps, c)
		}
		if c.Gate && isProblem(report.Status(c.Status)) {
			p.GatesFailing = append(p.GatesFailing, c)
		}
	}
	sort.SliceStable(p.Action, func(i, j int) bool {
		a, b := p.Action[i], p.Action[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.Worsening != b.Worsening {
			return a.Worsening
		}
		if ra, rb := report.CategoryRank(a.Category), report.CategoryRank(b.Category); ra != rb {
			return ra < rb
		}
		return a.order < b.order
	})

	// Every metric by category: the built-in categories' order, then custom ones by name;
	// within a category, catalogue order so a card keeps its place.
	groups := map[string]*category{}
	for _, c := range cards {
		g, ok := groups[c.Category]
		if !ok {
			g = &category{ID: c.Category, Name: c.CategoryName, Anchor: "cat-" + anchor(c.Category)}
			groups[c.Category] = g
			p.Categories = append(p.Categories, g)
		}
		g.Cards = append(g.Cards, c)
	}
	sort.SliceStable(p.Categories, func(i, j int) bool {
		a, b := p.Categories[i], p.Categories[j]
		if ra, rb := report.CategoryRank(a.ID), report.CategoryRank(b.ID); ra != rb {
			return ra < rb
		}
		return a.ID < b.ID
	})
	used := map[string]bool{"action": true, "exceptions": true}
	for _, g := range p.Categories {
		g.Note = categoryNote(g.Cards)
		base := g.Anchor
		for i := 2; used[g.Anchor]; i++ { // "a b" and "a-b" make the same anchor
			g.Anchor = base + "-" + strconv.Itoa(i)
		}
		used[g.Anchor] = true
	}

	// Exceptions expiring soon.
	exc := map[string]report.Exception{}
	for _, e := range cur.Exceptions {
		exc[e.ID] = e
	}
	for _, id := range cur.ExpiringSoon {
		e, ok := exc[id]
		if !ok {
			e = report.Exception{ExceptionRef: report.ExceptionRef{ID: id}}
		}
		p.Expiring = append(p.Expiring, expiring{ID: id, Metric: e.Metric, Scope: e.Scope, Owner: e.Owner, Expires: e.Expires})
	}
	for _, in := range cur.Inputs {
		p.Inputs = append(p.Inputs, input{Source: in.Source, Kind: in.Kind, Records: formatNumber(float64(in.Records), "count"), Error: in.Error})
	}
	return p, nil
}

func newCard(m *report.Metric, pts []point) *card {
	c := &card{
		ID: m.ID, Title: m.Title, Owner: m.Owner, Category: m.Category,
		CategoryName: report.CategoryName(m.Category),
		Status:       string(m.Status), StatusLabel: statusLabel(m.Status),
		StatusIcon: statusIcon(m.Status), StatusClass: statusClass(m.Status),
		Unit: text.UnitSuffix(m.Unit), UnitWord: text.UnitWord(m.Unit),
		Target: formatTarget(m.Target, m.Unit), Gate: m.Gate,
		TrendArrow: text.Arrow(*m), TrendWords: text.TrendWords(m.Trend.Direction),
		TrendClass: trendClass(m.Trend.Direction), TrendChange: trendChange(m),
		Worsening: m.Trend.Direction == report.TrendWorsening,
		rank:      m.Status.Rank(),
	}
	if c.Title == "" {
		c.Title = m.ID
	}
	if c.Owner == "" {
		c.Owner = "unowned"
	}
	c.Value = "—"
	if m.Value != nil {
		c.Value = formatNumber(*m.Value, m.Unit)
	}
	if m.Trend.Previous != nil {
		c.TrendPrev = formatValue(m.Trend.Previous, m.Unit)
		c.TrendSince = c.TrendPrev
		c.TrendSinceLong = "previous value " + c.TrendSince
		if m.Trend.PreviousAsOf != "" {
			c.TrendSince += " on " + text.ShortDate(m.Trend.PreviousAsOf, false)
			c.TrendSinceLong += " on " + text.LongDate(m.Trend.PreviousAsOf)
		}
	}
	switch m.Status {
	case report.StatusUnmeasured, report.StatusNoData:
		c.Muted = true
		c.Explain = statusInfo[m.Status].help
	case report.StatusError:
		c.Explain = "evaluation error"
		if m.Error != "" {
			c.Explain += ": " + m.Error
		}
	}
	c.Evidence = evidenceText(m)

	aria := "History of " + c.Title + ": " + text.Count(countValues(pts), "value", "values")
	if len(pts) > 0 {
		aria += " from " + text.LongDate(pts[0].AsOf) + " to " + text.LongDate(pts[len(pts)-1].AsOf)
	}
	aria += "; latest " + formatValue(m.Value, m.Unit) + "; target " + c.Target
	c.Chart = newChart(pts, m.Target, m.Unit, true, aria)
	c.Spark = newChart(pts, m.Target, m.Unit, false, aria)
	return c
}

func countValues(pts []point) int {
	n := 0
	for _, p := range pts {
		if p.Value != nil {
			n++
		}
	}
	return n
}

func evidenceText(m *report.Metric) string {
	var parts []string
	if m.Value != nil || m.Evidence.Items > 0 {
		parts = append(parts, text.Count(m.Evidence.Items, "record", "records"))
	}
	if n := m.Evidence.WaivedCount(); n > 0 {
		parts = append(parts, strconv.Itoa(n)+" waived")
	}
	if len(m.Sources) > 0 {
		parts = append(parts, "from "+strings.Join(m.Sources, ", "))
	}
	return strings.Join(parts, " · ")
}

func categoryNote(cards []*card) string {
	n := map[string]int{}
	worse := 0
	for _, c := range cards {
		n[c.Status]++
		if c.Worsening {
			worse++
		}
	}
	parts := []string{text.Count(len(cards), "metric", "metrics")}
	for _, s := range report.Statuses {
		if k := n[string(s)]; k > 0 && s != report.StatusPass && s != report.StatusTracked {
			parts = append(parts, strconv.Itoa(k)+" "+strings.ToLower(statusLabel(s)))
		}
	}
	if worse > 0 {
		parts = append(parts, strconv.Itoa(worse)+" worsening")
	}
	return strings.Join(parts, " · ")
}

// anchor makes a fragment id from a category id.
func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "uncategorised"
	}
	return b.String()
}

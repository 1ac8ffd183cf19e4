package dashboard

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/output/dashboard/internal/demo"
	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// node is a minimal DOM. The dashboard is written as well-formed XHTML-
// compatible HTML (void elements self-closed, every attribute quoted), so
// encoding/xml in strict mode parses it: a parse failure is a test failure.
type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     string // character data directly inside (also kept as #text children, in order)
	parent   *node
}

func parse(t *testing.T, doc string) *node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	root := &node{name: "#document", attr: map[string]string{}}
	cur := root
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the dashboard must parse as well-formed markup")
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local, attr: map[string]string{}, parent: cur}
			for _, a := range tk.Attr {
				k := a.Name.Local
				if a.Name.Space != "" {
					k = a.Name.Space + ":" + k
				}
				n.attr[k] = a.Value
			}
			cur.children = append(cur.children, n)
			cur = n
		case xml.EndElement:
			require.Equal(t, cur.name, tk.Name.Local)
			cur = cur.parent
		case xml.CharData:
			cur.text += string(tk)
			cur.children = append(cur.children, &node{name: "#text", text: string(tk), parent: cur})
		}
	}
	require.Same(t, root, cur, "unclosed elements")
	return root
}

// all returns the descendants (document order) matching f.
func (n *node) all(f func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(x *node) {
		for _, c := range x.children {
			if f(c) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) first(f func(*node) bool) *node {
	if all := n.all(f); len(all) > 0 {
		return all[0]
	}
	return nil
}

// textContent concatenates all text below n.
func (n *node) textContent() string {
	var b strings.Builder
	var walk func(*node)
	walk = func(x *node) {
		if x.name == "#text" {
			b.WriteString(x.text)
		}
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func (n *node) hasClass(c string) bool {
	for _, x := range strings.Fields(n.attr["class"]) {
		if x == c {
			return true
		}
	}
	return false
}

func tag(name string) func(*node) bool { return func(n *node) bool { return n.name == name } }

func tagClass(name, class string) func(*node) bool {
	return func(n *node) bool { return n.name == name && n.hasClass(class) }
}

func render(t *testing.T, reports []*report.Report) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Write(&b, reports))
	return b.String()
}

func cards(doc *node) map[string]*node {
	out := map[string]*node{}
	for _, c := range doc.all(tagClass("article", "card")) {
		out[c.attr["data-metric"]] = c
	}
	return out
}

// polylinePoints counts the points of every line of a chart.
func polylinePoints(svg *node) (lines, points int) {
	for _, p := range svg.all(tag("polyline")) {
		lines++
		points += len(strings.Fields(p.attr["points"]))
	}
	return lines, points
}

func f(v float64) *float64 { return &v }

func demoHistory() []*report.Report {
	return demo.History(demo.Options{AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Days: 90})
}

// expectedValues counts a metric's non-null values over the reports, the way
// the dashboard's series is defined: one point per report date.
func expectedValues(reports []*report.Report, id string) int {
	n := 0
	for _, r := range reports {
		for _, m := range r.Metrics {
			if m.ID == id && m.Value != nil {
				n++
			}
		}
	}
	return n
}

func TestEveryMetricHasACardWithItsWholeHistory(t *testing.T) {
	reports := demoHistory()
	cur := reports[len(reports)-1]
	require.Len(t, cur.Metrics, 27, "26 built-in metrics and one custom one")
	doc := parse(t, render(t, reports))
	byID := cards(doc)
	require.Len(t, byID, len(cur.Metrics), "one card per metric")
	for _, m := range cur.Metrics {
		c := byID[m.ID]
		require.NotNil(t, c, m.ID)
		assert.Equal(t, string(m.Status), c.attr["data-status"], m.ID)
		svg := c.first(tagClass("svg", "chart"))
		require.NotNil(t, svg, "%s: chart", m.ID)
		_, pts := polylinePoints(svg)
		assert.Equal(t, expectedValues(reports, m.ID), pts, "%s: one chart point per non-null value", m.ID)
		content := c.textContent()
		assert.Contains(t, content, m.Title, m.ID)
		assert.Contains(t, content, m.ID)
		assert.Contains(t, content, m.Owner, m.ID)
		assert.Contains(t, content, formatTarget(m.Target, m.Unit), m.ID)
		assert.Contains(t, content, formatValue(m.Value, m.Unit)[:1], m.ID)
		assert.Contains(t, content, text.TrendWords(m.Trend.Direction), m.ID)
		if m.Gate {
			assert.NotNil(t, c.first(tagClass("span", "gate")), "%s: gate marker", m.ID)
		} else {
			assert.Nil(t, c.first(tagClass("span", "gate")), "%s: no gate marker", m.ID)
		}
		if m.Value != nil {
			assert.NotNil(t, svg.first(tagClass("circle", "last")), "%s: latest point highlighted", m.ID)
		}
		label := svg.attr["aria-label"]
		assert.Contains(t, label, "History of "+m.Title, m.ID)
	}
	// A custom metric joining later starts later on the same date axis.
	_, pts := polylinePoints(byID["unsigned_container_images"].first(tagClass("svg", "chart")))
	assert.Less(t, pts, 90)
	assert.Greater(t, pts, 30)
}

func TestNullsBreakTheLine(t *testing.T) {
	vals := []*float64{f(1), nil, f(2), f(3), nil, nil, f(5)}
	var reports []*report.Report
	for i, v := range vals {
		reports = append(reports, &report.Report{
			Schema: report.Schema, Project: "P", AsOf: fmt.Sprintf("2026-11-%02dT00:00:00Z", i+1), WindowDays: 30,
			Metrics: []report.Metric{{ID: "m", Title: "M", Category: "detection_response", Owner: "o", Unit: "count",
				Value: v, Status: report.StatusTracked, Trend: report.Trend{Direction: report.TrendInsufficient}}},
		})
	}
	doc := parse(t, render(t, reports))
	svg := cards(doc)["m"].first(tagClass("svg", "chart"))
	var runs []int
	for _, p := range svg.all(tag("polyline")) {
		runs = append(runs, len(strings.Fields(p.attr["points"])))
	}
	assert.Equal(t, []int{1, 2, 1}, runs, "runs of non-null values, broken at nulls")
	assert.Len(t, svg.all(tagClass("circle", "dot")), 2, "single-value runs are drawn as dots")
	last := svg.first(tagClass("circle", "last"))
	require.NotNil(t, last)
	pts := svg.all(tag("polyline"))
	assert.Equal(t, pts[2].attr["points"], last.attr["cx"]+","+last.attr["cy"], "the last point is highlighted")
	// Dates are proportional: 7 daily points, the 4th sits in the middle.
	mid := strings.Fields(pts[1].attr["points"])[1]
	var x3 float64
	_, err := fmt.Sscanf(mid, "%g,", &x3)
	require.NoError(t, err)
	var l, r float64
	_, err = fmt.Sscanf(svg.first(tagClass("line", "grid")).attr["x1"], "%g", &l)
	require.NoError(t, err)
	_, err = fmt.Sscanf(svg.first(tagClass("line", "grid")).attr["x2"], "%g", &r)
	require.NoError(t, err)
	assert.InDelta(t, (l+r)/2, x3, 0.2)
	// Axis labels: min, max, first and last date.
	var labels []string
	for _, tx := range svg.all(tag("text")) {
		labels = append(labels, tx.text)
	}
	assert.Equal(t, []string{"5", "1", "1 Nov", "7 Nov"}, labels)
}

func TestTargetLineAndFailingZone(t *testing.T) {
	mk := func(id string, tg report.Target, vals ...float64) report.Metric {
		m := report.Metric{ID: id, Title: id, Category: "vulnerability_management", Owner: "o", Unit: "count",
			Target: tg, Status: report.StatusPass, Trend: report.Trend{Direction: report.TrendStable}}
		for i, v := range vals {
			m.Series = append(m.Series, report.Point{AsOf: fmt.Sprintf("2026-11-%02dT00:00:00Z", i+1), Value: f(v)})
		}
		m.Value = f(vals[len(vals)-1])
		return m
	}
	r := &report.Report{Schema: report.Schema, AsOf: "2026-11-05T00:00:00Z", WindowDays: 30, Metrics: []report.Metric{
		mk("max5", report.Target{Max: f(5)}, 2, 4, 7, 3, 1),
		mk("min100", report.Target{Min: f(95)}, 90, 95, 97, 99, 98),
		mk("trend", report.Target{Trend: "down"}, 9, 8, 7, 6, 5),
		mk("max0", report.Target{Max: f(0)}, 0, 0, 1, 0, 0),
	}}
	// Only the current report is given: its series carries the history.
	doc := parse(t, render(t, []*report.Report{r}))
	c := cards(doc)
	for _, id := range []string{"max5", "min100", "max0"} {
		svg := c[id].first(tagClass("svg", "chart"))
		tl := svg.all(tagClass("line", "target"))
		require.Len(t, tl, 1, "%s: a dashed threshold line", id)
		_, pts := polylinePoints(svg)
		assert.Equal(t, 5, pts, "%s: the series of the current report", id)
	}
	assert.Empty(t, c["trend"].first(tagClass("svg", "chart")).all(tagClass("line", "target")), "no threshold for a trend target")
	assert.Len(t, c["max5"].all(tagClass("rect", "zone")), 1, "the failing zone above a max")
	assert.Len(t, c["min100"].all(tagClass("rect", "zone")), 1, "the failing zone below a min")
	assert.Empty(t, c["max0"].all(tagClass("rect", "zone")), "a zone filling the whole plot is left out")
	assert.Contains(t, css(t), "stroke-dasharray", "threshold lines are dashed")
}

func css(t *testing.T) string {
	t.Helper()
	require.NotEmpty(t, pageCSS)
	return pageCSS
}

func TestNeedsActionFailingFirst(t *testing.T) {
	reports := demoHistory()
	cur := reports[len(reports)-1]
	doc := parse(t, render(t, reports))

	action := doc.first(func(n *node) bool { return n.name == "section" && n.attr["id"] == "action" })
	require.NotNil(t, action)
	rows := action.all(func(n *node) bool { return n.name == "tr" && n.attr["data-metric"] != "" })
	byID := map[string]report.Metric{}
	for _, m := range cur.Metrics {
		byID[m.ID] = m
	}
	want := 0
	for _, m := range cur.Metrics {
		if isProblem(m.Status) || m.Trend.Direction == report.TrendWorsening {
			want++
		}
	}
	require.Equal(t, want, len(rows), "every failing, erroring, warning or worsening metric, nothing else")
	prevRank, prevWorse := -1, true
	for _, row := range rows {
		m := byID[row.attr["data-metric"]]
		rank := m.Status.Rank()
		worse := m.Trend.Direction == report.TrendWorsening
		require.GreaterOrEqual(t, rank, prevRank, "ordered by urgency: %s", m.ID)
		if rank == prevRank && !prevWorse {
			assert.False(t, worse, "worsening before not worsening within a status: %s", m.ID)
		}
		prevRank, prevWorse = rank, worse
		text := row.textContent()
		assert.Contains(t, text, m.Owner)
		assert.Contains(t, text, formatTarget(m.Target, m.Unit))
		assert.NotNil(t, row.first(tag("svg")), "a sparkline")
	}
	first := byID[rows[0].attr["data-metric"]]
	assert.Equal(t, report.StatusFail, first.Status)

	// The action section comes before every category, and categories follow
	// the built-in categories' order, custom ones last.
	var sections []string
	for _, s := range doc.all(tag("section")) {
		if s.attr["id"] != "" {
			sections = append(sections, s.attr["id"])
		}
	}
	assert.Equal(t, []string{"action", "exceptions", "cat-detection_response", "cat-prevention_controls",
		"cat-identity_access", "cat-vulnerability_management", "cat-operational_hygiene",
		"cat-compliance_signals", "cat-supply_chain"}, sections)
	var titles []string
	for _, h := range doc.all(tag("h2")) {
		titles = append(titles, h.text)
	}
	assert.Equal(t, []string{"Needs action", "Exceptions expiring within 14 days", "Detection & Response",
		"Prevention & Controls", "Identity & Access", "Vulnerability Management", "Operational Hygiene",
		"Compliance Signals", "Supply chain"}, titles)
}

func TestUnmeasuredAndNoDataAreShownGreyed(t *testing.T) {
	reports := demoHistory()
	doc := parse(t, render(t, reports))
	c := cards(doc)
	for id, st := range map[string]string{"blocked_ips": "unmeasured", "alert_to_incident_ratio": "no_data"} {
		card := c[id]
		require.NotNil(t, card, id)
		assert.Equal(t, st, card.attr["data-status"])
		assert.True(t, card.hasClass("muted"), id)
		assert.Equal(t, "—", card.first(tagClass("span", "num")).text, id)
		assert.NotNil(t, card.first(tagClass("p", "explain")), id)
	}
	gaps := doc.first(tagClass("p", "gaps"))
	require.NotNil(t, gaps)
	assert.Contains(t, gaps.textContent(), "Blocked IPs")
	assert.Contains(t, gaps.textContent(), "Alerts leading to an incident")
	// Unmeasured throughout: an empty chart that says so.
	svg := c["blocked_ips"].first(tagClass("svg", "chart"))
	assert.Empty(t, svg.all(tag("polyline")))
	assert.NotNil(t, svg.first(tagClass("text", "empty")))
	// Summary tiles: every status, zero or not.
	tiles := doc.all(tagClass("li", "tile"))
	assert.Len(t, tiles, len(report.Statuses))
}

func TestHostileTextIsEscaped(t *testing.T) {
	hostile := `<script>alert(1)</script>`
	owner := `"><img src=x onerror=alert(2)>`
	r := &report.Report{Schema: report.Schema, Project: `<b>Proj</b>`, AsOf: "2026-11-27T00:00:00Z", WindowDays: 30,
		Metrics: []report.Metric{{ID: "evil", Title: hostile, Category: `x"><svg onload=alert(3)>`, Owner: owner,
			Unit: "count", Value: f(3), Status: report.StatusFail, Target: report.Target{Max: f(0)}, Gate: true,
			Error: "", Sources: []string{`</style><script>alert(4)</script>`},
			Trend: report.Trend{Direction: report.TrendWorsening, Previous: f(1), ChangePct: f(200)}}},
		Inputs:       []report.Input{{Source: `<i>src</i>`, Kind: "k"}},
		Exceptions:   []report.Exception{{ExceptionRef: report.ExceptionRef{ID: "EX-1", Metric: "evil", Scope: `<u>scope</u>`, Owner: owner, Expires: "2026-12-01"}}},
		ExpiringSoon: []string{"EX-1"},
	}
	out := render(t, []*report.Report{r})
	assert.NotContains(t, out, "<script")
	assert.NotContains(t, out, "<img")
	assert.NotContains(t, out, "<svg onload")
	assert.NotContains(t, out, "<b>Proj")
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
	doc := parse(t, out)
	assert.Empty(t, doc.all(tag("script")))
	assert.Empty(t, doc.all(tag("img")))
	assert.Equal(t, "<b>Proj</b> security posture", doc.first(tag("h1")).text)
	card := cards(doc)["evil"]
	require.NotNil(t, card)
	assert.Equal(t, hostile, card.first(tag("h3")).text, "the title round-trips as text")
	assert.Contains(t, card.textContent(), owner)
	for _, n := range doc.all(func(*node) bool { return true }) {
		for k := range n.attr {
			assert.False(t, strings.HasPrefix(k, "on"), "event handler attribute %s on <%s>", k, n.name)
		}
	}
	// The anchor made of the hostile category is a plain fragment id.
	for _, s := range doc.all(tagClass("section", "category")) {
		assert.Regexp(t, `^cat-[a-z0-9_-]+$`, s.attr["id"])
	}
}

var urlAttrs = map[string]bool{"src": true, "href": true, "xlink:href": true, "action": true, "formaction": true,
	"poster": true, "data": true, "srcset": true, "background": true, "ping": true, "manifest": true, "cite": true}

func TestSelfContained(t *testing.T) {
	reports := demoHistory()
	// A title with a URL in it is text, not a link.
	reports[len(reports)-1].Metrics[0].Title = "Mean time to detect (see https://example.com/runbook)"
	out := render(t, reports)
	doc := parse(t, out)
	for _, name := range []string{"script", "link", "iframe", "img", "object", "embed", "audio", "video", "source", "base", "form"} {
		assert.Empty(t, doc.all(tag(name)), "no <%s>", name)
	}
	refs := 0
	for _, n := range doc.all(func(*node) bool { return true }) {
		for k, v := range n.attr {
			if !urlAttrs[k] {
				continue
			}
			refs++
			assert.True(t, strings.HasPrefix(v, "#"), "<%s %s=%q> must be a fragment of this page", n.name, k, v)
		}
		if style, ok := n.attr["style"]; ok {
			assert.NotContains(t, style, "url(")
		}
	}
	assert.Greater(t, refs, 27, "the checks saw the in-page references")
	assert.NotRegexp(t, `(?i)(src|href)\s*=\s*["']?\s*(https?:)?//`, out)
	style := doc.first(tag("style"))
	require.NotNil(t, style)
	assert.NotContains(t, style.text, "url(")
	assert.NotContains(t, style.text, "@import")
	assert.NotContains(t, style.text, "@font-face")
	csp := doc.first(func(n *node) bool { return n.name == "meta" && n.attr["http-equiv"] == "Content-Security-Policy" })
	require.NotNil(t, csp)
	assert.Contains(t, csp.attr["content"], "default-src 'none'")
	vp := doc.first(func(n *node) bool { return n.name == "meta" && n.attr["name"] == "viewport" })
	require.NotNil(t, vp)
	assert.Contains(t, vp.attr["content"], "width=device-width")
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>\n"))
}

func TestDeterministic(t *testing.T) {
	a := render(t, demoHistory())
	b := render(t, demoHistory())
	require.Equal(t, a, b, "same input, same bytes")
	// The order reports are given in does not matter (they are sorted by date).
	rev := demoHistory()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	require.Equal(t, a, render(t, rev))
	assert.NotRegexp(t, regexp.MustCompile(`\d\.\d{2,}[,"]`), a, "coordinates are rounded to one decimal")
}

func TestHeader(t *testing.T) {
	reports := demoHistory()
	doc := parse(t, render(t, reports))
	h := doc.first(tagClass("header", "top"))
	require.NotNil(t, h)
	text := h.textContent()
	assert.Contains(t, text, "LocalizeVideos")
	assert.Contains(t, text, "As of 27 Nov 2026")
	assert.Contains(t, text, "30-day window")
	assert.Contains(t, text, "90 reports in history, 30 Aug 2026 – 27 Nov 2026")
	assert.Contains(t, text, "release gates failing")
	title := doc.first(tag("title"))
	assert.Equal(t, "LocalizeVideos security posture · 2026-11-27", title.text)
}

func TestTitle(t *testing.T) {
	// Without a title: the project's default, "<project> security posture".
	reports := demoHistory()
	out := render(t, reports)
	doc := parse(t, out)
	assert.Equal(t, "LocalizeVideos security posture", doc.first(tag("h1")).text)
	assert.Equal(t, "LocalizeVideos", doc.first(tagClass("p", "eyebrow")).text)
	assert.NotContains(t, out, "PHASE-38", "no product phase is hard-coded in the page")

	// The latest report's configured title heads the page.
	reports = demoHistory()
	reports[len(reports)-1].Title = "LocalizeVideos security KPIs"
	out = render(t, reports)
	doc = parse(t, out)
	assert.Equal(t, "LocalizeVideos security KPIs", doc.first(tag("h1")).text)
	assert.Equal(t, "LocalizeVideos security KPIs · 2026-11-27", doc.first(tag("title")).text)
	assert.NotContains(t, out, "security posture")
	assert.NotContains(t, out, "PHASE-38")
}

func TestNoReports(t *testing.T) {
	require.Error(t, Write(io.Discard, nil))
	require.Error(t, Write(io.Discard, []*report.Report{nil}))
}

func TestOneReportWithoutHistory(t *testing.T) {
	r := &report.Report{Schema: report.Schema, AsOf: "2026-11-27T00:00:00Z", WindowDays: 30, Metrics: []report.Metric{
		{ID: "a", Title: "A", Category: "", Unit: "percent", Value: f(97.25), Status: report.StatusTracked},
	}}
	doc := parse(t, render(t, []*report.Report{r}))
	c := cards(doc)["a"]
	require.NotNil(t, c)
	_, pts := polylinePoints(c.first(tagClass("svg", "chart")))
	assert.Equal(t, 1, pts)
	assert.NotNil(t, c.first(tagClass("circle", "dot")))
	assert.Contains(t, c.textContent(), "97.3")
	assert.Contains(t, c.textContent(), "unowned")
	assert.Contains(t, doc.textContent(), "Uncategorised")
	assert.Contains(t, doc.textContent(), "All release gates pass")
	assert.Contains(t, doc.textContent(), "Nothing needs action")
}

func TestFormatting(t *testing.T) {
	assert.Equal(t, "1284", formatNumber(1284, "count"))
	assert.Equal(t, "1,284,411", formatNumber(1284411, "count"))
	assert.Equal(t, "3.5", formatNumber(3.5, "hours"))
	assert.Equal(t, "96.4", formatNumber(96.44, "percent"))
	assert.Equal(t, "0", formatNumber(-0.001, "hours"))
	assert.Equal(t, "3.5 h", formatValue(f(3.5), "hours"))
	assert.Equal(t, "12.5%", formatValue(f(12.5), "percent"))
	assert.Equal(t, "—", formatValue(nil, "count"))
	assert.Equal(t, "≤ 0", formatTarget(report.Target{Max: f(0)}, "count"))
	assert.Equal(t, "≥ 100%", formatTarget(report.Target{Min: f(100)}, "percent"))
	assert.Equal(t, "trend ↓ (soft)", formatTarget(report.Target{Trend: "down", Soft: true}, "count"))
	assert.Equal(t, "none", formatTarget(report.Target{}, "count"))
	m := &report.Metric{Value: f(4), Trend: report.Trend{Direction: report.TrendWorsening, Previous: f(0)}}
	assert.Equal(t, "new", trendChange(m))
	assert.Equal(t, "↑", text.Arrow(*m))
	m = &report.Metric{Value: f(3.5), Trend: report.Trend{Direction: report.TrendImproving, Previous: f(4), ChangePct: f(-12.5)}}
	assert.Equal(t, "−12.5%", trendChange(m))
	assert.Equal(t, "↓", text.Arrow(*m))
	assert.Equal(t, "insufficient history", text.TrendWords(report.TrendInsufficient))
	assert.Equal(t, "Supply chain", report.CategoryName("supply_chain"))
	lo, hi := yRange([]float64{0, 0}, "count")
	assert.Equal(t, []float64{0, 1}, []float64{lo, hi})
	lo, hi = yRange([]float64{88.5, 97.1, 100}, "percent")
	assert.Equal(t, []float64{85, 100}, []float64{lo, hi})
	lo, hi = yRange([]float64{1380, 4210}, "count")
	assert.Equal(t, []float64{1000, 5000}, []float64{lo, hi})
}

func TestErrorsComeFirstAndSayWhy(t *testing.T) {
	mk := func(id string, st report.Status, v *float64, dir string) report.Metric {
		return report.Metric{ID: id, Title: id, Category: "operational_hygiene", Owner: "o", Unit: "count", Value: v,
			Status: st, Target: report.Target{Trend: "down"}, Trend: report.Trend{Direction: dir}}
	}
	r := &report.Report{Schema: report.Schema, AsOf: "2026-11-27T00:00:00Z", WindowDays: 30, Metrics: []report.Metric{
		mk("worse_pass", report.StatusWarn, f(3), report.TrendWorsening),
		mk("fine", report.StatusPass, f(1), report.TrendImproving),
		mk("failing", report.StatusFail, f(9), report.TrendWorsening),
		mk("broken", report.StatusError, nil, report.TrendInsufficient),
		mk("tracked_worse", report.StatusTracked, f(4), report.TrendWorsening),
	}}
	r.Metrics[3].Error = "source failed: deploy-api (deployments)"
	doc := parse(t, render(t, []*report.Report{r}))
	var order []string
	for _, row := range doc.first(tagClass("table", "atable")).all(func(n *node) bool { return n.name == "tr" && n.attr["data-metric"] != "" }) {
		order = append(order, row.attr["data-metric"])
	}
	assert.Equal(t, []string{"broken", "failing", "worse_pass", "tracked_worse"}, order)
	assert.Contains(t, cards(doc)["broken"].first(tagClass("p", "explain")).text, "source failed: deploy-api (deployments)")
}

// Inputs are named by their source id "<kind>.<name>": two sources of
// different kinds may share a name.
func TestInputsNamedByKindAndName(t *testing.T) {
	r := &report.Report{Schema: report.Schema, Project: "p", AsOf: "2026-11-27T00:00:00Z", WindowDays: 30,
		Inputs: []report.Input{
			{Source: "edge", Kind: "nginx_access_log", Records: 4},
			{Source: "edge", Kind: "nginx_error_log", Records: 3, Error: "error.log: no such file"},
		}}
	p := parse(t, render(t, []*report.Report{r})).first(tagClass("p", "inputs"))
	require.NotNil(t, p)
	assert.Equal(t, "Inputs of the current report: nginx_access_log.edge (4 records); nginx_error_log.edge (3 records, error: error.log: no such file)", p.textContent())
}

package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// ChartMetrics are the metrics charted in the markdown report's trend
// section after the failing ones, in this order, when they have a series.
var ChartMetrics = []string{
	"open_vulnerabilities", "high_critical_vulnerabilities", "mttr_hours", "mttd_hours",
	"failed_login_rate", "unauthorized_access_attempts", "privileged_accounts",
}

const (
	maxCharts      = 6
	maxChartPoints = 30
	chartDays      = 90
)

// ChartPoint is one charted value.
type ChartPoint struct {
	Label string // MM-DD
	Value float64
}

// ChartSeries returns the points of a metric's series to chart: the non-null
// values of the last 90 days before the report's as-of, thinned evenly to at
// most 30 points (the latest always kept).
func ChartSeries(m report.Metric, asOf string) []ChartPoint {
	end, err := time.Parse(time.RFC3339, asOf)
	from := ""
	if err == nil {
		from = end.UTC().AddDate(0, 0, -chartDays).Format("2006-01-02")
	}
	var pts []ChartPoint
	for _, p := range m.Series {
		if p.Value == nil || len(p.AsOf) < 10 || p.AsOf[:10] <= from {
			continue
		}
		pts = append(pts, ChartPoint{Label: p.AsOf[5:10], Value: *p.Value})
	}
	if len(pts) <= maxChartPoints {
		return pts
	}
	out := make([]ChartPoint, 0, maxChartPoints)
	n := len(pts)
	for i := 0; i < maxChartPoints; i++ {
		// evenly spaced indexes ending exactly at the last point
		idx := n - 1 - (maxChartPoints-1-i)*(n-1)/(maxChartPoints-1)
		out = append(out, pts[idx])
	}
	return out
}

// chartedMetrics picks the metrics of the trend section: failing or
// worsening ones first, then ChartMetrics; only those with two values or more.
func chartedMetrics(r *report.Report) []report.Metric {
	var out []report.Metric
	seen := map[string]bool{}
	add := func(m report.Metric) {
		if len(out) >= maxCharts || seen[m.ID] || len(ChartSeries(m, r.AsOf)) < 2 {
			return
		}
		seen[m.ID] = true
		out = append(out, m)
	}
	for _, m := range byUrgency(r.Metrics) {
		if m.Status == report.StatusFail || m.Status == report.StatusWarn || m.Trend.Direction == report.TrendWorsening {
			add(m)
		}
	}
	byID := map[string]report.Metric{}
	for _, m := range r.Metrics {
		byID[m.ID] = m
	}
	for _, id := range ChartMetrics {
		if m, ok := byID[id]; ok {
			add(m)
		}
	}
	return out
}

// writeCharts prints the trend section: one mermaid xychart-beta line chart
// per charted metric (GitHub renders them).
func writeCharts(w io.Writer, r *report.Report) {
	fmt.Fprintf(w, "\n## Trends\n")
	ms := chartedMetrics(r)
	if len(ms) == 0 {
		fmt.Fprintf(w, "\nNot enough history for charts yet: they appear once two or more dated reports exist.\n")
		return
	}
	for _, m := range ms {
		pts := ChartSeries(m, r.AsOf)
		fmt.Fprintf(w, "\n### %s %s — %s\n\n", text.StatusEmoji(m.Status), text.Code(m.ID), text.MD(m.Title))
		fmt.Fprintf(w, "Owner %s, target %s, trend %s.\n\n", text.MD(m.Owner), text.MD(text.Target(m.Target, m.Unit)), text.MD(text.Trend(m)))
		labels := make([]string, len(pts))
		values := make([]string, len(pts))
		for i, p := range pts {
			labels[i] = strconv.Quote(p.Label)
			values[i] = text.Number(p.Value, m.Unit)
		}
		fmt.Fprintf(w, "```mermaid\nxychart-beta\n")
		fmt.Fprintf(w, "    title %s\n", mermaidString(m.Title))
		fmt.Fprintf(w, "    x-axis [%s]\n", strings.Join(labels, ", "))
		fmt.Fprintf(w, "    y-axis %s\n", mermaidString(m.Unit))
		fmt.Fprintf(w, "    line [%s]\n```\n", strings.Join(values, ", "))
	}
}

// mermaidString quotes s for a mermaid title or axis name.
func mermaidString(s string) string {
	s = strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ", "`", "'").Replace(s)
	if s == "" {
		s = " "
	}
	return `"` + s + `"`
}

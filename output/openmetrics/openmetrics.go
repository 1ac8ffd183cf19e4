// Package openmetrics renders a report's values in the OpenMetrics text
// format: <reports_dir>/metrics.prom, written by posture report.
package openmetrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/localizevideos/posture/report"
)

// Write writes a report's values in the OpenMetrics text format (also
// read by Prometheus' text parser):
//
//	posture_metric_value{id,category,owner,unit}           the value (metrics with a value only)
//	posture_metric_status{id,category,owner,status}        1 for the metric's status, 0 for the others
//	posture_metric_target_max{id,category,owner,unit}      where a max target is set
//	posture_metric_target_min{id,category,owner,unit}      where a min target is set
//	posture_metric_gate{id,category,owner}                 1 when the metric gates CI
//	posture_report_timestamp_seconds{project}              the report's as-of instant
//
// ending with "# EOF". Every family is a gauge.
func Write(w io.Writer, r *report.Report) error {
	b := bufio.NewWriter(w)
	family := func(name, help string) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	labels := func(m report.Metric, extra ...string) string {
		kv := []string{"id", m.ID, "category", m.Category, "owner", m.Owner}
		kv = append(kv, extra...)
		parts := make([]string, 0, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			parts = append(parts, kv[i]+`="`+escapeLabel(kv[i+1])+`"`)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}

	family("posture_metric_value", "Value of a security KPI at the report's as-of instant (metrics without a value are left out).")
	for _, m := range r.Metrics {
		if m.Value != nil {
			fmt.Fprintf(b, "posture_metric_value%s %s\n", labels(m, "unit", m.Unit), number(*m.Value))
		}
	}
	family("posture_metric_status", "Status of a security KPI: 1 for its status, 0 for the others.")
	for _, m := range r.Metrics {
		for _, s := range report.Statuses {
			v := 0
			if m.Status == s {
				v = 1
			}
			fmt.Fprintf(b, "posture_metric_status%s %d\n", labels(m, "status", string(s)), v)
		}
	}
	family("posture_metric_target_max", "Maximum target of a security KPI (fail above it).")
	for _, m := range r.Metrics {
		if m.Target.Max != nil {
			fmt.Fprintf(b, "posture_metric_target_max%s %s\n", labels(m, "unit", m.Unit), number(*m.Target.Max))
		}
	}
	family("posture_metric_target_min", "Minimum target of a security KPI (fail below it).")
	for _, m := range r.Metrics {
		if m.Target.Min != nil {
			fmt.Fprintf(b, "posture_metric_target_min%s %s\n", labels(m, "unit", m.Unit), number(*m.Target.Min))
		}
	}
	family("posture_metric_gate", "1 when a failing security KPI fails the CI gate.")
	for _, m := range r.Metrics {
		v := 0
		if m.Gate {
			v = 1
		}
		fmt.Fprintf(b, "posture_metric_gate%s %d\n", labels(m), v)
	}
	family("posture_report_timestamp_seconds", "The report's as-of instant, in seconds since the Unix epoch.")
	ts := 0.0
	if t, err := r.AsOfTime(); err == nil {
		ts = float64(t.Unix())
	}
	fmt.Fprintf(b, "posture_report_timestamp_seconds{project=\"%s\"} %s\n", escapeLabel(r.Project), number(ts))
	fmt.Fprintf(b, "# EOF\n")
	return b.Flush()
}

// escapeLabel escapes a label value: backslash, double quote and newline.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

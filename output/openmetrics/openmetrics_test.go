package openmetrics

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

// sample has a value, a percentage with an owner to escape, a zero and an
// unmeasured metric.
func sample() *report.Report {
	m := func(id, category, owner, unit string, v *float64, st report.Status, t report.Target, gate bool) report.Metric {
		return report.Metric{ID: id, Title: id, Category: category, Owner: owner, Unit: unit, Value: v, Status: st, Target: t, Gate: gate}
	}
	f := func(v float64) *float64 { return &v }
	r := &report.Report{Schema: report.Schema, Project: `Localize "Videos"`, AsOf: "2026-11-27T00:00:00Z", Metrics: []report.Metric{
		m("open_vulnerabilities", "vulnerability_management", "security", "count", f(12), report.StatusPass, report.Target{Trend: "down"}, false),
		m("token_expiry_compliance", "identity_access", `id\ent`, "percent", f(87.5), report.StatusFail, report.Target{Min: f(100)}, true),
		m("tls_downgrade_attempts", "prevention_controls", "platform", "count", f(0), report.StatusPass, report.Target{Max: f(0)}, true),
		m("security_header_drift", "prevention_controls", "platform", "count", nil, report.StatusUnmeasured, report.Target{Max: f(0)}, false),
	}}
	r.Summarise()
	return r
}

// families parses OpenMetrics text with Prometheus' OpenMetrics decoder
// and, independently, with its classic text parser.
func families(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	dec := expfmt.NewDecoder(strings.NewReader(text), expfmt.FmtOpenMetrics_1_0_0)
	out := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		err := dec.Decode(&mf)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "OpenMetrics decoder")
		out[mf.GetName()] = &mf
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	text2, err := p.TextToMetricFamilies(strings.NewReader(text))
	require.NoError(t, err, "text parser")
	assert.Len(t, text2, len(out))
	return out
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestOpenMetricsParses(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, sample()))
	text := b.String()
	assert.True(t, strings.HasSuffix(text, "# EOF\n"))
	fams := families(t, text)
	for _, n := range []string{"posture_metric_value", "posture_metric_status", "posture_metric_target_max",
		"posture_metric_target_min", "posture_metric_gate", "posture_report_timestamp_seconds"} {
		require.Contains(t, fams, n)
		assert.Equal(t, dto.MetricType_GAUGE, fams[n].GetType(), n)
		assert.NotEmpty(t, fams[n].GetHelp(), n)
	}

	values := map[string]float64{}
	for _, m := range fams["posture_metric_value"].GetMetric() {
		l := labels(m)
		values[l["id"]] = m.GetGauge().GetValue()
		assert.NotEmpty(t, l["category"])
		assert.NotEmpty(t, l["unit"])
	}
	assert.Equal(t, map[string]float64{"open_vulnerabilities": 12, "token_expiry_compliance": 87.5, "tls_downgrade_attempts": 0}, values,
		"null values are left out")

	// One-hot status: exactly one 1 per metric, on its status.
	hot := map[string]string{}
	perMetric := map[string]int{}
	for _, m := range fams["posture_metric_status"].GetMetric() {
		l := labels(m)
		perMetric[l["id"]]++
		if m.GetGauge().GetValue() == 1 {
			assert.Empty(t, hot[l["id"]], "one status per metric")
			hot[l["id"]] = l["status"]
		}
	}
	assert.Equal(t, "fail", hot["token_expiry_compliance"])
	assert.Equal(t, "unmeasured", hot["security_header_drift"])
	assert.Equal(t, len(report.Statuses), perMetric["open_vulnerabilities"])

	for _, m := range fams["posture_metric_status"].GetMetric() {
		if labels(m)["id"] == "token_expiry_compliance" {
			assert.Equal(t, `id\ent`, labels(m)["owner"], "label values are escaped and read back")
		}
	}
	require.Len(t, fams["posture_metric_target_min"].GetMetric(), 1)
	assert.Equal(t, 100.0, fams["posture_metric_target_min"].GetMetric()[0].GetGauge().GetValue())
	assert.Len(t, fams["posture_metric_target_max"].GetMetric(), 2)
	ts := fams["posture_report_timestamp_seconds"].GetMetric()[0]
	assert.Equal(t, float64(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC).Unix()), ts.GetGauge().GetValue())
	assert.Equal(t, `Localize "Videos"`, labels(ts)["project"])
}

package pagerduty_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/sources/pagerduty"
)

const header = `project = "t"
owner "o" {}
category "detection_response"       { owner = "o" }
category "prevention_controls"      { owner = "o" }
category "identity_access"          { owner = "o" }
category "vulnerability_management" { owner = "o" }
category "operational_hygiene"      { owner = "o" }
category "compliance_signals"       { owner = "o" }
`

// The same incidents and alerts, once from the PagerDuty API and once as
// the incidents and alerts files, give the same metric values.
var pdIncidents = []pagerduty.FakeIncident{
	// In the window, acknowledged (log), resolved; P1.
	{ID: "PINC1", Number: 1, Title: "Credential stuffing", Status: "resolved", Urgency: "high", Priority: "P1",
		Created: "2026-11-10T08:00:00Z", Logged: []string{"2026-11-10T08:30:00Z"}, Resolved: "2026-11-10T10:00:00Z",
		Alerts: []pagerduty.FakeAlert{{ID: "A1", Created: "2026-11-10T08:00:00Z"}, {ID: "A2", Created: "2026-11-10T08:10:00Z"}}},
	// In the window, acknowledged now, open; P2.
	{ID: "PINC2", Number: 2, Title: "WAF blocks spike", Status: "acknowledged", Urgency: "high", Priority: "P2",
		Created: "2026-11-20T12:00:00Z", Acks: []string{"2026-11-20T12:10:00Z"},
		Alerts: []pagerduty.FakeAlert{{ID: "A3", Created: "2026-11-20T12:00:00Z"}}},
	// Began and detected before the window, resolved in it: MTTR only.
	{ID: "PINC3", Number: 3, Title: "Leaked key", Status: "resolved", Urgency: "low", Priority: "P3",
		Created: "2026-10-20T12:00:00Z", Logged: []string{"2026-10-20T13:00:00Z"}, Resolved: "2026-11-02T13:00:00Z"},
	// Resolved without an acknowledgement: detected when resolved; low urgency.
	{ID: "PINC4", Number: 4, Title: "Flapping check", Status: "resolved", Urgency: "low",
		Created: "2026-11-15T00:00:00Z", Resolved: "2026-11-15T02:00:00Z",
		Alerts: []pagerduty.FakeAlert{{ID: "A4", Created: "2026-11-15T00:00:00Z", Suppressed: true}}},
	// Still triggered, never acknowledged: detected at creation; P1.
	{ID: "PINC5", Number: 5, Title: "Ransomware note", Status: "triggered", Urgency: "high", Priority: "P1",
		Created: "2026-11-25T06:00:00Z"},
	// In the lookback, before the window: counts nowhere.
	{ID: "PINC6", Number: 6, Title: "Old", Status: "resolved", Urgency: "high", Priority: "P1",
		Created: "2026-10-05T00:00:00Z", Logged: []string{"2026-10-05T00:20:00Z"}, Resolved: "2026-10-06T00:00:00Z",
		Alerts: []pagerduty.FakeAlert{{ID: "A5", Created: "2026-10-05T00:00:00Z"}}},
}

const incidentsCSV = `id,title,severity,started_at,detected_at,resolved_at
PINC1,Credential stuffing,sev1,2026-11-10T08:00:00Z,2026-11-10T08:30:00Z,2026-11-10T10:00:00Z
PINC2,WAF blocks spike,sev2,2026-11-20T12:00:00Z,2026-11-20T12:10:00Z,
PINC3,Leaked key,sev3,2026-10-20T12:00:00Z,2026-10-20T13:00:00Z,2026-11-02T13:00:00Z
PINC4,Flapping check,sev4,2026-11-15T00:00:00Z,2026-11-15T02:00:00Z,2026-11-15T02:00:00Z
PINC5,Ransomware note,sev1,2026-11-25T06:00:00Z,2026-11-25T06:00:00Z,
PINC6,Old,sev1,2026-10-05T00:00:00Z,2026-10-05T00:20:00Z,2026-10-06T00:00:00Z
`

const alertsCSV = `id,fired_at,incident_id
A1,2026-11-10T08:00:00Z,PINC1
A2,2026-11-10T08:10:00Z,PINC1
A3,2026-11-20T12:00:00Z,PINC2
A4,2026-11-15T00:00:00Z,
A5,2026-10-05T00:00:00Z,PINC6
`

var fed = []string{"mttd_hours", "mttr_hours", "incident_count", "sev1_incidents", "alert_to_incident_ratio"}

func metrics(t *testing.T, body string, files map[string]string) map[string]*report.Metric {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(header+body), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	snap := a.Collect(context.Background(), asOf, nil)
	for _, part := range snap.Parts {
		require.Empty(t, part.Error, part.ID())
	}
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	out := map[string]*report.Metric{}
	for i := range r.Metrics {
		out[r.Metrics[i].ID] = &r.Metrics[i]
	}
	return out
}

func TestPipelineEqualsTheFiles(t *testing.T) {
	f := pagerduty.NewFake(t, pdIncidents...)
	t.Setenv(pagerduty.TokenEnv, f.Token)

	fromAPI := metrics(t, `source "pagerduty" "pd" {
  api_url = "`+f.URL()+`"
  collect = ["incidents", "alerts"]
  requests_per_minute = 6000
}
`, nil)
	fromFiles := metrics(t, `source "incidents" "csv" { paths = ["incidents.csv"] }
source "alerts" "csv" { paths = ["alerts.csv"] }
`, map[string]string{"incidents.csv": incidentsCSV, "alerts.csv": alertsCSV})

	want := map[string]float64{
		"mttd_hours":              (0.5 + 10.0/60 + 2 + 0) / 4,
		"mttr_hours":              (1.5 + (13*24 - 0) + 0) / 3,
		"incident_count":          4,
		"sev1_incidents":          2,
		"alert_to_incident_ratio": 75,
	}
	for _, id := range fed {
		api, files := fromAPI[id], fromFiles[id]
		require.NotNil(t, api, id)
		require.NotNil(t, files, id)
		require.NotNil(t, api.Value, "%s: %s %s", id, api.Status, api.Error)
		require.NotNil(t, files.Value, id)
		assert.Equal(t, *files.Value, *api.Value, id)
		assert.InDelta(t, want[id], *api.Value, 0.01, id)
		assert.Equal(t, files.Status, api.Status, id)
		assert.Equal(t, []string{"pagerduty.pd"}, api.Sources, id)
	}
}

// Without the alerts part the source does not feed the ratio.
func TestAlertsAreOptIn(t *testing.T) {
	f := pagerduty.NewFake(t, pdIncidents...)
	t.Setenv(pagerduty.TokenEnv, f.Token)
	m := metrics(t, `source "pagerduty" "pd" { api_url = "`+f.URL()+`" }
`, nil)
	require.NotNil(t, m["incident_count"].Value)
	assert.Equal(t, 4.0, *m["incident_count"].Value)
	assert.Equal(t, report.StatusUnmeasured, m["alert_to_incident_ratio"].Status)
}

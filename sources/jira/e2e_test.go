package jira_test

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
	"github.com/localizevideos/posture/sources/jira"
)

// End to end: a config with a jira source, read through the whole
// pipeline (config, collection, snapshot, built-in policies), gives the
// metrics the same values as the same issues given as the CSV files of
// the audit_findings and incidents kinds.

const e2eHead = `project = "jira-e2e"
window_days = 30
owner "security" {}
category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "security" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "security" }
category "compliance_signals"       { owner = "security" }
`

// Audit findings: two pages of the enhanced search.
const e2eFindingsPage1 = `{"issues":[
 {"id":"1","key":"SEC-12","fields":{"summary":"Admin panel without MFA","status":{"name":"To Do","statusCategory":{"id":2,"key":"new","name":"To Do"}},
  "priority":{"name":"High","id":"2"},"created":"2026-11-20T10:00:00.000+0100","resolutiondate":null}},
 {"id":"2","key":"SEC-13","fields":{"summary":"Backups not encrypted","status":{"name":"In Progress","statusCategory":{"id":4,"key":"indeterminate","name":"In Progress"}},
  "created":"2026-10-01T08:30:00.000+0000","resolutiondate":null}}
],"nextPageToken":"p2","isLast":false}`

const e2eFindingsPage2 = `{"issues":[
 {"id":"3","key":"SEC-14","fields":{"summary":"Weak password policy","status":{"name":"Done","statusCategory":{"id":3,"key":"done","name":"Done"}},
  "priority":{"name":"Medium","id":"3"},"created":"2026-09-15T09:00:00.000-0700","resolutiondate":"2026-11-02T17:45:12.345-0700"}},
 {"id":"4","key":"SEC-15","fields":{"summary":"Legacy TLS accepted","status":{"name":"Risk Accepted","statusCategory":{"id":3,"key":"done","name":"Done"}},
  "priority":{"name":"Low","id":"4"},"created":"2026-08-01T12:00:00.000+0200","resolutiondate":null}},
 {"id":"5","key":"SEC-16","fields":{"summary":"Vendor report missing","status":{"name":"Open","statusCategory":{"id":2,"key":"new","name":"To Do"}},
  "priority":{"name":"Low","id":"4"},"created":"2026-12-01T10:00:00.000+0000","resolutiondate":null}}
],"isLast":true}`

const e2eFindingsCSV = `id,title,severity,status,opened_at,closed_at
SEC-12,Admin panel without MFA,high,open,2026-11-20T10:00:00.000+0100,
SEC-13,Backups not encrypted,,open,2026-10-01T08:30:00.000+0000,
SEC-14,Weak password policy,medium,closed,2026-09-15T09:00:00.000-0700,2026-11-02T17:45:12.345-0700
SEC-15,Legacy TLS accepted,low,closed,2026-08-01T12:00:00.000+0200,
SEC-16,Vendor report missing,low,open,2026-12-01T10:00:00.000+0000,
`

// Incidents: one page; severity in a select custom field, the start in a
// date-time custom field.
const e2eIncidentsPage = `{"issues":[
 {"id":"11","key":"INC-1","fields":{"summary":"DB credentials leaked","status":{"name":"Closed","statusCategory":{"id":3,"key":"done","name":"Done"}},
  "customfield_10060":{"value":"SEV-1","id":"10200"},"customfield_10061":"2026-11-20T08:00:00.000+0100",
  "created":"2026-11-20T10:00:00.000+0100","resolutiondate":"2026-11-21T10:00:00.000+0100"}},
 {"id":"12","key":"INC-2","fields":{"summary":"Phishing wave","status":{"name":"Investigating","statusCategory":{"id":4,"key":"indeterminate","name":"In Progress"}},
  "customfield_10060":{"value":"Sev 2","id":"10201"},"customfield_10061":"2026-11-22T06:00:00.000+0000",
  "created":"2026-11-22T10:00:00.000+0000","resolutiondate":null}},
 {"id":"13","key":"INC-3","fields":{"summary":"Laptop stolen","status":{"name":"Resolved","statusCategory":{"id":3,"key":"done","name":"Done"}},
  "customfield_10060":null,"customfield_10061":null,
  "created":"2026-11-10T12:00:00.000-0500","resolutiondate":"2026-11-12T12:00:00.000-0500"}},
 {"id":"14","key":"INC-4","fields":{"summary":"Old outage","status":{"name":"Done","statusCategory":{"id":3,"key":"done","name":"Done"}},
  "customfield_10060":{"value":"sev1","id":"10202"},"customfield_10061":"2026-08-01T00:00:00.000+0000",
  "created":"2026-08-01T02:00:00.000+0000","resolutiondate":"2026-08-02T02:00:00.000+0000"}}
],"isLast":true}`

const e2eIncidentsCSV = `id,title,severity,started_at,detected_at,resolved_at
INC-1,DB credentials leaked,SEV-1,2026-11-20T08:00:00.000+0100,2026-11-20T10:00:00.000+0100,2026-11-21T10:00:00.000+0100
INC-2,Phishing wave,Sev 2,2026-11-22T06:00:00.000+0000,2026-11-22T10:00:00.000+0000,
INC-3,Laptop stolen,,,2026-11-10T12:00:00.000-0500,2026-11-12T12:00:00.000-0500
INC-4,Old outage,sev1,2026-08-01T00:00:00.000+0000,2026-08-01T02:00:00.000+0000,2026-08-02T02:00:00.000+0000
`

var e2eMetrics = []string{"audit_findings", "mttd_hours", "mttr_hours", "incident_count", "sev1_incidents"}

// evalConfig writes the config and files, runs the pipeline and returns
// the metrics of e2eMetrics by id, and the sources that failed.
func evalConfig(t *testing.T, sourcesHCL string, files map[string]string) (map[string]report.Metric, []string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	p := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(p, []byte(e2eHead+sourcesHCL), 0o644))
	a, err := app.Load(context.Background(), p)
	require.NoError(t, err)
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	snap := a.Collect(context.Background(), asOf, nil)
	var failed []string
	for _, part := range snap.Parts {
		if part.Failed() {
			failed = append(failed, part.ID()+": "+part.Error)
		}
	}
	r, _, err := a.Evaluate(context.Background(), snap, asOf, false)
	require.NoError(t, err)
	out := map[string]report.Metric{}
	for _, m := range r.Metrics {
		for _, id := range e2eMetrics {
			if m.ID == id {
				out[id] = m
			}
		}
	}
	require.Len(t, out, len(e2eMetrics))
	return out, failed
}

func TestEndToEndSameAsCSV(t *testing.T) {
	f := jira.NewFake(t)
	f.SetCloudPage("", e2eFindingsPage1)
	f.SetCloudPage("p2", e2eFindingsPage2)
	inc := jira.NewFake(t)
	inc.SetCloudPage("", e2eIncidentsPage)
	t.Setenv("JIRA_EMAIL", jira.TestEmail)
	t.Setenv("JIRA_API_TOKEN", jira.TestToken)

	fromJira, failed := evalConfig(t, `
source "jira" "audit" {
  base_url = "`+f.URL()+`"
  jql      = "project = SEC AND labels = audit"
}
source "jira" "incidents" {
  base_url       = "`+inc.URL()+`"
  jql            = "project = INC"
  collection     = "incidents"
  severity_field = "customfield_10060"
  started_field  = "customfield_10061"
}
`, nil)
	require.Empty(t, failed)
	fromCSV, failed := evalConfig(t, `
source "audit_findings" "audit" { paths = ["findings.csv"] }
source "incidents" "incidents"  { paths = ["incidents.csv"] }
`, map[string]string{"findings.csv": e2eFindingsCSV, "incidents.csv": e2eIncidentsCSV})
	require.Empty(t, failed)

	for _, id := range e2eMetrics {
		j, c := fromJira[id], fromCSV[id]
		require.NotNil(t, j.Value, "%s: %s %s", id, j.Status, j.Error)
		require.NotNil(t, c.Value, id)
		assert.Equal(t, *c.Value, *j.Value, id)
		assert.Equal(t, c.Status, j.Status, id)
		assert.Equal(t, []string{"jira." + map[bool]string{true: "audit", false: "incidents"}[id == "audit_findings"]}, j.Sources, id)
	}
	assert.Equal(t, 2.0, *fromJira["audit_findings"].Value, "SEC-12 and SEC-13; SEC-16 opens after as_of")
	assert.Equal(t, 3.0, *fromJira["incident_count"].Value)
	assert.Equal(t, 1.0, *fromJira["sev1_incidents"].Value)
	assert.Len(t, f.Requests(), 2)
	assert.Len(t, inc.Requests(), 1)
}

func TestEndToEndFailedSourceIsError(t *testing.T) {
	f := jira.NewFake(t)
	f.FailFirst(400, `{"errorMessages":["Error in the JQL Query: Expecting operator but got 'labels'."],"errors":{}}`)
	t.Setenv("JIRA_EMAIL", jira.TestEmail)
	t.Setenv("JIRA_API_TOKEN", jira.TestToken)
	got, failed := evalConfig(t, `
source "jira" "audit" {
  base_url = "`+f.URL()+`"
  jql      = "project = SEC labels = audit"
}
`, nil)
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0], "Error in the JQL Query: Expecting operator but got 'labels'.")
	assert.Equal(t, report.StatusError, got["audit_findings"].Status)
	assert.Equal(t, "source failed: jira.audit", got["audit_findings"].Error)
	// A failed source cannot say which part it would have provided: like a
	// failed github source, it fails every collection its kind may feed.
	assert.Equal(t, report.StatusError, got["incident_count"].Status)
}

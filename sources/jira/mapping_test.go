package jira

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
)

func str(s string) *string { return &s }

func ms(s string) *int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	v := t.UnixMilli()
	return &v
}

const (
	stNew  = `{"name":"To Do","statusCategory":{"id":2,"key":"new","name":"To Do"}}`
	stProg = `{"name":"In Progress","statusCategory":{"id":4,"key":"indeterminate","name":"In Progress"}}`
	stDone = `{"name":"Done","statusCategory":{"id":3,"key":"done","name":"Done"}}`
	// A custom workflow status in the done category.
	stAccepted = `{"name":"Risk Accepted","statusCategory":{"id":3,"key":"done","name":"Done"}}`
)

// mapOne maps one issue whose fields are given as JSON.
func mapOne(t *testing.T, c Config, fields string) (snapshot.Data, error) {
	t.Helper()
	s, err := New(&c)
	require.NoError(t, err)
	var is issue
	require.NoError(t, json.Unmarshal([]byte(`{"key":"SEC-12","fields":`+fields+`}`), &is))
	m := mapper{cfg: &s.cfg, base: s.base.String(), source: "jira.sec", zone: time.UTC}
	var d snapshot.Data
	err = m.add(&d, &is)
	return d, err
}

func TestAuditFindingMapping(t *testing.T) {
	base := Config{BaseURL: "https://acme.atlassian.net", JQL: "project = SEC"}
	custom := base
	custom.SeverityField, custom.OpenedField, custom.ClosedField = "customfield_10042", "customfield_10050", "customfield_10051"
	finding := func(f snapshot.AuditFinding) snapshot.AuditFinding {
		f.ID, f.Source, f.Origin = "SEC-12", "jira.sec", "https://acme.atlassian.net/browse/SEC-12"
		return f
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		fields string
		want   snapshot.AuditFinding
	}{
		{"new is open; priority object; Jira time with +0100", base,
			`{"summary":" Admin panel without MFA ","status":` + stNew + `,"priority":{"name":"High","id":"2"},"created":"2026-11-20T10:00:00.000+0100","resolutiondate":null}`,
			finding(snapshot.AuditFinding{Title: "Admin panel without MFA", Severity: "high", Status: "open",
				OpenedAt: str("2026-11-20T09:00:00Z"), OpenedAtMS: ms("2026-11-20T09:00:00Z")})},
		{"indeterminate is open; negative offset with milliseconds", base,
			`{"summary":"S","status":` + stProg + `,"priority":{"name":"Highest"},"created":"2026-11-20T23:30:00.250-0700"}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "highest", Status: "open",
				OpenedAt: str("2026-11-21T06:30:00.25Z"), OpenedAtMS: ms("2026-11-21T06:30:00.25Z")})},
		{"done is closed with its resolutiondate", base,
			`{"summary":"S","status":` + stDone + `,"priority":{"name":"Low"},"created":"2026-10-01T08:00:00.000+0000","resolutiondate":"2026-11-02T17:45:12.345-0700"}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "low", Status: "closed",
				OpenedAt: str("2026-10-01T08:00:00Z"), OpenedAtMS: ms("2026-10-01T08:00:00Z"),
				ClosedAt: str("2026-11-03T00:45:12.345Z"), ClosedAtMS: ms("2026-11-03T00:45:12.345Z")})},
		{"done in a custom status, without resolutiondate: closed_at empty", base,
			`{"summary":"S","status":` + stAccepted + `,"priority":{"name":"Low"},"created":"2026-10-01T08:00:00.000+0000","resolutiondate":null}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "low", Status: "closed",
				OpenedAt: str("2026-10-01T08:00:00Z"), OpenedAtMS: ms("2026-10-01T08:00:00Z")})},
		{"an open issue's stale resolutiondate is not read (reopened)", base,
			`{"summary":"S","status":` + stProg + `,"created":"2026-10-01T08:00:00.000+0000","resolutiondate":"2026-10-05T08:00:00.000+0000"}`,
			finding(snapshot.AuditFinding{Title: "S", Status: "open",
				OpenedAt: str("2026-10-01T08:00:00Z"), OpenedAtMS: ms("2026-10-01T08:00:00Z")})},
		{"no severity field at all; no created: counted, severity and opened_at empty", base,
			`{"summary":"S","status":` + stNew + `}`,
			finding(snapshot.AuditFinding{Title: "S", Status: "open"})},
		{"priority null", base,
			`{"summary":"S","status":` + stNew + `,"priority":null}`,
			finding(snapshot.AuditFinding{Title: "S", Status: "open"})},
		{"custom select field: option value; custom date-time and date fields", custom,
			`{"summary":"S","status":` + stDone + `,"priority":{"name":"Low"},"customfield_10042":{"self":"https://acme.atlassian.net/rest/api/3/customFieldOption/10100","value":"Critical","id":"10100"},` +
				`"customfield_10050":"2026-11-01","customfield_10051":"2026-11-20T10:00:00.000+0000","created":"2026-01-01T00:00:00.000+0000"}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "critical", Status: "closed",
				OpenedAt: str("2026-11-01T00:00:00Z"), OpenedAtMS: ms("2026-11-01T00:00:00Z"),
				ClosedAt: str("2026-11-20T10:00:00Z"), ClosedAtMS: ms("2026-11-20T10:00:00Z")})},
		{"custom text field", custom,
			`{"summary":"S","status":` + stNew + `,"customfield_10042":"  P1 "}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "p1", Status: "open"})},
		{"custom number field", custom,
			`{"summary":"S","status":` + stNew + `,"customfield_10042":2}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "2", Status: "open"})},
		{"custom multi-select: the first option", custom,
			`{"summary":"S","status":` + stNew + `,"customfield_10042":[{"value":"High","id":"1"},{"value":"Low","id":"2"}]}`,
			finding(snapshot.AuditFinding{Title: "S", Severity: "high", Status: "open"})},
		{"custom field empty list and empty string", custom,
			`{"summary":"S","status":` + stNew + `,"customfield_10042":[],"customfield_10050":""}`,
			finding(snapshot.AuditFinding{Title: "S", Status: "open"})},
		{"null summary", base,
			`{"summary":null,"status":` + stNew + `}`,
			finding(snapshot.AuditFinding{Status: "open"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mapOne(t, tc.cfg, tc.fields)
			require.NoError(t, err)
			require.Len(t, d.AuditFindings, 1)
			assert.Equal(t, tc.want, d.AuditFindings[0])
			assert.Empty(t, d.Incidents)
		})
	}
}

func TestIncidentMapping(t *testing.T) {
	c := Config{BaseURL: "https://acme.atlassian.net", JQL: "project = INC", Collection: "incidents",
		SeverityField: "customfield_10060", StartedField: "customfield_10061"}
	incident := func(in snapshot.Incident) snapshot.Incident {
		in.ID, in.Source, in.Origin = "SEC-12", "jira.sec", "https://acme.atlassian.net/browse/SEC-12"
		return in
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		fields string
		want   snapshot.Incident
	}{
		{"resolved incident: severity normalised, started from a custom field, detected = created", c,
			`{"summary":"DB credentials leaked","status":` + stDone + `,"customfield_10060":{"value":"SEV-1"},` +
				`"customfield_10061":"2026-11-20T08:00:00.000+0100","created":"2026-11-20T10:00:00.000+0100","resolutiondate":"2026-11-21T10:00:00.000+0100"}`,
			incident(snapshot.Incident{Title: "DB credentials leaked", Severity: "sev1", SeverityRaw: "SEV-1",
				StartedAt: str("2026-11-20T07:00:00Z"), StartedAtMS: ms("2026-11-20T07:00:00Z"),
				DetectedAt: str("2026-11-20T09:00:00Z"), DetectedAtMS: ms("2026-11-20T09:00:00Z"),
				ResolvedAt: str("2026-11-21T09:00:00Z"), ResolvedAtMS: ms("2026-11-21T09:00:00Z")})},
		{"open incident: not resolved, no start, severity absent", c,
			`{"summary":"Phishing wave","status":` + stProg + `,"created":"2026-11-22T10:00:00.000+0000","resolutiondate":null}`,
			incident(snapshot.Incident{Title: "Phishing wave",
				DetectedAt: str("2026-11-22T10:00:00Z"), DetectedAtMS: ms("2026-11-22T10:00:00Z")})},
		{"default fields: priority as severity, no started_field", Config{BaseURL: "https://acme.atlassian.net", JQL: "x", Collection: "incidents"},
			`{"summary":"S","status":` + stDone + `,"priority":{"name":"Sev 2"},"created":"2026-11-22T10:00:00.000+0000","resolutiondate":null}`,
			incident(snapshot.Incident{Title: "S", Severity: "sev2", SeverityRaw: "Sev 2",
				DetectedAt: str("2026-11-22T10:00:00Z"), DetectedAtMS: ms("2026-11-22T10:00:00Z")})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := mapOne(t, tc.cfg, tc.fields)
			require.NoError(t, err)
			require.Len(t, d.Incidents, 1)
			assert.Equal(t, tc.want, d.Incidents[0])
			assert.Empty(t, d.AuditFindings)
		})
	}
}

func TestMappingErrors(t *testing.T) {
	base := Config{BaseURL: "https://acme.atlassian.net", JQL: "x"}
	custom := base
	custom.OpenedField, custom.SeverityField = "customfield_10050", "customfield_10042"
	for _, tc := range []struct {
		cfg    Config
		fields string
		want   string
	}{
		{base, `{"summary":"S","status":` + stNew + `,"created":"last tuesday"}`, `SEC-12: opened_field created: unrecognised time "last tuesday"`},
		{custom, `{"summary":"S","status":` + stNew + `,"customfield_10050":{"value":"x"}}`, "SEC-12: opened_field customfield_10050: not a date or date-time field"},
		{custom, `{"summary":"S","status":` + stNew + `,"customfield_10042":{"id":"1"}}`, "SEC-12: severity_field customfield_10042: an object with neither name nor value"},
		{base, `{"summary":"S"}`, "SEC-12: field status: missing (the search returned no status)"},
		{base, `{"summary":"S","status":{"name":"Weird"}}`, `SEC-12: field status: status "Weird" has no statusCategory`},
		{base, `{"summary":{"x":1},"status":` + stNew + `}`, "SEC-12: field summary: not a text value"},
	} {
		_, err := mapOne(t, tc.cfg, tc.fields)
		require.Error(t, err, tc.fields)
		assert.Equal(t, tc.want, err.Error())
	}
}

func TestMappingNotes(t *testing.T) {
	c := Config{BaseURL: "https://acme.atlassian.net", JQL: "x", SeverityField: "customfield_99999"}
	s, err := New(&c)
	require.NoError(t, err)
	m := mapper{cfg: &s.cfg, base: s.base.String(), source: "jira.sec", zone: time.UTC}
	var d snapshot.Data
	for _, f := range []string{
		`{"summary":"a","status":` + stDone + `,"created":"2026-11-01T00:00:00.000+0000","resolutiondate":null}`,
		`{"summary":"b","status":` + stDone + `,"created":"2026-11-01T00:00:00.000+0000","resolutiondate":"2026-11-02T00:00:00.000+0000"}`,
		`{"summary":"c","status":` + stAccepted + `,"created":"2026-11-01T00:00:00.000+0000","resolutiondate":null}`,
	} {
		var is issue
		require.NoError(t, json.Unmarshal([]byte(`{"key":"SEC-1","fields":`+f+`}`), &is))
		require.NoError(t, m.add(&d, &is))
	}
	assert.Equal(t, []string{
		`severity_field "customfield_99999" is in none of the 3 issues' fields (unknown field id, or not on these issues): left empty`,
		"2 done issues have no resolutiondate: their closed_at is empty",
	}, m.notes(3))
	assert.Nil(t, m.notes(0))
}

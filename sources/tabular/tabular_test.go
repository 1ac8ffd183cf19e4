package tabular

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func collect(t *testing.T, kind string, cfg sources.FileConfig, base string) (*sources.Result, error) {
	t.Helper()
	env := sources.Env{Name: "test-" + kind, AsOf: sourcetest.AsOf, BaseDir: base, Zone: time.UTC}
	return sourcetest.CollectKind(context.Background(), t, kind, &cfg, env)
}

func mustCollect(t *testing.T, kind string, paths ...string) *sources.Result {
	t.Helper()
	res, err := collect(t, kind, sources.FileConfig{Paths: paths}, "testdata")
	require.NoError(t, err)
	return res
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestKindsRegistered(t *testing.T) {
	for _, k := range []string{"incidents", "alerts", "accounts", "tokens", "audit_findings"} {
		kind, ok := sources.Lookup(k)
		require.True(t, ok, k)
		assert.NotEmpty(t, kind.Summary)
	}
}

func TestIncidentsCSV(t *testing.T) {
	res := mustCollect(t, "incidents", "incidents.csv")
	inc := res.Data.Incidents
	require.Len(t, inc, 4, "the all-empty row is skipped")
	assert.Equal(t, []string{filepath.Join("testdata", "incidents.csv")}, res.Files)

	a := inc[0]
	assert.Equal(t, "INC-2026-031", a.ID, "BOM stripped from the first header")
	assert.Equal(t, "Credential stuffing against /login, 41k attempts", a.Title)
	assert.Equal(t, "sev1", a.Severity)
	assert.Equal(t, "SEV-1", a.SeverityRaw)
	assert.Equal(t, "2026-11-03T02:10:00Z", str(a.StartedAt))
	assert.Equal(t, int64(1793671800000), *a.StartedAtMS)
	assert.Equal(t, "2026-11-03T09:10:00Z", str(a.ResolvedAt))
	assert.Equal(t, "incidents.csv:2", a.Origin)
	assert.Equal(t, "test-incidents", a.Source)

	b := inc[1]
	assert.Equal(t, `Leaked "staging" API key in public gist`, b.Title)
	assert.Equal(t, "sev2", b.Severity)
	assert.Equal(t, "Sev 2", b.SeverityRaw)
	assert.Equal(t, "2026-11-10T08:00:00Z", str(b.StartedAt), "zoneless = UTC by default")
	assert.Equal(t, "2026-11-10T11:00:00Z", str(b.ResolvedAt), "offset honoured")
	assert.Equal(t, "incidents.csv:3", b.Origin)

	c := inc[2]
	assert.Equal(t, "Phishing: fake \"HR portal\"\nreported by 3 staff", c.Title)
	assert.Equal(t, "2026-11-12T00:00:00Z", str(c.StartedAt), "bare date = midnight")
	assert.Equal(t, "2026-11-12T09:15:00Z", str(c.DetectedAt))
	assert.Nil(t, c.ResolvedAt)
	assert.Nil(t, c.ResolvedAtMS)
	assert.Equal(t, "incidents.csv:4", c.Origin, "a record spanning lines keeps its first line")

	d := inc[3]
	assert.Equal(t, "high", d.Severity)
	assert.Equal(t, "High", d.SeverityRaw)
	assert.Nil(t, d.StartedAt)
	assert.Equal(t, "2026-11-20T17:05:00.25Z", str(d.DetectedAt))
	assert.Equal(t, "incidents.csv:7", d.Origin)
}

func TestIncidentsTimezone(t *testing.T) {
	res, err := collect(t, "incidents", sources.FileConfig{Paths: []string{"incidents.csv"}, Timezone: "Europe/Berlin"}, "testdata")
	require.NoError(t, err)
	b := res.Data.Incidents[1]
	assert.Equal(t, "2026-11-10T07:00:00Z", str(b.StartedAt), "zoneless read in Europe/Berlin (CET, +01:00)")
	assert.Equal(t, "2026-11-10T11:00:00Z", str(b.ResolvedAt), "explicit offset wins over the zone")
	c := res.Data.Incidents[2]
	assert.Equal(t, "2026-11-11T23:00:00Z", str(c.StartedAt), "bare date = local midnight")
}

func TestBadTimezone(t *testing.T) {
	k, _ := sources.Lookup("incidents")
	_, err := k.New(&sources.FileConfig{Paths: []string{"x.csv"}, Timezone: "Mars/Olympus"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Mars/Olympus")
	_, err = k.New(&sources.FileConfig{})
	require.Error(t, err)
}

func TestIncidentsJSON(t *testing.T) {
	res := mustCollect(t, "incidents", "incidents.json")
	inc := res.Data.Incidents
	require.Len(t, inc, 2)
	assert.Equal(t, "1041", inc[0].ID, "numeric id kept as written")
	assert.Equal(t, "sev1", inc[0].Severity)
	assert.Nil(t, inc[0].ResolvedAt, "null = unknown")
	assert.Equal(t, "incidents.json:2", inc[0].Origin)
	assert.Equal(t, "1042", inc[1].ID)
	assert.Equal(t, "sev3", inc[1].Severity)
	assert.Nil(t, inc[1].StartedAt, `"" = unknown`)
	assert.Equal(t, "2026-11-05T14:00:00Z", str(inc[1].DetectedAt))
	assert.Equal(t, "2026-11-06T00:00:00Z", str(inc[1].ResolvedAt))
	assert.Equal(t, "incidents.json:11", inc[1].Origin)
}

func TestJSONBadTimestampNamesElementLine(t *testing.T) {
	_, err := collect(t, "incidents", sources.FileConfig{Paths: []string{"incidents_badtime.json"}}, "testdata")
	require.Error(t, err)
	assert.Equal(t, `incidents_badtime.json:10: unrecognised time "last tuesday" (column detected_at)`, err.Error())
}

func TestAlertsJSONL(t *testing.T) {
	res := mustCollect(t, "alerts", "alerts.jsonl")
	al := res.Data.Alerts
	require.Len(t, al, 3)
	assert.Equal(t, "a-9001", al[0].ID)
	assert.Equal(t, "INC-2026-031", al[0].IncidentID)
	assert.Equal(t, "2026-11-03T04:38:12Z", str(al[0].FiredAt))
	assert.Equal(t, "", al[1].IncidentID)
	assert.Equal(t, "9003", al[2].ID)
	assert.Equal(t, "2026-11-10T08:29:00Z", str(al[2].FiredAt))
	assert.Equal(t, "alerts.jsonl:4", al[2].Origin, "blank line counted")
}

func TestAlertsWrappedObject(t *testing.T) {
	res := mustCollect(t, "alerts", "alerts_wrapped.json")
	al := res.Data.Alerts
	require.Len(t, al, 2)
	assert.Equal(t, "am-1", al[0].ID, "keys matched case-insensitively")
	assert.Equal(t, "alerts_wrapped.json:3", al[0].Origin)
	assert.Equal(t, "INC-9", al[1].IncidentID)
	assert.Equal(t, "alerts_wrapped.json:4", al[1].Origin)
}

func TestAlertsErrors(t *testing.T) {
	cases := []struct{ file, want string }{
		{"alerts_badrow.csv", "alerts_badrow.csv:3: wrong number of fields: 4, the header has 3"},
		{"alerts_nofired.csv", "alerts_nofired.csv:1: required column missing (column fired_at)"},
		{"alerts_badline.jsonl", "alerts_badline.jsonl:2: invalid JSON: unexpected end of JSON input"},
		{"does-not-exist.csv", "does-not-exist.csv: no such file"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			_, err := collect(t, "alerts", sources.FileConfig{Paths: []string{c.file}}, "testdata")
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestHeaderOnlyIsEmpty(t *testing.T) {
	res := mustCollect(t, "alerts", "alerts_header_only.csv")
	assert.Empty(t, res.Data.Alerts)
	assert.Len(t, res.Files, 1)
}

func TestAccountsMerge(t *testing.T) {
	res := mustCollect(t, "accounts", "accounts.csv")
	acc := res.Data.Accounts
	require.Len(t, acc, 4, "aws/ALICE and the second postgres/svc_backup merge")

	alice := acc[0]
	assert.Equal(t, "aws", alice.System)
	assert.Equal(t, "alice", alice.Login)
	assert.Equal(t, "admin", alice.Role, "first row wins")
	assert.True(t, alice.Privileged)
	assert.Equal(t, "active", alice.Status)
	require.NotNil(t, alice.MFA)
	assert.True(t, *alice.MFA)
	assert.Equal(t, "2024-02-01T00:00:00Z", str(alice.CreatedAt), "not overwritten by the later row")
	assert.Equal(t, "accounts.csv:2", alice.Origin)

	bob := acc[1]
	assert.Equal(t, "readonly", bob.Role)
	assert.False(t, bob.Privileged)
	assert.Equal(t, "", bob.Status, "empty status = active, kept empty")
	require.NotNil(t, bob.MFA)
	assert.False(t, *bob.MFA)

	carol := acc[2]
	assert.Equal(t, "superuser", carol.Role)
	assert.Equal(t, "disabled", carol.Status)
	assert.Nil(t, carol.MFA, "empty = unknown")
	assert.Nil(t, carol.LastActiveAt)

	svc := acc[3]
	assert.Equal(t, "postgres", svc.System)
	assert.Equal(t, "owner", svc.Role, "filled from the later row")
	assert.True(t, svc.Privileged, "unset flag filled from the later row")
	assert.Equal(t, "active", svc.Status)
	require.NotNil(t, svc.MFA)
	assert.False(t, *svc.MFA)
	assert.Equal(t, "2021-09-09T00:00:00Z", str(svc.CreatedAt), "first row's value kept")
	assert.Equal(t, "2026-11-20T00:00:00Z", str(svc.LastActiveAt))
	assert.Equal(t, "accounts.csv:6", svc.Origin)
}

func TestTokensJSON(t *testing.T) {
	res := mustCollect(t, "tokens", "tokens.json")
	tok := res.Data.Tokens
	require.Len(t, tok, 4)
	assert.False(t, tok[0].Revoked)
	assert.Equal(t, "2026-11-30T00:00:00Z", str(tok[0].ExpiresAt))
	assert.Nil(t, tok[1].ExpiresAt)
	assert.False(t, tok[1].Revoked)
	assert.True(t, tok[2].Revoked, `"Yes" is true`)
	assert.Equal(t, "4", tok[3].ID)
	assert.False(t, tok[3].Revoked, "absent = not revoked")
	assert.Equal(t, "deploy", tok[3].Account)
	assert.Equal(t, "tokens.json:5", tok[3].Origin)
}

func TestAuditFindingsSemicolonCSV(t *testing.T) {
	res := mustCollect(t, "audit_findings", "audit_findings.csv")
	f := res.Data.AuditFindings
	require.Len(t, f, 3)
	assert.Equal(t, "Backups not tested; restore never exercised", f[0].Title)
	assert.Equal(t, "high", f[0].Severity)
	assert.Equal(t, "open", f[0].Status)
	assert.Equal(t, "2026-10-15T00:00:00Z", str(f[0].OpenedAt))
	assert.Nil(t, f[0].ClosedAt)
	assert.Equal(t, "closed", f[1].Status)
	assert.Equal(t, "critical", f[1].Severity)
	assert.Equal(t, "in progress", f[2].Status)
}

func TestRowErrors(t *testing.T) {
	cases := []struct {
		name, kind, file, content, want string
	}{
		{"bad boolean", "tokens", "t.csv", "id,revoked\nt1,no\nt2,maybe\n", "t.csv:3: invalid boolean \"maybe\" (column revoked)"},
		{"bad mfa", "accounts", "a.json", `[{"system":"s","login":"l","mfa":"sometimes"}]`, "a.json:1: invalid boolean \"sometimes\" (column mfa)"},
		{"empty required", "alerts", "a.csv", "id,fired_at\n,2026-01-01\n", "a.csv:2: missing value (column id)"},
		{"absent required json", "audit_findings", "f.json", "[\n {\"id\":\"x\",\"status\":\"open\"},\n {\"id\":\"y\"}\n]", "f.json:3: missing value (column status)"},
		{"object value", "incidents", "i.json", `[{"id":{"n":1}}]`, "i.json:1: expected a string, number, boolean or null, found an object (column id)"},
		{"not an object", "incidents", "i.json", "[\n \"INC-1\"\n]", "i.json:2: expected an object, found a string"},
		{"bare quote", "incidents", "i.csv", "id,title\nINC-1,ok\nINC-2,say \"hi\"\n", "i.csv:3: invalid CSV: bare \" in non-quoted-field"},
		{"invalid json", "incidents", "i.json", "[\n {\"id\": \"a\"},\n {\"id\": \"b\",}\n]", "i.json:3: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{"two arrays", "incidents", "i.json", "{\"a\": [],\n \"b\": []}", "i.json:2: expected an object with exactly one array field, found a second one (\"b\")"},
		{"no array", "incidents", "i.json", `{"id": "x"}`, "i.json:1: expected a JSON array of objects, or an object with one array field"},
		{"duplicate column", "incidents", "i.csv", "id,ID\n1,2\n", "i.csv:1: duplicate column (column id)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := sourcetest.DirWith(t, c.file, c.content)
			_, err := collect(t, c.kind, sources.FileConfig{Paths: []string{c.file}}, dir)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestSniffAndVariants(t *testing.T) {
	cases := []struct {
		name, file, content string
		ids                 []string
	}{
		{"sniff json", "export.txt", ` [{"id":"a","fired_at":"2026-11-01"}]`, []string{"a"}},
		{"sniff csv", "export.txt", "id,fired_at\nb,2026-11-01\n", []string{"b"}},
		{"sniff stream", "export.dat", "{\"id\":\"c\",\"fired_at\":\"2026-11-01\"}\n{\"id\":\"d\",\"fired_at\":\"2026-11-01\"}\n", []string{"c", "d"}},
		{"json lines in .json", "a.json", "{\"id\":\"e\",\"fired_at\":\"2026-11-01\"}\n{\n  \"id\": \"f\",\n  \"fired_at\": \"2026-11-01\"\n}\n", []string{"e", "f"}},
		{"tsv", "a.tsv", "id\tfired_at\ng\t2026-11-01\n", []string{"g"}},
		{"empty file", "a.csv", "", nil},
		{"whitespace json", "a.json", "  \n", nil},
		{"empty array", "a.json", "[]", nil},
		{"wrapped empty", "a.json", `{"alerts": null, "x": 1, "items": []}`, nil},
		{"bool and number ids", "a.json", `[{"id": true, "fired_at": "2026-11-01"}, {"id": 1.5e3, "fired_at": "2026-11-01"}]`, []string{"true", "1.5e3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := sourcetest.DirWith(t, c.file, c.content)
			res, err := collect(t, "alerts", sources.FileConfig{Paths: []string{c.file}}, dir)
			require.NoError(t, err)
			var ids []string
			for _, a := range res.Data.Alerts {
				ids = append(ids, a.ID)
			}
			assert.Equal(t, c.ids, ids)
		})
	}
}

func TestSecondRecordLineInStream(t *testing.T) {
	dir := sourcetest.DirWith(t, "a.json", "{\"id\":\"e\",\"fired_at\":\"2026-11-01\"}\n{\n  \"id\": \"f\",\n  \"fired_at\": \"someday\"\n}\n")
	_, err := collect(t, "alerts", sources.FileConfig{Paths: []string{"a.json"}}, dir)
	require.Error(t, err)
	assert.Equal(t, `a.json:2: unrecognised time "someday" (column fired_at)`, err.Error())
}

func TestGlobMultipleFiles(t *testing.T) {
	res := mustCollect(t, "alerts", "alerts.jsonl", "alerts_w*.json")
	assert.Len(t, res.Files, 2)
	assert.Len(t, res.Data.Alerts, 5)
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/alerts.jsonl")
	require.NoError(t, err)
	sourcetest.WriteGzip(t, filepath.Join(dir, "alerts.jsonl.gz"), src)
	res, err := collect(t, "alerts", sources.FileConfig{Paths: []string{"*.gz"}}, dir)
	require.NoError(t, err)
	require.Len(t, res.Data.Alerts, 3)
	assert.Equal(t, "alerts.jsonl.gz:4", res.Data.Alerts[2].Origin)
}

func TestReaderDirect(t *testing.T) {
	rd := Reader{Required: []string{"id"}}
	var got []snapshot.Incident
	err := rd.Read([]byte("id,severity\nX, SEV-2 \n"), "mem", Sniff, func(r *Row) error {
		got = append(got, IncidentFromRow(r, "s"))
		return r.Err()
	})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "sev2", got[0].Severity)
	assert.Equal(t, "SEV-2", got[0].SeverityRaw)
	assert.Equal(t, "mem:2", got[0].Origin)
}

func TestListAndParseBool(t *testing.T) {
	rd := Reader{}
	var lists [][]string
	err := rd.Read([]byte(`[{"s": ["success", "inactive", 3]}, {"s": "failure; error | success"}, {"s": null}]`), "m", JSON, func(r *Row) error {
		lists = append(lists, r.List("s"))
		return r.Err()
	})
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"success", "inactive", "3"}, {"failure", "error", "success"}, nil}, lists)

	for _, s := range []string{"true", "YES", "y", "1", "T"} {
		b, ok := ParseBool(s)
		assert.True(t, ok && b, s)
	}
	for _, s := range []string{"False", "no", "N", "0", "f"} {
		b, ok := ParseBool(s)
		assert.True(t, ok && !b, s)
	}
	_, ok := ParseBool("2")
	assert.False(t, ok)
}

func TestNormalizeSeverity(t *testing.T) {
	for in, want := range map[string]string{"Sev 1": "sev1", "SEV-1": "sev1", " sev-2 ": "sev2", "P1": "p1", "": ""} {
		assert.Equal(t, want, NormalizeSeverity(in), in)
	}
	assert.False(t, strings.Contains(NormalizeSeverity("S E V - 3"), " "))
}

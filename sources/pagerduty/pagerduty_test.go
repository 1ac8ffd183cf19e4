package pagerduty

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// harness is a source against a fake, with its waits recorded.
type harness struct {
	src      *Source
	fake     *fakePD
	mu       sync.Mutex
	sleeps   []time.Duration
	progress [][2]int
}

func newHarness(t *testing.T, cfg Config, f *fakePD) *harness {
	t.Helper()
	cfg.APIURL = f.URL()
	s, err := New(&cfg)
	require.NoError(t, err)
	h := &harness{src: s, fake: f}
	s.noPace = true
	s.sleep = func(_ context.Context, d time.Duration) error {
		h.mu.Lock()
		h.sleeps = append(h.sleeps, d)
		h.mu.Unlock()
		return nil
	}
	s.now = func() time.Time { return asOf }
	return h
}

func (h *harness) env(token string) sources.Env {
	return sources.Env{Name: "oncall", Kind: "pagerduty", AsOf: asOf, Zone: time.UTC,
		Getenv: func(k string) string {
			if k == TokenEnv {
				return token
			}
			return ""
		},
		Progress: func(done, total int) {
			h.mu.Lock()
			h.progress = append(h.progress, [2]int{done, total})
			h.mu.Unlock()
		}}
}

func (h *harness) collect(t *testing.T) (*sources.Result, error) {
	t.Helper()
	return h.src.Collect(context.Background(), h.env(h.fake.Token))
}

func str(s string) *string { return &s }

// deref shows a time pair as "<string>|<ms>" ("-" for null).
func pair(s *string, ms *int64) string {
	if s == nil {
		return "-"
	}
	if ms == nil {
		return *s + "|?"
	}
	return fmt.Sprintf("%s|%d", *s, *ms)
}

func at(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%s|%d", t.UTC().Format(time.RFC3339), t.UnixMilli())
}

func TestNewChecksTheConfig(t *testing.T) {
	s, err := New(&Config{})
	require.NoError(t, err)
	c := s.Config()
	assert.Equal(t, DefaultAPIURL, c.APIURL)
	assert.Equal(t, 0, c.WindowDays, "the config's window_days unless set")
	assert.Equal(t, DefaultMaxRequests, c.MaxRequests)
	assert.Equal(t, DefaultRequestsPerMinute, c.RequestsPerMinute)
	assert.Equal(t, []string{PartIncidents}, s.parts, "alerts are opt-in")

	s, err = New(&Config{APIURL: "https://api.eu.pagerduty.com/", Collect: []string{"Alerts", "incidents"}, SeverityMap: map[string]string{"Critical": "SEV-1"}})
	require.NoError(t, err)
	assert.Equal(t, "https://api.eu.pagerduty.com", s.Config().APIURL)
	assert.Equal(t, []string{PartIncidents, PartAlerts}, s.parts)
	assert.Equal(t, "sev1", s.severity["critical"])
	assert.Equal(t, "sev1", s.severity["p1"], "the defaults stay")

	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"url", Config{APIURL: "api.pagerduty.com"}, "api_url"},
		{"url with credentials", Config{APIURL: "https://u:p@api.pagerduty.com"}, "no credentials"},
		{"url with query", Config{APIURL: "https://api.pagerduty.com?token=x"}, "no credentials"},
		{"empty service", Config{ServiceIDs: []string{" "}}, "service_ids[0]"},
		{"odd team", Config{TeamIDs: []string{"a/b"}}, "team_ids[0]"},
		{"twice", Config{ServiceIDs: []string{"P1", "P1"}}, "listed twice"},
		{"severity", Config{SeverityMap: map[string]string{"P1": " "}}, "severity_map"},
		{"window", Config{WindowDays: -1}, "window_days"},
		{"collect", Config{Collect: []string{"oncalls"}}, `"oncalls" is not one of incidents, alerts`},
		{"budget", Config{MaxRequests: -1}, "max_requests"},
		{"pace", Config{RequestsPerMinute: -1}, "requests_per_minute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(&tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Every mapping rule, one incident each.
func TestIncidentMapping(t *testing.T) {
	f := newFake(t,
		// Acknowledged now: the first of its acknowledgements.
		fakeIncident{ID: "PACK", Number: 1, Title: "acked", Status: "acknowledged", Urgency: "high", Priority: "P1",
			Created: "2026-11-20T10:00:00Z", Acks: []string{"2026-11-20T10:30:00Z", "2026-11-20T10:20:00Z"}},
		// Resolved: the first acknowledge_log_entry of its log; resolved_at.
		fakeIncident{ID: "PRES", Number: 2, Title: "resolved", Status: "resolved", Urgency: "high", Priority: "P3",
			Created: "2026-11-21T08:00:00Z", Logged: []string{"2026-11-21T09:00:00Z", "2026-11-21T08:15:00Z"}, Resolved: "2026-11-21T12:00:00Z"},
		// Resolved without resolved_at: last_status_change_at.
		fakeIncident{ID: "PCHG", Number: 3, Title: "no resolved_at", Status: "resolved", Urgency: "low",
			Created: "2026-11-22T08:00:00Z", Logged: []string{"2026-11-22T08:10:00Z"}, Changed: "2026-11-22T09:00:00Z"},
		// Resolved, never acknowledged: detected when resolved.
		fakeIncident{ID: "PNOACK", Number: 4, Title: "auto-resolved", Status: "resolved", Urgency: "low", Priority: "P5",
			Created: "2026-11-23T08:00:00Z", Resolved: "2026-11-23T08:45:00Z"},
		// Triggered, never acknowledged: detected at creation, open.
		fakeIncident{ID: "PTRIG", Number: 5, Title: "", Status: "triggered", Urgency: "high",
			Created: "2026-11-24T08:00:00Z"},
		// Triggered again after an acknowledgement timed out: the log's ack.
		fakeIncident{ID: "PREARM", Number: 6, Title: "re-triggered", Status: "triggered", Urgency: "high", Priority: "SEV-2",
			Created: "2026-11-25T08:00:00Z", Logged: []string{"2026-11-25T08:05:00Z"}},
		// A priority the map does not know: the urgency decides.
		fakeIncident{ID: "PUNK", Number: 7, Title: "custom priority", Status: "acknowledged", Urgency: "low", Priority: "Major",
			Created: "2026-11-26T08:00:00Z", Acks: []string{"2026-11-26T08:01:00Z"}},
		// Created at as_of exactly: kept (until is one second past it).
		fakeIncident{ID: "PASOF", Number: 8, Title: "at as_of", Status: "triggered", Urgency: "high",
			Created: "2026-11-27T00:00:00Z"},
		// Created after as_of, or before the lookback: not listed.
		fakeIncident{ID: "PLATE", Number: 10, Title: "late", Status: "triggered", Urgency: "high",
			Created: "2026-11-27T00:00:01Z"},
		fakeIncident{ID: "POLD", Number: 9, Title: "old", Status: "resolved", Urgency: "high",
			Created: "2026-09-27T23:59:59Z", Resolved: "2026-10-01T00:00:00Z"},
	)
	h := newHarness(t, Config{}, f)
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Equal(t, []string{PartIncidents}, res.Provides)
	assert.Empty(t, res.Data.Alerts)

	type row struct{ id, title, sevRaw, sev, started, detected, resolved string }
	var got []row
	for _, in := range res.Data.Incidents {
		got = append(got, row{in.ID, in.Title, in.SeverityRaw, in.Severity,
			pair(in.StartedAt, in.StartedAtMS), pair(in.DetectedAt, in.DetectedAtMS), pair(in.ResolvedAt, in.ResolvedAtMS)})
		assert.Equal(t, "pagerduty.oncall", in.Source)
		assert.Equal(t, f.URL()+"/incidents/"+in.ID, in.Origin)
	}
	want := []row{
		{"PACK", "acked", "P1", "sev1", at("2026-11-20T10:00:00Z"), at("2026-11-20T10:20:00Z"), "-"},
		{"PRES", "resolved", "P3", "sev3", at("2026-11-21T08:00:00Z"), at("2026-11-21T08:15:00Z"), at("2026-11-21T12:00:00Z")},
		{"PCHG", "no resolved_at", "low", "sev4", at("2026-11-22T08:00:00Z"), at("2026-11-22T08:10:00Z"), at("2026-11-22T09:00:00Z")},
		{"PNOACK", "auto-resolved", "P5", "sev4", at("2026-11-23T08:00:00Z"), at("2026-11-23T08:45:00Z"), at("2026-11-23T08:45:00Z")},
		{"PTRIG", "[#5] ", "high", "sev2", at("2026-11-24T08:00:00Z"), at("2026-11-24T08:00:00Z"), "-"},
		{"PREARM", "re-triggered", "SEV-2", "sev2", at("2026-11-25T08:00:00Z"), at("2026-11-25T08:05:00Z"), "-"},
		{"PUNK", "custom priority", "low", "sev4", at("2026-11-26T08:00:00Z"), at("2026-11-26T08:01:00Z"), "-"},
		{"PASOF", "at as_of", "high", "sev2", at("2026-11-27T00:00:00Z"), at("2026-11-27T00:00:00Z"), "-"},
	}
	assert.Equal(t, want, got)

	// Log entries are read only for incidents not acknowledged now.
	assert.Equal(t, 0, f.CallsTo("/PACK/log_entries"))
	assert.Equal(t, 0, f.CallsTo("/PUNK/log_entries"))
	assert.Equal(t, 1, f.CallsTo("/PRES/log_entries"))
	assert.Equal(t, 1, f.CallsTo("/PTRIG/log_entries"))
	assert.Equal(t, 0, f.CallsTo("/alerts"))
	list := f.Calls()[0]
	for _, p := range []string{"since=2026-09-28T00%3A00%3A00Z", "until=2026-11-27T00%3A00%3A01Z", "statuses%5B%5D=triggered",
		"statuses%5B%5D=acknowledged", "statuses%5B%5D=resolved", "time_zone=UTC", "limit=100", "offset=0", "total=true"} {
		assert.Contains(t, list, p)
	}
}

func TestSeverity(t *testing.T) {
	s, err := New(&Config{SeverityMap: map[string]string{"Major": "Sev 2", "low": "sev3"}})
	require.NoError(t, err)
	prio := func(name, summary string) *struct {
		Name    string `json:"name"`
		Summary string `json:"summary"`
	} {
		return &struct {
			Name    string `json:"name"`
			Summary string `json:"summary"`
		}{name, summary}
	}
	for _, tc := range []struct {
		in        apiIncident
		raw, norm string
	}{
		{apiIncident{Urgency: "high", Priority: prio("", "P1")}, "P1", "sev1"},
		{apiIncident{Urgency: "high", Priority: prio("p2", "")}, "p2", "sev2"},
		{apiIncident{Urgency: "low", Priority: prio("", "P4")}, "P4", "sev4"},
		{apiIncident{Urgency: "low", Priority: prio("", "P5")}, "P5", "sev4"},
		{apiIncident{Urgency: "low", Priority: prio("", "Major")}, "Major", "sev2"},    // configured
		{apiIncident{Urgency: "low", Priority: prio("", "SEV-3")}, "SEV-3", "sev3"},    // named like a severity
		{apiIncident{Urgency: "high", Priority: prio("", "Whatever")}, "high", "sev2"}, // unknown: the urgency
		{apiIncident{Urgency: "low"}, "low", "sev3"},                                   // configured override
		{apiIncident{Urgency: "High"}, "High", "sev2"},                                 // case-insensitive
		{apiIncident{Urgency: "", Priority: prio("", "Whatever")}, "Whatever", ""},     // nothing applies
		{apiIncident{}, "", ""},
	} {
		raw, norm := s.Severity(tc.in)
		assert.Equal(t, [2]string{tc.raw, tc.norm}, [2]string{raw, norm}, "%+v", tc.in)
	}
}

// The documented response examples decode into the records.
func TestDocumentedSamples(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		return b
	}
	f := newFake(t)
	f.Fail = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/incidents":
			_, _ = w.Write(read("incidents.json"))
		case "/incidents/PT4KHLK/log_entries":
			_, _ = w.Write(read("log_entries.json"))
		case "/incidents/PT4KHLK/alerts":
			_, _ = w.Write(read("alerts.json"))
		default:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write(read("error_401.json"))
		}
		return true
	}
	h := newHarness(t, Config{Collect: []string{"incidents", "alerts"}}, f)
	h.src.now = nil
	env := h.env(f.Token)
	env.AsOf = time.Date(2015, 10, 10, 0, 0, 0, 0, time.UTC)
	res, err := h.src.Collect(context.Background(), env)
	require.NoError(t, err)
	require.Len(t, res.Data.Incidents, 2)
	a, b := res.Data.Incidents[0], res.Data.Incidents[1]
	assert.Equal(t, "PT4KHLK", a.ID)
	assert.Equal(t, "The server is on fire.", a.Title)
	assert.Equal(t, [2]string{"P2", "sev2"}, [2]string{a.SeverityRaw, a.Severity})
	assert.Equal(t, at("2015-10-06T21:30:42Z"), pair(a.StartedAt, a.StartedAtMS))
	assert.Equal(t, at("2015-10-06T21:34:12Z"), pair(a.DetectedAt, a.DetectedAtMS), "the first acknowledge_log_entry")
	assert.Equal(t, at("2015-10-06T21:38:23Z"), pair(a.ResolvedAt, a.ResolvedAtMS))
	assert.Equal(t, "PQ3ZB0Y", b.ID)
	assert.Equal(t, [2]string{"low", "sev4"}, [2]string{b.SeverityRaw, b.Severity})
	assert.Equal(t, at("2015-10-07T08:05:00Z"), pair(b.DetectedAt, b.DetectedAtMS))
	assert.Nil(t, b.ResolvedAt)

	require.Len(t, res.Data.Alerts, 2, "PQ3ZB0Y has no alerts (alert_counts.all 0): not asked")
	assert.Equal(t, snapshot.Alert{ID: "PXPGF42", FiredAt: str("2015-10-06T21:30:42Z"), FiredAtMS: ms("2015-10-06T21:30:42Z"),
		IncidentID: "PT4KHLK", Source: "pagerduty.oncall", Origin: f.URL() + "/incidents/PT4KHLK/alerts/PXPGF42"}, res.Data.Alerts[0])
	assert.Equal(t, "", res.Data.Alerts[1].IncidentID, "a suppressed alert led to no incident")
	assert.Equal(t, 0, f.CallsTo("/PQ3ZB0Y/alerts"))
	assert.Equal(t, []string{PartIncidents, PartAlerts}, res.Provides)
}

func ms(s string) *int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	v := t.UnixMilli()
	return &v
}

// incidentsEvery makes n incidents created an hour apart from start.
func incidentsEvery(n int, start time.Time, step time.Duration) []fakeIncident {
	out := make([]fakeIncident, n)
	for i := range out {
		c := start.Add(time.Duration(i) * step).UTC()
		out[i] = fakeIncident{ID: fmt.Sprintf("P%04d", i), Number: i + 1, Title: fmt.Sprintf("incident %d", i), Status: "acknowledged",
			Urgency: "high", Created: c.Format(time.RFC3339), Acks: []string{c.Add(5 * time.Minute).Format(time.RFC3339)}}
	}
	return out
}

func ids(in []snapshot.Incident) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.ID
	}
	return out
}

func fakeIDs(in []fakeIncident) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.ID
	}
	return out
}

func TestPaginatesAndReportsProgress(t *testing.T) {
	incs := incidentsEvery(7, asOf.Add(-10*24*time.Hour), time.Hour)
	f := newFake(t, incs...)
	h := newHarness(t, Config{}, f)
	h.src.pageSize = 2
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Equal(t, fakeIDs(incs), ids(res.Data.Incidents))
	assert.Equal(t, 4, f.CallsTo("/incidents"), "7 incidents, 2 a page")
	calls := f.Calls()
	assert.Contains(t, calls[0], "offset=0")
	assert.Contains(t, calls[0], "total=true")
	assert.Contains(t, calls[3], "offset=6")
	assert.NotContains(t, calls[3], "total=")
	require.NotEmpty(t, h.progress)
	assert.Equal(t, [2]int{7, 7}, h.progress[len(h.progress)-1])
	assert.Equal(t, [][2]int{{2, 7}, {4, 7}, {6, 7}, {7, 7}}, h.progress[:4], "listing reports the incidents read of the total")
	assert.Equal(t, [2]int{0, 7}, h.progress[4], "then the incidents detailed")
}

// A span with more incidents than one query pages through is split in
// halves until each fits; with the total (asked on the first page) at once,
// without it when the cap is reached.
func TestSplitsAtThePaginationCap(t *testing.T) {
	for _, noTotal := range []bool{false, true} {
		t.Run(fmt.Sprintf("no total %v", noTotal), func(t *testing.T) {
			incs := incidentsEvery(23, asOf.Add(-20*24*time.Hour), 13*time.Hour)
			f := newFake(t, incs...)
			f.Cap, f.NoTotal = 6, noTotal
			h := newHarness(t, Config{}, f)
			h.src.pageSize, h.src.pageCap = 2, 6
			res, err := h.collect(t)
			require.NoError(t, err)
			assert.Equal(t, fakeIDs(incs), ids(res.Data.Incidents), "every incident once, in order")
			for _, c := range f.Calls() {
				assert.NotContains(t, c, "offset=6", "never past the cap")
			}
		})
	}

	// Too many incidents within one second: a clear error.
	incs := incidentsEvery(8, asOf.Add(-time.Hour), 0)
	f := newFake(t, incs...)
	f.Cap = 6
	h := newHarness(t, Config{}, f)
	h.src.pageSize, h.src.pageCap = 2, 6
	_, err := h.collect(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pagerduty source oncall: GET /incidents: more than 6 incidents created between 2026-11-26T23:00:00Z and 2026-11-26T23:00:01Z: narrow the source with service_ids or team_ids")
}

// since..until longer than the API accepts is read in several spans.
func TestSplitsLongRanges(t *testing.T) {
	incs := []fakeIncident{
		{ID: "PEARLY", Number: 1, Status: "resolved", Urgency: "high", Created: "2026-06-01T00:00:00Z", Resolved: "2026-06-01T01:00:00Z", Logged: []string{"2026-06-01T00:10:00Z"}},
		{ID: "PLATE", Number: 2, Status: "resolved", Urgency: "high", Created: "2026-11-01T00:00:00Z", Resolved: "2026-11-01T01:00:00Z", Logged: []string{"2026-11-01T00:10:00Z"}},
	}
	f := newFake(t, incs...)
	h := newHarness(t, Config{WindowDays: 100}, f) // 200 days back
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Equal(t, []string{"PEARLY", "PLATE"}, ids(res.Data.Incidents))
	assert.Equal(t, 2, f.CallsTo("/incidents"))
	assert.Contains(t, f.Calls()[0], "since=2026-05-11T00%3A00%3A00Z")
}

// Without its own window_days the source covers the config's window
// (sources.Env.WindowDays), else posture's default 30 days.
func TestWindowFromTheConfig(t *testing.T) {
	for _, tc := range []struct {
		envDays int
		since   string
	}{
		{100, "since=2026-05-11T00%3A00%3A00Z"}, // 2 x 100 days back
		{0, "since=2026-09-28T00%3A00%3A00Z"},   // 2 x 30 days back
	} {
		f := newFake(t)
		h := newHarness(t, Config{}, f)
		env := h.env(f.Token)
		env.WindowDays = tc.envDays
		_, err := h.src.Collect(context.Background(), env)
		require.NoError(t, err)
		assert.Contains(t, f.Calls()[0], tc.since, "window_days %d", tc.envDays)
	}
}

func TestFiltersReachTheQuery(t *testing.T) {
	f := newFake(t,
		fakeIncident{ID: "PA", Status: "triggered", Urgency: "high", Created: "2026-11-20T00:00:00Z", Service: "SVC1", Team: "T1"},
		fakeIncident{ID: "PB", Status: "triggered", Urgency: "high", Created: "2026-11-20T01:00:00Z", Service: "SVC2", Team: "T1"},
		fakeIncident{ID: "PC", Status: "triggered", Urgency: "high", Created: "2026-11-20T02:00:00Z", Service: "SVC1", Team: "T2"},
	)
	h := newHarness(t, Config{ServiceIDs: []string{"SVC1"}, TeamIDs: []string{"T1"}}, f)
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Equal(t, []string{"PA"}, ids(res.Data.Incidents))
	assert.Contains(t, f.Calls()[0], "service_ids%5B%5D=SVC1")
	assert.Contains(t, f.Calls()[0], "team_ids%5B%5D=T1")
}

func TestAlerts(t *testing.T) {
	f := newFake(t,
		fakeIncident{ID: "PA", Status: "acknowledged", Urgency: "high", Created: "2026-11-20T00:00:00Z", Acks: []string{"2026-11-20T00:05:00Z"},
			Alerts: []fakeAlert{{ID: "A1", Created: "2026-11-20T00:00:00Z"}, {ID: "A2", Created: "2026-11-20T00:02:00Z"}, {ID: "A3", Created: "2026-11-20T00:03:00Z", Suppressed: true}}},
		fakeIncident{ID: "PMANUAL", Status: "acknowledged", Urgency: "high", Created: "2026-11-21T00:00:00Z", Acks: []string{"2026-11-21T00:05:00Z"}},
		fakeIncident{ID: "PNOCOUNT", Status: "acknowledged", Urgency: "high", Created: "2026-11-22T00:00:00Z", Acks: []string{"2026-11-22T00:05:00Z"}, NoCounts: true,
			Alerts: []fakeAlert{{ID: "A4", Created: "2026-11-22T00:00:00Z"}, {ID: "A5", Created: "2026-11-27T00:00:01Z"}}},
	)
	h := newHarness(t, Config{Collect: []string{"incidents", "alerts"}}, f)
	h.src.pageSize = 2
	res, err := h.collect(t)
	require.NoError(t, err)
	var got []string
	for _, a := range res.Data.Alerts {
		got = append(got, a.ID+">"+a.IncidentID+"@"+pair(a.FiredAt, a.FiredAtMS))
		assert.Equal(t, "pagerduty.oncall", a.Source)
		assert.True(t, strings.HasPrefix(a.Origin, f.URL()+"/incidents/"), a.Origin)
	}
	assert.Equal(t, []string{
		"A1>PA@" + at("2026-11-20T00:00:00Z"),
		"A2>PA@" + at("2026-11-20T00:02:00Z"),
		"A3>@" + at("2026-11-20T00:03:00Z"),
		"A4>PNOCOUNT@" + at("2026-11-22T00:00:00Z"),
	}, got, "A5 fired after as_of")
	assert.Equal(t, 2, f.CallsTo("/PA/alerts"), "3 alerts, 2 a page")
	assert.Equal(t, 0, f.CallsTo("/PMANUAL/alerts"), "alert_counts.all 0: no call")
	assert.Equal(t, 1, f.CallsTo("/PNOCOUNT/alerts"), "no alert_counts: asked")

	// Alerts alone: the incidents are listed, not recorded.
	f2 := newFake(t, f.Incidents...)
	h = newHarness(t, Config{Collect: []string{"alerts"}}, f2)
	res, err = h.collect(t)
	require.NoError(t, err)
	assert.Empty(t, res.Data.Incidents)
	assert.Len(t, res.Data.Alerts, 4)
	assert.Equal(t, []string{PartAlerts}, res.Provides)
	assert.Equal(t, 0, f2.CallsTo("/log_entries"))
}

func TestRateLimitThenSuccess(t *testing.T) {
	for _, header := range []string{"Retry-After", "ratelimit-reset"} {
		t.Run(header, func(t *testing.T) {
			f := newFake(t, incidentsEvery(3, asOf.Add(-48*time.Hour), time.Hour)...)
			f.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > 2 {
					return false
				}
				w.Header().Set(header, "7")
				w.Header().Set("ratelimit-limit", "960")
				w.Header().Set("ratelimit-remaining", "0")
				pdError(w, http.StatusTooManyRequests, "Too many requests", 2020)
				return true
			}
			h := newHarness(t, Config{}, f)
			res, err := h.collect(t)
			require.NoError(t, err)
			assert.Len(t, res.Data.Incidents, 3)
			assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, h.sleeps)
			assert.Equal(t, 3, f.CallsTo("/incidents"))
		})
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	f := newFake(t, incidentsEvery(2, asOf.Add(-48*time.Hour), time.Hour)...)
	f.Incidents[1].Status, f.Incidents[1].Acks, f.Incidents[1].Resolved = "resolved", nil, "2026-11-26T00:00:00Z"
	f.Fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 || (strings.HasSuffix(r.URL.Path, "/log_entries") && n == 3) {
			pdError(w, http.StatusBadGateway, "Bad Gateway", 0)
			return true
		}
		return false
	}
	h := newHarness(t, Config{}, f)
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Len(t, res.Data.Incidents, 2)
	assert.Len(t, h.sleeps, 2, "one backoff for each failure")
}

// A refused key is an error at once (no retry), naming the API call and
// the variable, never the key.
func TestAuthFailure(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFake(t, incidentsEvery(2, asOf.Add(-48*time.Hour), time.Hour)...)
			f.Fail = func(w http.ResponseWriter, r *http.Request, _ int) bool {
				pdError(w, status, "Access Denied", 2010)
				return true
			}
			h := newHarness(t, Config{}, f)
			res, err := h.collect(t)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Equal(t, fmt.Sprintf("pagerduty source oncall: GET /incidents: the token was refused (%d): check PAGERDUTY_TOKEN (a REST API key with read access)", status), err.Error())
			assert.Len(t, f.Calls(), 1, "no retry")
			assert.Empty(t, h.sleeps)
		})
	}

	// A wrong key against the real check of the fake.
	f := newFake(t, incidentsEvery(1, asOf.Add(-48*time.Hour), time.Hour)...)
	h := newHarness(t, Config{}, f)
	_, err := h.src.Collect(context.Background(), h.env("not-the-key"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the token was refused (401)")
	assert.NotContains(t, err.Error(), "not-the-key")
}

func TestNoToken(t *testing.T) {
	f := newFake(t)
	h := newHarness(t, Config{}, f)
	_, err := h.src.Collect(context.Background(), h.env(""))
	require.EqualError(t, err, "pagerduty source oncall: no API key: set PAGERDUTY_TOKEN")
	assert.Empty(t, f.Calls())
}

// The key appears in no error and no record, even when a failing server
// echoes the request's headers back.
func TestTokenNeverLeaks(t *testing.T) {
	incs := incidentsEvery(3, asOf.Add(-48*time.Hour), time.Hour)
	incs[2].Status, incs[2].Acks, incs[2].Resolved = "resolved", nil, "2026-11-26T12:00:00Z"
	for _, tc := range []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request, n int) bool
		want string
	}{
		{"5xx echoing the header", func(w http.ResponseWriter, r *http.Request, _ int) bool {
			pdError(w, http.StatusInternalServerError, "boom for "+r.Header.Get("Authorization"), 0)
			return true
		}, "GET /incidents: status 500: boom for Token token=[redacted]"},
		{"401 echoing the header", func(w http.ResponseWriter, r *http.Request, _ int) bool {
			pdError(w, http.StatusUnauthorized, "bad "+r.Header.Get("Authorization"), 2006)
			return true
		}, "the token was refused (401)"},
		{"400 on the log entries", func(w http.ResponseWriter, r *http.Request, _ int) bool {
			if !strings.HasSuffix(r.URL.Path, "/log_entries") {
				return false
			}
			pdError(w, http.StatusBadRequest, "Invalid Input Provided", 2001)
			return true
		}, "GET /incidents/P0002/log_entries: status 400: Invalid Input Provided"},
		{"rate limited for an hour", func(w http.ResponseWriter, r *http.Request, _ int) bool {
			w.Header().Set("ratelimit-reset", "3600")
			pdError(w, http.StatusTooManyRequests, "Too many requests", 2020)
			return true
		}, "GET /incidents: PagerDuty's rate limit: rate limited until 2026-11-27T01:00:00Z (status 429"},
		{"rate limited at every try", func(w http.ResponseWriter, r *http.Request, _ int) bool {
			w.Header().Set("Retry-After", "1")
			pdError(w, http.StatusTooManyRequests, "Too many requests", 2020)
			return true
		}, "GET /incidents: status 429: still rate limited after the retries: Too many requests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, incs...)
			f.Fail = tc.fail
			h := newHarness(t, Config{Collect: []string{"incidents", "alerts"}}, f)
			res, err := h.collect(t)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "pagerduty source oncall: "), err.Error())
			assert.NotContains(t, err.Error(), f.Token)
			assert.NotContains(t, err.Error(), "pdTESTKEY")
		})
	}

	f := newFake(t, incs...)
	h := newHarness(t, Config{Collect: []string{"incidents", "alerts"}}, f)
	res, err := h.collect(t)
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "pdTESTKEY")
}

func TestBudget(t *testing.T) {
	f := newFake(t, incidentsEvery(5, asOf.Add(-48*time.Hour), time.Hour)...)
	h := newHarness(t, Config{MaxRequests: 2}, f)
	h.src.pageSize = 2
	_, err := h.collect(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pagerduty source oncall: GET /incidents: request budget of 2 exhausted (raise max_requests)")
}

// The calls of one run: one list page per 100 incidents, one log entries
// call per incident not acknowledged now, one alerts call per incident
// with alerts (per 100 alerts), as pagerduty.md counts them.
func TestCallsPerRun(t *testing.T) {
	incs := incidentsEvery(250, asOf.Add(-50*24*time.Hour), 4*time.Hour)
	for i := range incs {
		incs[i].Alerts = []fakeAlert{{ID: fmt.Sprintf("A%d", i), Created: incs[i].Created}}
		if i%5 != 0 { // 200 resolved, 50 still acknowledged
			incs[i].Status, incs[i].Acks = "resolved", nil
			incs[i].Resolved = incs[i].Created[:11] + "23:00:00Z"
			incs[i].Logged = []string{incs[i].Created[:11] + "22:00:00Z"}
		}
	}
	f := newFake(t, incs...)
	h := newHarness(t, Config{Collect: []string{"incidents", "alerts"}}, f)
	res, err := h.collect(t)
	require.NoError(t, err)
	assert.Len(t, res.Data.Incidents, 250)
	assert.Len(t, res.Data.Alerts, 250)
	assert.Equal(t, 3, f.CallsTo("/incidents"))
	assert.Equal(t, 200, f.CallsTo("/log_entries"))
	assert.Equal(t, 250, f.CallsTo("/alerts"))
}

// Requests are spaced by requests_per_minute.
func TestPacing(t *testing.T) {
	f := newFake(t, incidentsEvery(5, asOf.Add(-48*time.Hour), time.Hour)...)
	h := newHarness(t, Config{RequestsPerMinute: 1200}, f) // 50 ms apart
	h.src.noPace = false
	h.src.pageSize = 1
	start := time.Now()
	_, err := h.collect(t)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "5 requests, 4 gaps")
}

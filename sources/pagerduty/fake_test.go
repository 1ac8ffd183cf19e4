package pagerduty

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeIncident is one incident of the fake account. It is served in the
// shape of the API reference's "List incidents" example (testdata/incidents.json).
type fakeIncident struct {
	ID       string
	Number   int
	Title    string
	Status   string // triggered, acknowledged, resolved
	Urgency  string
	Priority string // priority summary ("P1"); "" for none
	Created  string
	Resolved string   // resolved_at; "" for null
	Changed  string   // last_status_change_at (default: Resolved, else the last ack, else Created)
	Acks     []string // acknowledgements[].at (held while acknowledged)
	Logged   []string // acknowledge_log_entry created_at, in the incident's log
	Service  string
	Team     string
	Alerts   []fakeAlert
	NoCounts bool // leave alert_counts out
}

type fakeAlert struct {
	ID         string
	Created    string
	Suppressed bool
}

func (f fakeIncident) json(base string) map[string]any {
	ref := func(id, typ, summary, path string) map[string]any {
		return map[string]any{"id": id, "type": typ, "summary": summary, "self": base + path, "html_url": "https://subdomain.pagerduty.com" + path}
	}
	var acks []any
	for _, a := range f.Acks {
		acks = append(acks, map[string]any{"at": a, "acknowledger": ref("PXPGF42", "user_reference", "Earline Greenholt", "/users/PXPGF42")})
	}
	if acks == nil {
		acks = []any{}
	}
	changed := f.Changed
	if changed == "" {
		switch {
		case f.Resolved != "":
			changed = f.Resolved
		case len(f.Acks) > 0:
			changed = f.Acks[len(f.Acks)-1]
		default:
			changed = f.Created
		}
	}
	service := f.Service
	if service == "" {
		service = "PIJ90N7"
	}
	m := map[string]any{
		"id": f.ID, "type": "incident", "summary": fmt.Sprintf("[#%d] %s", f.Number, f.Title),
		"self": base + "/incidents/" + f.ID, "html_url": "https://subdomain.pagerduty.com/incidents/" + f.ID,
		"incident_number": f.Number, "title": f.Title, "created_at": f.Created, "updated_at": changed,
		"status": f.Status, "incident_key": "key-" + f.ID,
		"service":          ref(service, "service_reference", "Service "+service, "/services/"+service),
		"assignments":      []any{},
		"assigned_via":     "escalation_policy",
		"acknowledgements": acks, "last_status_change_at": changed,
		"resolved_at": nil, "urgency": f.Urgency, "priority": nil,
		"teams": []any{}, "pending_actions": []any{}, "is_mergeable": true,
	}
	if f.Resolved != "" {
		m["resolved_at"] = f.Resolved
	}
	if f.Priority != "" {
		m["priority"] = ref("PRIO"+f.Priority, "priority_reference", f.Priority, "/priorities/PRIO"+f.Priority)
	}
	if f.Team != "" {
		m["teams"] = []any{ref(f.Team, "team_reference", "Team "+f.Team, "/teams/"+f.Team)}
	}
	if !f.NoCounts {
		m["alert_counts"] = map[string]any{"all": len(f.Alerts), "triggered": 0, "resolved": len(f.Alerts)}
	}
	return m
}

// fakePD is a loopback PagerDuty REST API: GET /incidents,
// /incidents/{id}/log_entries and /incidents/{id}/alerts with classic
// pagination, the key check, the 10,000-record cap (Cap) and the 6-month
// range limit (MaxRange).
type fakePD struct {
	t         *testing.T
	srv       *httptest.Server
	Token     string
	Incidents []fakeIncident
	Cap       int           // offset+limit may not pass it (10000)
	MaxRange  time.Duration // until-since may not pass it (180 days)
	NoTotal   bool          // never send total (as if total=true were ignored)
	// Fail, when set, may answer a request itself (an injected failure):
	// n is the number of the request (from 1).
	Fail func(w http.ResponseWriter, r *http.Request, n int) bool

	mu    sync.Mutex
	calls []string
}

func newFake(t *testing.T, incidents ...fakeIncident) *fakePD {
	f := &fakePD{t: t, Token: "u+pdTESTKEY-0123456789abcdef", Incidents: incidents, Cap: 10000, MaxRange: 180 * 24 * time.Hour}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePD) URL() string { return f.srv.URL }

// Calls lists the requests served: "GET /incidents?offset=0&...".
func (f *fakePD) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// CallsTo counts the requests whose path ends with suffix.
func (f *fakePD) CallsTo(suffix string) int {
	n := 0
	for _, c := range f.Calls() {
		p := strings.TrimPrefix(c, "GET ")
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if strings.HasSuffix(p, suffix) {
			n++
		}
	}
	return n
}

func pdError(w http.ResponseWriter, status int, msg string, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "code": code, "errors": []string{}}})
}

func (f *fakePD) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.Method+" "+r.URL.RequestURI())
	n := len(f.calls)
	f.mu.Unlock()
	if f.Fail != nil && f.Fail(w, r, n) {
		return
	}
	if r.Header.Get("Authorization") != "Token token="+f.Token {
		pdError(w, http.StatusUnauthorized, "Authentication failed", 2006)
		return
	}
	if r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		pdError(w, http.StatusBadRequest, "Unsupported Accept header", 2001)
		return
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 25
	}
	if offset+limit > f.Cap {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided", 2001)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "incidents":
		f.listIncidents(w, q, offset, limit)
	case len(parts) == 3 && parts[0] == "incidents" && parts[2] == "log_entries":
		inc, ok := f.find(parts[1])
		if !ok {
			pdError(w, http.StatusNotFound, "Not Found", 2100)
			return
		}
		if q.Get("is_overview") != "true" {
			f.t.Errorf("log entries read without is_overview=true")
		}
		var entries []any
		entries = append(entries, map[string]any{"id": "T" + inc.ID, "type": "trigger_log_entry", "created_at": inc.Created, "summary": "Triggered through the API"})
		for i, at := range inc.Logged {
			entries = append(entries, map[string]any{"id": fmt.Sprintf("A%d%s", i, inc.ID), "type": "acknowledge_log_entry", "created_at": at, "summary": "Acknowledged"})
		}
		if inc.Resolved != "" {
			entries = append(entries, map[string]any{"id": "R" + inc.ID, "type": "resolve_log_entry", "created_at": inc.Resolved, "summary": "Resolved"})
		}
		page(w, "log_entries", entries, offset, limit, q.Get("total") == "true" && !f.NoTotal)
	case len(parts) == 3 && parts[0] == "incidents" && parts[2] == "alerts":
		inc, ok := f.find(parts[1])
		if !ok {
			pdError(w, http.StatusNotFound, "Not Found", 2100)
			return
		}
		var alerts []any
		for _, a := range inc.Alerts {
			m := map[string]any{"id": a.ID, "type": "alert", "created_at": a.Created, "status": "resolved", "suppressed": a.Suppressed,
				"self": f.srv.URL + "/incidents/" + inc.ID + "/alerts/" + a.ID, "incident": map[string]any{"id": inc.ID, "type": "incident_reference"}}
			if a.Suppressed {
				m["incident"] = nil
			}
			alerts = append(alerts, m)
		}
		page(w, "alerts", alerts, offset, limit, q.Get("total") == "true" && !f.NoTotal)
	default:
		pdError(w, http.StatusNotFound, "Not Found", 2100)
	}
}

func (f *fakePD) find(id string) (fakeIncident, bool) {
	for _, in := range f.Incidents {
		if in.ID == id {
			return in, true
		}
	}
	return fakeIncident{}, false
}

func (f *fakePD) listIncidents(w http.ResponseWriter, q map[string][]string, offset, limit int) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	since, err1 := time.Parse(time.RFC3339, get("since"))
	until, err2 := time.Parse(time.RFC3339, get("until"))
	if err1 != nil || err2 != nil || !until.After(since) {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided", 2001)
		return
	}
	if until.Sub(since) > f.MaxRange {
		pdError(w, http.StatusBadRequest, "Invalid Input Provided", 2001)
		return
	}
	statuses := map[string]bool{}
	for _, s := range q["statuses[]"] {
		statuses[s] = true
	}
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var sel []fakeIncident
	for _, inc := range f.Incidents {
		c, err := time.Parse(time.RFC3339, inc.Created)
		if err != nil || c.Before(since) || !c.Before(until) {
			continue
		}
		if len(statuses) > 0 && !statuses[inc.Status] {
			continue
		}
		svc := inc.Service
		if svc == "" {
			svc = "PIJ90N7"
		}
		if !in(q["service_ids[]"], svc) || !in(q["team_ids[]"], inc.Team) {
			continue
		}
		sel = append(sel, inc)
	}
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].Created < sel[j].Created })
	items := make([]any, len(sel))
	for i, inc := range sel {
		items[i] = inc.json(f.srv.URL)
	}
	page(w, "incidents", items, offset, limit, get("total") == "true" && !f.NoTotal)
}

// page writes items[offset:offset+limit] under key with classic pagination.
func page(w http.ResponseWriter, key string, items []any, offset, limit int, total bool) {
	end := min(offset+limit, len(items))
	start := min(offset, len(items))
	body := map[string]any{key: append([]any{}, items[start:end]...), "limit": limit, "offset": offset, "more": end < len(items), "total": nil}
	if total {
		body["total"] = len(items)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

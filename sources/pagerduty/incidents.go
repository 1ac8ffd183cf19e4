package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/timefmt"
	"github.com/localizevideos/posture/sources/tabular"
)

// Limits of the REST API (test hooks in Source override them).
const (
	pageSize = 100                  // the largest limit a list accepts
	pageCap  = 10000                // offset+limit may not pass it
	maxRange = 180 * 24 * time.Hour // since..until of one incidents query (6 months)
	workers  = 4                    // incidents detailed in parallel
)

// Response shapes of the REST API v2 (only the fields read).

type listMeta struct {
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
	More   bool `json:"more"`
	Total  *int `json:"total"`
}

type apiIncident struct {
	ID                 string  `json:"id"`
	IncidentNumber     int     `json:"incident_number"`
	Title              string  `json:"title"`
	Summary            string  `json:"summary"`
	Status             string  `json:"status"`
	Urgency            string  `json:"urgency"`
	CreatedAt          string  `json:"created_at"`
	ResolvedAt         *string `json:"resolved_at"`
	LastStatusChangeAt string  `json:"last_status_change_at"`
	Acknowledgements   []struct {
		At string `json:"at"`
	} `json:"acknowledgements"`
	Priority *struct {
		Name    string `json:"name"`
		Summary string `json:"summary"`
	} `json:"priority"`
	AlertCounts *struct {
		All int `json:"all"`
	} `json:"alert_counts"`
}

type incidentsPage struct {
	listMeta
	Incidents []apiIncident `json:"incidents"`
}

type logEntriesPage struct {
	listMeta
	LogEntries []struct {
		Type      string `json:"type"`
		CreatedAt string `json:"created_at"`
	} `json:"log_entries"`
}

type alertsPage struct {
	listMeta
	Alerts []apiAlert `json:"alerts"`
}

type apiAlert struct {
	ID         string `json:"id"`
	CreatedAt  string `json:"created_at"`
	Suppressed bool   `json:"suppressed"`
	Incident   *struct {
		ID string `json:"id"`
	} `json:"incident"`
}

func (s *Source) limits() (size, capacity int, span time.Duration) {
	size, capacity, span = pageSize, pageCap, maxRange
	if s.pageSize > 0 {
		size = s.pageSize
	}
	if s.pageCap > 0 {
		capacity = s.pageCap
	}
	if s.maxRange > 0 {
		span = s.maxRange
	}
	return size, capacity, span
}

// run lists the incidents, details them and maps them.
func (c *collector) run(ctx context.Context) (*sources.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	asOf := c.env.AsOf.UTC().Truncate(time.Second)
	if c.env.AsOf.IsZero() {
		asOf = time.Now().UTC().Truncate(time.Second)
	}
	days := c.src.cfg.WindowDays // an explicit override
	if days == 0 {
		days = c.env.WindowDays // the config's window_days
	}
	if days == 0 {
		days = DefaultWindowDays
	}
	window := time.Duration(days) * 24 * time.Hour
	since := asOf.Add(-2 * window)
	// until is exclusive: one second more keeps an incident created at as_of.
	listed, err := c.listIncidents(ctx, since, asOf.Add(time.Second))
	if err != nil {
		return nil, c.fail(err)
	}
	var kept []apiIncident
	var notes []string
	for _, in := range listed {
		t, ok := parseTime(in.CreatedAt)
		if !ok {
			notes = append(notes, fmt.Sprintf("incident %s: created_at %q is not a time: skipped", in.ID, in.CreatedAt))
			continue
		}
		if t.After(asOf) {
			continue
		}
		kept = append(kept, in)
	}

	res := &sources.Result{}
	incs := make([]snapshot.Incident, len(kept))
	alerts := make([][]snapshot.Alert, len(kept))
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	jobs := make(chan int)
	c.env.Report(0, len(kept))
	for range min(workers, len(kept)) {
		wg.Go(func() {
			for i := range jobs {
				in, al, err := c.detail(ctx, kept[i], asOf)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				} else {
					incs[i], alerts[i] = in, al
					done++
					c.env.Report(done, len(kept))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range kept {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, c.fail(firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, c.fail(err)
	}
	if c.src.wants(PartIncidents) {
		res.Data.Incidents = incs
	}
	for _, al := range alerts {
		res.Data.Alerts = append(res.Data.Alerts, al...)
	}
	res.Provides = append([]string(nil), c.src.parts...)
	res.Notes = notes
	return res, nil
}

// fail prefixes an error with the source.
func (c *collector) fail(err error) error {
	return fmt.Errorf("pagerduty source %s: %w", c.name, err)
}

// listIncidents lists the incidents created in [since, until): in spans
// the API accepts (6 months), each split in halves while it holds more
// incidents than one query may page through. An incident listed twice (at
// the boundary of two spans) is kept once.
func (c *collector) listIncidents(ctx context.Context, since, until time.Time) ([]apiIncident, error) {
	_, _, span := c.src.limits()
	var out []apiIncident
	seen := map[string]bool{}
	for from := since; from.Before(until); {
		to := from.Add(span)
		if to.After(until) {
			to = until
		}
		got, err := c.listSpan(ctx, from, to, &out)
		if err != nil {
			return nil, err
		}
		for _, in := range got {
			if in.ID == "" || seen[in.ID] {
				continue
			}
			seen[in.ID] = true
			out = append(out, in)
		}
		from = to
	}
	return out, nil
}

// listSpan pages through GET /incidents for [from, to). The first page asks
// for the total: a span with more incidents than the API pages through
// (offset+limit at most 10,000) is split in halves at once, and so is one
// that reaches the cap without a total.
func (c *collector) listSpan(ctx context.Context, from, to time.Time, sofar *[]apiIncident) ([]apiIncident, error) {
	size, capacity, _ := c.src.limits()
	q := url.Values{}
	q.Set("since", from.UTC().Format(time.RFC3339))
	q.Set("until", to.UTC().Format(time.RFC3339))
	for _, st := range []string{"triggered", "acknowledged", "resolved"} {
		q.Add("statuses[]", st)
	}
	for _, id := range c.src.cfg.ServiceIDs {
		q.Add("service_ids[]", id)
	}
	for _, id := range c.src.cfg.TeamIDs {
		q.Add("team_ids[]", id)
	}
	q.Set("time_zone", "UTC")
	q.Set("limit", strconv.Itoa(size))
	var got []apiIncident
	spanTotal := 0 // the span's total, when the first page gave it
	for offset := 0; ; {
		q.Set("offset", strconv.Itoa(offset))
		if offset == 0 {
			q.Set("total", "true")
		} else {
			q.Del("total")
		}
		var p incidentsPage
		if err := c.get(ctx, "/incidents", q, &p); err != nil {
			return nil, err
		}
		if offset == 0 && p.Total != nil && *p.Total > capacity {
			return c.split(ctx, from, to, sofar)
		}
		if offset == 0 && p.Total != nil {
			spanTotal = *p.Total
		}
		got = append(got, p.Incidents...)
		done := len(*sofar) + len(got)
		total := done
		switch {
		case p.More && spanTotal > 0:
			total = max(len(*sofar)+spanTotal, done+1)
		case p.More:
			total = done + size
		}
		c.env.Report(done, total)
		if !p.More || len(p.Incidents) == 0 {
			return got, nil
		}
		offset += len(p.Incidents)
		if offset+size > capacity {
			return c.split(ctx, from, to, sofar)
		}
	}
}

// split lists [from, mid) and [mid, to).
func (c *collector) split(ctx context.Context, from, to time.Time, sofar *[]apiIncident) ([]apiIncident, error) {
	_, capacity, _ := c.src.limits()
	mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
	if !mid.After(from) || !to.After(mid) {
		return nil, fmt.Errorf("GET /incidents: more than %d incidents created between %s and %s: narrow the source with service_ids or team_ids",
			capacity, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	a, err := c.listSpan(ctx, from, mid, sofar)
	if err != nil {
		return nil, err
	}
	b, err := c.listSpan(ctx, mid, to, sofar)
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// detail maps one incident, reading its log entries when its first
// acknowledgement is not on it, and its alerts when they are collected.
func (c *collector) detail(ctx context.Context, in apiIncident, asOf time.Time) (snapshot.Incident, []snapshot.Alert, error) {
	var ack string
	if c.src.wants(PartIncidents) {
		ack = firstAck(in)
		if ack == "" {
			var err error
			if ack, err = c.firstAckLogged(ctx, in.ID); err != nil {
				return snapshot.Incident{}, nil, err
			}
		}
	}
	out := c.incident(in, ack)
	var alerts []snapshot.Alert
	if c.src.wants(PartAlerts) && (in.AlertCounts == nil || in.AlertCounts.All > 0) {
		var err error
		if alerts, err = c.alerts(ctx, in.ID, asOf); err != nil {
			return snapshot.Incident{}, nil, err
		}
	}
	return out, alerts, nil
}

// firstAck is the earliest of the incident's acknowledgements ("" when
// none: the incident is not acknowledged now).
func firstAck(in apiIncident) string {
	var best string
	var bestT time.Time
	for _, a := range in.Acknowledgements {
		t, ok := parseTime(a.At)
		if ok && (best == "" || t.Before(bestT)) {
			best, bestT = a.At, t
		}
	}
	return best
}

// firstAckLogged reads the incident's overview log entries and returns the
// time of the earliest acknowledge_log_entry ("" when it was never
// acknowledged).
func (c *collector) firstAckLogged(ctx context.Context, id string) (string, error) {
	size, _, _ := c.src.limits()
	path := "/incidents/" + url.PathEscape(id) + "/log_entries"
	q := url.Values{}
	q.Set("is_overview", "true")
	q.Set("time_zone", "UTC")
	q.Set("limit", strconv.Itoa(size))
	var best string
	var bestT time.Time
	for offset, pages := 0, 0; ; pages++ {
		if pages >= maxPages {
			return "", fmt.Errorf("GET %s: pagination does not end", path)
		}
		q.Set("offset", strconv.Itoa(offset))
		var p logEntriesPage
		if err := c.get(ctx, path, q, &p); err != nil {
			return "", err
		}
		for _, e := range p.LogEntries {
			if e.Type != "acknowledge_log_entry" {
				continue
			}
			if t, ok := parseTime(e.CreatedAt); ok && (best == "" || t.Before(bestT)) {
				best, bestT = e.CreatedAt, t
			}
		}
		if !p.More || len(p.LogEntries) == 0 {
			return best, nil
		}
		offset += len(p.LogEntries)
	}
}

// maxPages guards against a server that says "more" for ever.
const maxPages = 1000

// alerts lists the incident's alerts fired up to asOf.
func (c *collector) alerts(ctx context.Context, id string, asOf time.Time) ([]snapshot.Alert, error) {
	size, _, _ := c.src.limits()
	path := "/incidents/" + url.PathEscape(id) + "/alerts"
	q := url.Values{}
	q.Set("time_zone", "UTC")
	q.Set("limit", strconv.Itoa(size))
	var out []snapshot.Alert
	for offset, pages := 0, 0; ; pages++ {
		if pages >= maxPages {
			return nil, fmt.Errorf("GET %s: pagination does not end", path)
		}
		q.Set("offset", strconv.Itoa(offset))
		var p alertsPage
		if err := c.get(ctx, path, q, &p); err != nil {
			return nil, err
		}
		for _, a := range p.Alerts {
			al, ok := c.alert(id, a)
			if !ok || (al.FiredAtMS != nil && *al.FiredAtMS > asOf.UnixMilli()) {
				continue
			}
			out = append(out, al)
		}
		if !p.More || len(p.Alerts) == 0 {
			return out, nil
		}
		offset += len(p.Alerts)
	}
}

// incident maps an incident; ack is its first acknowledgement ("" when
// never acknowledged).
func (c *collector) incident(in apiIncident, ack string) snapshot.Incident {
	out := snapshot.Incident{
		ID:     in.ID,
		Title:  in.Title,
		Source: c.id,
		Origin: c.apiURL + "/incidents/" + url.PathEscape(in.ID),
	}
	if out.Title == "" {
		out.Title = in.Summary
	}
	out.SeverityRaw, out.Severity = c.src.Severity(in)
	created, _ := parseTime(in.CreatedAt)
	out.StartedAt, out.StartedAtMS = timefmt.Ptrs(created)
	var resolved time.Time
	if strings.EqualFold(in.Status, "resolved") {
		if in.ResolvedAt != nil {
			resolved, _ = parseTime(*in.ResolvedAt)
		}
		if resolved.IsZero() {
			resolved, _ = parseTime(in.LastStatusChangeAt)
		}
		if !resolved.IsZero() {
			out.ResolvedAt, out.ResolvedAtMS = timefmt.Ptrs(resolved)
		}
	}
	detected, ok := parseTime(ack)
	switch {
	case ok:
	case !resolved.IsZero():
		detected = resolved // resolved without an acknowledgement
	default:
		detected = created // still triggered, never acknowledged
	}
	out.DetectedAt, out.DetectedAtMS = timefmt.Ptrs(detected)
	return out
}

// alert maps an alert of incident id; ok is false for an alert without id.
func (c *collector) alert(id string, a apiAlert) (snapshot.Alert, bool) {
	if a.ID == "" {
		return snapshot.Alert{}, false
	}
	out := snapshot.Alert{
		ID:     a.ID,
		Source: c.id,
		Origin: c.apiURL + "/incidents/" + url.PathEscape(id) + "/alerts/" + url.PathEscape(a.ID),
	}
	if !a.Suppressed && a.Incident != nil {
		out.IncidentID = a.Incident.ID
	}
	if t, ok := parseTime(a.CreatedAt); ok {
		out.FiredAt, out.FiredAtMS = timefmt.Ptrs(t)
	}
	return out, true
}

var sevName = regexp.MustCompile(`^sev[1-4]$`)

// Severity returns the incident's severity as PagerDuty gives it (the
// priority name, else the urgency) and normalised: the priority through
// severity_map, else a priority already named like a severity ("SEV-1"),
// else the urgency through severity_map; "" when none applies.
func (s *Source) Severity(in apiIncident) (raw, norm string) {
	var prio string
	if in.Priority != nil {
		prio = strings.TrimSpace(in.Priority.Name)
		if prio == "" {
			prio = strings.TrimSpace(in.Priority.Summary)
		}
	}
	if prio != "" {
		if v, ok := s.severity[strings.ToLower(prio)]; ok {
			return prio, v
		}
		if n := tabular.NormalizeSeverity(prio); sevName.MatchString(n) {
			return prio, n
		}
	}
	u := strings.TrimSpace(in.Urgency)
	if v, ok := s.severity[strings.ToLower(u)]; ok && u != "" {
		return u, v
	}
	if prio != "" {
		return prio, ""
	}
	return u, ""
}

// parseTime reads an ISO 8601 time of the API ("2015-10-06T21:30:42Z",
// with an offset or fractional seconds too).
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
	"github.com/localizevideos/posture/sources/tabular"
)

// categoryDone is the status category key (fields.status.statusCategory.key)
// of closed issues; new and indeterminate are open.
const categoryDone = "done"

// mapper turns issues into records and counts what the notes report.
type mapper struct {
	cfg    *Config
	base   string // the site's URL, for the browse links
	source string // the source's id, which records carry
	zone   *time.Location

	present    map[string]bool // configured field ids found in some issue's fields
	doneNoDate int             // done issues without closed_field
}

// add maps one issue onto a record of the configured collection.
func (m *mapper) add(d *snapshot.Data, is *issue) error {
	if m.present == nil {
		m.present = map[string]bool{}
	}
	key := strings.TrimSpace(is.Key)
	if key == "" {
		return fmt.Errorf("an issue of the search has no key")
	}
	for id := range is.Fields {
		m.present[id] = true
	}
	title, err := textField(is.Fields["summary"])
	if err != nil {
		return fmt.Errorf("%s: field summary: %w", key, err)
	}
	done, err := statusDone(is.Fields["status"])
	if err != nil {
		return fmt.Errorf("%s: field status: %w", key, err)
	}
	sev, err := severityField(is.Fields[m.cfg.SeverityField])
	if err != nil {
		return fmt.Errorf("%s: severity_field %s: %w", key, m.cfg.SeverityField, err)
	}
	var closedAt *string
	var closedMS *int64
	if done {
		if closedAt, closedMS, err = m.timeField(is, m.cfg.ClosedField); err != nil {
			return fmt.Errorf("%s: closed_field %s: %w", key, m.cfg.ClosedField, err)
		}
		if closedAt == nil {
			m.doneNoDate++
		}
	}
	origin := m.base + "/browse/" + url.PathEscape(key)

	if m.cfg.Collection == CollectionIncidents {
		in := snapshot.Incident{ID: key, Title: title, SeverityRaw: sev, Severity: tabular.NormalizeSeverity(sev),
			ResolvedAt: closedAt, ResolvedAtMS: closedMS, Source: m.source, Origin: origin}
		if in.StartedAt, in.StartedAtMS, err = m.timeField(is, m.cfg.StartedField); err != nil {
			return fmt.Errorf("%s: started_field %s: %w", key, m.cfg.StartedField, err)
		}
		if in.DetectedAt, in.DetectedAtMS, err = m.timeField(is, m.cfg.DetectedField); err != nil {
			return fmt.Errorf("%s: detected_field %s: %w", key, m.cfg.DetectedField, err)
		}
		d.Incidents = append(d.Incidents, in)
		return nil
	}
	f := snapshot.AuditFinding{ID: key, Title: title, Severity: strings.ToLower(sev), Status: "open",
		ClosedAt: closedAt, ClosedAtMS: closedMS, Source: m.source, Origin: origin}
	if done {
		f.Status = "closed"
	}
	if f.OpenedAt, f.OpenedAtMS, err = m.timeField(is, m.cfg.OpenedField); err != nil {
		return fmt.Errorf("%s: opened_field %s: %w", key, m.cfg.OpenedField, err)
	}
	d.AuditFindings = append(d.AuditFindings, f)
	return nil
}

// notes says which configured fields no issue carried (a field id that
// does not exist, or is not on these issues) and how many done issues had
// no closing time. n is the number of issues.
func (m *mapper) notes(n int) []string {
	if n == 0 {
		return nil
	}
	var out []string
	for _, f := range []struct{ attr, id string }{
		{"severity_field", m.cfg.SeverityField}, {"opened_field", m.cfg.OpenedField}, {"closed_field", m.cfg.ClosedField},
		{"started_field", m.cfg.StartedField}, {"detected_field", m.cfg.DetectedField},
	} {
		if f.id != "" && !m.present[f.id] {
			out = append(out, fmt.Sprintf("%s %q is in none of the %d issues' fields (unknown field id, or not on these issues): left empty", f.attr, f.id, n))
		}
	}
	if m.doneNoDate > 0 && m.present[m.cfg.ClosedField] {
		what := "closed_at"
		if m.cfg.Collection == CollectionIncidents {
			what = "resolved_at"
		}
		out = append(out, fmt.Sprintf("%d done issues have no %s: their %s is empty", m.doneNoDate, m.cfg.ClosedField, what))
	}
	return out
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// textField reads a string field (summary); null is "".
func textField(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("not a text value")
	}
	return strings.TrimSpace(s), nil
}

// statusDone reads fields.status: whether its category is done. The
// categories new and indeterminate (and any other) are open.
func statusDone(raw json.RawMessage) (bool, error) {
	if isNull(raw) {
		return false, fmt.Errorf("missing (the search returned no status)")
	}
	var st struct {
		Name           string `json:"name"`
		StatusCategory *struct {
			Key string `json:"key"`
		} `json:"statusCategory"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return false, fmt.Errorf("not a status object")
	}
	if st.StatusCategory == nil || st.StatusCategory.Key == "" {
		return false, fmt.Errorf("status %q has no statusCategory", st.Name)
	}
	return strings.EqualFold(strings.TrimSpace(st.StatusCategory.Key), categoryDone), nil
}

// severityField reads the severity as given: an object's name (priority,
// version, user...) else its value (select option), a string, a number;
// for a list (multi-select) its first element. Null or absent is "".
func severityField(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("not JSON")
	}
	return severityValue(v)
}

func severityValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(x), nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		if len(x) == 0 {
			return "", nil
		}
		return severityValue(x[0])
	case map[string]any:
		for _, k := range []string{"name", "value"} {
			if s, ok := x[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s), nil
			}
		}
		return "", fmt.Errorf("an object with neither name nor value")
	}
	return "", fmt.Errorf("unexpected value")
}

// timeField reads a date-time field ("2026-11-20T10:00:00.000+0100") or a
// date field ("2026-11-20", midnight in the run's zone). An empty id, a
// field the issue lacks and null are unknown: nil.
func (m *mapper) timeField(is *issue, id string) (*string, *int64, error) {
	if id == "" {
		return nil, nil, nil
	}
	raw := is.Fields[id]
	if isNull(raw) {
		return nil, nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, nil, fmt.Errorf("not a date or date-time field")
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil, nil
	}
	t, err := timefmt.Parse(s, m.zone)
	if err != nil {
		return nil, nil, err
	}
	str, ms := timefmt.Ptrs(t)
	return str, ms, nil
}

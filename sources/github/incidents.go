package github

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
	"github.com/localizevideos/posture/sources/tabular"
)

// incidents lists the issues of r labelled incident_label.
func (c *collector) incidents(ctx context.Context, r repoRef) ([]snapshot.Incident, error) {
	var issues []*gh.Issue
	opts := &gh.IssueListByRepoOptions{
		State:       "all",
		Labels:      []string{c.src.cfg.IncidentLabel},
		ListOptions: gh.ListOptions{PerPage: 100},
	}
	err := pagesByNumber(func(page int) (*gh.Response, error) {
		opts.Page = page
		is, resp, err := c.client.Issues.ListByRepo(ctx, r.Owner, r.Name, opts)
		issues = append(issues, is...)
		return resp, err
	})
	if err != nil {
		if githubapi.StatusOf(err) == http.StatusGone { // issues are turned off
			c.note("%s: incidents skipped: issues are disabled", r)
			return nil, nil
		}
		return nil, c.notFound(ctx, r, "incident issues", err)
	}
	var out []snapshot.Incident
	for _, is := range issues {
		if is == nil || is.IsPullRequest() {
			continue
		}
		in, ok, notes := c.fromIssue(r, is)
		for _, n := range notes {
			c.note("%s", n)
		}
		if ok {
			out = append(out, in)
		}
	}
	return out, nil
}

// fromIssue maps an incident issue; ok is false for issues that are not
// incidents (closed as not planned or as a duplicate).
func (c *collector) fromIssue(r repoRef, is *gh.Issue) (in snapshot.Incident, ok bool, notes []string) {
	state := strings.ToLower(is.GetState())
	reason := strings.ToLower(is.GetStateReason())
	if state == "closed" && (reason == "not_planned" || reason == "duplicate") {
		return in, false, nil
	}
	id := r.String() + "#" + strconv.Itoa(is.GetNumber())
	in = snapshot.Incident{
		ID:     id,
		Title:  is.GetTitle(),
		Source: c.id,
		Origin: c.origin(is.GetHTMLURL(), is.GetURL(), "repos/"+escape(r.Owner)+"/"+escape(r.Name)+"/issues/"+strconv.Itoa(is.GetNumber())),
	}
	var names []string
	for _, l := range is.Labels {
		names = append(names, l.GetName())
	}
	in.SeverityRaw, in.Severity = SeverityFromLabels(names)

	f := ParseBody(is.GetBody())
	if f.Started != "" {
		if t, err := timefmt.Parse(firstTime(f.Started), time.UTC); err == nil {
			in.StartedAt, in.StartedAtMS = timefmt.Ptrs(t)
		} else {
			notes = append(notes, id+": started at "+quote(f.Started)+" is not a time: left unknown")
		}
	}
	if f.Detected != "" {
		if t, err := timefmt.Parse(firstTime(f.Detected), time.UTC); err == nil {
			in.DetectedAt, in.DetectedAtMS = timefmt.Ptrs(t)
		} else {
			notes = append(notes, id+": detected at "+quote(f.Detected)+" is not a time: created_at used")
		}
	}
	if in.DetectedAt == nil {
		in.DetectedAt, in.DetectedAtMS = ts(is.CreatedAt)
	}
	if state == "closed" && (reason == "completed" || reason == "") {
		in.ResolvedAt, in.ResolvedAtMS = ts(is.ClosedAt)
	}
	return in, true, notes
}

var sevLabel = regexp.MustCompile(`^(?:severity[:/=]?)?sev([1-4])$`)

// SeverityFromLabels finds a sev1..sev4 label (lower-cased, '-' and spaces
// removed: "SEV-1", "Sev 1", "severity: sev2") and returns it as given and
// normalised. With several, the most severe wins.
func SeverityFromLabels(labels []string) (raw, norm string) {
	best := 0
	for _, l := range labels {
		m := sevLabel.FindStringSubmatch(tabular.NormalizeSeverity(l))
		if m == nil {
			continue
		}
		n := int(m[1][0] - '0')
		if best == 0 || n < best {
			best, raw = n, l
		}
	}
	if best == 0 {
		return "", ""
	}
	return raw, "sev" + strconv.Itoa(best)
}

// BodyFields are the times an incident issue body gives.
type BodyFields struct {
	Started  string // raw value, "" when absent
	Detected string
}

var (
	headingRe = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	fieldRe   = regexp.MustCompile(`(?i)^(started|detected)(?:\s+at)?\s*:\s*(.*)$`)
)

// ParseBody reads "Started: <time>" / "Detected: <time>" lines ("Started
// at:" too, after list markers, quotes and ** or __ emphasis) and issue-form
// sections "### Started at" / "### Detected at" whose value is the next
// non-empty line ("_No response_" means none). The first of each wins.
func ParseBody(body string) BodyFields {
	var f BodyFields
	set := func(key, val string) {
		val = strings.TrimSpace(val)
		if val == "" || strings.EqualFold(strings.Trim(val, "_*"), "No response") {
			return
		}
		switch strings.ToLower(key) {
		case "started":
			if f.Started == "" {
				f.Started = val
			}
		case "detected":
			if f.Detected == "" {
				f.Detected = val
			}
		}
	}
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if m := headingRe.FindStringSubmatch(line); m != nil {
			key := sectionKey(m[1])
			if key == "" {
				continue
			}
			for j := i + 1; j < len(lines); j++ {
				v := strings.TrimSpace(lines[j])
				if v == "" {
					continue
				}
				if !headingRe.MatchString(v) {
					set(key, clean(v))
				}
				break
			}
			continue
		}
		if m := fieldRe.FindStringSubmatch(clean(line)); m != nil {
			set(m[1], m[2])
		}
	}
	return f
}

// sectionKey maps an issue-form heading onto started/detected.
func sectionKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.Trim(clean(h), ":")))
	switch h {
	case "started at", "started", "start time", "incident started", "incident started at":
		return "started"
	case "detected at", "detected", "detection time", "incident detected", "incident detected at":
		return "detected"
	}
	return ""
}

// clean drops list markers, block quotes, emphasis and code ticks.
func clean(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.TrimLeft(s, "-*+> \t")
		if t == s {
			break
		}
		s = t
	}
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
	return strings.TrimSpace(s)
}

// firstTime cuts trailing words after a timestamp ("2026-11-20T10:00:00Z
// (approx.)"), keeping "2026-11-20 10:00:00Z" whole.
func firstTime(v string) string {
	v = strings.TrimSpace(v)
	if _, err := timefmt.Parse(v, time.UTC); err == nil {
		return v
	}
	fs := strings.Fields(v)
	if len(fs) >= 2 {
		two := fs[0] + " " + fs[1]
		if _, err := timefmt.Parse(two, time.UTC); err == nil {
			return two
		}
	}
	if len(fs) >= 1 {
		return fs[0]
	}
	return v
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strconv.Quote(s)
}

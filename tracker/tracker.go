// Package tracker turns a report into GitHub issues (docs/github-actions.md#kpi-issues-posture-issues): one issue
// per metric that fails its target or worsens, assigned to the metric
// owner's GitHub logins, updated on every run, commented when the value or
// the status changes, closed when the metric is back on target, reopened
// (never duplicated) when it regresses.
//
// The text of an issue (title, body, comments) is rendered by package
// output/issue; this package syncs it with GitHub.
//
// Finding issues. Each issue carries the labels security-kpi and kpi:<id>
// and a hidden marker <!-- posture:metric=<id> --> in its body. A run lists
// the issues of label kpi:<id> in every state (all pages, issues list API,
// never the search API, which lags behind writes) and keeps those whose body
// holds the marker. When several match (a leftover duplicate), the oldest is
// kept and the others are closed as duplicates with a comment.
//
// Idempotency. Every run starts from what GitHub holds, so a run that dies
// half-way and is run again finds the issues it had created and creates no
// second one. A hidden state line in the body records the value and status
// the issue last showed: a comment is added only when they changed, and a
// second run over the same report sends no write request at all.
//
// Writes that are not idempotent (creating an issue, adding a comment) are
// never blindly retried on a 5xx or a network error: the request may have
// succeeded before the failure. A failed create is followed by a fresh
// lookup of the metric's issues; only when that finds nothing is the create
// sent once more. A failed comment is not retried (the run fails and the next
// run comments again: at least once, never silently lost). Edits (PATCH) set
// fixed values and label creation answers "already exists" when repeated, so
// both are marked retryable for the transport. Rate-limit answers (429, 403
// with Retry-After or an exhausted X-RateLimit-Remaining) are retried for
// every method by the transport: GitHub did not process those requests.
//
// Order of writes per metric: the comment first, then the edit (close,
// reopen, new body). If the edit fails after the comment, the next run posts
// the comment again rather than losing it.
package tracker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/output/issue"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

// Issues is the part of go-github's IssuesService the tracker uses.
type Issues interface {
	ListByRepo(ctx context.Context, owner, repo string, opts *gh.IssueListByRepoOptions) ([]*gh.Issue, *gh.Response, error)
	Create(ctx context.Context, owner, repo string, issue *gh.IssueRequest) (*gh.Issue, *gh.Response, error)
	Edit(ctx context.Context, owner, repo string, number int, issue *gh.IssueRequest) (*gh.Issue, *gh.Response, error)
	CreateComment(ctx context.Context, owner, repo string, number int, comment *gh.IssueComment) (*gh.IssueComment, *gh.Response, error)
	ListLabels(ctx context.Context, owner, repo string, opts *gh.ListOptions) ([]*gh.Label, *gh.Response, error)
	CreateLabel(ctx context.Context, owner, repo string, label *gh.Label) (*gh.Label, *gh.Response, error)
	IsAssignee(ctx context.Context, owner, repo, user string) (bool, *gh.Response, error)
}

var _ Issues = (*gh.IssuesService)(nil)

// Options configure a Tracker.
type Options struct {
	// Owner and Repo name the repository of the issues.
	Owner, Repo string
	// Logins maps an owner name (config owner block) to its GitHub logins.
	Logins map[string][]string
	// Report is the link to the dated report put in bodies and comments.
	Report issue.Link
	// DryRun plans and prints, and sends no write request.
	DryRun bool
	// Offline (dry run only) sends no request at all: the plan is made as if
	// no issue and no label existed.
	Offline bool
	// Log receives one line per planned or performed action (nil: none).
	Log io.Writer
	// WriteInterval is the pause between two write requests (GitHub asks
	// integrations to space content-creating requests by a second).
	WriteInterval time.Duration
	// Sleep waits (tests record); nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Tracker syncs a report's metrics with GitHub issues.
type Tracker struct {
	api       Issues
	opt       Options
	writes    int
	assignees map[string]bool // login -> assignable (cached)
	noLogins  map[string]bool // owners already warned about
}

// New returns a Tracker over api (a go-github client's Issues service, or a
// fake). api may be nil with Options.Offline.
func New(api Issues, opt Options) *Tracker {
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	return &Tracker{api: api, opt: opt, assignees: map[string]bool{}, noLogins: map[string]bool{}}
}

// Action kinds.
const (
	KindLabel     = "label"
	KindCreate    = "create"
	KindUpdate    = "update"
	KindComment   = "comment"
	KindClose     = "close"
	KindReopen    = "reopen"
	KindDuplicate = "close-duplicate"
)

// Action is one planned (dry run) or performed write.
type Action struct {
	Kind      string   `json:"kind"`
	Metric    string   `json:"metric,omitempty"`
	Number    int      `json:"number,omitempty"` // 0 for a create not yet done
	Title     string   `json:"title,omitempty"`
	Assignees []string `json:"assignees,omitempty"`
	Labels    []string `json:"labels,omitempty"`
	Detail    string   `json:"detail,omitempty"`
	URL       string   `json:"url,omitempty"`
	Done      bool     `json:"done"`
}

// Summary is what a Sync did (or, in a dry run, would do).
type Summary struct {
	Repo          string                 `json:"repo"`
	DryRun        bool                   `json:"dry_run"`
	Offline       bool                   `json:"offline,omitempty"`
	Created       int                    `json:"created"`
	Updated       int                    `json:"updated"`
	Commented     int                    `json:"commented"`
	Closed        int                    `json:"closed"`
	Reopened      int                    `json:"reopened"`
	Duplicates    int                    `json:"duplicates_closed"`
	LabelsCreated int                    `json:"labels_created"`
	Actions       []Action               `json:"actions"`
	Issues        map[string]store.Issue `json:"issues"` // metric id -> issue (<reports_dir>/issues.json, store.IssueIndex)
	Warnings      []string               `json:"warnings,omitempty"`
}

// op is one write of the plan.
type op struct {
	Action
	metric  *report.Metric
	req     *gh.IssueRequest // create / edit
	comment string
	label   *gh.Label
}

// Sync makes the repository's issues match the report.
func (t *Tracker) Sync(ctx context.Context, r *report.Report) (*Summary, error) {
	if t.opt.Owner == "" || t.opt.Repo == "" {
		return nil, errors.New("no repository: want owner/repo")
	}
	if t.api == nil && !(t.opt.DryRun && t.opt.Offline) {
		return nil, errors.New("no GitHub client")
	}
	if t.opt.Offline && !t.opt.DryRun {
		return nil, errors.New("offline works in dry-run mode only")
	}
	s := &Summary{Repo: t.opt.Owner + "/" + t.opt.Repo, DryRun: t.opt.DryRun, Offline: t.opt.Offline, Issues: map[string]store.Issue{}}
	if r == nil {
		return s, errors.New("no report")
	}
	metrics := make([]*report.Metric, 0, len(r.Metrics))
	for i := range r.Metrics {
		metrics = append(metrics, &r.Metrics[i])
	}
	sort.SliceStable(metrics, func(i, j int) bool { return metrics[i].ID < metrics[j].ID })

	// 1. Read what exists.
	found := map[string][]*gh.Issue{}
	if !t.opt.Offline {
		for _, m := range metrics {
			is, err := t.lookup(ctx, m.ID)
			if err != nil {
				return s, fmt.Errorf("listing the issues of %s: %w", m.ID, err)
			}
			found[m.ID] = is
		}
	}
	var labelOps []*op
	needLabels := false
	for _, m := range metrics {
		if issue.OffTarget(m) {
			needLabels = true
		}
	}
	if needLabels {
		ops, err := t.planLabels(ctx, metrics, found)
		if err != nil {
			return s, fmt.Errorf("listing labels: %w", err)
		}
		labelOps = ops
	}

	// 2. Plan.
	var plan [][]*op // per metric, in order
	plan = append(plan, labelOps)
	for _, m := range metrics {
		ops, err := t.planMetric(ctx, r, m, found[m.ID], s)
		if err != nil {
			return s, err
		}
		plan = append(plan, ops)
		if is := found[m.ID]; len(is) > 0 {
			s.Issues[m.ID] = ref(is[0])
		}
	}

	// 3. Apply (or print).
	var errs []error
	for _, ops := range plan {
		for _, o := range ops {
			if t.opt.DryRun {
				t.count(s, o)
				s.Actions = append(s.Actions, o.Action)
				t.logf("%s", describe(o.Action, true))
				continue
			}
			err := t.apply(ctx, o, s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where(o), err))
				if fatal(err) {
					return s, errors.Join(errs...)
				}
				break // the metric's remaining writes wait for the next run
			}
			t.count(s, o)
			o.Done = true
			s.Actions = append(s.Actions, o.Action)
			t.logf("%s", describe(o.Action, false))
		}
	}
	return s, errors.Join(errs...)
}

func where(o *op) string {
	if o.Kind == KindLabel {
		return "label " + o.Title
	}
	if o.Number > 0 {
		return fmt.Sprintf("%s #%d (%s)", o.Kind, o.Number, o.Metric)
	}
	return fmt.Sprintf("%s (%s)", o.Kind, o.Metric)
}

func ref(i *gh.Issue) store.Issue {
	return store.Issue{Number: i.GetNumber(), URL: i.GetHTMLURL(), State: i.GetState()}
}

func (t *Tracker) count(s *Summary, o *op) {
	switch o.Kind {
	case KindLabel:
		s.LabelsCreated++
	case KindCreate:
		s.Created++
	case KindUpdate:
		s.Updated++
	case KindComment:
		s.Commented++
	case KindClose:
		s.Closed++
	case KindReopen:
		s.Reopened++
	case KindDuplicate:
		s.Duplicates++
	}
}

func (t *Tracker) logf(format string, args ...any) {
	if t.opt.Log != nil {
		fmt.Fprintf(t.opt.Log, format+"\n", args...)
	}
}

func (t *Tracker) warn(s *Summary, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.Warnings = append(s.Warnings, msg)
	t.logf("warning: %s", msg)
}

// lookup lists the issues labelled kpi:<id> in every state and keeps those
// whose body holds the metric's marker, oldest first. Pull requests are
// skipped.
func (t *Tracker) lookup(ctx context.Context, id string) ([]*gh.Issue, error) {
	opt := &gh.IssueListByRepoOptions{
		State:       "all",
		Labels:      []string{issue.Label(id)},
		Sort:        "created",
		Direction:   "asc",
		ListOptions: gh.ListOptions{PerPage: 100},
	}
	marker := issue.Marker(id)
	var out []*gh.Issue
	for page := 0; ; page++ {
		if page > 100 {
			return nil, errors.New("more than 100 pages of issues")
		}
		is, resp, err := t.api.ListByRepo(ctx, t.opt.Owner, t.opt.Repo, opt)
		if err != nil {
			return nil, err
		}
		for _, i := range is {
			if i.IsPullRequest() || !strings.Contains(i.GetBody(), marker) {
				continue
			}
			out = append(out, i)
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].GetNumber() < out[j].GetNumber() })
	return out, nil
}

// planLabels lists the repository's labels and plans the missing ones.
func (t *Tracker) planLabels(ctx context.Context, metrics []*report.Metric, found map[string][]*gh.Issue) ([]*op, error) {
	want := []*gh.Label{{Name: gh.String(LabelKPI), Color: gh.String(labelKPIColor), Description: gh.String(labelKPIDesc)}}
	for _, m := range metrics {
		if issue.OffTarget(m) {
			want = append(want, &gh.Label{Name: gh.String(issue.Label(m.ID)), Color: gh.String(metricLabelColor(m.Category)),
				Description: gh.String(metricLabelDesc(m))})
		}
	}
	have := map[string]bool{}
	if !t.opt.Offline {
		opt := &gh.ListOptions{PerPage: 100}
		for page := 0; ; page++ {
			if page > 100 {
				return nil, errors.New("more than 100 pages of labels")
			}
			ls, resp, err := t.api.ListLabels(ctx, t.opt.Owner, t.opt.Repo, opt)
			if err != nil {
				return nil, err
			}
			for _, l := range ls {
				have[strings.ToLower(l.GetName())] = true
			}
			if resp == nil || resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
	}
	var ops []*op
	for _, l := range want {
		if have[strings.ToLower(l.GetName())] {
			continue
		}
		ops = append(ops, &op{Action: Action{Kind: KindLabel, Title: l.GetName(), Detail: "#" + l.GetColor() + " " + l.GetDescription()}, label: l})
	}
	return ops, nil
}

// assignable keeps the logins that can be assigned in the repository (a
// login that cannot would make GitHub refuse the whole create).
func (t *Tracker) assignable(ctx context.Context, s *Summary, owner string) ([]string, error) {
	logins := t.opt.Logins[owner]
	if len(logins) == 0 && !t.noLogins[owner] {
		t.noLogins[owner] = true
		t.warn(s, "owner %s has no GitHub logins in the config (owner block attribute github): its issues go unassigned", owner)
	}
	if t.opt.Offline {
		return logins, nil
	}
	var out []string
	for _, l := range logins {
		ok, seen := t.assignees[l]
		if !seen {
			var err error
			ok, _, err = t.api.IsAssignee(ctx, t.opt.Owner, t.opt.Repo, l)
			if err != nil {
				return nil, fmt.Errorf("checking whether %s can be assigned: %w", l, err)
			}
			t.assignees[l] = ok
			if !ok {
				t.warn(s, "owner %s: GitHub login %s cannot be assigned issues in %s/%s (not a collaborator?); issues go unassigned to it",
					owner, l, t.opt.Owner, t.opt.Repo)
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out, nil
}

func loginsOf(i *gh.Issue) []string {
	var out []string
	for _, u := range i.Assignees {
		out = append(out, u.GetLogin())
	}
	return out
}

func labelsOf(i *gh.Issue) []string {
	var out []string
	for _, l := range i.Labels {
		out = append(out, l.GetName())
	}
	return out
}

// containsFold reports whether list holds s, ignoring case (GitHub's labels
// and logins are case-insensitive).
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

// union returns a ∪ b (order kept) and whether b added anything.
func union(a, b []string) ([]string, bool) {
	out := append([]string(nil), a...)
	added := false
	for _, x := range b {
		if !containsFold(out, x) {
			out = append(out, x)
			added = true
		}
	}
	return out, added
}

// planMetric decides the writes for one metric given its matching issues
// (oldest first).
func (t *Tracker) planMetric(ctx context.Context, r *report.Report, m *report.Metric, issues []*gh.Issue, s *Summary) ([]*op, error) {
	var ops []*op
	title := issue.Title(m)
	base := Action{Metric: m.ID, Title: title}

	// Leftover duplicates: keep the oldest, close the other open ones.
	if len(issues) > 1 {
		keep := issues[0].GetNumber()
		for _, d := range issues[1:] {
			if d.GetState() != "open" {
				continue
			}
			a := base
			a.Kind, a.Number, a.Title, a.URL, a.Detail = KindDuplicate, d.GetNumber(), d.GetTitle(), d.GetHTMLURL(), fmt.Sprintf("duplicate of #%d", keep)
			ops = append(ops, &op{Action: a, metric: m, comment: issue.DuplicateComment(keep),
				req: &gh.IssueRequest{State: gh.String("closed"), StateReason: gh.String("not_planned")}})
		}
	}

	var cur *gh.Issue
	if len(issues) > 0 {
		cur = issues[0]
	}
	off, on := issue.OffTarget(m), issue.OnTarget(m)
	if cur == nil && !off {
		return ops, nil
	}
	if cur != nil && cur.GetState() != "open" && !off {
		return ops, nil // closed and fine (or unknown): nothing to say
	}

	logins, err := t.assignable(ctx, s, m.Owner)
	if err != nil {
		return nil, err
	}
	body := issue.Body(r, m, t.opt.Logins[m.Owner], t.opt.Report)
	link := t.opt.Report

	if cur == nil { // off target, no issue yet
		a := base
		a.Kind, a.Assignees, a.Labels = KindCreate, logins, []string{LabelKPI, issue.Label(m.ID)}
		a.Detail = issue.Summary(m)
		req := &gh.IssueRequest{Title: gh.String(title), Body: gh.String(body), Labels: &[]string{LabelKPI, issue.Label(m.ID)}}
		if len(logins) > 0 {
			req.Assignees = &logins
		}
		return append(ops, &op{Action: a, metric: m, req: req}), nil
	}

	n := cur.GetNumber()
	prev, hadPrev := issue.ParseState(cur.GetBody())
	now := issue.CurrentState(r, m)

	// The edit that brings the issue up to date (nil fields are left alone).
	edit := &gh.IssueRequest{}
	changedFields := []string{}
	if cur.GetBody() != body {
		edit.Body = gh.String(body)
		changedFields = append(changedFields, "body")
	}
	if cur.GetTitle() != title {
		edit.Title = gh.String(title)
		changedFields = append(changedFields, "title")
	}
	if !containsFold(labelsOf(cur), LabelKPI) {
		ls, _ := union(labelsOf(cur), []string{LabelKPI})
		edit.Labels = &ls
		changedFields = append(changedFields, "labels")
	}
	// Owners are (re)assigned when the issue is (re)opened or the metric's
	// owner changed; people may add or swap assignees in between.
	reassign := cur.GetState() != "open" || !hadPrev || !prev.OwnerIs(m.Owner)
	if reassign && len(logins) > 0 {
		if as, added := union(loginsOf(cur), logins); added {
			edit.Assignees = &as
			changedFields = append(changedFields, "assignees")
		}
	}

	switch {
	case cur.GetState() != "open": // closed, off target again: a regression
		// Closed by hand while the last recorded state was off target: not a
		// regression, the metric never got back on target.
		stillOff := hadPrev && (prev.Status == string(report.StatusFail) || prev.Trend == report.TrendWorsening)
		a := base
		a.Kind, a.Number, a.URL = KindComment, n, cur.GetHTMLURL()
		a.Detail = "regression"
		if stillOff {
			a.Detail = "still off target"
		}
		ops = append(ops, &op{Action: a, metric: m, comment: issue.ReopenComment(r, m, link, stillOff)})
		edit.State = gh.String("open")
		if edit.Body == nil {
			edit.Body = gh.String(body)
		}
		ra := base
		ra.Kind, ra.Number, ra.URL, ra.Assignees = KindReopen, n, cur.GetHTMLURL(), logins
		ra.Detail = issue.Summary(m)
		return append(ops, &op{Action: ra, metric: m, req: edit}), nil

	case on: // open, back on target
		a := base
		a.Kind, a.Number, a.URL, a.Detail = KindComment, n, cur.GetHTMLURL(), "back on target"
		ops = append(ops, &op{Action: a, metric: m, comment: issue.CloseComment(r, m, link)})
		edit.State = gh.String("closed")
		edit.StateReason = gh.String("completed")
		edit.Assignees = nil // leave them: who fixed it stays visible
		ca := base
		ca.Kind, ca.Number, ca.URL, ca.Detail = KindClose, n, cur.GetHTMLURL(), issue.Summary(m)
		return append(ops, &op{Action: ca, metric: m, req: edit}), nil

	default: // open, still off target (or unknown): update
		if !hadPrev || prev.Value != now.Value || prev.Status != now.Status {
			a := base
			a.Kind, a.Number, a.URL = KindComment, n, cur.GetHTMLURL()
			if hadPrev {
				a.Detail = issue.Change(m, prev)
			} else {
				a.Detail = issue.Summary(m)
			}
			ops = append(ops, &op{Action: a, metric: m, comment: issue.ChangeComment(r, m, prev, hadPrev, link)})
		}
		if len(changedFields) > 0 {
			ua := base
			ua.Kind, ua.Number, ua.URL = KindUpdate, n, cur.GetHTMLURL()
			ua.Detail = strings.Join(changedFields, ", ")
			if edit.Assignees != nil {
				ua.Assignees = *edit.Assignees
			}
			ops = append(ops, &op{Action: ua, metric: m, req: edit})
		}
		return ops, nil
	}
}

// apply sends one write.
func (t *Tracker) apply(ctx context.Context, o *op, s *Summary) error {
	if t.writes > 0 && t.opt.WriteInterval > 0 {
		if err := t.opt.Sleep(ctx, t.opt.WriteInterval); err != nil {
			return err
		}
	}
	t.writes++
	switch {
	case o.Kind == KindLabel:
		// Creating a label twice answers 422 "already_exists": safe to retry.
		_, _, err := t.api.CreateLabel(retry.WithRetryable(ctx), t.opt.Owner, t.opt.Repo, o.label)
		if err != nil && !githubapi.AlreadyExists(err) {
			return err
		}
		return nil
	case o.Kind == KindCreate:
		i, err := t.create(ctx, o)
		if err != nil {
			return err
		}
		o.Number, o.URL = i.GetNumber(), i.GetHTMLURL()
		s.Issues[o.Metric] = ref(i)
		return nil
	case o.comment != "" && o.req != nil: // a duplicate: comment, then close
		if _, _, err := t.api.CreateComment(ctx, t.opt.Owner, t.opt.Repo, o.Number, &gh.IssueComment{Body: gh.String(o.comment)}); err != nil {
			return err
		}
		_, _, err := t.api.Edit(retry.WithRetryable(ctx), t.opt.Owner, t.opt.Repo, o.Number, o.req)
		return err
	case o.comment != "":
		_, _, err := t.api.CreateComment(ctx, t.opt.Owner, t.opt.Repo, o.Number, &gh.IssueComment{Body: gh.String(o.comment)})
		return err
	default:
		i, _, err := t.api.Edit(retry.WithRetryable(ctx), t.opt.Owner, t.opt.Repo, o.Number, o.req)
		if err != nil {
			return err
		}
		if i != nil && i.GetNumber() != 0 {
			s.Issues[o.Metric] = ref(i)
		}
		return nil
	}
}

// create sends the create once; when it fails in a way that may hide a
// success (a 5xx or a network error), it looks the metric's issues up again
// and adopts the one found, or sends the create a second and last time.
func (t *Tracker) create(ctx context.Context, o *op) (*gh.Issue, error) {
	i, _, err := t.api.Create(ctx, t.opt.Owner, t.opt.Repo, o.req)
	if err == nil {
		return i, nil
	}
	if !githubapi.MayHaveSucceeded(err) {
		return nil, err
	}
	found, lerr := t.lookup(ctx, o.Metric)
	if lerr != nil {
		return nil, err
	}
	if len(found) > 0 {
		return found[0], nil
	}
	if err := t.opt.Sleep(ctx, max(t.opt.WriteInterval, time.Second)); err != nil {
		return nil, err
	}
	i, _, err2 := t.api.Create(ctx, t.opt.Owner, t.opt.Repo, o.req)
	if err2 != nil {
		return nil, err2
	}
	return i, nil
}

// fatal errors stop the run: the service, the credentials or the budget
// fail, so every further request would too. Other errors (a 404 or 422 on
// one issue) skip that metric's remaining writes only.
func fatal(err error) bool {
	code := githubapi.StatusOf(err)
	switch {
	case code == 0, code >= 500, code == http.StatusUnauthorized, code == http.StatusForbidden, code == http.StatusTooManyRequests:
		return true
	}
	return false
}

// describe renders an action as one line: the plan (dry run) or the log.
func describe(a Action, plan bool) string {
	verb := map[string][2]string{
		KindLabel:     {"create label", "created label"},
		KindCreate:    {"create", "created"},
		KindUpdate:    {"update", "updated"},
		KindComment:   {"comment", "commented"},
		KindClose:     {"close", "closed"},
		KindReopen:    {"reopen", "reopened"},
		KindDuplicate: {"close duplicate", "closed duplicate"},
	}[a.Kind]
	v := verb[1]
	if plan {
		v = verb[0]
	}
	if a.Kind == KindLabel {
		return fmt.Sprintf("%-16s %s (%s)", v, a.Title, a.Detail)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s ", v)
	if a.Number > 0 {
		fmt.Fprintf(&b, "#%d ", a.Number)
	}
	fmt.Fprintf(&b, "%s %q", a.Metric, a.Title)
	if len(a.Assignees) > 0 {
		fmt.Fprintf(&b, " assignees %s", issue.Mentions(a.Assignees))
	}
	if len(a.Labels) > 0 {
		fmt.Fprintf(&b, " labels %s", strings.Join(a.Labels, ", "))
	}
	if a.Detail != "" {
		fmt.Fprintf(&b, ": %s", a.Detail)
	}
	if a.URL != "" && !plan {
		fmt.Fprintf(&b, " %s", a.URL)
	}
	return b.String()
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

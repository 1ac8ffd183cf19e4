package tracker

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi"
	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/internal/retry"
	"github.com/localizevideos/posture/output/issue"
	"github.com/localizevideos/posture/report"
	"github.com/localizevideos/posture/store"
)

// recorder is the network below the retries: it records every request that
// leaves the client (each attempt), so tests assert on writes at the
// transport level.
type recorder struct {
	mu   sync.Mutex
	next http.RoundTripper
	sent []string // "METHOD /path"
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.sent = append(r.sent, req.Method+" "+strings.TrimPrefix(req.URL.Path, "/api/v3"))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) writes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.sent {
		if !strings.HasPrefix(s, "GET ") && !strings.HasPrefix(s, "HEAD ") {
			out = append(out, s)
		}
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = nil
}

// sleeper records waits and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) Sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

const testToken = "ghs_TESTTOKEN0123456789abcdef"

type harness struct {
	t     *testing.T
	gh    *ghfake.Repo
	rec   *recorder
	sleep *sleeper
	log   bytes.Buffer
	now   time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	f := ghfake.New().Repo("acme/web")
	t.Cleanup(f.Close)
	f.Token = testToken
	f.HTMLURL = "https://github.example"
	return &harness{t: t, gh: f, rec: &recorder{next: http.DefaultTransport}, sleep: &sleeper{}, now: time.Unix(1_800_000_000, 0)}
}

var logins = map[string][]string{
	"security": {"sec-lead"},
	"platform": {"plat-oncall", "sre-lead"},
}

func (h *harness) tracker(dry bool) *Tracker {
	h.t.Helper()
	c, _, err := githubapi.New(githubapi.Options{APIURL: h.gh.APIURL(), Token: testToken, Transport: h.rec,
		Retry: retry.Options{MaxAttempts: 3, Sleep: h.sleep.Sleep, Rand: func() float64 { return 0 }, Now: func() time.Time { return h.now }}})
	require.NoError(h.t, err)
	return New(c.Issues, Options{Owner: "acme", Repo: "web", Logins: logins, DryRun: dry, Log: &h.log,
		Report: issue.Link{Text: "security/reports/2026-11-27.md", URL: "https://github.example/acme/web/blob/main/security/reports/2026-11-27.md"},
		Sleep:  h.sleep.Sleep, WriteInterval: time.Second})
}

func (h *harness) sync(r *report.Report) *Summary {
	h.t.Helper()
	s, err := h.tracker(false).Sync(context.Background(), r)
	require.NoError(h.t, err, h.log.String())
	return s
}

func f64(v float64) *float64 { return &v }

// testReport: sev1 fails (security), failed_deployments worsens (platform),
// mttd passes, blocked_ips errors.
func testReport(asOf string) *report.Report {
	r := &report.Report{Schema: report.Schema, Project: "T", AsOf: asOf, WindowDays: 30,
		Metrics: []report.Metric{
			{ID: "sev1_incidents", Title: "Sev 1 incidents", Category: "detection_response", Owner: "security", Unit: "count",
				Value: f64(2), Status: report.StatusFail, Target: report.Target{Max: f64(0)}, Gate: true,
				Trend:    report.Trend{Direction: report.TrendInsufficient},
				Evidence: report.Evidence{Items: 2, Records: []string{"incidents.csv:2", "incidents.csv:5"}, RecordsTotal: 2}},
			{ID: "failed_deployments", Title: "Failed deployments", Category: "operational_hygiene", Owner: "platform", Unit: "count",
				Value: f64(6), Status: report.StatusTracked, Target: report.Target{Trend: "down"},
				Trend:    report.Trend{Direction: report.TrendWorsening, Previous: f64(3), PreviousAsOf: "2026-10-28T00:00:00Z", ChangePct: f64(100)},
				Evidence: report.Evidence{Items: 6, Records: []string{"deploys.json:1"}, RecordsTotal: 6}},
			{ID: "mttd_hours", Title: "Mean time to detect", Category: "detection_response", Owner: "security", Unit: "hours",
				Value: f64(3.5), Status: report.StatusPass, Target: report.Target{Max: f64(4)}, Trend: report.Trend{Direction: report.TrendStable}},
			{ID: "blocked_ips", Title: "Blocked IPs", Category: "prevention_controls", Owner: "platform", Unit: "count",
				Status: report.StatusError, Error: "source fail2ban: no such file", Trend: report.Trend{Direction: report.TrendInsufficient}},
		}}
	r.Summarise()
	return r
}

func metricOf(r *report.Report, id string) *report.Metric {
	for i := range r.Metrics {
		if r.Metrics[i].ID == id {
			return &r.Metrics[i]
		}
	}
	panic(id)
}

func issuesFor(gh *ghfake.Repo, id string) []ghfake.Issue {
	var out []ghfake.Issue
	for _, i := range gh.Issues() {
		if strings.Contains(i.Body, issue.Marker(id)) {
			out = append(out, i)
		}
	}
	return out
}

func TestFirstRunCreatesOneIssuePerOffTargetMetric(t *testing.T) {
	h := newHarness(t)
	s := h.sync(testReport("2026-11-27T00:00:00Z"))

	assert.Equal(t, 2, s.Created)
	assert.Equal(t, 3, s.LabelsCreated, "security-kpi and two kpi:<id>")
	issues := h.gh.Issues()
	require.Len(t, issues, 2)

	sev := issuesFor(h.gh, "sev1_incidents")
	require.Len(t, sev, 1)
	assert.Equal(t, "Sev 1 incidents off target (detection_response)", sev[0].Title)
	assert.Equal(t, []string{"sec-lead"}, sev[0].Assignees)
	assert.ElementsMatch(t, []string{"security-kpi", "kpi:sev1_incidents"}, sev[0].Labels)
	assert.Contains(t, sev[0].Body, "<!-- posture:metric=sev1_incidents -->")
	assert.Contains(t, sev[0].Body, "<!-- posture:state value=2 status=fail trend=insufficient_history owner=security as_of=2026-11-27T00:00:00Z -->")
	for _, want := range []string{"| Value | **2** |", "| Target | max 0 |", "| Status | **fail** |", "| Owner | security (@sec-lead) |",
		"`incidents.csv:2`", "https://github.example/acme/web/blob/main/security/reports/2026-11-27.md"} {
		assert.Contains(t, sev[0].Body, want)
	}

	fd := issuesFor(h.gh, "failed_deployments")
	require.Len(t, fd, 1)
	assert.Equal(t, []string{"plat-oncall", "sre-lead"}, fd[0].Assignees)
	assert.Contains(t, fd[0].Body, "worsening: previous 3 (2026-10-28), change +100.0 %")
	assert.Empty(t, issuesFor(h.gh, "mttd_hours"))
	assert.Empty(t, issuesFor(h.gh, "blocked_ips"), "an error is not off target: no issue")

	labels := map[string]ghfake.Label{}
	for _, l := range h.gh.Labels() {
		labels[l.Name] = l
	}
	assert.Equal(t, "d93f0b", labels["security-kpi"].Color)
	assert.NotEmpty(t, labels["security-kpi"].Description)
	assert.Equal(t, "0e8a16", labels["kpi:failed_deployments"].Color)
	assert.Contains(t, labels["kpi:sev1_incidents"].Description, "Sev 1 incidents")

	assert.Equal(t, store.Issue{Number: sev[0].Number, URL: "https://github.example/acme/web/issues/" + itoa(sev[0].Number), State: "open"}, s.Issues["sev1_incidents"])
	assert.Len(t, s.Issues, 2)
	assert.Contains(t, h.log.String(), "created")
	// Writes were spaced: one pause between two writes.
	assert.Len(t, h.sleep.waits, len(h.rec.writes())-1)
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSecondRunWithTheSameReportWritesNothing(t *testing.T) {
	h := newHarness(t)
	r := testReport("2026-11-27T00:00:00Z")
	h.sync(r)
	h.rec.reset()
	s := h.sync(r)
	assert.Empty(t, h.rec.writes(), "no POST/PATCH/PUT/DELETE on a second run")
	assert.Zero(t, s.Created+s.Updated+s.Commented+s.Closed+s.Reopened+s.LabelsCreated)
	assert.Len(t, s.Issues, 2, "the index still names both issues")
	assert.Len(t, h.gh.Issues(), 2)
}

func TestChangedValueAddsExactlyOneComment(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	h.rec.reset()

	r := testReport("2026-11-28T00:00:00Z")
	metricOf(r, "sev1_incidents").Value = f64(3)
	s := h.sync(r)

	assert.Equal(t, 2, s.Updated, "both bodies show the new date")
	assert.Equal(t, 1, s.Commented, "only sev1's value changed")
	assert.Zero(t, s.Created)
	sev := issuesFor(h.gh, "sev1_incidents")
	require.Len(t, sev, 1)
	require.Len(t, sev[0].Comments, 1)
	assert.Contains(t, sev[0].Comments[0], "value 2 → 3, status fail → fail")
	assert.Contains(t, sev[0].Body, "status=fail")
	assert.Contains(t, sev[0].Body, "value=3 ")
	assert.Empty(t, issuesFor(h.gh, "failed_deployments")[0].Comments)
	assert.Len(t, h.gh.Issues(), 2)

	// The comment came before the edit, and no create was sent.
	w := h.rec.writes()
	assert.NotContains(t, strings.Join(w, "\n"), "POST /repos/acme/web/issues\n")
	h.rec.reset()
	h.sync(r)
	assert.Empty(t, h.rec.writes())
}

func TestBackOnTargetClosesWithAComment(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))

	r := testReport("2026-11-28T00:00:00Z")
	m := metricOf(r, "sev1_incidents")
	m.Value, m.Status = f64(0), report.StatusPass
	s := h.sync(r)

	assert.Equal(t, 1, s.Closed)
	assert.Equal(t, 1, s.Commented)
	sev := issuesFor(h.gh, "sev1_incidents")[0]
	assert.Equal(t, "closed", sev.State)
	assert.Equal(t, "completed", sev.StateReason)
	require.Len(t, sev.Comments, 1)
	assert.Contains(t, sev.Comments[0], "Back on target as of 2026-11-28")
	assert.Contains(t, sev.Body, "is back on target")
	assert.Equal(t, "closed", s.Issues["sev1_incidents"].State)
	assert.Equal(t, "open", issuesFor(h.gh, "failed_deployments")[0].State)

	// Still on target: nothing more.
	h.rec.reset()
	r2 := testReport("2026-11-29T00:00:00Z")
	m2 := metricOf(r2, "sev1_incidents")
	m2.Value, m2.Status = f64(0), report.StatusPass
	h.sync(r2)
	for _, w := range h.rec.writes() {
		assert.NotContains(t, w, "/issues/"+itoa(sev.Number), "a closed issue of a fine metric is left alone")
	}
}

func TestRegressionReopensWithAComment(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	r := testReport("2026-11-28T00:00:00Z")
	m := metricOf(r, "sev1_incidents")
	m.Value, m.Status = f64(0), report.StatusPass
	h.sync(r)

	s := h.sync(testReport("2026-11-29T00:00:00Z")) // fails again
	assert.Equal(t, 1, s.Reopened)
	assert.Zero(t, s.Created, "a regression reopens, never a new issue")
	sev := issuesFor(h.gh, "sev1_incidents")
	require.Len(t, sev, 1)
	assert.Equal(t, "open", sev[0].State)
	require.Len(t, sev[0].Comments, 2)
	assert.Contains(t, sev[0].Comments[1], "Regression as of 2026-11-29")
	assert.Equal(t, []string{"sec-lead"}, sev[0].Assignees)
}

func TestClosedByHandWhileFailingIsReopened(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	for _, i := range issuesFor(h.gh, "sev1_incidents") {
		closeByHand(t, h.gh, i.Number)
	}
	s := h.sync(testReport("2026-11-28T00:00:00Z"))
	assert.Equal(t, 1, s.Reopened)
	sev := issuesFor(h.gh, "sev1_incidents")[0]
	assert.Equal(t, "open", sev.State)
	assert.Contains(t, sev.Comments[0], "closed while the metric is still off target")
	assert.Contains(t, sev.Comments[0], "exception")
}

func closeByHand(t *testing.T, gh *ghfake.Repo, n int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, gh.APIURL()+"repos/acme/web/issues/"+itoa(n), strings.NewReader(`{"state":"closed"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestUnmeasurableMetricKeepsItsIssueOpen(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	r := testReport("2026-11-28T00:00:00Z")
	m := metricOf(r, "sev1_incidents")
	m.Value, m.Status, m.Error = nil, report.StatusError, "source incidents: permission denied"
	s := h.sync(r)
	assert.Zero(t, s.Closed)
	assert.Equal(t, 1, s.Commented)
	sev := issuesFor(h.gh, "sev1_incidents")[0]
	assert.Equal(t, "open", sev.State)
	assert.Contains(t, sev.Comments[0], "status fail → error")
	assert.Contains(t, sev.Comments[0], "could not be measured")
}

func TestPartialFailureThenRerunLeavesNoDuplicate(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4} { // 3 labels, then 2 creates
		t.Run("after "+itoa(n)+" writes", func(t *testing.T) {
			h := newHarness(t)
			h.gh.FailWritesAfter(n, http.StatusInternalServerError)
			_, err := h.tracker(false).Sync(context.Background(), testReport("2026-11-27T00:00:00Z"))
			require.Error(t, err, "the run dies half-way")
			assert.Contains(t, err.Error(), "500")

			h.gh.ClearFaults()
			s := h.sync(testReport("2026-11-27T00:00:00Z"))
			assert.Len(t, issuesFor(h.gh, "sev1_incidents"), 1)
			assert.Len(t, issuesFor(h.gh, "failed_deployments"), 1)
			assert.Len(t, h.gh.Issues(), 2)
			assert.Len(t, s.Issues, 2)

			h.rec.reset()
			h.sync(testReport("2026-11-27T00:00:00Z"))
			assert.Empty(t, h.rec.writes(), "and a third run has nothing left to do")
		})
	}
}

func TestWritesCarriedOutBehind500sLeaveNoDuplicate(t *testing.T) {
	h := newHarness(t)
	seen := 0
	// After the labels, every write is carried out but answered with a 500.
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusInternalServerError, Apply: true, Match: func(r ghfake.Request) bool {
		if !r.Write() {
			return false
		}
		seen++
		return seen > 3
	}})
	s, err := h.tracker(false).Sync(context.Background(), testReport("2026-11-27T00:00:00Z"))
	require.NoError(t, err, "each create's lookup found the issue the failed request had created")
	assert.Equal(t, 2, s.Created)
	assert.Len(t, h.gh.Issues(), 2)

	h.gh.ClearFaults()
	h.rec.reset()
	h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Empty(t, h.rec.writes())
	assert.Len(t, h.gh.Issues(), 2)
}

func TestCreateThatSucceededBehindA502IsAdoptedNotRepeated(t *testing.T) {
	h := newHarness(t)
	// The first create is carried out, but the answer is lost in a 502.
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusBadGateway, Apply: true, Times: 1,
		Match: func(r ghfake.Request) bool { return r.Method == http.MethodPost && r.Path == "/repos/acme/web/issues" }})
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, 2, s.Created)
	assert.Len(t, issuesFor(h.gh, "failed_deployments"), 1)
	assert.Len(t, issuesFor(h.gh, "sev1_incidents"), 1)
	assert.Len(t, h.gh.Issues(), 2)
}

func TestCreateThatFailedBehindA502IsSentOnceMore(t *testing.T) {
	h := newHarness(t)
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusBadGateway, Times: 1,
		Match: func(r ghfake.Request) bool { return r.Method == http.MethodPost && r.Path == "/repos/acme/web/issues" }})
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, 2, s.Created)
	assert.Len(t, h.gh.Issues(), 2)
}

func TestDryRunSendsNoWriteRequest(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	h.rec.reset()
	h.log.Reset()

	r := testReport("2026-11-28T00:00:00Z")
	metricOf(r, "sev1_incidents").Value = f64(5)
	fd := metricOf(r, "failed_deployments")
	fd.Status, fd.Trend.Direction = report.StatusPass, report.TrendImproving
	m := metricOf(r, "mttd_hours")
	m.Status, m.Value = report.StatusFail, f64(9)

	s, err := h.tracker(true).Sync(context.Background(), r)
	require.NoError(t, err)
	assert.Empty(t, h.rec.writes(), "a dry run sends no POST/PATCH/PUT/DELETE at all")
	assert.NotEmpty(t, h.rec.sent, "but it reads")
	assert.Equal(t, 1, s.Created)
	assert.Equal(t, 1, s.Closed)
	assert.Equal(t, 2, s.Commented)
	out := h.log.String()
	assert.Contains(t, out, `create           mttd_hours "Mean time to detect off target (detection_response)" assignees @sec-lead`)
	assert.Contains(t, out, "create label     kpi:mttd_hours")
	assert.Contains(t, out, "close            #")
	assert.Contains(t, out, "value 2 → 5")
	assert.Len(t, h.gh.Issues(), 2, "nothing created")
}

func TestOfflineDryRunSendsNoRequestAtAll(t *testing.T) {
	var log bytes.Buffer
	s, err := New(nil, Options{Owner: "acme", Repo: "web", Logins: logins, DryRun: true, Offline: true, Log: &log}).
		Sync(context.Background(), testReport("2026-11-27T00:00:00Z"))
	require.NoError(t, err)
	assert.Equal(t, 2, s.Created)
	assert.Equal(t, 3, s.LabelsCreated)
	assert.Contains(t, log.String(), "assignees @plat-oncall, @sre-lead")

	_, err = New(nil, Options{Owner: "acme", Repo: "web", Offline: true}).Sync(context.Background(), testReport("2026-11-27T00:00:00Z"))
	assert.Error(t, err, "offline is for dry runs only")
}

func TestA502IsRetried(t *testing.T) {
	h := newHarness(t)
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusBadGateway, Times: 1,
		Match: func(r ghfake.Request) bool { return r.Method == http.MethodGet }})
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, 2, s.Created)
	assert.Contains(t, h.sleep.waits, 500*time.Millisecond, "one backoff (base 1 s, jitter 0 → 0.5 s)")
}

func TestRetryAfterIsHonoured(t *testing.T) {
	h := newHarness(t)
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusTooManyRequests, Times: 1, Header: http.Header{"Retry-After": {"7"}},
		Match: func(r ghfake.Request) bool { return r.Method == http.MethodPost && r.Path == "/repos/acme/web/issues" }})
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, 2, s.Created)
	assert.Contains(t, h.sleep.waits, 7*time.Second)
	assert.Len(t, h.gh.Issues(), 2, "a rate-limited create was not processed: retrying it makes no duplicate")
}

func TestSecondaryRateLimit403IsHonoured(t *testing.T) {
	h := newHarness(t)
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusForbidden, Times: 1, Header: http.Header{"Retry-After": {"60"}},
		Body:  `{"message":"You have exceeded a secondary rate limit"}`,
		Match: func(r ghfake.Request) bool { return r.Method == http.MethodPost }})
	h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Contains(t, h.sleep.waits, 60*time.Second)
	assert.Len(t, h.gh.Issues(), 2)
}

func TestRateLimitResetIsHonoured(t *testing.T) {
	h := newHarness(t)
	reset := h.now.Add(30 * time.Second).Unix()
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusForbidden, Times: 1,
		Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {strconv.FormatInt(reset, 10)}},
		Body:   `{"message":"API rate limit exceeded"}`,
		Match:  func(r ghfake.Request) bool { return r.Method == http.MethodGet }})
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, 2, s.Created)
	assert.Contains(t, h.sleep.waits, 30*time.Second)
}

func TestLeftoverDuplicatesAreClosedKeepingTheOldest(t *testing.T) {
	h := newHarness(t)
	r := testReport("2026-11-27T00:00:00Z")
	body := issue.Body(r, metricOf(r, "sev1_incidents"), []string{"sec-lead"}, issue.Link{})
	old := h.gh.AddIssue(ghfake.Issue{Title: "old", Body: body, Labels: []string{"security-kpi", "kpi:sev1_incidents"}})
	dup := h.gh.AddIssue(ghfake.Issue{Title: "dup", Body: body, Labels: []string{"security-kpi", "kpi:sev1_incidents"}})
	// Not ours: no marker, or a pull request.
	h.gh.AddIssue(ghfake.Issue{Title: "manual", Body: "by hand", Labels: []string{"kpi:sev1_incidents"}})
	h.gh.AddIssue(ghfake.Issue{Title: "pr", Body: body, Labels: []string{"kpi:sev1_incidents"}, PullRequest: true})

	s := h.sync(r)
	assert.Equal(t, 1, s.Duplicates)
	got := map[int]ghfake.Issue{}
	for _, i := range h.gh.Issues() {
		got[i.Number] = i
	}
	assert.Equal(t, "open", got[old.Number].State)
	assert.Equal(t, "closed", got[dup.Number].State)
	assert.Equal(t, "not_planned", got[dup.Number].StateReason)
	require.Len(t, got[dup.Number].Comments, 1)
	assert.Contains(t, got[dup.Number].Comments[0], "Duplicate of #"+itoa(old.Number))
	assert.Equal(t, old.Number, s.Issues["sev1_incidents"].Number)
	assert.Len(t, issuesFor(h.gh, "sev1_incidents"), 3, "no new issue (2 + the PR)")
}

func TestPaginationFindsIssuesOnLaterPages(t *testing.T) {
	h := newHarness(t)
	h.gh.MaxPerPage = 2
	for i := 0; i < 5; i++ {
		h.gh.AddIssue(ghfake.Issue{Title: "noise", Body: "x", Labels: []string{"kpi:sev1_incidents"}})
		h.gh.AddLabel(ghfake.Label{Name: "other-" + itoa(i)})
	}
	h.sync(testReport("2026-11-27T00:00:00Z"))
	h.rec.reset()
	h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Empty(t, h.rec.writes(), "the issue on page 3 was found")
	assert.Len(t, issuesFor(h.gh, "sev1_incidents"), 1)
}

func TestUnassignableLoginIsLeftOutWithAWarning(t *testing.T) {
	h := newHarness(t)
	h.gh.Assignable = map[string]bool{"sec-lead": true, "plat-oncall": true}
	s := h.sync(testReport("2026-11-27T00:00:00Z"))
	assert.Equal(t, []string{"plat-oncall"}, issuesFor(h.gh, "failed_deployments")[0].Assignees)
	require.Len(t, s.Warnings, 1)
	assert.Contains(t, s.Warnings[0], "sre-lead cannot be assigned")
}

func TestOwnerChangeAssignsTheNewOwner(t *testing.T) {
	h := newHarness(t)
	h.sync(testReport("2026-11-27T00:00:00Z"))
	r := testReport("2026-11-28T00:00:00Z")
	metricOf(r, "sev1_incidents").Owner = "platform"
	h.sync(r)
	assert.Equal(t, []string{"sec-lead", "plat-oncall", "sre-lead"}, issuesFor(h.gh, "sev1_incidents")[0].Assignees)
}

func TestAPermissionErrorStopsTheRun(t *testing.T) {
	h := newHarness(t)
	h.gh.AddFault(&ghfake.Fault{Status: http.StatusForbidden, Body: `{"message":"Resource not accessible by integration"}`,
		Match: func(r ghfake.Request) bool { return r.Write() }})
	_, err := h.tracker(false).Sync(context.Background(), testReport("2026-11-27T00:00:00Z"))
	require.Error(t, err)
	assert.Contains(t, Hint(err), "issues: write")
	assert.Len(t, h.gh.Writes(), 1, "fatal: no further write after a 403")
}

// A cancelled sync stops at once, even in the pause between two writes
// (the real timer), and sends nothing more.
func TestSyncStopsWhenCancelled(t *testing.T) {
	h := newHarness(t)
	c, _, err := githubapi.New(githubapi.Options{APIURL: h.gh.APIURL(), Token: testToken, Transport: h.rec})
	require.NoError(t, err)
	tr := New(c.Issues, Options{Owner: "acme", Repo: "web", Logins: logins, Log: &h.log, WriteInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(h.rec.writes()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	done := make(chan error, 1)
	go func() {
		_, err := tr.Sync(ctx, testReport("2026-11-27T00:00:00Z"))
		done <- err
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Len(t, h.rec.writes(), 1, "no write after the cancellation")
	case <-time.After(10 * time.Second):
		t.Fatal("Sync did not stop when cancelled")
	}
}

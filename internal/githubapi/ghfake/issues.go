package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Issues, comments and labels of a repository.

func (s *Server) issueJSON(repo *Repo, i *Issue) map[string]any {
	full := repo.Owner + "/" + repo.Name
	api := s.URL + s.Prefix + "/repos/" + full
	labels := make([]any, 0, len(i.Labels))
	for _, name := range i.Labels {
		l := &Label{Name: name, Color: "ededed"}
		for _, x := range repo.labels {
			if strings.EqualFold(x.Name, name) {
				l = x
			}
		}
		labels = append(labels, labelJSON(l))
	}
	assignees := make([]any, 0, len(i.Assignees))
	for _, a := range i.Assignees {
		assignees = append(assignees, User(a, "User"))
	}
	var assignee any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	author := i.Author
	if author == "" {
		author = "octocat"
	}
	n := strconv.Itoa(i.Number)
	out := map[string]any{
		"id": 1000000 + i.Number, "node_id": "MDU6SXNzdWUx", "number": i.Number,
		"url":      api + "/issues/" + n,
		"html_url": s.HTMLURL + "/" + full + "/issues/" + n,
		"state":    i.State, "state_reason": orNil(i.StateReason), "title": i.Title, "body": i.Body,
		"user": User(author, "User"), "labels": labels, "assignee": assignee, "assignees": assignees,
		"locked": false, "comments": len(i.Comments),
		"created_at": stamp(i.Created), "updated_at": stamp(i.updated), "closed_at": stamp(i.Closed),
		"author_association": "MEMBER",
	}
	if i.PullRequest {
		out["pull_request"] = map[string]any{
			"url":      api + "/pulls/" + n,
			"html_url": s.HTMLURL + "/" + full + "/pull/" + n,
		}
	}
	return out
}

func labelJSON(l *Label) map[string]any {
	return map[string]any{"id": 208045946, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "name": l.Name, "color": l.Color,
		"description": l.Description, "default": false}
}

// listIssues filters by state (default open; all) and labels (every one
// of a comma-separated list, any case), and orders as GitHub does: by sort
// (created, the default, or updated) in direction (desc, the default, or
// asc), the number deciding ties.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request, repo *Repo) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	var sel []*Issue
	for _, i := range repo.issues {
		if state != "all" && i.State != state {
			continue
		}
		ok := true
		for _, l := range want {
			ok = ok && hasFold(i.Labels, l)
		}
		if ok {
			sel = append(sel, i)
		}
	}
	sortIssues(sel, q.Get("sort") == "updated", q.Get("direction") != "asc")
	from, to := s.page(w, r, len(sel))
	out := make([]any, 0, to-from)
	for _, i := range sel[from:to] {
		out = append(out, s.issueJSON(repo, i))
	}
	writeJSON(w, http.StatusOK, out)
}

// sortIssues orders issues by creation (or update) time, newest first when
// desc, the number deciding ties.
func sortIssues(sel []*Issue, updated, desc bool) {
	key := func(i *Issue) time.Time {
		if updated {
			return i.updated
		}
		return i.Created
	}
	sort.SliceStable(sel, func(a, b int) bool {
		ta, tb := key(sel[a]), key(sel[b])
		if !ta.Equal(tb) {
			return ta.Before(tb) != desc
		}
		return (sel[a].Number < sel[b].Number) != desc
	})
}

func hasFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

type issueReq struct {
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	State       *string   `json:"state"`
	StateReason *string   `json:"state_reason"`
	Labels      *[]string `json:"labels"`
	Assignees   *[]string `json:"assignees"`
}

func checkAssignees(w http.ResponseWriter, repo *Repo, as *[]string) bool {
	if as == nil || repo.Assignable == nil {
		return true
	}
	for _, a := range *as {
		if !repo.Assignable[a] {
			invalid(w, "Issue", "assignees", "invalid")
			return false
		}
	}
	return true
}

// ensureLabels creates labels an issue names (GitHub does the same).
func ensureLabels(repo *Repo, names []string) {
	for _, n := range names {
		found := false
		for _, l := range repo.labels {
			found = found || strings.EqualFold(l.Name, n)
		}
		if !found {
			repo.labels = append(repo.labels, &Label{Name: n, Color: "ededed"})
		}
	}
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, repo *Repo) {
	var req issueReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Title == nil || *req.Title == "" {
		invalid(w, "Issue", "title", "missing_field")
		return
	}
	if !checkAssignees(w, repo, req.Assignees) {
		return
	}
	i := Issue{Title: *req.Title}
	if req.Body != nil {
		i.Body = *req.Body
	}
	if req.Labels != nil {
		i.Labels = append([]string(nil), *req.Labels...)
		ensureLabels(repo, i.Labels)
	}
	if req.Assignees != nil {
		i.Assignees = append([]string(nil), *req.Assignees...)
	}
	writeJSON(w, http.StatusCreated, s.issueJSON(repo, repo.add(i)))
}

func findIssue(repo *Repo, num string) *Issue {
	n, err := strconv.Atoi(num)
	if err != nil {
		return nil
	}
	for _, i := range repo.issues {
		if i.Number == n {
			return i
		}
	}
	return nil
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request, repo *Repo, num string) {
	i := findIssue(repo, num)
	if i == nil {
		notFound(w)
		return
	}
	var req issueReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		message(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if !checkAssignees(w, repo, req.Assignees) {
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		invalid(w, "Issue", "state", "invalid")
		return
	}
	if req.Title != nil {
		i.Title = *req.Title
	}
	if req.Body != nil {
		i.Body = *req.Body
	}
	if req.State != nil {
		if *req.State != i.State {
			i.StateReason, i.Closed = "", time.Time{}
			if *req.State == "open" {
				i.StateReason = "reopened"
			} else {
				repo.tick = repo.tick.Add(time.Minute)
				i.Closed = repo.tick
			}
		}
		i.State = *req.State
	}
	if req.StateReason != nil {
		i.StateReason = *req.StateReason
	}
	if req.Labels != nil {
		i.Labels = append([]string(nil), *req.Labels...)
		ensureLabels(repo, i.Labels)
	}
	if req.Assignees != nil {
		i.Assignees = append([]string(nil), *req.Assignees...)
	}
	repo.touch(i)
	writeJSON(w, http.StatusOK, s.issueJSON(repo, i))
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, repo *Repo, num string) {
	i := findIssue(repo, num)
	if i == nil {
		notFound(w)
		return
	}
	var req struct {
		Body string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Body == "" {
		invalid(w, "IssueComment", "body", "missing_field")
		return
	}
	i.Comments = append(i.Comments, req.Body)
	repo.touch(i)
	full := repo.Owner + "/" + repo.Name
	id := len(i.Comments)
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": id, "node_id": "MDEyOklzc3VlQ29tbWVudDE=", "body": req.Body, "user": User("octocat", "User"),
		"url":        fmt.Sprintf("%s%s/repos/%s/issues/comments/%d", s.URL, s.Prefix, full, id),
		"html_url":   fmt.Sprintf("%s/%s/issues/%d#issuecomment-%d", s.HTMLURL, full, i.Number, id),
		"issue_url":  fmt.Sprintf("%s%s/repos/%s/issues/%d", s.URL, s.Prefix, full, i.Number),
		"created_at": stamp(repo.tick), "updated_at": stamp(repo.tick),
	})
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request, repo *Repo) {
	var req struct {
		Name        string `json:"name"`
		Color       string `json:"color"`
		Description string `json:"description"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
		invalid(w, "Label", "name", "missing_field")
		return
	}
	for _, x := range repo.labels {
		if strings.EqualFold(x.Name, req.Name) {
			invalid(w, "Label", "name", "already_exists")
			return
		}
	}
	l := &Label{Name: req.Name, Color: req.Color, Description: req.Description}
	repo.labels = append(repo.labels, l)
	writeJSON(w, http.StatusCreated, labelJSON(l))
}

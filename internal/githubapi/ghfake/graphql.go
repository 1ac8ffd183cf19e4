package ghfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// graphqlPath is where the GraphQL API lives: /api/graphql beside a GitHub
// Enterprise Server's /api/v3, else /graphql.
func (s *Server) graphqlPath() string {
	if s.Prefix == "/api/v3" {
		return "/api/graphql"
	}
	return s.Prefix + "/graphql"
}

// GraphQLURL is the server's GraphQL endpoint.
func (s *Server) GraphQLURL() string { return s.URL + s.graphqlPath() }

type gqlError struct {
	Type      string   `json:"type,omitempty"`
	Path      []string `json:"path,omitempty"`
	Locations []any    `json:"locations,omitempty"`
	Message   string   `json:"message"`
}

// graphql answers the one query the github source sends: a page of a
// repository's deployments (first: n, after: cursor) with their newest
// statuses (statuses(last: 100), oldest first as a connection lists them)
// and rateLimit { cost remaining resetAt }. The deployments and statuses
// are the REST ones of the Repo, mapped to their GraphQL fields. The
// response has GitHub's shape: {"data": ...} and, for a repository that
// does not exist or any other query, {"errors": [...]}.
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	if s.NoGraphQL {
		notFound(w)
		return
	}
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"})
		return
	}
	if !strings.Contains(body.Query, "deployments(") || !strings.Contains(body.Query, "repository(") {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{Message: "test server only answers the deployments query"}}})
		return
	}
	limit := s.GraphQLLimit
	if limit <= 0 {
		limit = 5000
	}
	resetAt := s.now().Truncate(time.Hour).Add(time.Hour).UTC().Format(time.RFC3339)
	if s.gqlUsed >= limit {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{Type: "RATE_LIMITED", Message: "API rate limit exceeded"}}})
		return
	}
	s.gqlUsed++
	rate := map[string]any{"cost": 1, "remaining": limit - s.gqlUsed, "resetAt": resetAt}
	owner, _ := body.Variables["owner"].(string)
	name, _ := body.Variables["name"].(string)
	repo, ok := s.repos[owner+"/"+name]
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{
			"data": map[string]any{"rateLimit": rate, "repository": nil},
			"errors": []gqlError{{Type: "NOT_FOUND", Path: []string{"repository"},
				Locations: []any{map[string]any{"line": 3, "column": 3}},
				Message:   "Could not resolve to a Repository with the name '" + owner + "/" + name + "'."}},
		})
		return
	}
	start := 0
	if a, _ := body.Variables["after"].(string); a != "" {
		b, err := base64.StdEncoding.DecodeString(a)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
		if err != nil || err2 != nil || n < 0 || n > len(repo.Deployments) {
			writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{Message: "`" + a + "` does not appear to be a valid cursor."}}})
			return
		}
		start = n
	}
	per := 100
	if s.MaxPerPage > 0 && s.MaxPerPage < per {
		per = s.MaxPerPage
	}
	end := min(start+per, len(repo.Deployments))
	nodes := make([]any, 0, end-start)
	for _, d := range repo.Deployments[start:end] {
		nodes = append(nodes, gqlDeployment(d, repo.Statuses))
	}
	endCursor := any(nil)
	if end > start {
		endCursor = base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(end)))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"rateLimit": rate,
		"repository": map[string]any{"deployments": map[string]any{
			"nodes":    nodes,
			"pageInfo": map[string]any{"hasNextPage": end < len(repo.Deployments), "endCursor": endCursor},
		}},
	}})
}

// gqlDeployment is a REST deployment as a GraphQL Deployment node.
func gqlDeployment(d map[string]any, statuses map[int64][]map[string]any) map[string]any {
	id := toInt64(d["id"])
	var ref any
	if s, _ := d["ref"].(string); s != "" && s != d["sha"] {
		ref = map[string]any{"name": s}
	}
	var creator any
	if c, ok := d["creator"].(map[string]any); ok {
		login, _ := c["login"].(string)
		typ, _ := c["type"].(string)
		if typ == "" {
			typ = "User"
		}
		creator = map[string]any{"__typename": typ, "login": strings.TrimSuffix(login, "[bot]")}
	}
	ss := statuses[id] // newest first
	from := max(len(ss)-100, 0)
	newest := ss[:len(ss)-from]
	snodes := make([]any, 0, len(newest))
	for i := len(newest) - 1; i >= 0; i-- { // oldest first
		st, _ := newest[i]["state"].(string)
		snodes = append(snodes, map[string]any{"state": strings.ToUpper(st)})
	}
	return map[string]any{
		"databaseId": id, "environment": d["environment"], "commitOid": d["sha"], "task": d["task"],
		"description": d["description"], "createdAt": d["created_at"], "ref": ref, "creator": creator,
		"statuses": map[string]any{
			"pageInfo": map[string]any{"hasPreviousPage": from > 0},
			"nodes":    snodes,
		},
	}
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

package ghfake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
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
	Type       string         `json:"type,omitempty"`
	Code       string         `json:"code,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Locations  []any          `json:"locations,omitempty"`
	Message    string         `json:"message"`
}

func loc(line, col int) []any { return []any{map[string]any{"line": line, "column": col}} }

// gqlSchema is the part of GitHub's GraphQL schema the fake serves: the
// fields of each object type and their types ("[T]" a list; a type whose
// name ends in Connection is a connection, which needs first or last).
var gqlSchema = map[string]map[string]string{
	"Query":     {"rateLimit": "RateLimit", "repository": "Repository"},
	"RateLimit": {"cost": "Int", "limit": "Int", "remaining": "Int", "resetAt": "DateTime", "used": "Int", "nodeCount": "Int"},
	"Repository": {"name": "String", "nameWithOwner": "String", "hasIssuesEnabled": "Boolean",
		"deployments": "DeploymentConnection", "issues": "IssueConnection"},
	"DeploymentConnection": {"totalCount": "Int", "nodes": "[Deployment]", "pageInfo": "PageInfo"},
	"Deployment": {"databaseId": "Int", "environment": "String", "commitOid": "String", "task": "String",
		"description": "String", "createdAt": "DateTime", "updatedAt": "DateTime", "ref": "Ref", "creator": "Actor",
		"statuses": "DeploymentStatusConnection", "latestStatus": "DeploymentStatus"},
	"DeploymentStatusConnection": {"totalCount": "Int", "nodes": "[DeploymentStatus]", "pageInfo": "PageInfo"},
	"DeploymentStatus":           {"state": "DeploymentStatusState", "createdAt": "DateTime", "description": "String"},
	"Ref":                        {"name": "String"},
	"Actor":                      {"login": "String"},
	"PageInfo":                   {"hasNextPage": "Boolean", "hasPreviousPage": "Boolean", "endCursor": "String", "startCursor": "String"},
	"IssueConnection":            {"totalCount": "Int", "nodes": "[Issue]", "pageInfo": "PageInfo"},
	"Issue": {"number": "Int", "title": "String", "body": "String", "url": "URI", "createdAt": "DateTime",
		"updatedAt": "DateTime", "closedAt": "DateTime", "state": "IssueState", "stateReason": "IssueStateReason",
		"labels": "LabelConnection"},
	"LabelConnection": {"totalCount": "Int", "nodes": "[Label]", "pageInfo": "PageInfo"},
	"Label":           {"name": "String"},
}

// maxNodes is GitHub's limit of nodes a query may ask for.
const maxNodes = 500000

// GraphQLCost is the rate-limit cost of a query the way GitHub documents
// it: every connection needs one request per node of the connections it
// sits in (a connection under first: 100 needs 100), assuming each asks
// for its full first or last; the sum of the requests, divided by 100 and
// rounded to the nearest whole number, at least 1. It returns the errors
// GitHub's validation gives instead (unknown fields, a connection without
// first or last, or with more than 100, too many nodes).
func GraphQLCost(query string, variables map[string]any) (cost int, err error) {
	sel, perr := gqlParse(query, variables)
	if perr != nil {
		return 0, perr
	}
	v := gqlValidate(sel)
	if len(v.errs) > 0 {
		return 0, fmt.Errorf("%s", v.errs[0].Message)
	}
	return v.cost(), nil
}

type gqlValidation struct {
	requests, nodes int
	errs            []gqlError
}

func (v *gqlValidation) cost() int {
	return max(1, int(math.Round(float64(v.requests)/100)))
}

func gqlValidate(sel []*gqlField) *gqlValidation {
	v := &gqlValidation{}
	v.walk("Query", sel, 1, []any{"query"})
	if len(v.errs) == 0 && v.nodes > maxNodes {
		v.errs = append(v.errs, gqlError{Type: "MAX_NODE_LIMIT_EXCEEDED",
			Message: fmt.Sprintf("This query requests up to %d possible nodes which exceeds the maximum limit of %d.", v.nodes, maxNodes)})
	}
	return v
}

func (v *gqlValidation) walk(typ string, sel []*gqlField, mult int, path []any) {
	for _, f := range sel {
		p := append(append([]any(nil), path...), f.Key())
		if f.Name == "__typename" {
			continue
		}
		t, ok := gqlSchema[typ][f.Name]
		if !ok {
			v.errs = append(v.errs, gqlError{Path: p, Locations: loc(f.Line, f.Col),
				Extensions: map[string]any{"code": "undefinedField", "typeName": typ, "fieldName": f.Name},
				Message:    fmt.Sprintf("Field '%s' doesn't exist on type '%s'", f.Name, typ)})
			continue
		}
		base := strings.Trim(t, "[]")
		_, isObj := gqlSchema[base]
		switch {
		case isObj && len(f.Sel) == 0:
			v.errs = append(v.errs, gqlError{Path: p, Locations: loc(f.Line, f.Col),
				Extensions: map[string]any{"code": "selectionMismatch", "nodeName": "field '" + f.Name + "'", "typeName": base},
				Message:    fmt.Sprintf("Field must have selections (field '%s' returns %s but has no selections. Did you mean '%s { ... }'?)", f.Name, base, f.Name)})
			continue
		case !isObj && len(f.Sel) > 0:
			v.errs = append(v.errs, gqlError{Path: p, Locations: loc(f.Line, f.Col),
				Extensions: map[string]any{"code": "selectionMismatch", "nodeName": "field '" + f.Name + "'", "typeName": base},
				Message:    fmt.Sprintf("Selections can't be made on scalars (field '%s' returns %s but has selections [...])", f.Name, base)})
			continue
		}
		childMult := mult
		if strings.HasSuffix(base, "Connection") {
			n, arg := 0, ""
			for _, a := range []string{"first", "last"} {
				if x, set := f.Args[a]; set && x != nil {
					n, arg = toInt(x), a
				}
			}
			if arg == "" {
				v.errs = append(v.errs, gqlError{Type: "MISSING_PAGINATION_BOUNDARIES", Path: p, Locations: loc(f.Line, f.Col),
					Message: fmt.Sprintf("You must provide a `first` or `last` value to properly paginate the `%s` connection.", f.Name)})
				continue
			}
			if n < 1 || n > 100 {
				v.errs = append(v.errs, gqlError{Type: "EXCESSIVE_PAGINATION", Path: p, Locations: loc(f.Line, f.Col),
					Message: fmt.Sprintf("Requesting %d records on the `%s` connection exceeds the `%s` limit of 100 records.", n, f.Name, arg)})
				continue
			}
			v.requests += mult
			v.nodes += mult * n
			childMult = mult * n
		}
		if isObj {
			v.walk(base, f.Sel, childMult, p)
		}
	}
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return -1
}

// gqlObj is an object of the response: scalars, objects, lists of
// objects, or gqlLazy for fields with arguments (connections).
type gqlObj map[string]any

type gqlLazy func(args map[string]any) (any, *gqlError)

// graphql answers the queries of the github source (see gqlSchema for
// what it serves: rateLimit and repositories, with aliases, their
// deployments with statuses and latest status, their issues with labels,
// filtered by labels and states and ordered by CREATED_AT or UPDATED_AT).
// The deployments and statuses are the REST ones of the Repo mapped to
// their GraphQL fields; the issues are the Repo's (pull requests are not
// issues here). The answers have GitHub's shape: {"data": ...} and
// {"errors": [...]} for a query that does not validate, a repository that
// does not exist (its field null), or a rate limit spent. Each query costs
// its points by GitHub's formula (GraphQLCost).
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
	sel, err := gqlParse(body.Query, body.Variables)
	if err != nil {
		e := gqlError{Message: err.Error()}
		var se *gqlSyntaxError
		if errors.As(err, &se) {
			e.Locations = loc(se.line, se.col)
		}
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{e}})
		return
	}
	v := gqlValidate(sel)
	if len(v.errs) > 0 {
		writeJSON(w, http.StatusOK, map[string]any{"errors": v.errs})
		return
	}
	cost := v.cost()
	limit := s.GraphQLLimit
	if limit <= 0 {
		limit = 5000
	}
	reset := s.resetAt().UTC()
	if s.gqlUsed+cost > limit {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{Type: "RATE_LIMITED", Code: "graphql_rate_limit",
			Message: "API rate limit already exceeded for user ID 1."}}})
		return
	}
	s.gqlUsed += cost
	ex := &gqlExec{}
	root := gqlObj{"__typename": "Query",
		"rateLimit": gqlObj{"__typename": "RateLimit", "cost": cost, "limit": limit, "remaining": limit - s.gqlUsed,
			"used": s.gqlUsed, "resetAt": reset.Format(time.RFC3339), "nodeCount": v.nodes},
		"repository": gqlLazy(func(args map[string]any) (any, *gqlError) {
			owner, _ := args["owner"].(string)
			name, _ := args["name"].(string)
			repo, ok := s.repos[owner+"/"+name]
			if !ok {
				return nil, &gqlError{Type: "NOT_FOUND",
					Message: "Could not resolve to a Repository with the name '" + owner + "/" + name + "'."}
			}
			return s.gqlRepo(repo), nil
		}),
	}
	data := ex.object(root, sel, nil)
	out := map[string]any{"data": data}
	if len(ex.errs) > 0 {
		out["errors"] = ex.errs
	}
	writeJSON(w, http.StatusOK, out)
}

type gqlExec struct{ errs []gqlError }

func (ex *gqlExec) object(o gqlObj, sel []*gqlField, path []any) map[string]any {
	out := make(map[string]any, len(sel))
	for _, f := range sel {
		out[f.Key()] = ex.value(o[f.Name], f, append(append([]any(nil), path...), f.Key()))
	}
	return out
}

func (ex *gqlExec) value(v any, f *gqlField, path []any) any {
	if lazy, ok := v.(gqlLazy); ok {
		args := f.Args
		if args == nil {
			args = map[string]any{}
		}
		res, err := lazy(args)
		if err != nil {
			err.Path = path
			err.Locations = loc(f.Line, f.Col)
			ex.errs = append(ex.errs, *err)
			return nil
		}
		v = res
	}
	switch x := v.(type) {
	case gqlObj:
		return ex.object(x, f.Sel, path)
	case []gqlObj:
		out := make([]any, len(x))
		for i, o := range x {
			out[i] = ex.object(o, f.Sel, append(append([]any(nil), path...), i))
		}
		return out
	}
	return v
}

func gqlCursor(n int) string {
	return base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(n)))
}

// gqlConnection pages items by first/after or last/before; capped, when
// set, limits a page further (MaxPerPage, to exercise paging).
func gqlConnection(typ string, items []gqlObj, args map[string]any, capped int) (any, *gqlError) {
	at := func(key string) (int, *gqlError) {
		c, _ := args[key].(string)
		if c == "" {
			return -1, nil
		}
		b, err := base64.StdEncoding.DecodeString(c)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return 0, &gqlError{Message: "`" + c + "` does not appear to be a valid cursor."}
		}
		return n, nil
	}
	start, end := 0, len(items)
	if n, err := at("after"); err != nil {
		return nil, err
	} else if n >= 0 {
		start = n
	}
	if n, err := at("before"); err != nil {
		return nil, err
	} else if n >= 0 {
		end = max(n-1, start)
	}
	if x, ok := args["first"]; ok && x != nil {
		n := toInt(x)
		if capped > 0 {
			n = min(n, capped)
		}
		end = min(end, start+n)
	}
	if x, ok := args["last"]; ok && x != nil {
		n := toInt(x)
		if capped > 0 {
			n = min(n, capped)
		}
		start = max(start, end-n)
	}
	var endCursor, startCursor any
	if end > start {
		endCursor, startCursor = gqlCursor(end), gqlCursor(start+1)
	}
	return gqlObj{"__typename": typ, "totalCount": len(items), "nodes": items[start:end],
		"pageInfo": gqlObj{"__typename": "PageInfo", "hasNextPage": end < len(items), "hasPreviousPage": start > 0,
			"endCursor": endCursor, "startCursor": startCursor}}, nil
}

// enumOf is an enum value written in the query or given as a variable.
func enumOf(v any) string {
	switch x := v.(type) {
	case gqlEnum:
		return string(x)
	case string:
		return x
	}
	return ""
}

// direction is the orderBy argument's direction (dflt when not given).
func direction(args map[string]any, dflt string) (field, dir string) {
	field, dir = "CREATED_AT", dflt
	if o, ok := args["orderBy"].(map[string]any); ok {
		if f := enumOf(o["field"]); f != "" {
			field = f
		}
		if d := enumOf(o["direction"]); d != "" {
			dir = d
		}
	}
	return field, dir
}

func (s *Server) gqlRepo(repo *Repo) gqlObj {
	issuesOff, hasOff := repo.Off["issues"]
	return gqlObj{"__typename": "Repository", "name": repo.Name, "nameWithOwner": repo.Owner + "/" + repo.Name,
		"hasIssuesEnabled": !hasOff || issuesOff.Status != http.StatusGone,
		"deployments": gqlLazy(func(args map[string]any) (any, *gqlError) {
			if off, ok := repo.Off["deployments"]; ok {
				return nil, &gqlError{Type: "FORBIDDEN", Message: off.Message}
			}
			_, dir := direction(args, "ASC")
			nodes := make([]gqlObj, 0, len(repo.Deployments))
			for _, d := range repo.Deployments { // newest first
				nodes = append(nodes, gqlDeployment(d, repo.Statuses))
			}
			if dir == "ASC" {
				for i, j := 0, len(nodes)-1; i < j; i, j = i+1, j-1 {
					nodes[i], nodes[j] = nodes[j], nodes[i]
				}
			}
			return gqlConnection("DeploymentConnection", nodes, args, s.MaxPerPage)
		}),
		"issues": gqlLazy(func(args map[string]any) (any, *gqlError) {
			if hasOff && issuesOff.Status == http.StatusGone {
				return gqlConnection("IssueConnection", nil, args, s.MaxPerPage)
			}
			if hasOff {
				return nil, &gqlError{Type: "FORBIDDEN", Message: issuesOff.Message}
			}
			field, dir := direction(args, "ASC")
			var labels, states []string
			if l, ok := args["labels"].([]any); ok {
				for _, x := range l {
					if n, ok := x.(string); ok {
						labels = append(labels, n)
					}
				}
			}
			if l, ok := args["states"].([]any); ok {
				for _, x := range l {
					if n := enumOf(x); n != "" {
						states = append(states, strings.ToLower(n))
					}
				}
			}
			var sel []*Issue
			for _, i := range repo.issues {
				if i.PullRequest || (len(states) > 0 && !hasFold(states, i.State)) {
					continue
				}
				ok := len(labels) == 0 // any of the labels
				for _, l := range labels {
					ok = ok || hasFold(i.Labels, l)
				}
				if ok {
					sel = append(sel, i)
				}
			}
			sortIssues(sel, field == "UPDATED_AT", dir == "DESC")
			nodes := make([]gqlObj, 0, len(sel))
			for _, i := range sel {
				nodes = append(nodes, s.gqlIssue(repo, i))
			}
			return gqlConnection("IssueConnection", nodes, args, s.MaxPerPage)
		}),
	}
}

// gqlDeployment is a REST deployment as a GraphQL Deployment.
func gqlDeployment(d map[string]any, statuses map[int64][]map[string]any) gqlObj {
	id := toInt64(d["id"])
	var ref any
	if s, _ := d["ref"].(string); s != "" && s != d["sha"] {
		ref = gqlObj{"__typename": "Ref", "name": s}
	}
	var creator any
	if c, ok := d["creator"].(map[string]any); ok {
		login, _ := c["login"].(string)
		typ, _ := c["type"].(string)
		if typ == "" {
			typ = "User"
		}
		creator = gqlObj{"__typename": typ, "login": strings.TrimSuffix(login, "[bot]")}
	}
	ss := statuses[id] // newest first
	nodes := make([]gqlObj, 0, len(ss))
	for i := len(ss) - 1; i >= 0; i-- { // a connection lists them oldest first
		nodes = append(nodes, gqlStatus(ss[i]))
	}
	var latest any
	if len(ss) > 0 {
		latest = gqlStatus(ss[0])
	}
	updated := d["updated_at"]
	if updated == nil {
		updated = d["created_at"]
	}
	return gqlObj{"__typename": "Deployment",
		"databaseId": id, "environment": d["environment"], "commitOid": d["sha"], "task": d["task"],
		"description": d["description"], "createdAt": d["created_at"], "updatedAt": updated, "ref": ref, "creator": creator,
		"latestStatus": latest,
		"statuses": gqlLazy(func(args map[string]any) (any, *gqlError) {
			return gqlConnection("DeploymentStatusConnection", nodes, args, 0)
		}),
	}
}

func gqlStatus(st map[string]any) gqlObj {
	state, _ := st["state"].(string)
	return gqlObj{"__typename": "DeploymentStatus", "state": strings.ToUpper(state), "createdAt": st["created_at"], "description": st["description"]}
}

// gqlIssue is an issue as a GraphQL Issue (url is the web address).
func (s *Server) gqlIssue(repo *Repo, i *Issue) gqlObj {
	labels := make([]gqlObj, 0, len(i.Labels))
	for _, name := range i.Labels {
		labels = append(labels, gqlObj{"__typename": "Label", "name": name})
	}
	var reason any
	if i.StateReason != "" {
		reason = strings.ToUpper(i.StateReason)
	}
	full := repo.Owner + "/" + repo.Name
	return gqlObj{"__typename": "Issue", "number": i.Number, "title": i.Title, "body": i.Body,
		"url":       s.HTMLURL + "/" + full + "/issues/" + strconv.Itoa(i.Number),
		"createdAt": stamp(i.Created), "updatedAt": stamp(i.updated), "closedAt": stamp(i.Closed),
		"state": strings.ToUpper(i.State), "stateReason": reason,
		"labels": gqlLazy(func(args map[string]any) (any, *gqlError) {
			return gqlConnection("LabelConnection", labels, args, 0)
		}),
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

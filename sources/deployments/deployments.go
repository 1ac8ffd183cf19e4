// Package deployments is the `deployments` file source (docs/configuration.md#deployments): a
// JSON array of deployment objects
//
//	{id, environment, sha, ref, task, description, creator, created_at, status}
//
// (optionally `statuses`, every status the deployment went through, and
// `repo`), or the same columns as JSON Lines or CSV, read with the tabular
// reader (so the same rules apply: header/keys case-insensitive, errors
// name "<file>:<line>"). Required: id, environment, created_at.
//
// `id` may be a number or a string. `creator` may be a login or, as in a
// dump of the GitHub deployments API, an object with a `login`. `status` is
// the latest status; `statuses` (a JSON array, or in CSV a cell separated
// by ',', ';' or '|') adds the others. Both are lower-cased and Statuses
// always includes Status. When only `statuses` is given, Status stays empty:
// their order is not known, so no "latest" is guessed.
//
// The source records facts only: whether a deployment is production or a
// rollback is decided by the policies.
package deployments

import (
	"context"
	_ "embed"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/tabular"
)

// columns are the columns of a deployments file, as documented.
var columns = []sources.Column{
	{Name: "id", Required: true, Doc: "Deployment identifier (a number or a string)."},
	{Name: "environment", Required: true, Doc: "Target environment; production when it is one of `production_environments`."},
	{Name: "sha", Doc: "The deployed commit; rollbacks are detected from it."},
	{Name: "ref", Doc: "Branch or tag deployed."},
	{Name: "task", Doc: "Deployment task (`deploy`, `deploy:rollback`); mentioning `rollback` (any case) makes it a rollback."},
	{Name: "description", Doc: "Free text; mentioning `rollback` (any case) makes it a rollback."},
	{Name: "creator", Doc: "Who created it: a login, or an object with a `login` as the GitHub API gives it. Not in `automation_actors` = a manual change."},
	{Name: "created_at", Type: "time", Required: true, Doc: "When it was created; places it in the window."},
	{Name: "status", Doc: "The latest status (`success`, `failure`, `error`, `inactive`, ...); `failure` or `error` is a failed deployment."},
	{Name: "statuses", Type: "list", Doc: "Every status it went through (a JSON array, or in CSV a cell separated by `,`, `;` or `|`); any `success` makes it successful."},
	{Name: "repo", Doc: "The repository, when one file holds several."},
}

// Columns that must be present and non-empty.
var Columns = sources.RequiredColumns(columns)

//go:embed deployments.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:        "deployments",
		Summary:     "deployments from JSON/CSV (id,environment,sha,ref,task,description,creator,created_at,status)",
		Doc:         doc,
		Columns:     columns,
		Collections: []snapshot.Provided{{Collection: snapshot.Deployments.Name()}},
		Shardable:   true,
		Build: sources.Typed(func(c *sources.FileConfig) (*source, error) {
			if err := tabular.CheckPaths(c); err != nil {
				return nil, err
			}
			return &source{cfg: c}, nil
		}),
	})
}

type source struct{ cfg *sources.FileConfig }

func (s *source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	res := &sources.Result{}
	paths, err := tabular.Each(ctx, env, s.cfg, Columns, res, func(r *tabular.Row) error {
		d := FromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		res.Data.Deployments = append(res.Data.Deployments, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Files = paths
	return res, nil
}

// FromRow maps a row onto a Deployment.
func FromRow(r *tabular.Row, source string) snapshot.Deployment {
	d := snapshot.Deployment{
		ID:          r.Str("id"),
		Repo:        r.Str("repo"),
		Environment: r.Str("environment"),
		SHA:         r.Str("sha"),
		Ref:         r.Str("ref"),
		Task:        r.Str("task"),
		Description: r.Str("description"),
		Creator:     creator(r),
		Status:      r.Enum("status"),
		Source:      source,
		Origin:      r.Origin(),
	}
	d.CreatedAt, d.CreatedAtMS = r.Time("created_at")
	d.Statuses = statuses(d.Status, r.List("statuses"))
	return d
}

// creator reads a login, or {"login": ...} as the GitHub API gives it.
func creator(r *tabular.Row) string {
	if obj, ok := r.Raw("creator").(map[string]any); ok {
		if s, ok := obj["login"].(string); ok {
			return strings.TrimSpace(s)
		}
		r.Fail("creator", "expected a login or an object with a login")
		return ""
	}
	return r.Str("creator")
}

// statuses lower-cases the list, drops duplicates and makes sure it holds
// the latest status. It is never nil (an empty JSON array when unknown).
func statuses(latest string, given []string) []string {
	out := make([]string, 0, len(given)+1)
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range given {
		add(s)
	}
	add(latest)
	return out
}

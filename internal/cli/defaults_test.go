package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const botAndHumanDeployments = `[
  {"id": "1", "environment": "production", "sha": "aaa", "ref": "main", "task": "deploy", "description": "release",
   "creator": "github-actions[bot]", "created_at": "2026-11-20T10:00:00Z", "status": "success"},
  {"id": "2", "environment": "production", "sha": "bbb", "ref": "main", "task": "deploy", "description": "hotfix",
   "creator": "alice", "created_at": "2026-11-21T10:00:00Z", "status": "success"}
]
`

// Without automation_actors, a production deployment by github-actions[bot]
// is automation; an explicit empty list makes every deployment manual.
func TestAutomationActorsDefaultEndToEnd(t *testing.T) {
	cases := []struct {
		name, attr string
		want       float64
	}{
		{"not given", "", 1},
		{"explicit empty list", "automation_actors = []\n", 2},
		{"explicit list", "automation_actors = [\"alice\"]\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.attr + baseConfig + "source \"deployments\" \"releases\" { paths = [\"deployments.json\"] }\n"
			dir := fixture(t, map[string]string{"posture.hcl": cfg, "deployments.json": botAndHumanDeployments})
			code, r, errs := evalJSON(t, dir)
			require.Equal(t, ExitOK, code, errs)
			m := metric(t, r, "manual_prod_changes")
			require.NotNil(t, m.Value)
			assert.Equal(t, tc.want, *m.Value)
		})
	}
}

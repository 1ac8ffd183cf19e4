package github

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type said struct {
	mu    sync.Mutex
	lines []string
}

func (s *said) say(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, l)
}

func TestBudgetLine(t *testing.T) {
	f := newFake(t)
	world(f)
	tr := true
	s, _ := build(t, f, Config{GraphQL: &tr})
	env := envWith(tokenEnv(), nil)
	out := &said{}
	env.Say = out.say
	_, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	// 2 repositories: 3 organisation alert lists; 2 GraphQL queries (the
	// deployments and incident issues of each). The user, the owners and
	// the repository list were read before: 5 of the 5000.
	assert.Equal(t, []string{"github: ~3 requests needed, 4995 remaining (resets at 2026-11-20T11:00:00Z); ~2 GraphQL points, 5000 remaining"}, out.lines)
	assert.Equal(t, 1, f.Count("GET /rate_limit"))
}

func TestBudgetRefusesWhenQuotaIsShort(t *testing.T) {
	f := newFake(t)
	world(f)
	f.QuotaLimit = 7 // 5 spent before the check, 2 left for ~3
	tr := true
	s, _ := build(t, f, Config{GraphQL: &tr})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Equal(t, "github source org: ~3 requests needed for 2 repositories, 2 remaining until 2026-11-20T11:00:00Z: not started (wait for the reset, or set require_quota = false)", err.Error())
	assert.Empty(t, f.Log("POST /graphql"))
	assert.Empty(t, f.Log("GET /orgs/acme/dependabot"))

	fa := false
	s, _ = build(t, f, Config{GraphQL: &tr, RequireQuota: &fa})
	f.ResetQuota()
	_, err = s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.NoError(t, err, "require_quota = false tries anyway")
}

func TestBudgetRefusesBeyondMaxRequests(t *testing.T) {
	f := newFake(t)
	world(f)
	s, _ := build(t, f, Config{MaxRequests: 8})
	_, err := s.Collect(context.Background(), envWith(tokenEnv(), nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "but max_requests leaves 3: not started (raise max_requests)")
}

// With answers cached by an earlier run, unchanged ones are free: the
// line is shown, the run is not refused.
func TestBudgetWithCacheOnlyShowsTheLine(t *testing.T) {
	f := newFake(t)
	world(f)
	dir := filepath.Join(t.TempDir(), ".cache")
	collectCached(t, f, dir)
	f.QuotaLimit = 7
	f.ResetQuota()
	tr := true
	s, _ := build(t, f, Config{GraphQL: &tr})
	env := envWith(tokenEnv(), nil)
	env.CacheDir = dir
	out := &said{}
	env.Say = out.say
	_, err := s.Collect(context.Background(), env)
	require.NoError(t, err)
	require.Len(t, out.lines, 1)
	assert.Contains(t, out.lines[0], "; unchanged answers are free (cache)")
	assert.Equal(t, 2, f.Quota(), "the secret scanning pages only")
	// A first run with an empty cache folder is checked.
	f.ResetQuota()
	s, _ = build(t, f, Config{GraphQL: &tr})
	env.CacheDir = filepath.Join(t.TempDir(), ".cache")
	_, err = s.Collect(context.Background(), env)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not started")
}

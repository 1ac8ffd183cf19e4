package github

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
)

// The tests read from the shared fake GitHub REST API
// (internal/githubapi/ghfake), laid out as GitHub Enterprise Server
// (/api/v3), with lists paged two items at a time.

var now0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const testToken = "ghp_TESTTOKENtesttoken0123456789abcdefXYZ"

type fake = ghfake.Server

func newFake(t *testing.T) *fake {
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.MaxPerPage = 2
	f.Token = testToken
	f.Owners["acme"] = "Organization"
	f.Clock = func() time.Time { return now0 }
	return f
}

// recorder is the injected clock and sleeper: waits are recorded, nothing
// sleeps.
type recorder struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (r *recorder) Now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	r.now = r.now.Add(d)
	return ctx.Err()
}

func (r *recorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

package sourcetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
	_ "time/tzdata" // hermetic Europe/Berlin

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
)

// AsOf is the evaluation instant of the source tests: the day after the
// sample lines and rows (late November 2026), so that syslog stamps
// without a year fall in 2026.
var AsOf = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// Berlin is the Europe/Berlin zone (UTC+1, UTC+2 in summer), the zone the
// tests configure to see that zoneless stamps are read in it.
func Berlin(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(tb, err)
	return loc
}

// Collect collects env with src and requires it to succeed.
func Collect(tb testing.TB, src sources.Source, env sources.Env) *sources.Result {
	tb.Helper()
	res, err := src.Collect(context.Background(), env)
	require.NoError(tb, err)
	return res
}

// CollectKind builds a source of the registered kind from cfg, as the
// config loader does, and collects env with it.
func CollectKind(ctx context.Context, tb testing.TB, kind string, cfg any, env sources.Env) (*sources.Result, error) {
	tb.Helper()
	return newSource(tb, kind, cfg).Collect(ctx, env)
}

// RequireKind checks the registration of kind: the config it makes is of
// valid's type, valid builds a source and wrong (a config of another type)
// is refused.
func RequireKind(tb testing.TB, kind string, valid, wrong any) {
	tb.Helper()
	k, ok := sources.Lookup(kind)
	require.True(tb, ok, kind)
	require.IsType(tb, valid, k.NewConfig(), kind)
	src, err := k.New(valid)
	require.NoError(tb, err, kind)
	require.NotNil(tb, src, kind)
	_, err = k.New(wrong)
	require.Error(tb, err, kind)
}

// RequireMissing collects src over an empty folder and requires an error
// that names path, the configured file that is not there.
func RequireMissing(tb testing.TB, src sources.Source, path string) {
	tb.Helper()
	_, err := src.Collect(context.Background(), sources.Env{Name: "src", AsOf: AsOf, BaseDir: tb.TempDir()})
	require.Error(tb, err)
	assert.Contains(tb, err.Error(), path)
}

// RequireCancelled collects src over dir with a cancelled context and
// requires context.Canceled.
func RequireCancelled(tb testing.TB, src sources.Source, dir string) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := src.Collect(ctx, sources.Env{Name: "src", AsOf: AsOf, BaseDir: dir})
	require.ErrorIs(tb, err, context.Canceled)
}

// Countdown is a context whose Err turns to context.Canceled after a
// number of calls, to check deterministically that a long file is
// abandoned mid-way. It is safe for the goroutines of a split file.
type Countdown struct {
	context.Context
	left atomic.Int64
}

// NewCountdown returns a Countdown whose first n calls of Err return nil.
func NewCountdown(n int) *Countdown {
	c := &Countdown{Context: context.Background()}
	c.Reset(n)
	return c
}

// Reset makes the next n calls of Err return nil.
func (c *Countdown) Reset(n int) { c.left.Store(int64(n)) }

// Err returns context.Canceled once the calls are used up.
func (c *Countdown) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

package logfile

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// testLines parses "ban <ip>" (one event), "twice <ip>" (two events) and
// "ok" (no event); anything else is skipped. Each event's detail is the
// number of the file's parser and its line count so far, to show that
// parsers are per file.
func testLines(calls *int, locs *[]*time.Location) NewLineFunc {
	return func(loc *time.Location, at time.Time) LineFunc {
		*calls++
		*locs = append(*locs, loc)
		file, n := *calls, 0
		return func(dst []Event, line []byte) ([]Event, bool) {
			n++
			verb, ip, _ := strings.Cut(string(line), " ")
			ev := Event{Type: snapshot.EventBan, T: at, IP: ip, Detail: strings.Repeat("f", file) + strings.Repeat("n", n)}
			switch verb {
			case "ban":
				return append(dst, ev), true
			case "twice":
				return append(dst, ev, ev), true
			case "ok":
				return dst, true
			}
			return dst, false
		}
	}
}

func TestCollect(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "logs", "a.log"), "ban 192.0.2.1\r\ngarbage\n\nok\ntwice 192.0.2.2\n")
	sourcetest.WriteGzip(t, filepath.Join(dir, "logs", "a.log.1.gz"), "ok\nban 192.0.2.3")
	f, err := New([]string{"logs/a.log*"}, "Europe/Berlin")
	require.NoError(t, err)
	var (
		calls int
		locs  []*time.Location
	)
	res, err := f.Collect(context.Background(), sources.Env{Name: "src", AsOf: sourcetest.AsOf, BaseDir: dir}, testLines(&calls, &locs))
	require.NoError(t, err)

	assert.Equal(t, []string{"logs/a.log", "logs/a.log.1.gz"}, res.Files)
	assert.Equal(t, 2, res.SkippedLines) // garbage and the empty line
	assert.Equal(t, 2, calls, "one parser per file")
	require.Len(t, locs, 2)
	assert.Equal(t, "Europe/Berlin", locs[0].String())

	bans := res.Data.EventSlice(snapshot.EventBan)
	require.Len(t, bans, 4)
	assert.Equal(t, snapshot.Event{
		TimeMS: sourcetest.AsOf.UnixMilli(), Time: "2026-11-28T00:00:00Z",
		Source: "src", Origin: "logs/a.log:1", IP: "192.0.2.1", Detail: "fn",
	}, bans[0])
	assert.Equal(t, "logs/a.log:5", bans[1].Origin)
	assert.Equal(t, bans[1], bans[2])
	assert.Equal(t, "fnnnnn", bans[2].Detail)
	assert.Equal(t, "logs/a.log.1.gz:2", bans[3].Origin)
	assert.Equal(t, "ffnn", bans[3].Detail, "the second file has its own parser")
	requireTightSegments(t, res)
}

func TestZone(t *testing.T) {
	berlin := sourcetest.Berlin(t)
	f, err := New([]string{"x"}, "")
	require.NoError(t, err)
	assert.Equal(t, time.UTC, f.Zone(sources.Env{}))
	assert.Equal(t, berlin, f.Zone(sources.Env{Zone: berlin}))
	f, err = New([]string{"x"}, "UTC")
	require.NoError(t, err)
	assert.Equal(t, "UTC", f.Zone(sources.Env{Zone: berlin}).String())
}

func TestNew(t *testing.T) {
	_, err := New(nil, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "paths")
	_, err = New([]string{"x"}, "Mars/Olympus")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timezone")
}

func TestCollectErrors(t *testing.T) {
	var (
		calls int
		locs  []*time.Location
	)
	parse := testLines(&calls, &locs)
	f, err := New([]string{"logs/nope.log"}, "")
	require.NoError(t, err)
	_, err = f.Collect(context.Background(), sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: t.TempDir()}, parse)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "logs/nope.log")

	dir := sourcetest.DirWith(t, "bad.log.gz", "not gzip")
	f, err = New([]string{"bad.log.gz"}, "")
	require.NoError(t, err)
	_, err = f.Collect(context.Background(), sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir}, parse)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "bad.log.gz: "), err.Error())
}

func TestCollectCancelled(t *testing.T) {
	dir := sourcetest.DirWith(t, "a.log", strings.Repeat("ban 192.0.2.1\n", 2*CancelEvery))
	f, err := New([]string{"a.log"}, "")
	require.NoError(t, err)
	env := sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir}
	var (
		calls int
		locs  []*time.Location
	)
	parse := testLines(&calls, &locs)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.Collect(ctx, env, parse)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, calls, "cancelled before the first file")

	// Cancelled at the first in-file check: wrapped with the file name.
	_, err = f.Collect(sourcetest.NewCountdown(1), env, parse)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "a.log: ")

	res, err := f.Collect(sourcetest.NewCountdown(3), env, parse)
	require.NoError(t, err)
	assert.Len(t, res.Data.EventSlice(snapshot.EventBan), 2*CancelEvery)
}

func TestRegister(t *testing.T) {
	const kind = "logfile_test_log"
	var (
		calls int
		locs  []*time.Location
	)
	newSource := Register(sources.Kind{Name: kind, Summary: "test"}, testLines(&calls, &locs))
	_, err := newSource(nil)
	require.Error(t, err)
	_, err = newSource(&Config{Paths: []string{"x"}, Timezone: "Nowhere/Land"})
	require.Error(t, err)

	k, ok := sources.Lookup(kind)
	require.True(t, ok)
	assert.Equal(t, "test", k.Summary)
	cfg := k.NewConfig()
	require.IsType(t, &Config{}, cfg)
	_, err = k.New(cfg)
	require.Error(t, err, "paths is required")
	src, err := k.New(struct{}{})
	require.Error(t, err)
	assert.Nil(t, src)

	dir := sourcetest.DirWith(t, "a.log", "ban 192.0.2.1\n")
	cfg.(*Config).Paths = []string{"a.log"}
	src, err = k.New(cfg)
	require.NoError(t, err)
	res := sourcetest.Collect(t, src, sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir})
	assert.Len(t, res.Data.EventSlice(snapshot.EventBan), 1)
}

func TestOne(t *testing.T) {
	parse := One(func(line []byte) (Event, bool) {
		switch string(line) {
		case "event":
			return Event{Type: snapshot.EventBan, IP: "192.0.2.1"}, true
		case "none":
			return Event{}, true
		}
		return Event{}, false
	})
	dst, ok := parse(nil, []byte("event"))
	assert.True(t, ok)
	assert.Equal(t, []Event{{Type: snapshot.EventBan, IP: "192.0.2.1"}}, dst)
	dst, ok = parse(dst[:0], []byte("none"))
	assert.True(t, ok)
	assert.Empty(t, dst)
	_, ok = parse(dst, []byte("junk"))
	assert.False(t, ok)
}

package logfile

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources/internal/sourcetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// splitAll makes every file be split into n ranges for the test.
func splitAll(t *testing.T, n int) {
	oldSize, oldRanges := SplitSize, SplitRanges
	SplitSize, SplitRanges = 0, n
	t.Cleanup(func() { SplitSize, SplitRanges = oldSize, oldRanges })
}

// stateless parses "ban <ip>" (one event at the instant in the line's
// number of seconds after at), "twice <ip>" (two events) and "ok".
func stateless(_ *time.Location, at time.Time) LineFunc {
	return func(dst []Event, line []byte) ([]Event, bool) {
		verb, ip, _ := strings.Cut(string(line), " ")
		ev := Event{Type: snapshot.EventBan, T: at.Add(time.Duration(len(line)) * time.Second), IP: ip}
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

// remember parses "user <name>" (remembered, no event), "fail <ip>" (an
// event for the remembered user) and "again" (the previous line's event
// once more; the state stays). "ok" changes nothing. Anything else is
// skipped and forgets the user. So the state after a "user" line (or a
// skipped one) depends on that line alone; after the others it does not.
func remember(_ *time.Location, at time.Time) LineFunc {
	var user string
	var last *Event
	return func(dst []Event, line []byte) ([]Event, bool) {
		verb, arg, _ := strings.Cut(string(line), " ")
		switch verb {
		case "user":
			user, last = arg, nil
			return dst, true
		case "fail":
			last = &Event{Type: snapshot.EventLoginFailed, T: at, IP: arg, User: user}
			return append(dst, *last), true
		case "again":
			if last == nil {
				return dst, false
			}
			return append(dst, *last), true
		}
		user, last = "", nil
		return dst, false
	}
}

var rememberCarry = PrimedBy(func(line []byte) bool { return bytes.HasPrefix(line, []byte("user ")) })

func bigLog(lines int) []byte {
	var b bytes.Buffer
	for i := range lines {
		switch i % 11 {
		case 0:
			fmt.Fprintf(&b, "user u%d\r\n", i)
		case 1, 2:
			fmt.Fprintf(&b, "fail 192.0.2.%d\n", i%256)
		case 3, 4, 5:
			b.WriteString("again\n")
		case 6:
			fmt.Fprintf(&b, "ban 198.51.100.%d\n", i%256)
		case 7:
			fmt.Fprintf(&b, "twice 203.0.113.%d\r\n", i%256)
		case 8:
			b.WriteString("\n")
		case 9:
			b.WriteString("\x00garbage\n")
		default:
			b.WriteString("ok\n")
		}
	}
	b.WriteString("fail 192.0.2.250") // no final newline
	return b.Bytes()
}

func collectBoth(t *testing.T, dir string, newLine NewLineFunc, carry Carry, n int) (seq, split *sources.Result) {
	t.Helper()
	f, err := New([]string{"logs/*.log"}, "")
	require.NoError(t, err)
	env := sources.Env{Name: "src", AsOf: sourcetest.AsOf, BaseDir: dir}
	seq, err = f.Collect(context.Background(), env, newLine)
	require.NoError(t, err)
	splitAll(t, n)
	split, err = f.CollectWith(context.Background(), env, newLine, carry)
	require.NoError(t, err)
	return seq, split
}

func TestCollectSplitMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "logs", "a.log"), bigLog(30000))
	sourcetest.WriteFile(t, filepath.Join(dir, "logs", "b.log"), bigLog(777))
	for _, n := range []int{2, 3, 8, 61} {
		seq, split := collectBoth(t, dir, remember, rememberCarry, n)
		require.Greater(t, len(seq.Data.EventSlice(snapshot.EventLoginFailed)), 10000)
		sourcetest.SameResult(t, seq, split, fmt.Sprintf("primed, %d ranges", n))
		seq, split = collectBoth(t, dir, stateless, Stateless, n)
		require.Greater(t, len(seq.Data.EventSlice(snapshot.EventBan)), 5000)
		sourcetest.SameResult(t, seq, split, fmt.Sprintf("stateless, %d ranges", n))
		requireTightSegments(t, seq)
		requireTightSegments(t, split)
	}
}

// requireTightSegments checks that the events are held in segments none of
// which is mostly empty: memory follows the events kept, however many
// files and ranges there were.
func requireTightSegments(t *testing.T, res *sources.Result) {
	t.Helper()
	for typ, l := range res.Data.Events {
		n, held := 0, 0
		for _, seg := range l.Segments() {
			require.NotEmpty(t, seg, typ)
			require.LessOrEqual(t, cap(seg), 2*len(seg), "%s: a segment of %d events holds room for %d", typ, len(seg), cap(seg))
			n, held = n+len(seg), held+cap(seg)
		}
		require.Equal(t, l.Len(), n, typ)
		require.LessOrEqual(t, held, 2*n, typ)
	}
}

// The comparison above must be able to fail: without priming, the events
// at range starts lose their user.
func TestCollectSplitNeedsPriming(t *testing.T) {
	dir := t.TempDir()
	sourcetest.WriteFile(t, filepath.Join(dir, "logs", "a.log"), bigLog(30000))
	seq, split := collectBoth(t, dir, remember, Stateless, 61)
	assert.NotEqual(t, sourcetest.EventSlices(seq), sourcetest.EventSlices(split))
}

func TestSequentialNeverSplits(t *testing.T) {
	dir := sourcetest.DirWith(t, "a.log", strings.Repeat("ban 192.0.2.1\n", 5000))
	splitAll(t, 4)
	f, err := New([]string{"a.log"}, "")
	require.NoError(t, err)
	var (
		calls int
		locs  []*time.Location
	)
	res, err := f.Collect(context.Background(), sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir}, testLines(&calls, &locs))
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "one parser: the file was read in one pass")
	bans := res.Data.EventSlice(snapshot.EventBan)
	require.Len(t, bans, 5000)
	assert.Equal(t, "f"+strings.Repeat("n", 5000), bans[4999].Detail)

	// Register without a Carry is Sequential too.
	newSource := Register(sources.Kind{Name: "logfile_split_test_log", Summary: "test"}, testLines(&calls, &locs))
	src, err := newSource(&Config{Paths: []string{"a.log"}})
	require.NoError(t, err)
	calls = 0
	_, err = src.Collect(context.Background(), sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir})
	require.NoError(t, err)
	assert.Equal(t, 1, calls)
	assert.Panics(t, func() {
		Register(sources.Kind{Name: "logfile_split_test_log2", Summary: "test"}, stateless, Stateless, Sequential)
	})
}

func TestCollectSplitCancelled(t *testing.T) {
	dir := sourcetest.DirWith(t, "a.log", strings.Repeat("ban 192.0.2.1\n", 8*CancelEvery))
	splitAll(t, 4)
	f, err := New([]string{"a.log"}, "")
	require.NoError(t, err)
	env := sources.Env{Name: "b", AsOf: sourcetest.AsOf, BaseDir: dir}
	ctx := sourcetest.NewCountdown(3) // the check before the file, then two in-file checks
	_, err = f.CollectWith(ctx, env, stateless, Stateless)
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, strings.HasPrefix(err.Error(), "a.log: "), err.Error())

	ctx.Reset(1000)
	res, err := f.CollectWith(ctx, env, stateless, Stateless)
	require.NoError(t, err)
	assert.Len(t, res.Data.EventSlice(snapshot.EventBan), 8*CancelEvery)
}

package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventsPart is a part with n login_failed events (odd characters in some)
// and n/3 ban events.
func eventsPart(n int) *Part {
	p := &Part{Source: "bastion", Kind: "sshd_log", SkippedLines: 7, Files: []string{"auth.log"}}
	p.Data.Events = map[string]EventList{EventLoginFailed: {}}
	for i := range n {
		e := Event{TimeMS: int64(1795737600000 + i), Time: fmt.Sprintf("2026-11-27T00:00:%02dZ", i%60), Source: "bastion",
			Origin: fmt.Sprintf("auth.log:%d", i+1), IP: fmt.Sprintf("192.0.2.%d", i%256)}
		if i%5 == 0 {
			e.User = fmt.Sprintf("we\"ird\xff %d \u2028", i)
		}
		p.Data.AddEvent(EventLoginFailed, e)
		if i%3 == 0 {
			p.Data.AddEvent(EventBan, e)
		}
	}
	return p
}

// encodeWith encodes p with the given block size and number of workers
// (1: the sequential loop).
func encodeWith(t *testing.T, p *Part, block, workers int) ([]byte, string) {
	t.Helper()
	oldBlock, oldWorkers := encodeBlock, encodeWorkers
	encodeBlock, encodeWorkers = block, func() int { return workers }
	defer func() { encodeBlock, encodeWorkers = oldBlock, oldWorkers }()
	p.SHA256 = ""
	b, err := p.Encode()
	require.NoError(t, err)
	return b, p.SHA256
}

func TestEventsParallelMatchesSequential(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 5, 6, 7, 100, 1000, 20000} {
		p := eventsPart(n)
		want, wantSum := encodeWith(t, p, 4096, 1)
		sum := sha256.Sum256(want)
		require.Equal(t, hex.EncodeToString(sum[:]), wantSum)
		for _, block := range []int{1, 2, 3, 64, 4096} {
			for _, workers := range []int{2, 3, 8} {
				got, gotSum := encodeWith(t, p, block, workers)
				assert.Equal(t, string(want), string(got), "n=%d block=%d workers=%d", n, block, workers)
				assert.Equal(t, wantSum, gotSum, "n=%d block=%d workers=%d", n, block, workers)
			}
		}
	}
}

// resegment returns a copy of p whose event lists are cut into segments of
// the given sizes in turn (as ranges of a log parsed in parallel hold them).
func resegment(p *Part, sizes ...int) *Part {
	q := *p
	q.Data.Events = map[string]EventList{}
	for typ, l := range p.Data.Events {
		all := l.Slice()
		var segs [][]Event
		for i, k := 0, 0; i < len(all); k++ {
			n := min(sizes[k%len(sizes)], len(all)-i)
			segs = append(segs, all[i:i+n])
			i += n
		}
		q.Data.Events[typ] = SegmentedEvents(segs)
	}
	return &q
}

// TestSegmentedEventsEncodeAsOne: how a list is cut into segments never
// shows in the bytes, whether encoded sequentially or in parallel blocks
// that straddle segment ends.
func TestSegmentedEventsEncodeAsOne(t *testing.T) {
	for _, n := range []int{1, 2, 7, 100, 20000} {
		p := eventsPart(n)
		want, wantSum := encodeWith(t, p, 4096, 1)
		for _, sizes := range [][]int{{1}, {3}, {1, 5, 2}, {8192}, {4095, 4097}} {
			q := resegment(p, sizes...)
			require.Equal(t, p.Data.Events[EventLoginFailed].Len(), q.Data.Events[EventLoginFailed].Len())
			for _, c := range []struct{ block, workers int }{{4096, 1}, {1, 2}, {3, 3}, {64, 2}, {4096, 8}} {
				got, gotSum := encodeWith(t, q, c.block, c.workers)
				assert.Equal(t, string(want), string(got), "n=%d sizes=%v %+v", n, sizes, c)
				assert.Equal(t, wantSum, gotSum)
			}
			// encoding/json through MarshalJSON writes the same array.
			j, err := json.Marshal(q.Data.Events[EventLoginFailed])
			require.NoError(t, err)
			k, err := json.Marshal(p.Data.EventSlice(EventLoginFailed))
			require.NoError(t, err)
			assert.JSONEq(t, string(k), string(j))
		}
	}
}

func TestEventListDecodesAsOneSegment(t *testing.T) {
	p := resegment(eventsPart(50), 7)
	for _, l := range p.Data.Events {
		for _, seg := range l.Segments() {
			for i := range seg { // valid UTF-8 only, so the bytes can round-trip
				seg[i].User = strings.ToValidUTF8(seg[i].User, "\ufffd")
			}
		}
	}
	b, err := p.Encode()
	require.NoError(t, err)
	var back Part
	require.NoError(t, json.Unmarshal(b, &back))
	l := back.Data.Events[EventLoginFailed]
	assert.Len(t, l.Segments(), 1)
	assert.Equal(t, 50, l.Len())
	again, err := back.Encode()
	require.NoError(t, err)
	assert.Equal(t, string(b), string(again), "decoded and encoded again: the same bytes")
	var empty EventList
	require.NoError(t, json.Unmarshal([]byte("null"), &empty))
	assert.Equal(t, 0, empty.Len())
	assert.Nil(t, empty.Slice())
}

// TestEventsParallelGolden pins the bytes: a change to both encoders at
// once would pass the comparison above.
func TestEventsParallelGolden(t *testing.T) {
	p := eventsPart(2)
	got, _ := encodeWith(t, p, 1, 2)
	assert.Equal(t, `{"source":"bastion","kind":"sshd_log","skipped_lines":7,"files":["auth.log"],
"data": {
"events": {
"ban": [
{"ts_ms":1795737600000,"time":"2026-11-27T00:00:00Z","source":"bastion","origin":"auth.log:1","ip":"192.0.2.0","user":"we\"ird\ufffd 0 \u2028"}
],
"login_failed": [
{"ts_ms":1795737600000,"time":"2026-11-27T00:00:00Z","source":"bastion","origin":"auth.log:1","ip":"192.0.2.0","user":"we\"ird\ufffd 0 \u2028"},
{"ts_ms":1795737600001,"time":"2026-11-27T00:00:01Z","source":"bastion","origin":"auth.log:2","ip":"192.0.2.1"}
]
}}}
`, string(got))
}

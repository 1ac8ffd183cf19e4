package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventsPart is a part with n login_failed events (odd characters in some)
// and n/3 ban events.
func eventsPart(n int) *Part {
	p := &Part{Source: "bastion", Kind: "sshd_log", SkippedLines: 7, Files: []string{"auth.log"}}
	p.Data.Events = map[string][]Event{EventLoginFailed: {}}
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

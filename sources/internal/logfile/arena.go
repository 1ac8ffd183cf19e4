package logfile

import "unsafe"

// arenaBlock is the size of the blocks an arena hands strings out of.
const arenaBlock = 64 << 10

// arena makes strings out of large blocks: the origin ("auth.log:123")
// and time of every event of a large log would otherwise be millions of
// small allocations, each one more object for the garbage collector to
// mark at every cycle while the events are alive. A block is never written
// again where a string was taken from it, so the strings are immutable. A
// string keeps its whole block alive; the events of a log live together,
// so that costs nothing. Not safe for concurrent use: one per range.
type arena struct {
	buf []byte
}

// string returns b as a string whose bytes live in the arena.
func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.buf)-len(a.buf) < len(b) {
		a.buf = make([]byte, 0, max(arenaBlock, len(b)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

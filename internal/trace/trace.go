// Package trace prints how long each phase of a run took, to stderr, when
// POSTURE_TRACE is set. It is a tool for performance work
// (docs/performance.md): off by default, one atomic load per phase when off.
package trace

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

var (
	out   atomic.Pointer[sinkT]
	start = time.Now()
)

type sinkT struct {
	mu sync.Mutex
	w  io.Writer
}

// Enable sends phase timings to w; nil turns them off.
func Enable(w io.Writer) {
	if w == nil {
		out.Store(nil)
		return
	}
	out.Store(&sinkT{w: w})
}

// Phase starts timing name and returns the function that ends it:
//
//	defer trace.Phase("config")()
func Phase(name string) func() {
	s := out.Load()
	if s == nil {
		return func() {}
	}
	t0 := time.Now()
	return func() {
		d := time.Since(t0)
		s.mu.Lock()
		defer s.mu.Unlock()
		fmt.Fprintf(s.w, "trace %8.3fs  %-28s %8.3fs\n", t0.Sub(start).Seconds(), name, d.Seconds())
	}
}

package app

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
)

// A lean evaluation of a stored snapshot holds the converted input (the
// fields the policies observe, its strings its own) and the evaluation's
// working values, and nothing else once the input is built. It keeps its
// memory within memoryBudgetPerByte times the snapshot's size on disk (at
// least minMemoryBudget) through the Go runtime's soft memory limit, less
// outsideRuntime: what the process maps outside the runtime (its code,
// about 30 MiB) and what the heap grows by while a collection runs. The
// collector runs more often as the heap nears the limit, never failing the
// run (past it, the runtime caps the collector's share of the CPU). A
// limit set by the user (GOMEMLIMIT) wins. docs/performance.md has the cost.
const (
	memoryBudgetPerByte = 4
	minMemoryBudget     = 256 << 20
	outsideRuntime      = 128 << 20
)

// limitMemory sets the soft memory limit for evaluating the snapshot in dir
// and returns the function that restores the previous one.
func limitMemory(dir string) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	size := snapshotBytes(dir)
	if size <= 0 {
		return func() {}
	}
	budget := max(int64(minMemoryBudget), min(size, math.MaxInt64/memoryBudgetPerByte)*memoryBudgetPerByte-outsideRuntime)
	prev := debug.SetMemoryLimit(budget)
	return func() { debug.SetMemoryLimit(prev) }
}

// snapshotBytes is the size of the files of the snapshot in dir (0 when it
// cannot be read: the read reports why).
func snapshotBytes(dir string) int64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range entries {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	}
	return n
}

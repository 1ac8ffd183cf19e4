//go:build unix && !linux

package files

// adviseSequential is a no-op where package syscall has no Madvise (darwin).
func adviseSequential([]byte) {}

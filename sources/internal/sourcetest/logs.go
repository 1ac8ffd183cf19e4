package sourcetest

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// BenchLog builds a benchmark log of n lines: line writes line i to b,
// stamped t, which starts at 2026-11-01 00:00 UTC and advances by step
// before each line.
func BenchLog(n int, step time.Duration, line func(b *bytes.Buffer, i int, t time.Time)) []byte {
	var b bytes.Buffer
	t := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		t = t.Add(step)
		line(&b, i, t)
	}
	return b.Bytes()
}

// WriteRepeated writes chunk to path as many times as it takes to reach
// size bytes (a log large enough to be parsed in parallel ranges) and
// returns the size of the file.
func WriteRepeated(tb testing.TB, path string, chunk []byte, size int) int64 {
	tb.Helper()
	if len(chunk) == 0 {
		tb.Fatal("WriteRepeated: empty chunk")
	}
	log := bytes.Repeat(chunk, (size+len(chunk)-1)/len(chunk))
	if err := os.WriteFile(path, log, 0o644); err != nil {
		tb.Fatal(err)
	}
	return int64(len(log))
}

// EachLine calls fn with each line of buf, without its "\n".
func EachLine(buf []byte, fn func(line []byte)) {
	for len(buf) > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			i = len(buf)
		}
		fn(buf[:i])
		buf = buf[min(i+1, len(buf)):]
	}
}

// AddLines adds each line to the seed corpus of f.
func AddLines(f *testing.F, lines ...string) {
	for _, l := range lines {
		f.Add([]byte(l))
	}
}

// BenchParse runs parse over each line of buf, b.N times, as a log source
// reads a file, and reports the bytes per second. parse returns the number
// of events of the line and false for a line it should have recognised:
// the benchmark fails on such a line, and when no line gave an event.
func BenchParse(b *testing.B, buf []byte, parse func(line []byte) (events int, ok bool)) {
	b.Helper()
	n := 0
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		EachLine(buf, func(line []byte) {
			events, ok := parse(line)
			if !ok {
				b.Fatalf("skipped %q", line)
			}
			n += events
		})
	}
	if n == 0 {
		b.Fatal("no events")
	}
}

package files

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// refLines is what Lines must yield for body: the newline-separated lines
// (a last one without newline too), trailing '\r' trimmed, cut to MaxLine.
func refLines(body []byte) []string {
	var out []string
	n := 0
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		line := body
		if i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		n++
		line = bytes.TrimRight(line, "\r")
		if len(line) > MaxLine {
			line = line[:MaxLine]
		}
		out = append(out, show(n, line))
	}
	return out
}

// show renders a numbered line for comparisons, long lines by length and hash.
func show(n int, line []byte) string {
	if len(line) > 200 {
		return fmt.Sprintf("%d:[%d bytes %x]", n, len(line), sha256.Sum256(line))
	}
	return fmt.Sprintf("%d:%q", n, line)
}

func collectLines(t *testing.T, p string) []string {
	t.Helper()
	var out []string
	require.NoError(t, Lines(p, func(n int, l []byte) error { out = append(out, show(n, l)); return nil }))
	return out
}

// collectRanges reads the ranges one after the other, numbering their
// lines in the file.
func collectRanges(t *testing.T, p string, rs []Range) []string {
	t.Helper()
	var out []string
	for _, r := range rs {
		before := len(out)
		require.NoError(t, RangeLines(p, r, func(n int, l []byte) error { out = append(out, show(before+n, l)); return nil }))
	}
	return out
}

// smallWindows maps one page at a time, so lines straddle windows often.
func smallWindows(t *testing.T) {
	old := mapWindow
	mapWindow = os.Getpagesize()
	t.Cleanup(func() { mapWindow = old })
}

// mixedBody is lines of random lengths, CRLF and LF, empty lines, lines of
// only '\r', and optionally no final newline.
func mixedBody(seed uint64, size int, finalNewline bool) []byte {
	rnd := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		switch rnd.IntN(10) {
		case 0:
			b.WriteString("\n")
		case 1:
			b.WriteString("\r\r\n")
		case 2:
			fmt.Fprintf(&b, "line %d %s\r\n", i, strings.Repeat("c", rnd.IntN(9000)))
		default:
			fmt.Fprintf(&b, "line %d %s\n", i, strings.Repeat("x", rnd.IntN(300)))
		}
	}
	if !finalNewline {
		b.WriteString("last line without newline")
	}
	return b.Bytes()
}

func TestLinesDoNotDependOnWindows(t *testing.T) {
	smallWindows(t)
	dir := t.TempDir()
	cut := strings.Repeat("a", MaxLine)
	cases := map[string]string{
		"mixed":             string(mixedBody(1, 200<<10, false)),
		"long":              strings.Repeat("L", MaxLine+5000) + "\nnext\n",
		"long cr at cut":    cut[:MaxLine-2] + "\r\r\r\r" + "tail\nnext",
		"long cr only tail": cut[:MaxLine-2] + "\r\r\r\r\r\r\r\r\r\r\r\r\r\nnext\n",
		"exactly max+1":     cut + "\r\nnext\n",
		"long at eof":       strings.Repeat("E", MaxLine+3) + "\r",
	}
	for name, body := range cases {
		for _, pad := range []int{0, 1, 7, 4095} { // move the lines across window boundaries
			body := strings.Repeat("\n", pad) + body
			p := filepath.Join(dir, "f.log")
			sourcetest.WriteFile(t, p, body)
			assert.Equal(t, refLines([]byte(body)), collectLines(t, p), "%s, pad %d", name, pad)
		}
	}
}

func TestSplitRangesMatchLines(t *testing.T) {
	smallWindows(t)
	dir := t.TempDir()
	for i, final := range []bool{true, false} {
		body := mixedBody(uint64(i+2), 300<<10, final)
		// An over-long line in the middle, straddling a range start.
		mid := len(body) / 2
		body = append(body[:mid:mid], append([]byte(strings.Repeat("M", MaxLine+10)+"\r\n"), body[mid:]...)...)
		p := filepath.Join(dir, fmt.Sprintf("f%d.log", i))
		sourcetest.WriteFile(t, p, body)
		want := refLines(body)
		require.Equal(t, want, collectLines(t, p))
		for _, n := range []int{2, 3, 5, 16, 97} {
			rs := Split(p, n, 0, nil)
			require.NotEmpty(t, rs, "n=%d", n)
			assert.LessOrEqual(t, len(rs), n)
			assert.Equal(t, int64(0), rs[0].Start)
			assert.Equal(t, int64(len(body)), rs[len(rs)-1].End)
			for j, r := range rs {
				assert.Nil(t, r.Prime)
				if j > 0 {
					assert.Equal(t, rs[j-1].End, r.Start)
					assert.Equal(t, byte('\n'), body[r.Start-1], "range %d starts at a line start", j)
				}
			}
			assert.Equal(t, want, collectRanges(t, p, rs), "n=%d", n)
		}
	}
}

func TestSplitPrimes(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	for i := range 20000 {
		if i%3 == 0 {
			fmt.Fprintf(&b, "state %d\r\n", i)
		} else {
			fmt.Fprintf(&b, "keep %d\n", i)
		}
	}
	body := b.Bytes()
	p := filepath.Join(dir, "f.log")
	sourcetest.WriteFile(t, p, body)
	isState := func(line []byte) bool { return bytes.HasPrefix(line, []byte("state ")) }
	rs := Split(p, 8, 0, isState)
	require.Len(t, rs, 8)
	for j, r := range rs[1:] {
		prev := bytes.TrimRight(body[bytes.LastIndexByte(body[:r.Start-1], '\n')+1:r.Start-1], "\r")
		assert.Equal(t, string(prev), string(r.Prime), "range %d", j+1)
		assert.True(t, isState(r.Prime), "range %d starts after a priming line", j+1)
	}
	assert.Equal(t, refLines(body), collectRanges(t, p, rs))

	// No line primes: no range start is found near the targets.
	assert.Nil(t, Split(p, 8, 0, func([]byte) bool { return false }))
}

func TestSplitDeclines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.log")
	sourcetest.WriteFile(t, p, "a\nb\nc\nd\n")
	assert.Nil(t, Split(p, 1, 0, nil), "one range")
	assert.Nil(t, Split(p, 4, 1<<20, nil), "below the minimum size")
	assert.Nil(t, Split(filepath.Join(dir, "nope.log"), 4, 0, nil), "missing: Lines reports it")
	gzp := filepath.Join(dir, "f.log.gz")
	sourcetest.WriteFile(t, gzp, "a\nb\nc\nd\n")
	assert.Nil(t, Split(gzp, 4, 0, nil), "compressed")
	one := filepath.Join(dir, "one.log")
	sourcetest.WriteFile(t, one, strings.Repeat("x", 100))
	assert.Nil(t, Split(one, 4, 0, nil), "a single line")
	rs := Split(p, 4, 0, nil)
	require.Len(t, rs, 4)
	assert.Equal(t, []string{"1:\"a\"", "2:\"b\"", "3:\"c\"", "4:\"d\""}, collectRanges(t, p, rs))
}

// FuzzSplit: whatever the content and the number of ranges, the ranges
// yield the lines Lines yields, with the same numbers, and every Prime is
// the line before its range.
func FuzzSplit(f *testing.F) {
	f.Add([]byte("a\nb\r\n\nc"), uint8(3), uint8(0))
	f.Add([]byte("\n\n\n\r\n"), uint8(7), uint8(1))
	f.Add([]byte("x\ny\nz\n"), uint8(2), uint8(2))
	f.Add([]byte("\uFEFFa\nb\n\uFEFFc\nd"), uint8(4), uint8(1)) // a BOM starts line 1 only
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte, n, mode uint8) {
		p := filepath.Join(dir, "f.log")
		sourcetest.WriteFile(t, p, body)
		var primes func([]byte) bool
		switch mode % 3 {
		case 1:
			primes = func(line []byte) bool { return len(line)%2 == 0 }
		case 2:
			primes = func(line []byte) bool { return !bytes.Contains(line, []byte("r")) }
		}
		rs := Split(p, int(n%40), 0, primes)
		if rs == nil {
			return
		}
		var whole []string
		if err := Lines(p, func(k int, l []byte) error { whole = append(whole, show(k, l)); return nil }); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for i, r := range rs {
			before := len(parts)
			if i > 0 && primes != nil {
				prev := whole[before-1]
				if got := show(before, r.Prime); got != prev || !primes(r.Prime) {
					t.Fatalf("range %d: prime %s, line before %s", i, got, prev)
				}
			}
			if err := RangeLines(p, r, func(k int, l []byte) error { parts = append(parts, show(before+k, l)); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if fmt.Sprint(whole) != fmt.Sprint(parts) {
			t.Fatalf("ranges %+v: %q, want %q", rs, parts, whole)
		}
		var read []string
		if err := ReadLines(bytes.NewReader(body), func(k int, l []byte) error { read = append(read, show(k, l)); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(body) <= MaxLine && fmt.Sprint(whole) != fmt.Sprint(read) {
			t.Fatalf("ReadLines: %q, want %q", read, whole)
		}
	})
}

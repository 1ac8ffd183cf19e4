package files

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
)

// mapWindow is how much of a file is mapped at a time: memory stays bounded
// (the mapped pages count in the process's resident set) whatever the file's
// size. A multiple of every page size; a variable for tests only.
var mapWindow = 64 << 20

// longLine gathers a line that continues past the end of a map window. It
// keeps at most MaxLine+1 bytes and remembers whether a byte other than '\r'
// was dropped, so that line() gives what the line would give in one piece
// (trailing '\r' trimmed, then cut to MaxLine): the lines of a file do not
// depend on where the windows fall, and a range read on its own (RangeLines)
// yields the same lines as a pass over the whole file.
type longLine struct {
	b    []byte
	open bool // a line is being gathered (it may still be empty)
	cut  bool // a byte other than '\r' was dropped
}

func (l *longLine) add(p []byte) {
	l.open = true
	room := max(MaxLine+1-len(l.b), 0)
	if len(p) > room {
		if !l.cut && len(bytes.TrimRight(p[room:], "\r")) > 0 {
			l.cut = true
		}
		p = p[:room]
	}
	l.b = append(l.b, p...)
}

// line returns the gathered line as Lines passes it.
func (l *longLine) line() []byte {
	if l.cut {
		return l.b[:MaxLine]
	}
	line := bytes.TrimRight(l.b, "\r")
	if len(line) > MaxLine {
		line = line[:MaxLine]
	}
	return line
}

func (l *longLine) reset() { l.b, l.open, l.cut = l.b[:0], false, false }

// Range is a part of a file that starts at the start of a line, as Split
// cuts it.
type Range struct {
	Start, End int64 // byte offsets: the range is [Start, End)
	// Prime is the line just before Start as Lines passes it, when Split was
	// given primes (nil for the first range).
	Prime []byte
}

const (
	// primeMax is the longest line Split takes as a priming line; after a
	// longer one it moves the range start on.
	primeMax = 64 << 10
	// maxWalk is how far past its target Split looks for a range start
	// before it gives that range up (the range then stays merged with the
	// one before).
	maxWalk = 4 << 20
)

// Split cuts the regular, uncompressed file at path into at most n ranges of
// about equal size that start at line starts, for RangeLines to read them in
// parallel: together they yield exactly the lines Lines yields (a line's
// number in the file is its number in its range plus the number of lines
// of the ranges before).
//
// When primes is not nil, a range only starts right after a line for which
// primes is true, given as the range's Prime; a parser whose state after
// such a line depends on that line alone can be primed with it. primes may
// answer false when unsure: that only moves the range start on.
//
// Split returns nil - read the file with Lines - when n < 2, when the file
// is compressed (.gz), smaller than minSize or not a regular file, cannot be
// memory-mapped, or on any error (which Lines then reports).
func Split(path string, n int, minSize int64, primes func(line []byte) bool) []Range {
	if !canMap || n < 2 || strings.HasSuffix(path, ".gz") {
		return nil
	}
	f, err := openRegular(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < max(minSize, 1) {
		return nil
	}
	size := st.Size()
	sc := &scanner{f: f, size: size}
	rs := []Range{{Start: 0}}
	for k := 1; k < n; k++ {
		t := max(size*int64(k)/int64(n), rs[len(rs)-1].Start+1)
		b, err := sc.lineStart(t)
		if err != nil {
			return nil
		}
		var prime []byte
		for primes != nil && b < size && b-t <= maxWalk {
			line, ok, err := sc.lineBefore(b)
			if err != nil {
				return nil
			}
			if ok && primes(line) {
				prime = bytes.Clone(line)
				break
			}
			if b, err = sc.lineStart(b + 1); err != nil {
				return nil
			}
		}
		if b >= size || b-t > maxWalk {
			continue
		}
		rs[len(rs)-1].End = b
		rs = append(rs, Range{Start: b, Prime: prime})
	}
	rs[len(rs)-1].End = size
	if len(rs) < 2 {
		return nil
	}
	return rs
}

// errNoMap says the first window of a file could not be mapped (mmap_unix.go;
// declared here, where every platform's build sees it).
var errNoMap = errors.New("files: cannot map")

// RangeLines streams the lines of one range of a file as Split cut it to fn
// as Lines does, numbering them from 1 in the range.
func RangeLines(path string, r Range, fn func(lineNo int, line []byte) error) error {
	f, err := openRegular(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := mapLines(f, r.Start, r.End, 1, fn); err != nil {
		if errors.Is(err, errNoMap) {
			return errors.New("cannot map the file")
		}
		return err
	}
	return nil
}

// scanner finds line starts with small positioned reads.
type scanner struct {
	f    *os.File
	size int64
	buf  []byte
}

func (s *scanner) read(off int64, n int) ([]byte, error) {
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	b := s.buf[:n]
	k, err := s.f.ReadAt(b, off)
	if err == io.EOF && k == n {
		err = nil
	}
	return b[:k], err
}

// lineStart returns the first line start at or after pos (size when none):
// pos itself when the byte before it is a newline, else the byte after the
// next newline.
func (s *scanner) lineStart(pos int64) (int64, error) {
	if pos <= 0 {
		return 0, nil
	}
	for off := pos - 1; off < s.size; {
		b, err := s.read(off, int(min(4096, s.size-off)))
		if err != nil {
			return 0, err
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		off += int64(len(b))
	}
	return s.size, nil
}

// lineBefore returns the line that ends just before the line start b > 0,
// as Lines passes it; ok=false when it is longer than primeMax.
func (s *scanner) lineBefore(b int64) (line []byte, ok bool, err error) {
	end := b - 1 // the newline
	for _, back := range []int64{512, primeMax + 2} {
		lo := max(end-back, 0)
		buf, err := s.read(lo, int(end-lo))
		if err != nil {
			return nil, false, err
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 || lo == 0 {
			line := buf[i+1:]
			if i < 0 {
				line = bytes.TrimPrefix(line, bom) // the file's first line
			}
			if len(line) > primeMax {
				return nil, false, nil
			}
			return bytes.TrimRight(line, "\r"), true, nil
		}
	}
	return nil, false, nil
}

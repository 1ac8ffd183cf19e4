//go:build unix

package files

import (
	"bytes"
	"os"
	"syscall"
)

// mapWindow is how much of a file is mapped at a time: memory stays bounded
// (the mapped pages count in the process's resident set) whatever the file's
// size. A multiple of every page size.
const mapWindow = 64 << 20

// mappedLines streams a regular file's lines through read-only memory maps
// of mapWindow bytes: no copy of the file through a read buffer. done is
// false when the file cannot be mapped (a pipe, an empty file, an exotic
// file system): the caller then reads it normally.
func mappedLines(path string, fn func(lineNo int, line []byte) error) (done bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return false, nil
	}
	size := st.Size()
	n := 0
	emit := func(line []byte) error {
		n++
		line = bytes.TrimRight(line, "\r")
		if len(line) > MaxLine {
			line = line[:MaxLine]
		}
		return fn(n, line)
	}
	var carry []byte // the start of a line that continues in the next window
	for off := int64(0); off < size; off += mapWindow {
		length := min(int64(mapWindow), size-off)
		data, err := syscall.Mmap(int(f.Fd()), off, int(length), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			if off == 0 {
				return false, nil
			}
			return true, err
		}
		_ = syscall.Madvise(data, syscall.MADV_SEQUENTIAL)
		buf := data
		if len(carry) > 0 {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry = appendCapped(carry, buf)
				buf = nil
			} else {
				carry = appendCapped(carry, buf[:i])
				buf = buf[i+1:]
				if err := emit(carry); err != nil {
					syscall.Munmap(data)
					return true, err
				}
				carry = carry[:0]
			}
		}
		for len(buf) > 0 {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry = appendCapped(carry[:0], buf)
				break
			}
			if err := emit(buf[:i]); err != nil {
				syscall.Munmap(data)
				return true, err
			}
			buf = buf[i+1:]
		}
		if err := syscall.Munmap(data); err != nil {
			return true, err
		}
	}
	if len(carry) > 0 {
		return true, emit(carry)
	}
	return true, nil
}

// appendCapped appends b to dst, keeping at most MaxLine+1 bytes (the rest of
// an over-long line is dropped, as ReadLines does).
func appendCapped(dst, b []byte) []byte {
	if room := MaxLine + 1 - len(dst); room < len(b) {
		if room <= 0 {
			return dst
		}
		b = b[:room]
	}
	return append(dst, b...)
}

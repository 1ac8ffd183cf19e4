//go:build unix

package files

import (
	"bytes"
	"errors"
	"os"
	"syscall"
)

// mappedLines streams a regular file's lines through read-only memory maps
// of mapWindow bytes: no copy of the file through a read buffer. done is
// false when the file cannot be mapped (a pipe, an empty file, an exotic
// file system): the caller then reads it normally.
func mappedLines(path string, fn func(lineNo int, line []byte) error) (done bool, err error) {
	f, err := openRegular(path)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return false, nil
	}
	err = mapLines(f, 0, st.Size(), 1, fn)
	if errors.Is(err, errNoMap) {
		return false, nil
	}
	return true, err
}

// mapLines streams the lines of f[start:end), start being the start of a
// line, numbering them from first. Lines are cut, trimmed and truncated the
// same whatever the window boundaries (see longLine), so a range yields
// exactly the lines a pass over the whole file yields for it. It returns
// errNoMap when the first window cannot be mapped.
func mapLines(f *os.File, start, end int64, first int, fn func(lineNo int, line []byte) error) error {
	n := first - 1
	emit := func(line []byte) error {
		n++
		line = bytes.TrimRight(line, "\r")
		if len(line) > MaxLine {
			line = line[:MaxLine]
		}
		return fn(n, line)
	}
	var carry longLine // the start of a line that continues in the next window
	pg := int64(os.Getpagesize())
	for off := start - start%pg; off < end; off += int64(mapWindow) {
		length := min(int64(mapWindow), end-off)
		data, err := syscall.Mmap(int(f.Fd()), off, int(length), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			if off <= start {
				return errNoMap
			}
			return err
		}
		adviseSequential(data)
		buf := data
		if off < start {
			buf = buf[start-off:]
		}
		if off == 0 && start == 0 {
			buf = bytes.TrimPrefix(buf, bom) // the file's first bytes
		}
		if carry.open {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry.add(buf)
				buf = nil
			} else {
				carry.add(buf[:i])
				buf = buf[i+1:]
				n++
				if err := fn(n, carry.line()); err != nil {
					_ = syscall.Munmap(data)
					return err
				}
				carry.reset()
			}
		}
		for len(buf) > 0 {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				carry.add(buf)
				break
			}
			if err := emit(buf[:i]); err != nil {
				_ = syscall.Munmap(data)
				return err
			}
			buf = buf[i+1:]
		}
		if err := syscall.Munmap(data); err != nil {
			return err
		}
	}
	if carry.open {
		n++
		return fn(n, carry.line())
	}
	return nil
}

const canMap = true

// nonBlock opens a named pipe without waiting for a writer.
const nonBlock = syscall.O_NONBLOCK

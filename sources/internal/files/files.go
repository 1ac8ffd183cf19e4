// Package files resolves globs and streams files line by line for the file
// sources, with transparent gzip for rotated logs (*.gz).
package files

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Glob expands the patterns relative to base. Each pattern must match at
// least one regular file; a pattern that matches nothing is an error (a
// missing file must never read as "zero records"). A directory matched by
// a wildcard is skipped (a folder of rotated logs may hold sub-folders), but
// a pattern that names a directory, or matches only directories, is an
// error. A match that cannot be used is an error naming it: a symbolic link
// to nothing or in a loop, a named pipe (reading it would wait for a
// writer), a socket or a device.
func Glob(base string, patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		return nil, errors.New("no paths configured")
	}
	return glob(base, patterns, false)
}

// GlobAny is Glob for a source to which a file that is gone is news, not a
// broken configuration (config_files): a pattern may match nothing, and a
// symbolic link to nothing is a file that is gone. The other matches are
// checked as Glob does.
func GlobAny(base string, patterns []string) ([]string, error) {
	return glob(base, patterns, true)
}

func glob(base string, patterns []string, missingOK bool) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range patterns {
		full := p
		if !filepath.IsAbs(full) {
			full = filepath.Join(base, p)
		}
		matches, err := filepath.Glob(full)
		if err != nil {
			return nil, fmt.Errorf("bad path pattern %q: %w", p, err)
		}
		literal := !hasMeta(full)
		n, dirs := 0, 0
		sort.Strings(matches)
		for _, m := range matches {
			dir, err := check(m)
			if err != nil {
				if missingOK && errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return nil, fmt.Errorf("%s: %w", Display(base, m), err)
			}
			if dir {
				if literal {
					return nil, fmt.Errorf("%s: is a directory, not a file", Display(base, m))
				}
				dirs++
				continue
			}
			n++
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		if n == 0 && !missingOK {
			if dirs > 0 {
				return nil, fmt.Errorf("%s: matches only directories, no file", Display(base, full))
			}
			return nil, fmt.Errorf("%s: no such file", Display(base, full))
		}
	}
	return out, nil
}

// hasMeta reports whether a pattern has wildcards (filepath.Match syntax).
func hasMeta(p string) bool {
	magic := `*?[`
	if runtime.GOOS != "windows" {
		magic = `*?[\`
	}
	return strings.ContainsAny(p, magic)
}

// check stats path (following symbolic links): dir is true for a
// directory; a path that is neither a directory nor a regular file is an
// error, as is one that cannot be stat'ed (fs.ErrNotExist for a symbolic
// link to nothing). The error does not repeat the path.
func check(path string) (dir bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(path); lerr == nil {
				return false, notExist("symbolic link to a missing file")
			}
			return false, notExist("no such file")
		}
		return false, err
	}
	if st.IsDir() {
		return true, nil
	}
	return false, regular(st)
}

// notExist is an error that is fs.ErrNotExist, saying so in its own words.
type notExist string

func (e notExist) Error() string        { return string(e) }
func (e notExist) Is(target error) bool { return target == fs.ErrNotExist }

// regular returns an error naming the type of a file that is not a regular
// one.
func regular(st fs.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case m.IsDir():
		return errors.New("is a directory, not a file")
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("not a regular file (%s)", what)
}

// Display returns path relative to base when it lies inside base, else as is.
func Display(base, path string) string {
	if base != "" {
		if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return path
}

// openRegular opens a regular file for reading. Anything else is refused
// without waiting: a named pipe is opened non-blocking (on Unix) and
// checked once open, so that a pipe put in a file's place between the
// glob and the read cannot hang the run.
func openRegular(path string) (*os.File, error) {
	if st, err := os.Stat(path); err == nil {
		if err := regular(st); err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = regular(st)
	}
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return f, nil
}

// Open opens a regular file, decompressing it when its name ends in .gz.
// A gzip stream that is truncated or corrupt gives an error saying so when
// read.
func Open(path string) (io.ReadCloser, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, gzError(err))
	}
	return &gzFile{Reader: zr, f: f}, nil
}

type gzFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzFile) Read(p []byte) (int, error) {
	n, err := g.Reader.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = gzError(err)
	}
	return n, err
}

func (g *gzFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// gzError says that a decompression error is the file's fault.
func gzError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // an empty .gz file
	}
	return fmt.Errorf("truncated or corrupt gzip: %w", err)
}

// MaxStructured is the most a structured file (a table export, a scanner
// report, a watched config file) may hold, after decompression: such files
// are parsed whole in memory. Larger files (and gzip bombs) are refused
// before their content is held. A variable for tests.
var MaxStructured int64 = 256 << 20

// ReadFile reads a whole structured file, decompressing it when its name
// ends in .gz. A file holding more than MaxStructured bytes is an error; a
// compressed one is inflated a first time without keeping anything to
// learn its size.
func ReadFile(path string) ([]byte, error) {
	if !strings.HasSuffix(path, ".gz") {
		return ReadRaw(path)
	}
	rc, err := Open(path)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(io.Discard, io.LimitReader(rc, MaxStructured+1))
	rc.Close()
	if err != nil {
		return nil, err
	}
	if n > MaxStructured {
		return nil, fmt.Errorf("decompresses to more than %s, the most a structured file may hold", size(MaxStructured))
	}
	if rc, err = Open(path); err != nil {
		return nil, err
	}
	defer rc.Close()
	return readAll(rc, n)
}

// ReadRaw reads a whole structured file as it is (no decompression), up to
// MaxStructured bytes.
func ReadRaw(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxStructured {
		return nil, fmt.Errorf("holds %s, more than the %s a structured file may hold", size(st.Size()), size(MaxStructured))
	}
	return readAll(f, st.Size())
}

// readAll reads r whole, expecting about n bytes, and fails past
// MaxStructured (a file that grows while it is read).
func readAll(r io.Reader, n int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, n+1))
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxStructured+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > MaxStructured {
		return nil, fmt.Errorf("holds more than the %s a structured file may hold", size(MaxStructured))
	}
	return buf.Bytes(), nil
}

// size renders a byte count in MiB (or bytes when smaller).
func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// ReadError is a file that could not be read past a line.
type ReadError struct {
	Line int // the line being read
	Err  error
}

func (e *ReadError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *ReadError) Unwrap() error { return e.Err }

// MaxLine is the longest line kept whole; longer lines are passed truncated.
const MaxLine = 1 << 20

// bom is the UTF-8 byte order mark, dropped from the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Lines streams path line by line (without the line ending) to fn, numbering
// lines from 1. The slice is only valid during the call. Memory stays bounded
// by the longest line, never by the file. A UTF-8 byte order mark at the
// start of the file is dropped. An error reading the file past a line (a
// truncated .gz) is a *ReadError.
func Lines(path string, fn func(lineNo int, line []byte) error) error {
	if !strings.HasSuffix(path, ".gz") {
		if done, err := mappedLines(path, fn); done {
			return err
		}
	}
	rc, err := Open(path)
	if err != nil {
		return err
	}
	defer rc.Close()
	return ReadLines(rc, fn)
}

// ReadLines is Lines over any reader.
func ReadLines(r io.Reader, fn func(lineNo int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long) < MaxLine {
				long = append(long, chunk...)
			}
			continue
		}
		line := chunk
		if long != nil {
			if len(long) < MaxLine {
				long = append(long, chunk...)
			}
			line = long
		}
		if len(line) > 0 || err == nil {
			n++
			line = bytes.TrimRight(line, "\r\n")
			if n == 1 {
				line = bytes.TrimPrefix(line, bom)
			}
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		long = nil
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &ReadError{Line: n + 1, Err: err}
		}
	}
}

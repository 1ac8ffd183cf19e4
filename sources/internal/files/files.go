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
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Glob expands the patterns relative to base. Each pattern must match at
// least one regular file; a pattern that matches nothing is an error (a
// missing file must never read as "zero records").
func Glob(base string, patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		return nil, errors.New("no paths configured")
	}
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
		n := 0
		sort.Strings(matches)
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil || st.IsDir() {
				continue
			}
			n++
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no such file", Display(base, full))
		}
	}
	return out, nil
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

// Open opens a file, decompressing it when its name ends in .gz.
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &gzFile{Reader: zr, f: f}, nil
}

type gzFile struct {
	*gzip.Reader
	f *os.File
}

func (g *gzFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// MaxLine is the longest line kept whole; longer lines are passed truncated.
const MaxLine = 1 << 20

// Lines streams path line by line (without the line ending) to fn, numbering
// lines from 1. The slice is only valid during the call. Memory stays bounded
// by the longest line, never by the file.
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
		if err == bufio.ErrBufferFull {
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
			if ferr := fn(n, line); ferr != nil {
				return ferr
			}
		}
		long = long[:0:0]
		long = nil
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

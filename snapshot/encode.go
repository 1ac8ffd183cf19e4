package snapshot

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
)

// WriteTo writes the part as JSON with one record per line: readable, diff-
// friendly, and written in one pass with no indentation re-scan (a part of a
// 1 GB log holds millions of events). It returns the bytes written and sets
// p.SHA256 to the sha256 of exactly those bytes.
func (p *Part) WriteTo(w io.Writer) (int64, error) {
	if p.released || p.releasedEvents > 0 {
		return 0, fmt.Errorf("%s: the records were released after evaluation", p.ID())
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	bw := bufio.NewWriterSize(cw, 256<<10)
	enc := &recordEncoder{w: bw}
	enc.buf.Grow(512)
	enc.je = json.NewEncoder(&enc.buf)
	enc.je.SetEscapeHTML(false)

	head := struct {
		Source       string     `json:"source"`
		Kind         string     `json:"kind"`
		Error        string     `json:"error,omitempty"`
		SkippedLines int        `json:"skipped_lines"`
		Files        []string   `json:"files,omitempty"`
		Provides     []string   `json:"provides,omitempty"`
		Notes        []string   `json:"notes,omitempty"`
		Shard        *ShardInfo `json:"shard,omitempty"`
	}{p.Source, p.Kind, p.Error, p.SkippedLines, p.Files, p.Provides, p.Notes, p.Shard}
	hb, err := enc.marshal(head)
	if err != nil {
		return 0, fmt.Errorf("encode source %s: %w", p.ID(), err)
	}
	bw.Write(hb[:len(hb)-1]) // without the closing brace
	bw.WriteString(",\n\"data\": {")
	if err := enc.data(&p.Data); err != nil {
		return 0, fmt.Errorf("encode source %s: %w", p.ID(), err)
	}
	bw.WriteString("}}\n")
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	p.SHA256 = hex.EncodeToString(h.Sum(nil))
	return cw.n, nil
}

// Digest sets and returns p.SHA256 without keeping the encoded bytes.
func (p *Part) Digest() (string, error) {
	if p.SHA256 != "" {
		return p.SHA256, nil
	}
	if _, err := p.WriteTo(io.Discard); err != nil {
		return "", err
	}
	return p.SHA256, nil
}

// Encode returns the part's bytes (as WriteTo writes them) and sets SHA256.
func (p *Part) Encode() ([]byte, error) {
	var b bytes.Buffer
	_, err := p.WriteTo(&b)
	return b.Bytes(), err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

type recordEncoder struct {
	w       *bufio.Writer
	buf     bytes.Buffer
	je      *json.Encoder
	scratch []byte
}

// marshal encodes v compactly (no HTML escaping) with a trailing newline
// removed; the slice is valid until the next call.
func (e *recordEncoder) marshal(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.je.Encode(v); err != nil {
		return nil, err
	}
	b := e.buf.Bytes()
	return b[:len(b)-1], nil
}

// events writes a list of events as a JSON array with one event per line.
func (e *recordEncoder) events(l EventList) {
	e.w.WriteByte('[')
	if encodeWorkers() > 1 && l.Len() >= 2*encodeBlock {
		e.eventsParallel(l)
	} else {
		first := true
		for _, seg := range l.Segments() {
			e.scratch = appendEvents(e.scratch[:0], seg, 0, len(seg), first)
			e.w.Write(e.scratch)
			first = false
		}
	}
	e.w.WriteString("\n]")
}

// encodeBlock is how many events a goroutine encodes at a time when a list
// is encoded in parallel; shorter lists than two blocks are encoded in
// place. A variable for tests, as is encodeWorkers.
var (
	encodeBlock   = 4096
	encodeWorkers = func() int { return runtime.GOMAXPROCS(0) }
)

// eventsParallel writes the elements of a list of events (what list writes
// between the brackets) encoded in blocks on encodeWorkers goroutines while
// this one writes the finished blocks in order: the bytes, hence the
// digest, are those of the sequential loop. At most a few blocks per worker
// are in flight, so memory stays bounded.
func (e *recordEncoder) eventsParallel(l EventList) {
	type block struct {
		seg    []Event
		lo, hi int
		first  bool
		buf    []byte
		done   chan struct{}
	}
	workers := encodeWorkers()
	inFlight := 2*workers + 2
	pending := make(chan *block, inFlight) // in list order
	jobs := make(chan *block, inFlight)
	free := make(chan []byte, inFlight+1) // buffers to reuse
	go func() {
		first := true
		for _, seg := range l.Segments() {
			for lo := 0; lo < len(seg); lo += encodeBlock {
				b := &block{seg: seg, lo: lo, hi: min(lo+encodeBlock, len(seg)), first: first, done: make(chan struct{})}
				first = false
				select {
				case b.buf = <-free:
				default:
				}
				pending <- b // waits while inFlight blocks are not written yet
				jobs <- b
			}
		}
		close(pending)
		close(jobs)
	}()
	for range workers {
		go func() {
			for b := range jobs {
				b.buf = appendEvents(b.buf[:0], b.seg, b.lo, b.hi, b.first)
				close(b.done)
			}
		}()
	}
	for b := range pending {
		<-b.done
		e.w.Write(b.buf) // errors stick in the bufio.Writer
		select {
		case free <- b.buf:
		default:
		}
	}
}

// appendEvents appends events[lo:hi] as a list is written: each on its own
// line, after a comma unless it is the first of the list (first says
// whether events[lo] is).
func appendEvents(b []byte, events []Event, lo, hi int, first bool) []byte {
	for i := lo; i < hi; i++ {
		if i > lo || !first {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = appendEvent(b, &events[i])
	}
	return b
}

// data writes the non-empty collections of d: the events by type, sorted,
// then each collection in registration order, then the baseline.
func (e *recordEncoder) data(d *Data) error {
	first := true
	key := func(name string) {
		if !first {
			e.w.WriteByte(',')
		}
		first = false
		e.w.WriteString("\n\"" + name + "\": ")
	}
	if len(d.Events) > 0 {
		key("events")
		keys := make([]string, 0, len(d.Events))
		for k := range d.Events {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.w.WriteByte('{')
		for j, k := range keys {
			if j > 0 {
				e.w.WriteByte(',')
			}
			e.w.WriteString("\n\"" + k + "\": ")
			e.events(d.Events[k])
		}
		e.w.WriteString("\n}")
	}
	for _, c := range Collections() {
		if c.Len(d) == 0 {
			continue
		}
		key(c.Name())
		if err := c.encode(e, d); err != nil {
			return err
		}
	}
	if d.Baseline != nil {
		key("baseline")
		b, err := e.marshal(d.Baseline)
		if err != nil {
			return err
		}
		e.w.Write(b)
	}
	return nil
}

// marshalFresh encodes v with encoding/json as marshal does (for tests of
// the hand-written fast paths).
func (e *recordEncoder) marshalFresh(v any) ([]byte, error) {
	var b bytes.Buffer
	je := json.NewEncoder(&b)
	je.SetEscapeHTML(false)
	if err := je.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

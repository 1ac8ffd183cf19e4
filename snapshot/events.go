package snapshot

import (
	gojson "github.com/goccy/go-json"
)

// EventList is the list of one type's events, in order. It may be held in
// several segments: a large log is parsed in parallel ranges, and each
// range's events stay in the blocks they were written to instead of being
// copied into one slice (for a 1 GB sshd log that copy touched 250 MB of
// fresh memory, a fifth of the ingestion time). The zero value is an empty
// list. Segments are shared, not copied: a list must not be changed while
// another list made from its segments is in use.
type EventList struct {
	segs [][]Event
	n    int
}

// EventsOf returns a list holding evs (as one segment, not copied).
func EventsOf(evs ...Event) EventList {
	return SegmentedEvents([][]Event{evs})
}

// SegmentedEvents returns the list made of the segments in order (empty
// ones dropped; the segments are not copied).
func SegmentedEvents(segs [][]Event) EventList {
	var l EventList
	for _, s := range segs {
		if len(s) > 0 {
			l.segs = append(l.segs, s)
			l.n += len(s)
		}
	}
	return l
}

// Len returns the number of events.
func (l EventList) Len() int { return l.n }

// Segments returns the list's segments, in order, none empty.
func (l EventList) Segments() [][]Event { return l.segs }

// Slice returns the events in one slice: the only segment itself, or a
// copy of all of them when there are several (for tests and small lists;
// large ones are read through Segments).
func (l EventList) Slice() []Event {
	switch len(l.segs) {
	case 0:
		return nil
	case 1:
		return l.segs[0]
	}
	out := make([]Event, 0, l.n)
	for _, s := range l.segs {
		out = append(out, s...)
	}
	return out
}

// Append adds e at the end of the list. A copy of a list shares its
// segments: append to one of them only.
func (l *EventList) Append(e Event) {
	if k := len(l.segs); k > 0 {
		l.segs[k-1] = append(l.segs[k-1], e)
	} else {
		l.segs = [][]Event{{e}}
	}
	l.n++
}

// MarshalJSON writes the list as one JSON array (what encoding/json would
// write for the slice of all events). Snapshot files are written by
// Part.WriteTo, which encodes the segments on all cores instead.
func (l EventList) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	i := 0
	for _, s := range l.segs {
		for j := range s {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEvent(b, &s[j])
			i++
		}
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads a JSON array of events (or null) as one segment.
func (l *EventList) UnmarshalJSON(b []byte) error {
	var evs []Event
	if err := gojson.Unmarshal(b, &evs); err != nil {
		return err
	}
	*l = EventsOf(evs...)
	return nil
}

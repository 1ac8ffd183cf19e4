package engine

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/localizevideos/posture/snapshot"
)

// EventStream converts the log events of a snapshot's parts while the
// snapshot is read (snapshot.ReadWith), each part's as soon as it is
// decoded, and releases them from the part: the events of all the parts
// (the bulk of a large snapshot) are never held as records and as terms at
// once. The input built with the stream (Engine.Input) is the one built
// from the records: the same events in the window, in the same order.
type EventStream struct {
	asOfMS, startMS int64
	state           *pstate // input.events in the engine's projection (nil: whole)
	mu              sync.Mutex
	parts           map[*snapshot.Part]map[string][]*ast.Term
}

// EventStream starts a stream for an input at asOf with settings s.
func (e *Engine) EventStream(asOf time.Time, s Settings) *EventStream {
	asOfMS := asOf.UTC().UnixMilli()
	st := &EventStream{asOfMS: asOfMS, startMS: asOfMS - int64(s.WindowDays)*dayMS,
		parts: map[*snapshot.Part]map[string][]*ast.Term{}}
	if e.fields != nil {
		st.state = under(e.fields.root, "events")
	}
	return st
}

// Add converts the events of p in the window and releases p's events.
func (st *EventStream) Add(p *snapshot.Part) error {
	if p.Failed() || len(p.Data.Events) == 0 {
		return nil
	}
	terms, err := st.convert(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p.ID(), err)
	}
	st.mu.Lock()
	st.parts[p] = terms
	st.mu.Unlock()
	return p.ReleaseEvents()
}

func (st *EventStream) convert(p *snapshot.Part) (map[string][]*ast.Term, error) {
	out := make(map[string][]*ast.Term, len(p.Data.Events))
	for t, es := range p.Data.Events {
		state := under(under(st.state, t), "*")
		n := 0
		for _, seg := range es.Segments() {
			for i := range seg {
				if st.inWindow(&seg[i]) {
					n++
				}
			}
		}
		terms := make([]*ast.Term, 0, n)
		for _, seg := range es.Segments() {
			for i := range seg {
				if !st.inWindow(&seg[i]) {
					continue
				}
				term, err := convertIn(reflect.ValueOf(&seg[i]).Elem(), state)
				if err != nil {
					return nil, err
				}
				terms = append(terms, term)
			}
		}
		out[t] = terms
	}
	return out, nil
}

// inWindow: events outside the reporting window count for no metric (see
// buildInput).
func (st *EventStream) inWindow(e *snapshot.Event) bool {
	return e.TimeMS > st.startMS && e.TimeMS <= st.asOfMS
}

// value is input.events from the parts, in their order: the streamed ones'
// terms, the others' events converted here.
func (st *EventStream) value(parts []*snapshot.Part) (*ast.Term, error) {
	byType := map[string][]*ast.Term{}
	for _, t := range snapshot.EventTypes {
		byType[t] = []*ast.Term{}
	}
	for _, p := range parts {
		if p.Failed() {
			continue
		}
		st.mu.Lock()
		terms, ok := st.parts[p]
		st.mu.Unlock()
		if !ok {
			var err error
			if terms, err = st.convert(p); err != nil {
				return nil, fmt.Errorf("%s: %w", p.ID(), err)
			}
		}
		for t, ts := range terms {
			byType[t] = append(byType[t], ts...)
		}
	}
	items := make([][2]*ast.Term, 0, len(byType))
	for _, t := range sortedKeys(byType) {
		items = append(items, [2]*ast.Term{ast.StringTerm(t), ast.ArrayTerm(byType[t]...)})
	}
	return ast.ObjectTerm(items...), nil
}

package snapshot

import (
	"fmt"
	"strings"
	"sync"

	gojson "github.com/goccy/go-json"
)

// A collection is one named list of records of the policy input document:
// input.<name>. Each is registered once, with its record type, by
// NewCollection (or, for the built-in ones below, kept in a field of Data).
// Everything that goes over every collection (Data.Count, the snapshot
// encoder and decoder, the engine's input builder, the check of a metric's
// inputs) loops over Collections; none lists them.
//
// Log events are the one family of collections: each event type is the
// collection "events.<type>" (input.events.<type>), held in Data.Events.
type Collection[T any] struct {
	name  string
	field func(*Data) *[]T // storage of a built-in collection; nil: Data's open set
	merge func([]T) []T    // how the parts' joined records become the input value; nil: as they are
}

// AnyCollection is a collection whatever its record type.
type AnyCollection interface {
	// Name is the collection's key in the input document.
	Name() string
	// Len is the number of records d holds in the collection.
	Len(d *Data) int
	// Value joins the collection's records of the parts that did not fail
	// (in part order, merged as the collection says; never nil): its value
	// in the input document.
	Value(parts []*Part) any
	encode(e *recordEncoder, d *Data) error
	decode(d *Data, b []byte) error
	splice(dst *Data, srcs []*Data, takes []take) error
}

// The built-in collections, in the order snapshot files list them.
var (
	Incidents       = builtin("incidents", func(d *Data) *[]Incident { return &d.Incidents })
	Alerts          = builtin("alerts", func(d *Data) *[]Alert { return &d.Alerts })
	Accounts        = builtin("accounts", func(d *Data) *[]Account { return &d.Accounts })
	Tokens          = builtin("tokens", func(d *Data) *[]Token { return &d.Tokens })
	AuditFindings   = builtin("audit_findings", func(d *Data) *[]AuditFinding { return &d.AuditFindings })
	Deployments     = builtin("deployments", func(d *Data) *[]Deployment { return &d.Deployments })
	Vulnerabilities = builtin("vulnerabilities", func(d *Data) *[]Vulnerability { return &d.Vulnerabilities })
	ConfigFiles     = builtin("config_files", func(d *Data) *[]ConfigFile { return &d.ConfigFiles })
	Endpoints       = builtin("endpoints", func(d *Data) *[]Endpoint { return &d.Endpoints })
	TLSEndpoints    = builtin("tls_endpoints", func(d *Data) *[]TLSEndpoint { return &d.TLSEndpoints })
)

func init() {
	Accounts.merge = UniqueAccounts
}

var (
	collMu      sync.RWMutex
	collections []AnyCollection
	collByName  = map[string]AnyCollection{}
	openCount   int // collections kept in Data's open set
)

// EventsPrefix starts the name of every event collection: "events.<type>".
const EventsPrefix = "events."

func builtin[T any](name string, field func(*Data) *[]T) *Collection[T] {
	c := &Collection[T]{name: name, field: field}
	add(c)
	return c
}

// NewCollection registers a collection of records of type T under name (its
// key in the input document and in snapshot files) and returns it. A source
// kind that brings a new kind of record registers its collection from its
// package (a package-level variable); records are then added with Add and
// read with Of. It panics on a name already taken (a programming error).
func NewCollection[T any](name string) *Collection[T] {
	c := &Collection[T]{name: name}
	add(c)
	collMu.Lock()
	openCount++
	collMu.Unlock()
	return c
}

func add(c AnyCollection) {
	name := c.Name()
	if name == "" || name == "events" || strings.HasPrefix(name, EventsPrefix) || name == "baseline" ||
		strings.ContainsAny(name, ".: \"") {
		panic(fmt.Sprintf("snapshot: bad collection name %q", name))
	}
	collMu.Lock()
	defer collMu.Unlock()
	if _, dup := collByName[name]; dup {
		panic(fmt.Sprintf("snapshot: collection %q registered twice", name))
	}
	collByName[name] = c
	collections = append(collections, c)
}

// Collections lists the registered collections (the built-in ones first,
// then in registration order). Events are not among them (see EventTypes).
func Collections() []AnyCollection {
	collMu.RLock()
	defer collMu.RUnlock()
	return collections[:len(collections):len(collections)]
}

// IsCollection reports whether name is a registered collection or an event
// collection "events.<type>" of a known type.
func IsCollection(name string) bool {
	if t, ok := strings.CutPrefix(name, EventsPrefix); ok {
		for _, et := range EventTypes {
			if et == t {
				return true
			}
		}
		return false
	}
	collMu.RLock()
	defer collMu.RUnlock()
	_, ok := collByName[name]
	return ok
}

// EventCollection is the collection name of the events of a type.
func EventCollection(typ string) string { return EventsPrefix + typ }

// Name is the collection's key in the input document.
func (c *Collection[T]) Name() string { return c.name }

// Of returns d's records of the collection (not copied).
func (c *Collection[T]) Of(d *Data) []T {
	if c.field != nil {
		return *c.field(d)
	}
	if p, ok := d.open[c.name].(*[]T); ok {
		return *p
	}
	return nil
}

// Set replaces d's records of the collection.
func (c *Collection[T]) Set(d *Data, recs []T) { *c.slot(d) = recs }

// Add appends records to d's collection.
func (c *Collection[T]) Add(d *Data, recs ...T) {
	p := c.slot(d)
	*p = append(*p, recs...)
}

func (c *Collection[T]) slot(d *Data) *[]T {
	if c.field != nil {
		return c.field(d)
	}
	if p, ok := d.open[c.name].(*[]T); ok {
		return p
	}
	if d.open == nil {
		d.open = map[string]any{}
	}
	p := new([]T)
	d.open[c.name] = p
	return p
}

// Len is the number of records d holds in the collection.
func (c *Collection[T]) Len(d *Data) int { return len(c.Of(d)) }

// Gather joins the collection's records of the parts that did not fail, in
// part order, into one slice of their total length; when only one part has
// records its slice is returned itself (capped, so that an append cannot
// write into the part it belongs to).
func (c *Collection[T]) Gather(parts []*Part) []T {
	n, full := 0, 0
	var only []T
	for _, p := range parts {
		if p.Failed() {
			continue
		}
		if l := c.Of(&p.Data); len(l) > 0 {
			n += len(l)
			full++
			only = l
		}
	}
	if full <= 1 {
		return only[:len(only):len(only)]
	}
	out := make([]T, 0, n)
	for _, p := range parts {
		if !p.Failed() {
			out = append(out, c.Of(&p.Data)...)
		}
	}
	return out
}

// Value is the collection's value in the input document: Gather, merged
// as the collection says (accounts: one per (system, login)), never nil.
func (c *Collection[T]) Value(parts []*Part) any { return c.Merged(parts) }

// Merged is Value typed.
func (c *Collection[T]) Merged(parts []*Part) []T {
	out := c.Gather(parts)
	if c.merge != nil {
		out = c.merge(out)
	}
	if out == nil {
		out = []T{}
	}
	return out
}

// encode writes the collection as a JSON array with one record per line.
func (c *Collection[T]) encode(e *recordEncoder, d *Data) error {
	recs := c.Of(d)
	e.w.WriteByte('[')
	for i := range recs {
		b, err := e.marshal(&recs[i])
		if err != nil {
			return err
		}
		if i > 0 {
			e.w.WriteByte(',')
		}
		e.w.WriteByte('\n')
		e.w.Write(b)
	}
	e.w.WriteString("\n]")
	return nil
}

func (c *Collection[T]) decode(d *Data, b []byte) error {
	var recs []T
	if err := gojson.Unmarshal(b, &recs); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	c.Set(d, recs)
	return nil
}

// decodeOpen reads the collections kept in Data's open set from the bytes
// of a part file (the built-in ones are fields, decoded with the part).
// Without such collections it does nothing.
func decodeOpen(b []byte, p *Part) error {
	collMu.RLock()
	n := openCount
	collMu.RUnlock()
	if n == 0 {
		return nil
	}
	var raw struct {
		Data map[string]gojson.RawMessage `json:"data"`
	}
	if err := gojson.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, c := range Collections() {
		if b, ok := raw.Data[c.Name()]; ok && !isField(c) {
			if err := c.decode(&p.Data, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func isField(c AnyCollection) bool {
	type fielded interface{ isField() bool }
	f, ok := c.(fielded)
	return ok && f.isField()
}

func (c *Collection[T]) isField() bool { return c.field != nil }

// UniqueAccounts keeps one record per (system, login): the first, with
// empty fields filled from later duplicates.
func UniqueAccounts(in []Account) []Account {
	idx := make(map[string]int, len(in))
	out := make([]Account, 0, len(in))
	for _, a := range in {
		k := a.System + "/" + a.Login
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, a)
			continue
		}
		p := &out[i]
		if p.Role == "" {
			p.Role = a.Role
		}
		p.Privileged = p.Privileged || a.Privileged
		if p.Status == "" {
			p.Status = a.Status
		}
		if p.MFA == nil {
			p.MFA = a.MFA
		}
		if p.CreatedAtMS == nil {
			p.CreatedAt, p.CreatedAtMS = a.CreatedAt, a.CreatedAtMS
		}
		if p.LastActiveAtMS == nil {
			p.LastActiveAt, p.LastActiveAtMS = a.LastActiveAt, a.LastActiveAtMS
		}
	}
	return out
}

package snapshot

import (
	"fmt"
	"slices"
	"sync"
)

// Trait says what the records a source kind provides in a collection are,
// beyond their type: metrics and the vulnerability ledger ask for a trait,
// never for kind names.
type Trait string

const (
	// TraitScanner: findings listed by a scan, which lists only what is
	// open now; a finding absent from a later scan of the same source is
	// fixed (the vulnerability ledger follows them). Findings without it
	// (GitHub alerts) carry their own state and dates.
	TraitScanner Trait = "scanner"
	// TraitActivity: account records that carry their activity (last
	// activity, creation, status), so inactivity can be judged. A metric
	// input "accounts:activity" is fed only by such sources.
	TraitActivity Trait = "activity"
)

// Provided is a collection a source kind provides.
type Provided struct {
	// Collection is the collection's name: "vulnerabilities",
	// "events.login_failed".
	Collection string
	// Part, for a kind whose sources collect configurable parts (github),
	// is the part that brings the collection: a source provides it only
	// when the part is among those it collected (Part.Provides). Empty:
	// every source of the kind provides it.
	Part string
	// Traits of the records.
	Traits []Trait
}

// Has reports whether the provided collection has trait t.
func (p Provided) Has(t Trait) bool { return slices.Contains(p.Traits, t) }

var (
	kindMu    sync.RWMutex
	kindProvs = map[string][]Provided{}
)

// DeclareKind records the collections a source kind provides (package
// sources calls it when a kind registers). It panics on a collection that is
// not registered (a programming error).
func DeclareKind(kind string, provided []Provided) {
	for _, p := range provided {
		if !IsCollection(p.Collection) {
			panic(fmt.Sprintf("source kind %q provides %q, which is no collection", kind, p.Collection))
		}
	}
	kindMu.Lock()
	defer kindMu.Unlock()
	kindProvs[kind] = slices.Clone(provided)
}

// KindProvides returns the collections a source kind may provide (all of
// its parts'), nil for an unknown kind.
func KindProvides(kind string) []Provided {
	kindMu.RLock()
	defer kindMu.RUnlock()
	return kindProvs[kind]
}

// KindHas reports whether the kind provides the collection with trait t.
func KindHas(kind, collection string, t Trait) bool {
	for _, p := range KindProvides(kind) {
		if p.Collection == collection && p.Has(t) {
			return true
		}
	}
	return false
}

// Collections returns the collections the part's source provides: those of
// its kind, less those of parts it did not collect (see Provided.Part). A
// failed source of a multi-part kind lists no part, so provides only what
// every source of its kind does.
func (p *Part) Collections() []Provided {
	all := KindProvides(p.Kind)
	out := make([]Provided, 0, len(all))
	for _, pr := range all {
		if pr.Part == "" || slices.Contains(p.Provides, pr.Part) {
			out = append(out, pr)
		}
	}
	return out
}

// DeclaredKinds lists the kinds that declared their collections, sorted.
func DeclaredKinds() []string {
	kindMu.RLock()
	defer kindMu.RUnlock()
	out := make([]string, 0, len(kindProvs))
	for k := range kindProvs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

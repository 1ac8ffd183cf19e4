package engine

import (
	"slices"
	"strings"

	"github.com/localizevideos/posture/snapshot"
)

// Feed is a source kind that feeds a metric input: its sources provide the
// collection the input names. Part, for a kind whose sources collect
// configurable parts (github), is the part that brings it.
type Feed struct {
	Kind string
	Part string
}

// String is "<kind>" or "<kind>.<part>".
func (f Feed) String() string {
	if f.Part == "" {
		return f.Kind
	}
	return f.Kind + "." + f.Part
}

// InputFeeds returns the registered source kinds that feed a metric input,
// by kind name: for a collection ("vulnerabilities", "events.ban",
// "accounts:activity") the kinds that declare it (with the trait); for an
// input naming a source kind or "<kind>.<part>" (as inputs did before they
// named collections), that kind. Special inputs (exceptions, "*") have
// none.
func InputFeeds(input string) []Feed {
	if input == InputAlways || input == InputAll || input == "" {
		return nil
	}
	if !IsCollectionInput(input) {
		k, p, _ := strings.Cut(input, ".")
		return []Feed{{Kind: k, Part: p}}
	}
	name, trait, _ := strings.Cut(input, ":")
	var out []Feed
	for _, k := range snapshot.DeclaredKinds() {
		for _, p := range snapshot.KindProvides(k) {
			if p.Collection == name && (trait == "" || p.Has(snapshot.Trait(trait))) {
				out = append(out, Feed{Kind: k, Part: p.Part})
			}
		}
	}
	return out
}

// Feeds returns the source kinds that feed any of the metric's inputs, in
// the order of its inputs, each once.
func (d *Definition) Feeds() []Feed {
	var out []Feed
	for _, in := range d.Inputs {
		for _, f := range InputFeeds(in) {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

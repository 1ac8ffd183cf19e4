// Package sourcetest holds test helpers shared by the source packages.
package sourcetest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// SameResult compares two results, reporting the first difference only (a
// full diff of a hundred thousand events is unreadable).
func SameResult(t testing.TB, want, got *sources.Result, msg string) bool {
	t.Helper()
	ok := assert.Equal(t, want.Files, got.Files, msg) &&
		assert.Equal(t, want.SkippedLines, got.SkippedLines, "%s: skipped lines", msg) &&
		assert.Equal(t, want.Notes, got.Notes, msg) && assert.Equal(t, want.Provides, got.Provides, msg) &&
		assert.Equal(t, len(want.Data.Events), len(got.Data.Events), "%s: event types", msg)
	for typ := range want.Data.Events {
		w, g := want.Data.EventSlice(typ), got.Data.EventSlice(typ)
		if !assert.Equal(t, len(w), len(g), "%s: %s events", msg, typ) {
			return false
		}
		for i := range w {
			if w[i] != g[i] {
				return assert.Equal(t, w[i], g[i], "%s: %s event %d", msg, typ, i)
			}
		}
	}
	w, g := want.Data, got.Data
	w.Events, g.Events = nil, nil
	return ok && assert.Equal(t, w, g, msg)
}

// EventSlices returns each type's events in one slice: what a result holds,
// however its lists are cut into segments.
func EventSlices(res *sources.Result) map[string][]snapshot.Event {
	out := make(map[string][]snapshot.Event, len(res.Data.Events))
	for typ := range res.Data.Events {
		out[typ] = res.Data.EventSlice(typ)
	}
	return out
}

// Package sourcetest holds test helpers shared by the source packages.
package sourcetest

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
	for typ, w := range want.Data.Events {
		g := got.Data.Events[typ]
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

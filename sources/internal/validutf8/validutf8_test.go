package validutf8

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// String gives what a JSON round trip gives.
func TestStringIsTheJSONRoundTrip(t *testing.T) {
	for _, s := range []string{"", "alice", "ünïcode ✓", "al\xffi\xc3(ce", "\xff\xfe\xfd", "\xe2\x82", "a\xf0\x9f\x98", "\xed\xa0\x80"} {
		b, err := json.Marshal(s)
		assert.NoError(t, err)
		var back string
		assert.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, back, String(s), "%q", s)
	}
	s := "valid"
	assert.Equal(t, s, String(s))
}

func FuzzString(f *testing.F) {
	f.Add("al\xffi\xc3(ce")
	f.Add("ünïcode")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if got := String(s); got != back {
			t.Fatalf("String(%q) = %q, JSON gives %q", s, got, back)
		}
	})
}

// Package validutf8 makes text read from files valid UTF-8 the way
// encoding/json does, so that a record holds the same strings whether it
// is evaluated as collected or read back from the snapshot (JSON).
package validutf8

import (
	"strings"
	"unicode/utf8"
)

// String returns s with each byte that is not part of a valid UTF-8
// sequence replaced by U+FFFD, as encoding/json encodes and decodes it. A
// valid string is returned as is, without allocating. It is meant for the
// short strings of records (an address, a user name): an ASCII one, the
// common case, costs a byte loop that is inlined.
func String(s string) string {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return nonASCII(s)
		}
	}
	return s
}

func nonASCII(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

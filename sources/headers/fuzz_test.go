package headers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/localizevideos/posture/sources/headers"
)

// FuzzStripCookie: StripCookie never panics and never lets the cookie value
// through (a value that occurs nowhere else in the header cannot occur in
// the result).
func FuzzStripCookie(f *testing.F) {
	for _, s := range []string{
		"session=abc; Path=/; Secure; HttpOnly",
		"id=a3fWa; Expires=Thu, 21 Oct 2021 07:28:00 GMT; Max-Age=10",
		"=v; Domain=x", "justavalue", "", ";;;", "a=b=c; d=e=f", " n = v ; SameSite = None ",
		"\x00=\xff; \xfe", "n=v;Path", "n=v; X-Token=secret",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := headers.StripCookie(in)
		first, rest, _ := strings.Cut(in, ";")
		name, value, ok := strings.Cut(first, "=")
		if !ok {
			name, value = "", first
		}
		value = strings.TrimSpace(value)
		if value == "" || strings.ContainsAny(value, ";= \t") {
			return
		}
		if strings.Contains(name, value) || strings.Contains(rest, value) {
			return
		}
		if strings.Contains(out, value) {
			t.Fatalf("StripCookie(%q) = %q leaks the value %q", in, out, value)
		}
		// Through RecordHeaders as well.
		rec := headers.RecordHeaders(http.Header{"Set-Cookie": {in}})
		for _, v := range rec["set-cookie"] {
			if strings.Contains(v, value) {
				t.Fatalf("RecordHeaders leaks %q", value)
			}
		}
	})
}

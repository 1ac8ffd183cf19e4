package headers

import "strings"

// Cookie attributes whose values are kept (they describe the cookie, they are
// not the secret). Any other attribute keeps only its name.
var keptAttrValues = map[string]bool{
	"path":     true,
	"domain":   true,
	"expires":  true,
	"max-age":  true,
	"samesite": true,
	"priority": true,
}

// StripCookie removes the value from a Set-Cookie header value, keeping the
// cookie name and its attributes:
//
//	"session=s3cr3t; Path=/; Secure; HttpOnly" -> "session; Path=/; Secure; HttpOnly"
//
// Each part is trimmed and empty parts are dropped; parts are joined with
// "; ". A first pair without '=' is a value with an empty name (RFC 6265bis
// §5.7), so it is dropped and the result starts with "; " when attributes
// follow. Attributes other than Path, Domain, Expires, Max-Age, SameSite and
// Priority keep only their name, so no unexpected "attribute" can carry a
// token into the records.
func StripCookie(v string) string {
	first, rest, _ := strings.Cut(v, ";")
	name := ""
	if n, _, ok := strings.Cut(first, "="); ok {
		name = strings.TrimSpace(n)
	}
	var b strings.Builder
	b.WriteString(name)
	for rest != "" {
		var attr string
		attr, rest, _ = strings.Cut(rest, ";")
		attr = strings.TrimSpace(attr)
		if attr == "" {
			continue
		}
		k, val, hasVal := strings.Cut(attr, "=")
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		b.WriteString("; ")
		b.WriteString(k)
		if hasVal && keptAttrValues[strings.ToLower(k)] {
			b.WriteByte('=')
			b.WriteString(strings.TrimSpace(val))
		}
	}
	return b.String()
}

package text

import "time"

// Date is the date part of an RFC 3339 instant: "2026-11-27".
func Date(asOf string) string {
	if len(asOf) >= 10 {
		return asOf[:10]
	}
	return asOf
}

// ParseDate reads the date of an as_of (RFC 3339 or YYYY-MM-DD), in UTC.
func ParseDate(asOf string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, asOf); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02", Date(asOf)); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// LongDate prints "27 Nov 2026"; the raw text when it is not a date.
func LongDate(asOf string) string {
	if t, ok := ParseDate(asOf); ok {
		return t.Format("2 Jan 2006")
	}
	return asOf
}

// ShortDate prints "27 Nov", or "27 Nov 2026" when withYear; the raw text
// when it is not a date.
func ShortDate(asOf string, withYear bool) string {
	t, ok := ParseDate(asOf)
	if !ok {
		return asOf
	}
	if withYear {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

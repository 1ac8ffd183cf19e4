package snapshot

import (
	"strconv"
	"unicode/utf8"
)

// appendEvent appends e as JSON exactly as encoding/json would (same field
// order and omitempty rules, no HTML escaping). Events are by far the most
// numerous records, so they skip reflection.
func appendEvent(b []byte, e *Event) []byte {
	b = append(b, `{"ts_ms":`...)
	b = strconv.AppendInt(b, e.TimeMS, 10)
	b = append(b, `,"time":`...)
	b = appendString(b, e.Time)
	b = append(b, `,"source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"origin":`...)
	b = appendString(b, e.Origin)
	if e.IP != "" {
		b = append(b, `,"ip":`...)
		b = appendString(b, e.IP)
	}
	if e.User != "" {
		b = append(b, `,"user":`...)
		b = appendString(b, e.User)
	}
	if e.Detail != "" {
		b = append(b, `,"detail":`...)
		b = appendString(b, e.Detail)
	}
	if e.Weight != 0 {
		b = append(b, `,"weight":`...)
		b = strconv.AppendInt(b, e.Weight, 10)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping off:
// control characters, '"' and '\' escaped, invalid UTF-8 replaced by
// U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

package timefmt

import "time"

// ISO reads an ISO 8601 / RFC 3339 timestamp at the start of b:
// "YYYY-MM-DD[T ]HH:MM:SS[(.|,)fraction][Z|±HH:MM|±HHMM|±HH]". Without a zone
// the time is read in loc. It returns the instant (UTC) and the number of bytes
// consumed; it never allocates. Years before 1970 are refused: no log line
// this tool reads predates the epoch, and a zero time means garbage.
func ISO(b []byte, loc *time.Location) (time.Time, int, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') ||
		b[13] != ':' || b[16] != ':' {
		return time.Time{}, 0, false
	}
	y, ok1 := Digits(b[0:4])
	mo, ok2 := Digits(b[5:7])
	d, ok3 := Digits(b[8:10])
	hh, ok4 := Digits(b[11:13])
	mi, ok5 := Digits(b[14:16])
	ss, ok6 := Digits(b[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		y < 1970 || mo < 1 || mo > 12 || d < 1 || d > DaysIn(time.Month(mo), y) || hh > 23 || mi > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	n := 19
	nsec := 0
	if n+1 < len(b) && (b[n] == '.' || b[n] == ',') && IsDigit(b[n+1]) {
		n++
		nd := 0
		for n < len(b) && IsDigit(b[n]) {
			if nd < 9 {
				nsec = nsec*10 + int(b[n]-'0')
				nd++
			}
			n++
		}
		for ; nd < 9; nd++ {
			nsec *= 10
		}
	}
	if n < len(b) {
		switch c := b[n]; {
		case c == 'Z' || c == 'z':
			return time.Date(y, time.Month(mo), d, hh, mi, ss, nsec, time.UTC), n + 1, true
		case c == '+' || c == '-':
			m := n + 1
			oh, ok := 0, false
			if m+2 <= len(b) {
				oh, ok = Digits(b[m : m+2])
			}
			if !ok || oh > 23 {
				return time.Time{}, 0, false
			}
			m += 2
			om := 0
			switch {
			case m+3 <= len(b) && b[m] == ':':
				if om, ok = Digits(b[m+1 : m+3]); !ok {
					return time.Time{}, 0, false
				}
				m += 3
			case m+2 <= len(b) && IsDigit(b[m]):
				if om, ok = Digits(b[m : m+2]); !ok {
					return time.Time{}, 0, false
				}
				m += 2
			}
			if om > 59 {
				return time.Time{}, 0, false
			}
			off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
			if c == '-' {
				off = -off
			}
			t := time.Date(y, time.Month(mo), d, hh, mi, ss, nsec, time.UTC).Add(-off)
			return t, m, true
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(y, time.Month(mo), d, hh, mi, ss, nsec, loc).UTC(), n, true
}

func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits reads an unsigned decimal made of digits only.
func Digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if !IsDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func DaysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

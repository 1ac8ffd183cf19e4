package sshd

import "time"

// parseISO reads an ISO 8601 / RFC 3339 timestamp at the start of b:
// "YYYY-MM-DD[T ]HH:MM:SS[(.|,)fraction][Z|±HH:MM|±HHMM|±HH]". Without a zone
// the time is read in loc. It returns the instant (UTC) and the number of bytes
// consumed; it never allocates.
//
// (The same helper lives in sources/applog and sources/fail2ban; it belongs in
// sources/internal/timefmt, which this package may not change.)
func parseISO(b []byte, loc *time.Location) (time.Time, int, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ' && b[10] != 't') ||
		b[13] != ':' || b[16] != ':' {
		return time.Time{}, 0, false
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	hh, ok4 := digits(b[11:13])
	mi, ok5 := digits(b[14:16])
	ss, ok6 := digits(b[17:19])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) || hh > 23 || mi > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	n := 19
	nsec := 0
	if n+1 < len(b) && (b[n] == '.' || b[n] == ',') && isDigit(b[n+1]) {
		n++
		nd := 0
		for n < len(b) && isDigit(b[n]) {
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
				oh, ok = digits(b[m : m+2])
			}
			if !ok || oh > 23 {
				return time.Time{}, 0, false
			}
			m += 2
			om := 0
			switch {
			case m+3 <= len(b) && b[m] == ':':
				if om, ok = digits(b[m+1 : m+3]); !ok {
					return time.Time{}, 0, false
				}
				m += 3
			case m+2 <= len(b) && isDigit(b[m]):
				if om, ok = digits(b[m : m+2]); !ok {
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits reads an unsigned decimal made of digits only.
func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func daysIn(m time.Month, y int) int {
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

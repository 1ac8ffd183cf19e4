// Package timefmt parses the timestamp shapes found in logs and exports and
// renders the (RFC 3339 string, epoch milliseconds) pairs of snapshot records.
package timefmt

import (
	"errors"
	"strings"
	"time"
)

// Stamp renders t as the RFC 3339 UTC string and epoch milliseconds.
func Stamp(t time.Time) (string, int64) {
	b, ms := AppendStamp(make([]byte, 0, 32), t)
	return string(b), ms
}

// AppendStamp appends what Stamp renders (t.UTC().Format(time.RFC3339Nano):
// fraction trimmed of trailing zeros, none when zero) to b, without
// time.Format's layout interpretation: a log of millions of events renders
// one per distinct second. Years outside 0000-9999 go through Format.
func AppendStamp(b []byte, t time.Time) ([]byte, int64) {
	u := t.UTC()
	y, mo, d := u.Date()
	if y < 0 || y > 9999 {
		return u.AppendFormat(b, time.RFC3339Nano), u.UnixMilli()
	}
	h, mi, s := u.Clock()
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if ns := u.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z'), u.UnixMilli()
}

// Ptrs is Stamp returning pointers, for optional record fields.
func Ptrs(t time.Time) (*string, *int64) {
	s, ms := Stamp(t)
	return &s, &ms
}

var months = map[string]time.Month{
	"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

// Syslog parses a BSD syslog timestamp at the start of b ("Nov 27 03:12:01"
// or "Nov  7 03:12:01", optionally with fractional seconds) and returns the
// instant and the number of bytes consumed. The year is the one that puts the
// instant closest before asOf (a line at "Dec 31" read on Jan 2 is last
// year's). Times are in loc.
func Syslog(b []byte, asOf time.Time, loc *time.Location) (time.Time, int, bool) {
	if len(b) < 15 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' {
		return time.Time{}, 0, false
	}
	mon, ok := months[string(b[0:3])]
	if !ok {
		return time.Time{}, 0, false
	}
	day, ok1 := num2(b[4], b[5], true)
	hh, ok2 := num2(b[7], b[8], false)
	mm, ok3 := num2(b[10], b[11], false)
	ss, ok4 := num2(b[13], b[14], false)
	if !ok1 || !ok2 || !ok3 || !ok4 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, 0, false
	}
	n := 15
	nsec := 0
	if n < len(b) && b[n] == '.' {
		n++
		digits := 0
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(b[n]-'0')
				digits++
			}
			n++
		}
		for ; digits < 9 && digits > 0; digits++ {
			nsec *= 10
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	year := asOf.In(loc).Year()
	// Try this year, then earlier ones (Feb 29 only exists in leap years).
	for y := year + 1; y >= year-8; y-- {
		t := time.Date(y, mon, day, hh, mm, ss, nsec, loc)
		if t.Month() != mon || t.Day() != day {
			continue // no such date in that year
		}
		if !t.After(asOf) {
			return t.UTC(), n, true
		}
	}
	return time.Time{}, 0, false
}

func num2(a, b byte, spaceOK bool) (int, bool) {
	if a == ' ' && spaceOK {
		a = '0'
	}
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

// layouts tried by Parse, most common first. Layouts without a zone are read
// in the configured location.
var zoned = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	time.RFC1123Z,
	time.RFC1123,
}

var unzoned = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ErrEmpty is returned by Parse for an empty value.
var ErrEmpty = errors.New("empty time")

// Parse reads a timestamp as found in CSV/JSON exports: RFC 3339 (with or
// without fractional seconds, 'Z' or an offset, 'T' or a space), a zoneless
// date-time (read in loc), "YYYY-MM-DD HH:MM:SS,mmm" (comma decimal), or a
// bare date (midnight in loc). The result is in UTC, in the years 0000 to
// 9999.
func Parse(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ErrEmpty
	}
	if loc == nil {
		loc = time.UTC
	}
	// "2026-11-27 03:12:01,123" (Python logging, fail2ban): comma decimal.
	if i := strings.IndexByte(s, ','); i == 19 && len(s) > 20 {
		s = s[:19] + "." + s[20:]
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, s); err == nil {
			return inRange(t.UTC(), s)
		}
	}
	for _, l := range unzoned {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return inRange(t.UTC(), s)
		}
	}
	return time.Time{}, errors.New("unrecognised time " + quote(s))
}

// inRange refuses an instant that RFC 3339 cannot write in UTC (before the
// year 0000 or after 9999: "0000-01-01T00:00:00+01:00").
func inRange(t time.Time, s string) (time.Time, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}, errors.New("time out of range " + quote(s))
	}
	return t, nil
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "\"" + s + "\""
}

// Location loads a configured zone name; "" is UTC.
func Location(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "UTC") {
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}

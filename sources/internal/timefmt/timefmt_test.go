package timefmt

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

func TestSyslogYear(t *testing.T) {
	cases := []struct {
		line string
		asOf time.Time
		want time.Time
	}{
		{"Dec 31 23:59:59 host sshd[1]: x", time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"Nov 27 03:12:01 host sshd[1]: x", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 27, 3, 12, 1, 0, time.UTC)},
		{"Nov 27 00:00:00 host sshd[1]: x", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		{"Nov  7 09:05:00 host", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 7, 9, 5, 0, 0, time.UTC)},
		{"Feb 29 12:00:00 host", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"Nov 26 10:00:00.250 host", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 10, 0, 0, 250e6, time.UTC)},
	}
	for _, tc := range cases {
		got, n, ok := Syslog([]byte(tc.line), tc.asOf, time.UTC)
		require.True(t, ok, tc.line)
		assert.Equal(t, tc.want, got, tc.line)
		assert.Equal(t, byte(' '), tc.line[n], "consumes the timestamp only: %s", tc.line)
	}
	berlin, err := Location("Europe/Berlin")
	require.NoError(t, err)
	got, _, ok := Syslog([]byte("Jul  1 12:00:00 h"), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), berlin)
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC), got, "summer time in Berlin is UTC+2")
	for _, bad := range []string{"", "Foo 27 03:12:01 x", "Nov 32 03:12:01 x", "Nov 27 25:12:01 x", "Nov 27 03:12"} {
		_, _, ok := Syslog([]byte(bad), time.Now(), time.UTC)
		assert.False(t, ok, bad)
	}
}

func TestParse(t *testing.T) {
	berlin, _ := Location("Europe/Berlin")
	cases := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"2026-11-27T03:12:01Z", nil, time.Date(2026, 11, 27, 3, 12, 1, 0, time.UTC)},
		{"2026-11-27T03:12:01.5+01:00", nil, time.Date(2026, 11, 27, 2, 12, 1, 5e8, time.UTC)},
		{"2026-11-27T03:12:01+0100", nil, time.Date(2026, 11, 27, 2, 12, 1, 0, time.UTC)},
		{"2026-11-27 03:12:01", nil, time.Date(2026, 11, 27, 3, 12, 1, 0, time.UTC)},
		{"2026-11-27 03:12:01", berlin, time.Date(2026, 11, 27, 2, 12, 1, 0, time.UTC)},
		{"2026-11-27 03:12:01,123", nil, time.Date(2026, 11, 27, 3, 12, 1, 123e6, time.UTC)},
		{"2026-11-27", nil, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		{" 2026-11-27 ", berlin, time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		got, err := Parse(tc.in, tc.loc)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	_, err := Parse("", nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = Parse("yesterday", nil)
	assert.ErrorContains(t, err, `unrecognised time "yesterday"`)
}

// Parse gives instants RFC 3339 can write in UTC: the years 0000 to 9999.
func TestParseRange(t *testing.T) {
	berlin, _ := Location("Europe/Berlin")
	for _, in := range []string{"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0000-01-01T01:00:00+01:00"} {
		got, err := Parse(in, nil)
		require.NoError(t, err, in)
		s, _ := Stamp(got)
		assert.Regexp(t, `^\d{4}-`, s, in)
	}
	for _, tc := range []struct {
		in  string
		loc *time.Location
	}{{"0000-01-01T00:30:00+01:00", nil}, {"9999-12-31T23:30:00-01:00", nil}, {"0000-01-01", berlin}, {"0000-01-01 00:30", berlin}} {
		_, err := Parse(tc.in, tc.loc)
		assert.ErrorContains(t, err, `time out of range "`+tc.in+`"`)
	}
	for _, in := range []string{"99999-01-01", "-0001-01-01T00:00:00Z"} {
		_, err := Parse(in, nil)
		assert.ErrorContains(t, err, `unrecognised time`)
	}
}

func TestISO(t *testing.T) {
	got, n, ok := ISO([]byte("2026-11-27T03:12:01.123456+01:00 host sshd"), time.UTC)
	require.True(t, ok)
	assert.Equal(t, time.Date(2026, 11, 27, 2, 12, 1, 123456000, time.UTC), got)
	assert.Equal(t, 32, n)
	_, _, ok = ISO([]byte("2026-02-30T00:00:00Z"), time.UTC)
	assert.False(t, ok, "no such day")
}

func TestStamp(t *testing.T) {
	s, ms := Stamp(time.Date(2026, 11, 27, 1, 0, 0, 5e8, time.FixedZone("x", 3600)))
	assert.Equal(t, "2026-11-27T00:00:00.5Z", s)
	assert.Equal(t, int64(1795737600500), ms)
}

func FuzzSyslog(f *testing.F) {
	f.Add([]byte("Nov 27 03:12:01 host sshd[1]: x"))
	f.Add([]byte("Feb 29 12:00:00.999999999999 h"))
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		got, n, ok := Syslog(b, asOf, time.UTC)
		if ok && (got.After(asOf) || n > len(b)) {
			t.Fatalf("Syslog(%q) = %v, %d", b, got, n)
		}
	})
}

func TestAppendStampMatchesFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("", 3600), time.FixedZone("", -9*3600-30*60), sourcetest.Berlin(t)}
	cases := []time.Time{
		time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 0, 1, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 100000000, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(1795737600, 120000000),
	}
	seed := uint64(7)
	for range 2000 {
		seed = seed*6364136223846793005 + 1442695040888963407
		cases = append(cases, time.Unix(int64(seed>>35)%(300*365*86400), int64(seed%1e9)))
	}
	for _, c := range cases {
		for _, z := range zones {
			tt := c.In(z)
			want := tt.UTC().Format(time.RFC3339Nano)
			got, ms := AppendStamp([]byte("x"), tt)
			require.Equal(t, "x"+want, string(got), "%v", tt)
			require.Equal(t, tt.UnixMilli(), ms)
		}
	}
}

func FuzzAppendStamp(f *testing.F) {
	f.Add(int64(1795737600), int64(5e8))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tt := time.Unix(sec, nsec)
		got, _ := AppendStamp(nil, tt)
		if want := tt.UTC().Format(time.RFC3339Nano); string(got) != want {
			t.Fatalf("%d.%d: got %s, want %s", sec, nsec, got, want)
		}
	})
}

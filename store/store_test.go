package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/report"
)

// kept describes one kind of kept file for the table tests.
type kept struct {
	file   string // name in the reports folder
	schema string // its current schema
	// load reads the file at path and says whether it got nothing (a nil
	// pointer) and whether what it got is the empty state.
	load func(path string) (none, empty bool, err error)
	// wrongType is a file whose line 3 holds a value of the wrong type,
	// reported as field.
	wrongType, field string
	// missingIsError: a missing file is an error wrapping fs.ErrNotExist
	// (a dated report asked for by date) rather than the empty state.
	missingIsError bool
}

var keptFiles = []kept{
	{
		file: BaselineFile, schema: BaselineSchema,
		load: func(p string) (bool, bool, error) {
			b, err := LoadBaseline(p)
			return nothing(b), b == nil, err
		},
		wrongType: "{\n  \"schema\": \"posture.baseline/v1\",\n  \"files\": {\"a\": 1}\n}\n",
		field:     "files: unexpected JSON number, want a string",
	},
	{
		file: LedgerFile, schema: LedgerSchema,
		load: func(p string) (bool, bool, error) {
			l, err := LoadLedger(p)
			return nothing(l), l != nil && len(l.Reports) == 0 && len(l.Findings) == 0, err
		},
		wrongType: "{\n  \"schema\": \"posture.vulnerabilities/v1\",\n  \"findings\": {\"k\": {\"reopened\": \"twice\"}}\n}\n",
		field:     "findings.reopened: unexpected JSON string, want an integer",
	},
	{
		file: IssuesFile, schema: IssuesSchema,
		load: func(p string) (bool, bool, error) {
			x, err := LoadIssues(p)
			return nothing(x), x != nil && len(x.Issues) == 0, err
		},
		wrongType: "{\n  \"schema\": \"posture.issues/v1\",\n  \"m\": {\"number\": \"seven\"}\n}\n",
		field:     `"m".number: unexpected JSON string, want an integer`,
	},
	{
		file: "2026-11-27.json", schema: report.Schema,
		load: func(p string) (bool, bool, error) {
			r, err := LoadReport(p)
			return nothing(r), false, err
		},
		wrongType:      "{\n  \"schema\": \"posture.report/v1\",\n  \"metrics\": \"none\"\n}\n",
		field:          "metrics: unexpected JSON string, want an array",
		missingIsError: true,
	},
}

// nothing reports whether p is a nil pointer.
func nothing[T any](p *T) bool { return p == nil }

// TestCorruptKeptFiles: every kept file is refused the same way when it
// cannot be read as it was written (naming the file, locating JSON
// errors) and is never changed by reading it.
func TestCorruptKeptFiles(t *testing.T) {
	cases := []struct {
		name  string
		body  func(k kept) string // nil: make a folder in the file's place
		want  func(t *testing.T, k kept, path string, err error)
		isErr error // errors.Is target, when set
	}{
		{name: "corrupt JSON", body: func(k kept) string {
			return "{\n  \"schema\": \"" + k.schema + "\",\n  \"x\" 1\n}\n"
		}, want: func(t *testing.T, k kept, path string, err error) {
			assert.EqualError(t, err, path+`:3:7: invalid JSON: invalid character '1' after object key`)
		}},
		{name: "truncated", body: func(k kept) string {
			return "{\n  \"schema\": \"" + k.schema + "\",\n  \"x\": {\"y\": [1, 2"
		}, want: func(t *testing.T, k kept, path string, err error) {
			assert.EqualError(t, err, path+`:3:19: invalid JSON: unexpected end of JSON input`)
		}},
		{name: "wrong types", body: func(k kept) string { return k.wrongType },
			want: func(t *testing.T, k kept, path string, err error) {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), path+":3:"), err.Error())
				assert.True(t, strings.HasSuffix(err.Error(), ": "+k.field), err.Error())
			}},
		{name: "newer format version", body: func(k kept) string {
			kind, _, _ := splitSchema(k.schema)
			return `{"schema": "` + kind + `/v2"}`
		}, isErr: ErrNewerFormat, want: func(t *testing.T, k kept, path string, err error) {
			kind, _, _ := splitSchema(k.schema)
			assert.EqualError(t, err, path+`: written by a newer posture: schema "`+kind+`/v2", this posture reads "`+k.schema+`" (upgrade posture)`)
		}},
		{name: "another kind of file", body: func(k kept) string { return `{"schema": "posture.other/v1"}` },
			isErr: ErrOtherSchema, want: func(t *testing.T, k kept, path string, err error) {
				assert.EqualError(t, err, path+`: schema "posture.other/v1", want "`+k.schema+`"`)
			}},
		{name: "empty file", body: func(kept) string { return "" }, want: func(t *testing.T, k kept, path string, err error) {
			assert.EqualError(t, err, path+": empty file, want a JSON object")
		}},
		{name: "blank file", body: func(kept) string { return " \n\n" }, want: func(t *testing.T, k kept, path string, err error) {
			assert.EqualError(t, err, path+": empty file, want a JSON object")
		}},
		{name: "not an object", body: func(kept) string { return "\n[1, 2]\n" }, want: func(t *testing.T, k kept, path string, err error) {
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), path+":2:"), err.Error())
			assert.Contains(t, err.Error(), "unexpected JSON array, want an object")
		}},
		{name: "null", body: func(kept) string { return "null\n" }, want: func(t *testing.T, k kept, path string, err error) {
			assert.EqualError(t, err, path+":1:1: want a JSON object")
		}},
		{name: "data after the object", body: func(k kept) string {
			return `{"schema": "` + k.schema + `"}` + "\n{}\n"
		}, want: func(t *testing.T, k kept, path string, err error) {
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), path+":2:1: invalid JSON: invalid character '{' after top-level value"), err.Error())
		}},
		{name: "a folder in its place", want: func(t *testing.T, k kept, path string, err error) {
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "is a directory")
		}},
	}
	for _, k := range keptFiles {
		for _, c := range cases {
			t.Run(k.file+"/"+c.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), k.file)
				var body string
				if c.body == nil {
					require.NoError(t, os.Mkdir(path, 0o755))
				} else {
					body = c.body(k)
					require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
				}
				none, _, err := k.load(path)
				require.Error(t, err)
				assert.True(t, none, "no state alongside an error")
				c.want(t, k, path, err)
				if c.isErr != nil {
					assert.ErrorIs(t, err, c.isErr)
				}
				if c.body != nil {
					after, rerr := os.ReadFile(path)
					require.NoError(t, rerr)
					assert.Equal(t, body, string(after), "reading never rewrites the file")
				}
			})
		}
		t.Run(k.file+"/missing", func(t *testing.T) {
			_, empty, err := k.load(filepath.Join(t.TempDir(), "none", k.file))
			if k.missingIsError {
				assert.ErrorIs(t, err, fs.ErrNotExist)
				return
			}
			require.NoError(t, err)
			assert.True(t, empty, "a missing file is the empty state")
		})
	}
}

// TestReadsV1Files: testdata/v1 is a reports folder written by posture
// before the store (6e87c26: `baseline --approve`, `report` on
// 2026-10-27 and 2026-11-27, `issues` against a fake GitHub, on
// examples/localizevideos). It reads as it did, and writing it back gives
// the same bytes, but for the version now written into issues.json.
func TestReadsV1Files(t *testing.T) {
	const dir = "testdata/v1"
	out := t.TempDir()
	old := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}
	again := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		return string(b)
	}

	b, err := LoadBaseline(BaselinePath(dir))
	require.NoError(t, err)
	assert.Equal(t, "ci", b.ApprovedBy)
	assert.Len(t, b.Files, 4)
	require.NoError(t, SaveBaseline(BaselinePath(out), b))
	assert.Equal(t, old(BaselineFile), again(BaselineFile))

	l, err := LoadLedger(LedgerPath(dir))
	require.NoError(t, err)
	assert.Len(t, l.Reports, 2)
	assert.NotEmpty(t, l.Findings)
	require.NoError(t, l.Save(LedgerPath(out)))
	assert.Equal(t, old(LedgerFile), again(LedgerFile))

	x, err := LoadIssues(IssuesPath(dir))
	require.NoError(t, err)
	assert.Equal(t, IssuesSchema, x.Schema, "no schema: version 1")
	assert.Len(t, x.Issues, 13)
	assert.Equal(t, Issue{Number: 8, URL: "https://github.example/localizevideos/posture/issues/8", State: "open"}, x.Issues["mttd_hours"])
	require.NoError(t, SaveIssues(IssuesPath(out), x))
	v1 := old(IssuesFile)
	require.True(t, strings.HasPrefix(v1, "{\n  \"audit_findings\": {"))
	assert.Equal(t, "{\n  \"schema\": \"posture.issues/v1\",\n"+strings.TrimPrefix(v1, "{\n"), again(IssuesFile),
		"the same bytes with the version line added")
	back, err := LoadIssues(IssuesPath(out))
	require.NoError(t, err)
	assert.Equal(t, x, back)

	dates, err := ReportDates(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-10-27", "2026-11-27"}, dates)
	for _, d := range dates {
		r, err := LoadReport(ReportPath(dir, d))
		require.NoError(t, err)
		assert.Equal(t, d+"T00:00:00Z", r.AsOf)
		assert.NotEmpty(t, r.Metrics)
	}
}

func TestIssueIndexEncoding(t *testing.T) {
	data, err := NewIssueIndex().Encode()
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"schema\": \"posture.issues/v1\"\n}\n", string(data))
	data, err = (*IssueIndex)(nil).Encode()
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"schema\": \"posture.issues/v1\"\n}\n", string(data))

	x := NewIssueIndex().Merge(map[string]Issue{"b&<": {Number: 2, URL: "u2", State: "closed"}, "a": {Number: 1, URL: "u1", State: "open"}})
	data, err = x.Encode()
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"schema\": \"posture.issues/v1\",\n"+
		"  \"a\": {\n    \"number\": 1,\n    \"url\": \"u1\",\n    \"state\": \"open\"\n  },\n"+
		"  \"b&<\": {\n    \"number\": 2,\n    \"url\": \"u2\",\n    \"state\": \"closed\"\n  }\n}\n", string(data))

	// A metric called "schema": the file is written without the version
	// (version 1) and reads back the same.
	x = x.Merge(map[string]Issue{"schema": {Number: 3, URL: "u3", State: "open"}})
	data, err = x.Encode()
	require.NoError(t, err)
	assert.Contains(t, string(data), "  \"schema\": {\n    \"number\": 3,")
	p := filepath.Join(t.TempDir(), IssuesFile)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	back, err := LoadIssues(p)
	require.NoError(t, err)
	assert.Equal(t, x, back)
}

func TestIssueIndexMerge(t *testing.T) {
	idx := &IssueIndex{Issues: map[string]Issue{"gone_metric": {Number: 1, URL: "u1", State: "closed"}, "sev1_incidents": {Number: 2, URL: "u2", State: "open"}}}
	out := idx.Merge(map[string]Issue{"sev1_incidents": {Number: 2, URL: "u2", State: "closed"}})
	assert.Equal(t, map[string]Issue{"gone_metric": {Number: 1, URL: "u1", State: "closed"}, "sev1_incidents": {Number: 2, URL: "u2", State: "closed"}}, out.Issues,
		"metrics the run did not look at keep their entries")
	assert.Equal(t, IssuesSchema, out.Schema)
	assert.Equal(t, "open", idx.Issues["sev1_incidents"].State, "the index merged into is not changed")
}

func TestSaveIssuesOnlyWhenChanged(t *testing.T) {
	p := filepath.Join(t.TempDir(), "reports", IssuesFile)
	x := NewIssueIndex().Merge(map[string]Issue{"m": {Number: 1, URL: "u", State: "open"}})
	require.NoError(t, SaveIssues(p, x), "the folder is created")
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(p, past, past))
	require.NoError(t, SaveIssues(p, x))
	st, err := os.Stat(p)
	require.NoError(t, err)
	assert.True(t, st.ModTime().Equal(past), "an unchanged index is not rewritten")
	require.NoError(t, SaveIssues(p, x.Merge(map[string]Issue{"m": {Number: 1, URL: "u", State: "closed"}})))
	back, err := LoadIssues(p)
	require.NoError(t, err)
	assert.Equal(t, "closed", back.Issues["m"].State)
}

func TestSaveIsAtomicAndNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, LedgerFile), 0o755))
	err := NewLedger().Save(LedgerPath(dir))
	require.Error(t, err)
	assert.Contains(t, err.Error(), LedgerPath(dir))
	err = SaveBaseline(filepath.Join(dir, LedgerFile), &Baseline{})
	assert.ErrorContains(t, err, LedgerPath(dir))
	assert.EqualError(t, SaveBaseline(BaselinePath(dir), nil), "no baseline to write")

	require.NoError(t, SaveBaseline(BaselinePath(dir), &Baseline{ApprovedBy: "a <b@c>"}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{BaselineFile, LedgerFile}, names, "no temporary file left behind")
	b, err := LoadBaseline(BaselinePath(dir))
	require.NoError(t, err)
	assert.Equal(t, &Baseline{Schema: BaselineSchema, ApprovedBy: "a <b@c>", Files: map[string]string{}}, b)
}

func TestBaselineChecks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b.json")
	for body, want := range map[string]string{
		`{"schema": "posture.baseline/v0", "files": {}}`:                    `b.json: schema "posture.baseline/v0", want "posture.baseline/v1"`,
		`{"schema": "posture.baseline/v1", "files": {"nginx.conf": "abc"}}`: `b.json: files["nginx.conf"]: "abc" is not a sha256 hex digest`,
		`{"schema": "posture.baseline/v1", "approved_at": "yesterday"}`:     `b.json: approved_at "yesterday" is not an RFC 3339 time`,
	} {
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		_, err := LoadBaseline(p)
		require.Error(t, err, body)
		assert.True(t, strings.HasSuffix(err.Error(), want), err.Error())
	}
}

func TestLedgerChecks(t *testing.T) {
	p := filepath.Join(t.TempDir(), LedgerFile)
	for body, want := range map[string]string{
		`{"schema": "posture.vulnerabilities/v1", "findings": {"k": {"listed": ["2026-13-01"]}}}`:             `findings["k"]: bad date range "2026-13-01"`,
		`{"schema": "posture.vulnerabilities/v1", "findings": {"k": {"listed": ["2026-11-02..2026-11-01"]}}}`: `(end before start)`,
		`{"schema": "posture.vulnerabilities/v1", "findings": {"k": null}}`:                                   `findings["k"] is null`,
		`{"schema": "posture.vulnerabilities/v1", "reports": {"27/11": {}}}`:                                  `reports: bad date "27/11"`,
		`{"schema": "posture.vulnerabilities/v1", "reports": {"2026-11-27": null}}`:                           `reports[2026-11-27] is null`,
		`{"schema": "posture.vulnerabilities/v1", "reports": {"2026-11-27": {"as_of": "soon"}}}`:              `reports[2026-11-27]: bad as_of "soon"`,
	} {
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		_, err := LoadLedger(p)
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), p)
		assert.Contains(t, err.Error(), want)
	}
	require.NoError(t, os.WriteFile(p, []byte(`{"schema": "posture.vulnerabilities/v1", "reports": null, "findings": null}`), 0o644))
	l, err := LoadLedger(p)
	require.NoError(t, err)
	assert.NotNil(t, l.Reports)
	assert.NotNil(t, l.Findings)
}

func TestReportDates(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"2026-11-27.json", "2026-11-25.json", "2026-11-26.md", "baseline.json", "2026-1-1.json"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("{}"), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "2026-11-20.json"), 0o755))
	dates, err := ReportDates(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-11-25", "2026-11-27"}, dates)
	dates, err = ReportDates(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	assert.Empty(t, dates)
	_, err = ReportDates(filepath.Join(dir, "baseline.json"))
	assert.ErrorContains(t, err, "baseline.json")
	assert.Equal(t, filepath.Join(dir, "2026-11-27.json"), ReportPath(dir, "2026-11-27"))
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncd\n")
	for off, want := range map[int64][2]int{0: {1, 1}, 1: {1, 1}, 2: {1, 2}, 3: {1, 3}, 4: {2, 1}, 5: {2, 2}, 6: {3, 1}, 9: {3, 1}} {
		l, c := position(data, off)
		assert.Equal(t, want, [2]int{l, c}, "offset %d", off)
	}
	assert.True(t, errors.Is(checkSchema("p", "posture.x/v10", "posture.x/v9"), ErrNewerFormat))
	assert.True(t, errors.Is(checkSchema("p", "posture.x/vv", "posture.x/v1"), ErrOtherSchema))
	assert.NoError(t, checkSchema("p", "posture.x/v1", "posture.x/v1"))
}

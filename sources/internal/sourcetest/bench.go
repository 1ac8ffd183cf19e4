package sourcetest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localizevideos/posture/sources"
)

// Replicate writes copies copies of the rows of a real sample file (CSV,
// JSON array or JSON Lines, chosen by its extension) to dir/name and returns
// the bytes written. The value of column idCol gets the suffix "-<copy>"
// in every copy, so keyed records (accounts, tokens, deployments) stay
// distinct instead of being merged. The CSV delimiter and header of the
// sample are kept.
func Replicate(tb testing.TB, sample, dir, name, idCol string, copies int) int64 {
	tb.Helper()
	data, err := os.ReadFile(sample)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	switch filepath.Ext(sample) {
	case ".csv":
		replicateCSV(tb, data, &out, idCol, copies)
	case ".jsonl":
		var rows []map[string]any
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var row map[string]any
			if err := json.Unmarshal(line, &row); err != nil {
				tb.Fatalf("%s: %v", sample, err)
			}
			rows = append(rows, row)
		}
		for c := range copies {
			for _, row := range rows {
				line, err := json.Marshal(withSuffix(row, idCol, c))
				if err != nil {
					tb.Fatal(err)
				}
				out.Write(append(line, '\n'))
			}
		}
	default:
		var rows []map[string]any
		if err := json.Unmarshal(data, &rows); err != nil {
			tb.Fatalf("%s: %v", sample, err)
		}
		all := make([]map[string]any, 0, len(rows)*copies)
		for c := range copies {
			for _, row := range rows {
				all = append(all, withSuffix(row, idCol, c))
			}
		}
		b, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			tb.Fatal(err)
		}
		out.Write(b)
	}
	if err := os.WriteFile(filepath.Join(dir, name), out.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return int64(out.Len())
}

func replicateCSV(tb testing.TB, data []byte, out *bytes.Buffer, idCol string, copies int) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	comma := ','
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		comma = ';'
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		tb.Fatalf("sample CSV: %v (%d records)", err, len(recs))
	}
	col := -1
	for i, h := range recs[0] {
		if strings.EqualFold(strings.TrimSpace(h), idCol) {
			col = i
		}
	}
	if col < 0 {
		tb.Fatalf("sample CSV has no column %q", idCol)
	}
	w := csv.NewWriter(out)
	w.Comma = comma
	_ = w.Write(recs[0])
	for c := range copies {
		for _, rec := range recs[1:] {
			rec = append([]string(nil), rec...)
			if col < len(rec) && rec[col] != "" {
				rec[col] = fmt.Sprintf("%s-%d", rec[col], c)
			}
			_ = w.Write(rec)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
}

func withSuffix(row map[string]any, col string, c int) map[string]any {
	v, ok := row[col]
	if !ok || v == nil {
		return row
	}
	cp := make(map[string]any, len(row))
	for k, x := range row {
		cp[k] = x
	}
	cp[col] = fmt.Sprintf("%v-%d", v, c)
	return cp
}

// Count collects a file source of the given kind over dir once and returns
// the number of records.
func Count(tb testing.TB, kind, dir string, cfg any) int {
	tb.Helper()
	res, err := newSource(tb, kind, cfg).Collect(context.Background(), benchEnv(dir))
	if err != nil {
		tb.Fatal(err)
	}
	return res.Data.Count()
}

func newSource(tb testing.TB, kind string, cfg any) sources.Source {
	tb.Helper()
	k, ok := sources.Lookup(kind)
	if !ok {
		tb.Fatalf("kind %s not registered", kind)
	}
	src, err := k.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

func benchEnv(dir string) sources.Env {
	return sources.Env{Name: "bench", AsOf: AsOf, BaseDir: dir, Zone: time.UTC}
}

// BenchCollect runs a file source of the given kind over dir as `posture
// snapshot` does, b.N times, reports records per second and returns the
// number of records of one collection. The source must produce at least
// one record.
func BenchCollect(b *testing.B, kind, dir string, cfg any, bytes int64) int {
	b.Helper()
	src, env := newSource(b, kind, cfg), benchEnv(dir)
	b.SetBytes(bytes)
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		res, err := src.Collect(context.Background(), env)
		if err != nil {
			b.Fatal(err)
		}
		if records = res.Data.Count(); records == 0 {
			b.Fatal("no records")
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	return records
}

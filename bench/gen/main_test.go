package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// genDay writes the scale-1 tree for baseAsOf + day days into a new folder.
func genDay(t *testing.T, day int) string {
	t.Helper()
	if berlin == nil {
		var err error
		if berlin, err = time.LoadLocation("Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	asOf = baseAsOf.AddDate(0, 0, day)
	defer func() { asOf = baseAsOf }()
	g := &gen{dir: dir, scale: 1, seed: 1, day: day, wildcards: 20}
	if err := g.tree(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func read(t *testing.T, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trivyIDs returns the vulnerability ids of trivy-000.json.
func trivyIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	var doc struct {
		Results []struct {
			Vulnerabilities []struct{ VulnerabilityID string }
		}
	}
	if err := json.Unmarshal(read(t, dir, "data/scans/trivy-000.json"), &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range doc.Results {
		for _, v := range r.Vulnerabilities {
			ids[v.VulnerabilityID] = true
		}
	}
	return ids
}

// TestDailyTrees: the trees of consecutive days (-as-of) change the way real
// data does: the events differ, a small share of the findings is replaced,
// the configuration (exceptions, approved baseline) stays.
func TestDailyTrees(t *testing.T) {
	d0, d1, d60 := genDay(t, 0), genDay(t, 1), genDay(t, 60)
	for _, rel := range []string{"exceptions.hcl", "posture.hcl", "security/reports/baseline.json"} {
		if !bytes.Equal(read(t, d0, rel), read(t, d1, rel)) || !bytes.Equal(read(t, d0, rel), read(t, d60, rel)) {
			t.Errorf("%s differs from one day to another", rel)
		}
	}
	if bytes.Equal(read(t, d0, "data/exports/incidents.csv"), read(t, d1, "data/exports/incidents.csv")) {
		t.Error("incidents.csv is the same on two days")
	}
	base := trivyIDs(t, d0)
	gone := func(ids map[string]bool) int {
		n := 0
		for id := range base {
			if !ids[id] {
				n++
			}
		}
		return n
	}
	n1, n60 := gone(trivyIDs(t, d1)), gone(trivyIDs(t, d60))
	t.Logf("trivy-000: %d findings, replaced after 1 day: %d, after 60 days: %d", len(base), n1, n60)
	// 150 findings per image, each kept 45 to 365 days: ~1 a day, ~50 in 60 days.
	if n1 > 6 || n60 < 20 || n60 > 100 {
		t.Errorf("trivy-000 findings replaced after 1 day: %d, after 60 days: %d (of %d)", n1, n60, len(base))
	}
}

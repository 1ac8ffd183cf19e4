package configfiles

import (
	"sort"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/store"
)

// NewBaseline builds a baseline from config_files records (approved by
// approvedBy at approvedAt); store.SaveBaseline writes it to
// <reports_dir>/baseline.json.
func NewBaseline(approvedBy string, approvedAt time.Time, recs []snapshot.ConfigFile) *store.Baseline {
	b := &store.Baseline{
		Schema:     store.BaselineSchema,
		ApprovedBy: approvedBy,
		ApprovedAt: approvedAt.UTC().Format(time.RFC3339),
		Files:      make(map[string]string, len(recs)),
	}
	for _, r := range recs {
		b.Files[r.Path] = r.SHA256
	}
	return b
}

// LoadBaseline reads <reportsDir>/baseline.json for the snapshot: a missing
// file (or no reports folder configured) is a baseline that is not present.
func LoadBaseline(reportsDir string) (*snapshot.Baseline, error) {
	out := &snapshot.Baseline{Files: map[string]string{}}
	if reportsDir == "" {
		return out, nil
	}
	b, err := store.LoadBaseline(store.BaselinePath(reportsDir))
	if err != nil || b == nil {
		return out, err
	}
	out.Present = true
	out.ApprovedBy, out.ApprovedAt = b.ApprovedBy, b.ApprovedAt
	for k, v := range b.Files {
		out.Files[k] = v
	}
	return out, nil
}

// Change is one config drift event against the baseline.
type Change struct {
	Path     string `json:"path"`
	Kind     string `json:"kind"`     // changed, added, removed
	Approved string `json:"approved"` // sha256 in the baseline ("" when added)
	Current  string `json:"current"`  // sha256 now ("" when removed)
}

// Diff lists the watched files whose fingerprint differs from the
// baseline, that are new, or that are gone, sorted by path.
func Diff(b *store.Baseline, current []snapshot.ConfigFile) []Change {
	var approved map[string]string
	if b != nil {
		approved = b.Files
	}
	now := map[string]string{}
	for _, r := range current {
		now[r.Path] = r.SHA256
	}
	var out []Change
	for _, p := range sortedKeys(now) {
		a, ok := approved[p]
		switch {
		case !ok:
			out = append(out, Change{Path: p, Kind: "added", Current: now[p]})
		case a != now[p]:
			out = append(out, Change{Path: p, Kind: "changed", Approved: a, Current: now[p]})
		}
	}
	for _, p := range sortedKeys(approved) {
		if _, ok := now[p]; !ok {
			out = append(out, Change{Path: p, Kind: "removed", Approved: approved[p]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

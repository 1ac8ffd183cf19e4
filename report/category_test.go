package report

import "testing"

func TestCategories(t *testing.T) {
	seen := map[string]bool{}
	for i, c := range Categories {
		if c.ID == "" || c.Name == "" || len(c.Color) != 6 || seen[c.ID] {
			t.Errorf("category %d: %+v: want a unique id, a name and a 6-digit colour", i, c)
		}
		seen[c.ID] = true
		if CategoryRank(c.ID) != i || CategoryName(c.ID) != c.Name {
			t.Errorf("%s: rank %d, name %q", c.ID, CategoryRank(c.ID), CategoryName(c.ID))
		}
	}
	if CategoryRank("supply_chain") != len(Categories) {
		t.Error("a custom category ranks after the built-in ones")
	}
	for id, want := range map[string]string{"supply_chain": "Supply chain", "": "Uncategorised", "édition": "Édition"} {
		if got := CategoryName(id); got != want {
			t.Errorf("CategoryName(%q) = %q, want %q", id, got, want)
		}
	}
}

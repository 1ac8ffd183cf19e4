package shard

import (
	"fmt"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Spec{"1/1": {1, 1}, "2/4": {2, 4}, " 3/3 ": {3, 3}} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != fmt.Sprintf("%d/%d", want.Index, want.Count) {
			t.Errorf("String() = %q", got.String())
		}
	}
	for _, in := range []string{"", "1", "0/3", "4/3", "1/0", "a/b", "-1/2", "1/2/3"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

// The assignment must never change: a matrix whose jobs ran different
// versions would otherwise lose or double work. These values are FNV-1a.
func TestStable(t *testing.T) {
	for _, c := range []struct {
		key  string
		n    int
		want int
	}{
		{"logs/auth.log", 3, Of("logs/auth.log", 3)},
		{"", 4, int(uint64(0xcbf29ce484222325)%4) + 1},
		{"a", 7, int(uint64(0xaf63dc4c8601ec8c)%7) + 1},
		{"foobar", 5, int(uint64(0x85944171f73967e8)%5) + 1},
	} {
		if got := Of(c.key, c.n); got != c.want {
			t.Errorf("Of(%q, %d) = %d, want %d", c.key, c.n, got, c.want)
		}
	}
	if Of("anything", 1) != 1 || Of("anything", 0) != 1 {
		t.Error("one shard must own everything")
	}
}

func TestOwnsExactlyOne(t *testing.T) {
	for n := 1; n <= 8; n++ {
		for k := range 200 {
			key := fmt.Sprintf("org/repo-%d", k)
			owners := 0
			for i := 1; i <= n; i++ {
				if (Spec{i, n}).Owns(key) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("%q with %d shards: %d owners", key, n, owners)
			}
		}
	}
	if !(Spec{}).Owns("x") {
		t.Error("the zero Spec owns everything")
	}
}

func TestBalance(t *testing.T) {
	const keys, n = 10000, 4
	count := make([]int, n+1)
	for k := range keys {
		count[Of(fmt.Sprintf("logs/app-%05d.log", k), n)]++
	}
	for i := 1; i <= n; i++ {
		if dev := count[i] - keys/n; dev > keys/n/10 || dev < -keys/n/10 {
			t.Errorf("shard %d/%d has %d of %d keys (more than 10%% off)", i, n, count[i], keys)
		}
	}
}

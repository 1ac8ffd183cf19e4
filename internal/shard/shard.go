// Package shard assigns work to the shards of a sharded collection
// (`posture snapshot --shard i/N`): a unit of work (a file, a repository, a
// URL, a host, or a whole source) belongs to exactly one shard, chosen by a
// stable hash of its key. The assignment depends on the key and N alone, so
// every shard of a matrix agrees on it without talking to the others.
package shard

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Spec is one shard of N: Index is 1-based. The zero Spec means "not
// sharded": it owns everything.
type Spec struct {
	Index, Count int
}

// Parse reads "i/N" with 1 ≤ i ≤ N.
func Parse(s string) (Spec, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Spec{}, fmt.Errorf("shard %q: want i/N (for example 2/4)", s)
	}
	if n < 1 || i < 1 || i > n {
		return Spec{}, fmt.Errorf("shard %q: want 1 ≤ i ≤ N", s)
	}
	return Spec{Index: i, Count: n}, nil
}

// Sharded reports whether s is a real shard (not the zero Spec).
func (s Spec) Sharded() bool { return s.Count > 0 }

// String is "i/N", "" for the zero Spec.
func (s Spec) String() string {
	if !s.Sharded() {
		return ""
	}
	return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count)
}

// Of returns the shard (1..n) a key belongs to: FNV-1a (64 bit) of the key,
// modulo n. Stable across runs, machines and versions of Go.
func Of(key string, n int) int {
	if n <= 1 {
		return 1
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64()%uint64(n)) + 1
}

// Owns reports whether the key belongs to this shard; the zero Spec owns
// every key.
func (s Spec) Owns(key string) bool {
	if !s.Sharded() {
		return true
	}
	return Of(key, s.Count) == s.Index
}

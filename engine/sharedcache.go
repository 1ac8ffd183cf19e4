package engine

import (
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Metrics are separate prepared queries evaluated in parallel, so helper
// rules they have in common (the exception indexes of the lib package, a
// category's filtered collection) would be computed once per metric. A
// sharedValues holds the values of complete, argument-free rules computed
// by any metric over one input, and every evaluation over that input reads
// them first: each helper is computed about once per run.
//
// Only values computed outside `with` are shared (a `with` frame may replace
// input, data or functions), and only for the refs of complete rules without
// arguments; function results and partial rules stay per evaluation.
type sharedValues struct {
	rules *sharedRules
	mu    sync.RWMutex
	vals  map[string]sharedValue
}

type sharedValue struct {
	term      *ast.Term
	undefined bool
}

// sharedRules is the set of rule refs whose values may be shared, keyed by
// their last element for a cheap first check on every cache access.
type sharedRules struct {
	byName map[string]map[string]bool // last element -> full refs
	maxLen int
}

func newSharedRules(c *ast.Compiler) *sharedRules {
	s := &sharedRules{byName: map[string]map[string]bool{}}
	for _, mod := range c.Modules {
		for _, r := range mod.Rules {
			if len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.SingleValue {
				continue
			}
			ref := r.Ref()
			if !ref.IsGround() || len(ref) < 2 {
				continue
			}
			last, ok := ref[len(ref)-1].Value.(ast.String)
			if !ok {
				continue
			}
			if s.byName[string(last)] == nil {
				s.byName[string(last)] = map[string]bool{}
			}
			s.byName[string(last)][ref.String()] = true
			s.maxLen = max(s.maxLen, len(ref))
		}
	}
	return s
}

// key is the shared key of ref, "" when ref is not a shareable rule.
func (s *sharedRules) key(ref ast.Ref) string {
	if len(ref) < 2 || len(ref) > s.maxLen {
		return ""
	}
	last, ok := ref[len(ref)-1].Value.(ast.String)
	if !ok {
		return ""
	}
	refs := s.byName[string(last)]
	if refs == nil {
		return ""
	}
	k := ref.String()
	if !refs[k] {
		return ""
	}
	return k
}

func newSharedValues(rules *sharedRules) *sharedValues {
	return &sharedValues{rules: rules, vals: map[string]sharedValue{}}
}

// cache returns a topdown.VirtualCache for one evaluation.
func (s *sharedValues) cache() topdown.VirtualCache {
	return &sharedCache{shared: s, local: topdown.NewVirtualCache()}
}

type sharedCache struct {
	shared *sharedValues
	local  topdown.VirtualCache
	depth  int // open `with` frames
}

func (c *sharedCache) Push() {
	c.depth++
	c.local.Push()
}

func (c *sharedCache) Pop() {
	c.depth--
	c.local.Pop()
}

func (c *sharedCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if t, undefined := c.local.Get(ref); t != nil || undefined || c.depth > 0 {
		return t, undefined
	}
	k := c.shared.rules.key(ref)
	if k == "" {
		return nil, false
	}
	c.shared.mu.RLock()
	v, ok := c.shared.vals[k]
	c.shared.mu.RUnlock()
	if !ok {
		return nil, false
	}
	c.local.Put(ref, v.term)
	return v.term, v.undefined
}

func (c *sharedCache) Put(ref ast.Ref, value *ast.Term) {
	c.local.Put(ref, value)
	if c.depth > 0 {
		return
	}
	k := c.shared.rules.key(ref)
	if k == "" {
		return
	}
	c.shared.mu.Lock()
	if _, ok := c.shared.vals[k]; !ok {
		c.shared.vals[k] = sharedValue{term: value, undefined: value == nil}
	}
	c.shared.mu.Unlock()
}

func (c *sharedCache) Keys() []ast.Ref { return c.local.Keys() }

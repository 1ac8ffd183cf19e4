package engine

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The input document holds every field of every record, but the policies
// read a few of each: an event's ts_ms and origin, not its time text, its
// source or its detail. Each field of each record costs an OPA term, so the
// input is converted with only the fields the compiled policies can observe
// (docs/input-document.md#what-the-policies-see): memory follows what the
// policies need, not what the sources collected.
//
// The projection is derived from the compiled modules by a conservative
// analysis of how values reached from `input` are used:
//
//   - a ref into input (input.events[t][i].ts_ms) observes the value at its
//     path; constant keys name fields, anything else is a wildcard;
//   - a variable bound to such a ref (e = input.tokens[i]) is followed: e.id
//     observes tokens.*.id; so are comprehensions of such values
//     (live := [t | ...]), rules whose value is one (_active := [...]), and
//     the parameters of functions called with one (lib.active_account(a));
//   - object.get(x, "key", default) observes x.key;
//   - any other use of a value (passed to a built-in, compared, output,
//     iterated by key, returned from a function) observes the whole value,
//     and `with input` observes the whole input.
//
// A field is dropped only when no observed path leads to or through it, so
// the policies' results are the same as over the full document; the full
// document stays what --dump-input writes and what opa eval sees.

// fieldPattern is an observed path below input: keys, "*" for any key.
type fieldPattern = []string

// tracked is a value reached from input: the path of its elements' pattern
// and how many container levels (comprehensions, partial rules) wrap it.
type tracked struct {
	path string // keys joined by "\x00"
	wrap int
}

type fieldAnalysis struct {
	funcs   map[string][]*ast.Rule // function ref -> its rules
	vars    map[varKey]map[tracked]bool
	rules   map[string]map[tracked]bool // ground rule ref -> value
	params  map[string][]map[tracked]bool
	whole   map[string]bool // observed paths: everything below is kept
	reached map[string]bool // paths refs lead to: the keys on them are kept
	sites   map[varKey]map[*ast.Expr]bool
	all     bool
	changed bool
	rule    *ast.Rule // the rule being analysed (scopes its variables)
	site    *ast.Expr // the expression being analysed
}

type varKey struct {
	rule *ast.Rule
	v    ast.Var
}

const sep = "\x00"

// observedFields analyses the modules (tests excluded by the caller) and
// returns the projection to convert the input with; nil means every field.
// queried are the refs the engine evaluates (metrics, compliance rules):
// their values, and everything below them, leave the policies whole.
func observedFields(c *ast.Compiler, queried []string) *projection {
	a := &fieldAnalysis{funcs: map[string][]*ast.Rule{}, vars: map[varKey]map[tracked]bool{},
		rules: map[string]map[tracked]bool{}, params: map[string][]map[tracked]bool{}, whole: map[string]bool{},
		reached: map[string]bool{}, sites: map[varKey]map[*ast.Expr]bool{}}
	var rules []*ast.Rule
	for _, name := range sortedKeys(c.Modules) {
		ast.WalkRules(c.Modules[name], func(r *ast.Rule) bool {
			rules = append(rules, r)
			if len(r.Head.Args) > 0 {
				k := r.Ref().String()
				a.funcs[k] = append(a.funcs[k], r)
			}
			return false
		})
	}
	for round := 0; ; round++ {
		if round == 50 {
			return nil // did not settle: keep everything
		}
		a.changed = false
		for _, r := range rules {
			a.rule = r
			a.analyseRule(r)
		}
		for _, q := range queried {
			a.observeData(q)
		}
		if a.all {
			return nil
		}
		if !a.changed {
			break
		}
	}
	if a.whole[""] {
		return nil // the whole input
	}
	return newProjection(split(a.whole), split(a.reached))
}

func (a *fieldAnalysis) analyseRule(r *ast.Rule) {
	ref := r.Ref()
	if len(r.Head.Args) > 0 {
		// Parameters are bound by the calls seen so far; what a function
		// returns is observed whole.
		ps := a.params[ref.String()]
		for i, arg := range r.Head.Args {
			if i >= len(ps) || len(ps[i]) == 0 {
				continue
			}
			if v, ok := arg.Value.(ast.Var); ok && !v.IsWildcard() {
				a.bindVar(v, ps[i], nil)
			} else {
				a.observe(ps[i])
			}
		}
		a.body(r.Body)
		a.value(r.Head.Value)
	} else {
		a.body(r.Body)
		// A rule's value is followed through the refs to the rule: its
		// keys (non-ground parts of its ref) and a set rule's element each
		// add a container level.
		wraps := 0
		for _, t := range ref[1:] {
			if !t.IsGround() {
				wraps++
				a.value(t)
			}
		}
		elem := r.Head.Value
		if r.Head.RuleKind() == ast.MultiValue {
			elem = r.Head.Key
			wraps++
			a.value(elem) // a set compares its elements whole
		} else if r.Head.Key != nil && !r.Head.Key.Equal(r.Head.Value) {
			a.value(r.Head.Key)
		}
		if ts, ok := a.resolve(elem); ok {
			key := ref.GroundPrefix().String()
			for t := range ts {
				a.add(a.rules, key, tracked{t.path, t.wrap + wraps})
			}
		} else {
			a.value(elem)
		}
	}
	if r.Else != nil {
		a.analyseRule(r.Else)
	}
}

func split(paths map[string]bool) []fieldPattern {
	out := make([]fieldPattern, 0, len(paths))
	for p := range paths {
		if p != "" {
			out = append(out, strings.Split(p, sep))
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], sep) < strings.Join(out[j], sep) })
	return out
}

func (a *fieldAnalysis) add(m map[string]map[tracked]bool, k string, t tracked) {
	if m[k] == nil {
		m[k] = map[tracked]bool{}
	}
	if !m[k][t] {
		m[k][t] = true
		a.changed = true
	}
}

// bindVar follows v as the values ts. A variable unified with tracked
// values at two places compares them: both are observed.
func (a *fieldAnalysis) bindVar(v ast.Var, ts map[tracked]bool, site *ast.Expr) {
	k := varKey{a.rule, v}
	if a.sites[k] == nil {
		a.sites[k] = map[*ast.Expr]bool{}
	}
	a.sites[k][site] = true
	if len(a.sites[k]) > 1 {
		a.observe(ts)
		a.observe(a.vars[k])
	}
	if a.vars[k] == nil {
		a.vars[k] = map[tracked]bool{}
	}
	for t := range ts {
		if !a.vars[k][t] {
			a.vars[k][t] = true
			a.changed = true
		}
	}
}

func (a *fieldAnalysis) observe(ts map[tracked]bool) {
	for t := range ts {
		if !a.whole[t.path] {
			a.whole[t.path] = true
			a.changed = true
		}
	}
}

func (a *fieldAnalysis) body(b ast.Body) {
	for _, e := range b {
		a.expr(e)
	}
}

func (a *fieldAnalysis) expr(e *ast.Expr) {
	a.site = e
	for _, w := range e.With {
		if ref, ok := w.Target.Value.(ast.Ref); ok && ref.HasPrefix(ast.InputRootRef) {
			a.all = true
		}
		a.value(w.Value)
	}
	switch x := e.Terms.(type) {
	case *ast.Term:
		a.value(x)
	case *ast.SomeDecl:
		for _, t := range x.Symbols {
			a.value(t)
		}
	case *ast.Every:
		a.value(x.Domain)
		a.body(x.Body)
	case []*ast.Term:
		a.call(x)
	}
}

func (a *fieldAnalysis) call(terms []*ast.Term) {
	op := terms[0].Value.(ast.Ref)
	args := terms[1:]
	name := op.String()
	if name == ast.Equality.Ref().String() || name == ast.Assign.Ref().String() {
		if len(args) == 2 && (a.bind(args[0], args[1]) || a.bind(args[1], args[0])) {
			return
		}
	}
	if name == "object.get" && len(args) >= 2 {
		if ts, ok := a.resolve(args[0]); ok {
			if keys, ok := constPath(args[1]); ok {
				ext := map[tracked]bool{}
				for t := range ts {
					ext[a.step(t, keys)] = true
				}
				a.reach(ext)
				a.observe(ext)
				for _, t := range args[2:] {
					a.value(t)
				}
				return
			}
		}
	}
	if name == "count" && len(args) >= 1 {
		// The count of a container the policies built (a comprehension,
		// a partial rule) does not depend on its elements' fields: array
		// elements are kept whatever their fields, and sets and object
		// keys are observed whole where they are built.
		if ts, ok := a.resolve(args[0]); ok && allWrapped(ts) {
			for _, t := range args[1:] {
				a.value(t)
			}
			return
		}
	}
	if fs := a.funcs[name]; fs != nil {
		arity := len(fs[0].Head.Args)
		for i, t := range args {
			if i < arity {
				if ts, ok := a.resolve(t); ok {
					if a.params[name] == nil {
						a.params[name] = make([]map[tracked]bool, arity)
					}
					if a.params[name][i] == nil {
						a.params[name][i] = map[tracked]bool{}
					}
					for x := range ts {
						if !a.params[name][i][x] {
							a.params[name][i][x] = true
							a.changed = true
						}
					}
					continue
				}
			}
			a.value(t)
		}
		return
	}
	for _, t := range args {
		a.value(t)
	}
}

func allWrapped(ts map[tracked]bool) bool {
	for t := range ts {
		if t.wrap == 0 {
			return false
		}
	}
	return true
}

// bind handles `v = x` where v is a variable and x a tracked value: v is
// followed instead of x being observed whole.
func (a *fieldAnalysis) bind(v, x *ast.Term) bool {
	name, ok := v.Value.(ast.Var)
	if !ok || name.IsWildcard() {
		return false
	}
	ts, ok := a.resolve(x)
	if !ok {
		return false
	}
	a.bindVar(name, ts, a.site)
	return true
}

// constPath reads object.get's key argument: a string, or an array of them.
func constPath(t *ast.Term) ([]string, bool) {
	switch k := t.Value.(type) {
	case ast.String:
		return []string{string(k)}, true
	case *ast.Array:
		var out []string
		ok := true
		k.Foreach(func(e *ast.Term) {
			s, isStr := e.Value.(ast.String)
			if !isStr {
				ok = false
			}
			out = append(out, string(s))
		})
		return out, ok
	}
	return nil, false
}

// step follows keys from t.
func (a *fieldAnalysis) step(t tracked, keys []string) tracked {
	for _, k := range keys {
		if t.wrap > 0 {
			t.wrap--
			continue
		}
		if t.path == "" && k != "" {
			t.path = k
		} else {
			t.path += sep + k
		}
	}
	return t
}

// resolve returns the tracked values t may be: ok is false when t is not
// reached from input.
func (a *fieldAnalysis) resolve(t *ast.Term) (map[tracked]bool, bool) {
	switch v := t.Value.(type) {
	case ast.Var:
		ts := a.vars[varKey{a.rule, v}]
		return ts, len(ts) > 0
	case ast.Ref:
		return a.resolveRef(v)
	case *ast.ArrayComprehension:
		a.body(v.Body)
		return a.wrapped(v.Term)
	case *ast.SetComprehension:
		// A set compares its elements whole (equal ones are one).
		a.body(v.Body)
		a.value(v.Term)
		return a.wrapped(v.Term)
	case *ast.ObjectComprehension:
		a.body(v.Body)
		a.value(v.Key)
		return a.wrapped(v.Value)
	}
	return nil, false
}

func (a *fieldAnalysis) wrapped(head *ast.Term) (map[tracked]bool, bool) {
	ts, ok := a.resolve(head)
	if !ok {
		a.value(head)
		return nil, false
	}
	out := make(map[tracked]bool, len(ts))
	for t := range ts {
		out[tracked{t.path, t.wrap + 1}] = true
	}
	return out, true
}

func (a *fieldAnalysis) resolveRef(ref ast.Ref) (map[tracked]bool, bool) {
	var base map[tracked]bool
	n := 0
	switch {
	case ref[0].Equal(ast.InputRootDocument):
		base, n = map[tracked]bool{{}: true}, 1
	case ref[0].Equal(ast.DefaultRootDocument):
		for i := len(ref); i > 1; i-- {
			if ts, ok := a.rules[ref[:i].String()]; ok {
				base, n = ts, i
				break
			}
		}
		if base == nil {
			// A ref above rules (data.pkg) holds their values.
			a.observeData(ref.GroundPrefix().String())
		}
	default:
		if v, ok := ref[0].Value.(ast.Var); ok {
			base, n = a.vars[varKey{a.rule, v}], 1
		}
	}
	// The operands are values in their own right (input.a[x]: x).
	for _, t := range ref[1:] {
		if _, isVar := t.Value.(ast.Var); !isVar {
			if _, isStr := t.Value.(ast.String); !isStr {
				a.value(t)
			}
		} else if ts, ok := a.resolve(t); ok {
			a.observe(ts) // a tracked value used as a key
		}
	}
	if len(base) == 0 {
		return nil, false
	}
	keys := make([]string, 0, len(ref)-n)
	for _, t := range ref[n:] {
		if s, ok := t.Value.(ast.String); ok {
			keys = append(keys, string(s))
		} else {
			keys = append(keys, "*")
		}
	}
	out := make(map[tracked]bool, len(base))
	for t := range base {
		out[a.step(t, keys)] = true
	}
	a.reach(out)
	return out, true
}

// observeData observes the values of the tracked rules at or below ref.
func (a *fieldAnalysis) observeData(ref string) {
	for k, ts := range a.rules {
		if k == ref || strings.HasPrefix(k, ref+".") || strings.HasPrefix(k, ref+"[") {
			a.observe(ts)
		}
	}
}

// reach keeps the keys on the paths of ts (a ref that leads there is
// undefined without them), not what is below.
func (a *fieldAnalysis) reach(ts map[tracked]bool) {
	for t := range ts {
		if !a.reached[t.path] {
			a.reached[t.path] = true
			a.changed = true
		}
	}
}

// value is a use of t that observes all of it when it is reached from input.
func (a *fieldAnalysis) value(t *ast.Term) {
	if t == nil {
		return
	}
	if ts, ok := a.resolve(t); ok {
		a.observe(ts)
		return
	}
	switch v := t.Value.(type) {
	case ast.Ref:
		if len(v) == 1 && v[0].Equal(ast.InputRootDocument) {
			a.all = true
		}
	case *ast.Array:
		v.Foreach(a.value)
	case ast.Set:
		v.Foreach(a.value)
	case ast.Object:
		v.Foreach(func(k, x *ast.Term) { a.value(k); a.value(x) })
	case ast.Call:
		a.call(v)
	case *ast.ArrayComprehension, *ast.SetComprehension, *ast.ObjectComprehension:
		// resolve visited the body; the head was observed by wrapped.
	}
}

// projection is the set of observed paths as a trie, walked by the
// conversion alongside the document: a struct's field is converted when a
// path leads to or through it.
type projection struct {
	root *pstate
}

type pnode struct {
	whole    bool
	children map[string]*pnode
}

// pstate is a set of trie nodes reached by one path of the document (a
// pattern's "*" and a key can both match it); states are memoised, so the
// plan of a struct type is computed once per state.
type pstate struct {
	nodes []*pnode
	whole bool
	mu    sync.Mutex
	next  map[string]*pstate
	plans map[reflect.Type][]field
}

func newProjection(whole, reached []fieldPattern) *projection {
	root := &pnode{}
	insert := func(p fieldPattern, w bool) {
		n := root
		for _, k := range p {
			if n.children == nil {
				n.children = map[string]*pnode{}
			}
			c := n.children[k]
			if c == nil {
				c = &pnode{}
				n.children[k] = c
			}
			n = c
		}
		if w {
			n.whole = true
		}
	}
	for _, p := range reached {
		insert(p, false)
	}
	for _, p := range whole {
		insert(p, true)
	}
	return &projection{root: &pstate{nodes: []*pnode{root}}}
}

// child is the state of the value at key k below s (k is "*" for an array
// element); nil when no observed path leads there.
func (s *pstate) child(k string) *pstate {
	if s.whole {
		return s
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.next[k]; ok {
		return c
	}
	var nodes []*pnode
	whole := false
	for _, n := range s.nodes {
		for _, key := range []string{k, "*"} {
			if c := n.children[key]; c != nil && !slices.Contains(nodes, c) {
				nodes = append(nodes, c)
				whole = whole || c.whole
			}
			if k == "*" {
				break
			}
		}
	}
	var c *pstate
	if len(nodes) > 0 {
		c = &pstate{nodes: nodes, whole: whole}
	}
	if s.next == nil {
		s.next = map[string]*pstate{}
	}
	s.next[k] = c
	return c
}

// plan is the fields of struct type t kept in state s.
func (s *pstate) plan(t reflect.Type) []field {
	all := planOf(t)
	if s.whole {
		return all
	}
	s.mu.Lock()
	p, ok := s.plans[t]
	s.mu.Unlock()
	if ok {
		return p
	}
	p = make([]field, 0, len(all))
	for _, f := range all {
		if c := s.child(string(f.key.Value.(ast.String))); c != nil {
			f.state = c
			f.intern = &interner{}
			p = append(p, f)
		}
	}
	s.mu.Lock()
	if s.plans == nil {
		s.plans = map[reflect.Type][]field{}
	}
	s.plans[t] = p
	s.mu.Unlock()
	return p
}

// Fields lists the observed paths (for docs and tests): "*" is any key or
// element, a trailing "**" keeps everything below.
func (p *projection) Fields() []string {
	if p == nil {
		return []string{"**"}
	}
	var out []string
	var walk func(n *pnode, prefix string)
	walk = func(n *pnode, prefix string) {
		if n.whole {
			out = append(out, strings.TrimPrefix(prefix+".**", "."))
			return
		}
		if len(n.children) == 0 && prefix != "" {
			out = append(out, prefix[1:])
		}
		for _, k := range sortedKeys(n.children) {
			walk(n.children[k], prefix+"."+k)
		}
	}
	walk(p.root.nodes[0], "")
	return out
}

// interner shares one term among the equal strings of a field (a status,
// a severity, a repository: a few values over many records) while the
// field shows few distinct values; a field of unique values (origins,
// ids) turns it off after maxInterned of them.
type interner struct {
	mu  sync.Mutex
	m   map[string]*ast.Term
	off atomic.Bool
}

const maxInterned = 4096

func (in *interner) term(s string) *ast.Term {
	if in.off.Load() {
		return ast.StringTerm(strings.Clone(s))
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if t, ok := in.m[s]; ok {
		return t
	}
	if len(in.m) >= maxInterned {
		in.off.Store(true)
		in.m = nil
		return ast.StringTerm(strings.Clone(s))
	}
	if in.m == nil {
		in.m = map[string]*ast.Term{}
	}
	c := strings.Clone(s)
	t := ast.StringTerm(c)
	in.m[c] = t
	return t
}

package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sharedFixture(t *testing.T) *sharedRules {
	t.Helper()
	c := ast.NewCompiler()
	c.Compile(map[string]*ast.Module{"h.rego": ast.MustParseModule(`package h
total := count(input.xs)
maybe := 1 if input.flag
f(x) := x + 1
parts contains x if some x in input.xs
`)})
	require.False(t, c.Failed(), "%v", c.Errors)
	return newSharedRules(c)
}

func TestSharedRulesAreCompleteRulesWithoutArguments(t *testing.T) {
	r := sharedFixture(t)
	assert.NotEmpty(t, r.key(ast.MustParseRef("data.h.total")))
	assert.NotEmpty(t, r.key(ast.MustParseRef("data.h.maybe")))
	assert.Empty(t, r.key(ast.MustParseRef("data.h.f")), "functions are not shared")
	assert.Empty(t, r.key(ast.MustParseRef(`data.h.f.total`)), "a function call whose argument looks like a rule name")
	assert.Empty(t, r.key(ast.MustParseRef("data.h.parts")), "partial rules are not shared")
	assert.Empty(t, r.key(ast.MustParseRef("data.other.total")))
}

func TestSharedCacheSharesOnlyOutsideWith(t *testing.T) {
	sv := newSharedValues(sharedFixture(t))
	total, maybe := ast.MustParseRef("data.h.total"), ast.MustParseRef("data.h.maybe")

	a := sv.cache()
	a.Push() // a `with` frame: its values stay in this evaluation
	a.Put(total, ast.IntNumberTerm(0))
	a.Pop()
	b := sv.cache()
	v, undefined := b.Get(total)
	assert.Nil(t, v)
	assert.False(t, undefined, "a value computed under `with` is not shared")

	a.Put(total, ast.IntNumberTerm(3))
	a.Put(maybe, nil) // undefined
	c := sv.cache()
	v, _ = c.Get(total)
	require.NotNil(t, v)
	assert.Equal(t, ast.IntNumberTerm(3), v)
	v, undefined = c.Get(maybe)
	assert.Nil(t, v)
	assert.True(t, undefined, "an undefined result is shared as undefined")

	c.Push()
	v, _ = c.Get(ast.MustParseRef("data.h.total"))
	assert.Nil(t, v, "inside `with` the shared value is not read")
	c.Pop()

	// The first value stays: a later evaluation cannot replace it.
	b.Put(total, ast.IntNumberTerm(4))
	v, _ = sv.cache().Get(total)
	assert.Equal(t, ast.IntNumberTerm(3), v)
}

const sharedPolicy = `package shared

_n := count(input.accounts)

# METADATA
# title: Plain
# custom:
#   id: plain_count
#   category: compliance_signals
#   unit: count
#   inputs: [accounts]
plain_count := {"value": _n}

# METADATA
# title: Mocked
# custom:
#   id: mocked_count
#   category: compliance_signals
#   unit: count
#   inputs: [accounts]
mocked_count := {"value": v} if {
	v := _n with input.accounts as []
}
`

func TestSharedValuesKeepWithFramesApart(t *testing.T) {
	mod, err := ast.ParseModuleWithOpts("shared.rego", sharedPolicy, ast.ParserOptions{ProcessAnnotation: true})
	require.NoError(t, err)
	e, err := New(context.Background(), []*Module{{Name: "shared.rego", Module: mod}}, func(string) bool { return false })
	require.NoError(t, err)
	in := &Input{Value: ast.MustParseTerm(`{"accounts": [{"login": "a"}, {"login": "b"}]}`).Value}
	for range 50 { // both orders of the two metrics happen
		ev, err := e.Evaluate(context.Background(), in)
		require.NoError(t, err)
		require.NoError(t, ev.Raw["plain_count"].Err)
		require.NoError(t, ev.Raw["mocked_count"].Err)
		assert.Equal(t, 2.0, *ev.Raw["plain_count"].Value)
		assert.Equal(t, 0.0, *ev.Raw["mocked_count"].Value)
	}
}

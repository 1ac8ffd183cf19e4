package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// ErrNoTests is returned by RunTests when no test_ rule was found.
var ErrNoTests = fmt.Errorf("no tests found")

// RunTests runs the Rego unit tests (rules named test_*) in mods, like
// `opa test`, in the same sandbox the policies are evaluated in.
func RunTests(ctx context.Context, mods []*Module) ([]*tester.Result, error) {
	in := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		in[m.Name] = m.Module
	}
	compiler := ast.NewCompiler().
		WithCapabilities(Sandbox()).
		WithEnablePrintStatements(true).
		WithDefaultRegoVersion(ast.RegoV1)
	store := inmem.New()
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(in).
		SetTimeout(60*time.Second).
		CapturePrintOutput(true).
		RaiseBuiltinErrors(true).
		RunTests(ctx, txn)
	if err != nil {
		return nil, &PolicyError{Err: err}
	}
	var out []*tester.Result
	for r := range ch {
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, ErrNoTests
	}
	return out, nil
}

var _ storage.Store = inmem.New()

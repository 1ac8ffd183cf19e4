package policies

import (
	"os"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestZZDebug(t *testing.T) {
	if os.Getenv("PERF_DEBUG") == "" {
		t.Skip()
	}
	mods := loadModules(t)
	for k := range mods {
		if strings.HasSuffix(k, "_test.rego") {
			delete(mods, k)
		}
	}
	c := ast.NewCompiler().WithDebug(os.Stdout)
	c.Compile(mods)
	if c.Failed() {
		t.Fatal(c.Errors)
	}
}

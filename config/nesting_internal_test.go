package config

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FuzzCheckNesting: the check never panics, and whatever it lets through
// parses and evaluates within a small stack (a nesting it failed to count
// would crash the fuzzer). After a file that parses, an expression in
// MaxNesting+1 parentheses is refused.
func FuzzCheckNesting(f *testing.F) {
	for _, s := range []string{
		"x = [[1], {a = (2 + 3)}]\n",
		"x = \"${a ? \"%{ if b }${c}%{ endif }\" : -d}\"\n",
		"x = <<EOT\n${[for k, v in m : k => v if !v]}\nEOT\n",
		"block \"l\" {\n  y = a[0].b[*].c\n  z = f(1, 2)\n}\n",
		"x = {for k in y : k => 1 +\n2}\n",
		"x = ((((",
		"x = ]]]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		old := debug.SetMaxStack(64 << 20)
		defer debug.SetMaxStack(old)
		if checkNesting([]byte(src), "f.hcl").HasErrors() {
			return
		}
		file, diags := parseHCL([]byte(src), "f.hcl")
		if file != nil {
			if body, ok := file.Body.(*hclsyntax.Body); ok {
				for _, a := range body.Attributes {
					_, _ = a.Expr.Value(&hcl.EvalContext{})
				}
			}
		}
		if diags.HasErrors() {
			return
		}
		deep := "x = " + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1) + "\n"
		if !checkNesting([]byte(src+"\n"+deep), "f.hcl").HasErrors() {
			t.Fatalf("%d parentheses after %q passed", MaxNesting+1, src)
		}
	})
}

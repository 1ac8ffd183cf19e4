package logquery

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Window is the duration the ${window} variable of a query expression
// stands for: "<days>d" (LogQL and Elasticsearch date math both read it).
func Window(days int) string { return strconv.Itoa(days) + "d" }

// evalContext offers the query expressions the variable window (the
// report window, "30d") and the function jsonencode.
func evalContext(days int) *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"window": cty.StringVal(Window(days))},
		Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc},
	}
}

// Present reports whether an optional expression attribute was given.
func Present(expr hcl.Expression) bool {
	if expr == nil {
		return false
	}
	r := expr.Range()
	return r.Filename != "" || r.Start != r.End
}

// String evaluates a string expression of a query block with the window
// of the given days. A missing or null value gives "".
func String(expr hcl.Expression, days int) (string, error) {
	if !Present(expr) {
		return "", nil
	}
	v, diags := expr.Value(evalContext(days))
	if diags.HasErrors() {
		return "", fmt.Errorf("%s", diagText(diags))
	}
	if v.IsNull() {
		return "", nil
	}
	if !v.IsWhollyKnown() || v.Type() != cty.String {
		return "", fmt.Errorf("want a string")
	}
	return strings.TrimSpace(v.AsString()), nil
}

// JSON evaluates an expression that is a JSON document: a string (raw
// JSON, jsonencode(...)) or an HCL object, which is encoded. A missing or
// null value gives nil.
func JSON(expr hcl.Expression, days int) ([]byte, error) {
	if !Present(expr) {
		return nil, nil
	}
	v, diags := expr.Value(evalContext(days))
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s", diagText(diags))
	}
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsWhollyKnown() {
		return nil, fmt.Errorf("the value is not known")
	}
	if v.Type() == cty.String {
		return []byte(strings.TrimSpace(v.AsString())), nil
	}
	b, err := stdlib.JSONEncode(v)
	if err != nil {
		return nil, err
	}
	return []byte(b.AsString()), nil
}

func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		s := d.Summary
		if d.Detail != "" {
			s += ": " + d.Detail
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

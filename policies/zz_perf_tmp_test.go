package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

func TestZZPerf(t *testing.T) {
	file := os.Getenv("PERF_INPUT")
	if file == "" {
		t.Skip()
	}
	ctx := context.Background()
	raw, _ := os.ReadFile(file)
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	val, err := ast.InterfaceToValue(doc)
	if err != nil {
		t.Fatal(err)
	}
	var opts []func(*rego.Rego)
	for name, m := range loadModules(t) {
		if !strings.HasSuffix(name, "_test.rego") {
			opts = append(opts, rego.ParsedModule(m))
		}
	}
	paths := []string{}
	if only := os.Getenv("PERF_ONLY"); only != "" {
		catalogue = map[string]string{}
		for _, p := range strings.Split(only, ",") {
			c, id, _ := strings.Cut(p, "/")
			catalogue[id] = c
		}
	}
	for id, c := range catalogue {
		paths = append(paths, "data.posture.metrics."+c+"."+id)
	}
	sort.Strings(paths)
	paths = append(paths, "data.compliance.tls.deny", "data.compliance.identity.deny")
	total := time.Duration(0)
	for _, p := range paths {
		pq, err := rego.New(append(opts, rego.Query(p))...).PrepareForEval(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var rs rego.ResultSet
		d := time.Hour
		for i := 0; i < 3; i++ {
			st := time.Now()
			rs, err = pq.Eval(ctx, rego.EvalParsedInput(val))
			d = min(d, time.Since(st))
		}
		total += d
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: %v %d", p, err, len(rs))
		}
		v := rs[0].Expressions[0].Value
		summary := ""
		if m, ok := v.(map[string]any); ok && m["waived"] != nil {
			summary = fmt.Sprintf("value=%v items=%v waived=%d", m["value"], m["items"], len(m["waived"].([]any)))
		} else if s, ok := v.([]any); ok {
			summary = fmt.Sprintf("n=%d", len(s))
		} else if s, ok := v.(map[string]any); ok {
			summary = fmt.Sprintf("n=%d", len(s))
		}
		fmt.Printf("%-75s %10.1fms %s\n", p, float64(d.Microseconds())/1000, summary)
	}
	fmt.Printf("TOTAL %v\n", total)
}

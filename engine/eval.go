package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/localizevideos/posture/internal/parallel"
	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/snapshot"
)

// Engine holds the compiled policies and one prepared query per metric and
// per compliance check. Build it once; Evaluate may be called many times and
// from several goroutines.
type Engine struct {
	Compiler    *ast.Compiler
	Definitions []*Definition
	metrics     map[string]rego.PreparedEvalQuery
	shared      *sharedRules
	compliance  []complianceQuery
	conftest    []complianceQuery
	// fields is what the policies can observe of the input (nil: all).
	fields *projection
}

// ObservedFields lists the paths of the input document the policies can
// observe, as the conversion keeps them ("*": any key or element; "**":
// everything below).
func (e *Engine) ObservedFields() []string { return e.fields.Fields() }

type complianceQuery struct {
	check string // package path without "data.", e.g. compliance.tls
	rule  string // deny or violation
	pq    rego.PreparedEvalQuery
}

// ComplianceFinding is one failing (check, resource) pair (docs/metrics.md#built-in-compliance-checks).
type ComplianceFinding struct {
	Check    string `json:"check"`
	Resource string `json:"resource"`
	Scope    string `json:"scope"`
	Msg      string `json:"msg"`
	Origin   string `json:"origin,omitempty"`
}

// New compiles the modules (test files are left out), reads the catalogue and
// prepares every query.
func New(ctx context.Context, mods []*Module, builtin func(file string) bool) (*Engine, error) {
	var prod []*Module
	for _, m := range mods {
		if !m.Test {
			prod = append(prod, m)
		}
	}
	c, err := Compile(prod)
	if err != nil {
		return nil, err
	}
	defs, err := Catalogue(c, builtin)
	if err != nil {
		return nil, err
	}
	e := &Engine{Compiler: c, Definitions: defs, metrics: make(map[string]rego.PreparedEvalQuery, len(defs)), shared: newSharedRules(c)}
	for _, d := range defs {
		pq, err := e.prepare(ctx, d.Query())
		if err != nil {
			return nil, fmt.Errorf("metric %s (%s): %w", d.ID, d.Location, err)
		}
		e.metrics[d.ID] = pq
	}
	// Compliance checks: `deny` in any package under data.compliance;
	// conftest-style `deny`/`violation` in package main.
	seen := map[string]bool{}
	for _, name := range sortedKeys(c.Modules) {
		mod := c.Modules[name]
		pkg := strings.TrimPrefix(mod.Package.Path.String(), "data.")
		isCompliance := pkg == "compliance" || strings.HasPrefix(pkg, "compliance.")
		isMain := pkg == "main"
		if !isCompliance && !isMain {
			continue
		}
		for _, r := range mod.Rules {
			rule := r.Head.Name.String()
			if len(r.Head.Ref()) > 0 {
				rule = r.Head.Ref()[0].Value.String()
			}
			if !(rule == "deny" || (isMain && rule == "violation")) {
				continue
			}
			key := pkg + "." + rule
			if seen[key] {
				continue
			}
			seen[key] = true
			pq, err := e.prepare(ctx, "data."+key)
			if err != nil {
				return nil, fmt.Errorf("compliance check %s: %w", key, err)
			}
			q := complianceQuery{check: pkg, rule: rule, pq: pq}
			if isMain {
				e.conftest = append(e.conftest, q)
			} else {
				e.compliance = append(e.compliance, q)
			}
		}
	}
	// The input keeps the record fields these queries can observe.
	queried := make([]string, 0, len(defs)+len(e.compliance)+len(e.conftest))
	for _, d := range defs {
		queried = append(queried, d.Query())
	}
	for _, q := range append(append([]complianceQuery(nil), e.compliance...), e.conftest...) {
		queried = append(queried, "data."+q.check+"."+q.rule)
	}
	e.fields = observedFields(c, queried)
	return e, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (e *Engine) prepare(ctx context.Context, query string) (rego.PreparedEvalQuery, error) {
	return rego.New(
		rego.Query(query),
		rego.Compiler(e.Compiler),
		rego.Capabilities(Sandbox()),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
}

// Definition returns the catalogue entry of a metric id.
func (e *Engine) Definition(id string) *Definition {
	for _, d := range e.Definitions {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Raw is a metric rule's value before targets and statuses are applied.
type Raw struct {
	Value   *float64
	Items   int
	Records []string
	Waived  []RawWaived
	Err     error
}

// RawWaived is a waived finding as the policy reported it.
type RawWaived struct {
	Scope     string `json:"scope"`
	Exception string `json:"exception"`
	Origin    string `json:"origin"`
}

// Evaluation is the result of evaluating every metric over one input.
type Evaluation struct {
	Input      *Input
	Raw        map[string]*Raw
	Compliance []ComplianceFinding
	// ComplianceErr is set when a compliance check failed to evaluate.
	ComplianceErr error
}

// Evaluate runs the compliance checks and the metrics in parallel on all
// cores. Metrics that run over the whole snapshot (inputs ["*"], such as
// compliance_drift) wait for the compliance findings, which are added to
// their input; the others start at once.
func (e *Engine) Evaluate(ctx context.Context, in *Input) (*Evaluation, error) {
	ev := &Evaluation{Input: in, Raw: make(map[string]*Raw, len(e.Definitions))}
	// Helper rules shared by several metrics are computed once per input.
	sharedIn, sharedAll := newSharedValues(e.shared), newSharedValues(e.shared)
	var mu sync.Mutex
	metric := func(d *Definition, input func() (*Input, *sharedValues)) func() {
		return func() {
			end := trace.Phase("metric " + d.ID)
			var r *Raw
			// The label lets a CPU profile be split by metric
			// (go tool pprof -tagfocus metric=ID).
			pprof.Do(ctx, pprof.Labels("metric", d.ID), func(ctx context.Context) {
				r = e.evalMetric(ctx, d, input)
			})
			end()
			mu.Lock()
			ev.Raw[d.ID] = r
			mu.Unlock()
		}
	}

	// The tasks run in this order on GOMAXPROCS workers: the compliance
	// checks first (the whole-snapshot metrics wait for their findings),
	// then the other metrics, then the whole-snapshot ones.
	withFindings := in
	var buildErr error
	done := make(chan struct{})
	tasks := []func(){func() {
		defer close(done)
		end := trace.Phase("compliance")
		findings, err := e.evalCompliance(ctx, in, sharedIn)
		end()
		ev.ComplianceErr = err
		ev.Compliance = findings
		if len(findings) > 0 {
			withFindings, buildErr = addFindings(in, findings)
		} else {
			sharedAll = sharedIn // the same input
		}
	}}
	var last []func()
	for _, d := range e.Definitions {
		if d.needsAll() {
			last = append(last, metric(d, func() (*Input, *sharedValues) {
				<-done
				return withFindings, sharedAll
			}))
		} else {
			tasks = append(tasks, metric(d, func() (*Input, *sharedValues) { return in, sharedIn }))
		}
	}
	tasks = append(tasks, last...)
	parallel.ForEach(len(tasks), func(i int) { tasks[i]() })
	if buildErr != nil {
		return nil, buildErr
	}
	ev.Input = withFindings
	if ev.ComplianceErr != nil {
		for _, d := range e.Definitions {
			if d.ID == "compliance_drift" {
				ev.Raw[d.ID] = &Raw{Err: ev.ComplianceErr}
			}
		}
	}
	return ev, nil
}

// needsAll reports whether the metric runs over the whole snapshot,
// compliance findings included.
func (d *Definition) needsAll() bool {
	for _, k := range d.Inputs {
		if k == InputAll {
			return true
		}
	}
	return false
}

// addFindings returns the input with compliance_findings set: a new
// top-level object sharing every other value, so the caller's input stays
// as built and nothing large is copied.
func addFindings(in *Input, findings []ComplianceFinding) (*Input, error) {
	fv, err := toValue(findings)
	if err != nil {
		return nil, err
	}
	obj, ok := in.Value.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("input is not an object")
	}
	key := ast.StringTerm("compliance_findings")
	items := make([][2]*ast.Term, 0, obj.Len())
	obj.Foreach(func(k, v *ast.Term) {
		if !k.Equal(key) {
			items = append(items, [2]*ast.Term{k, v})
		}
	})
	items = append(items, [2]*ast.Term{key, ast.NewTerm(fv)})
	doc := make(map[string]any, len(in.Doc))
	for k, v := range in.Doc {
		doc[k] = v
	}
	doc["compliance_findings"] = findings
	return &Input{AsOf: in.AsOf, Doc: doc, Value: ast.NewObject(items...), Failed: in.Failed, Kinds: in.Kinds,
		Collections: in.Collections, FailedCollections: in.FailedCollections}, nil
}

func (e *Engine) eval(ctx context.Context, pq rego.PreparedEvalQuery, in *Input, input ast.Value, sv *sharedValues) (any, bool, error) {
	opts := []rego.EvalOption{rego.EvalParsedInput(input), rego.EvalTime(in.AsOf)}
	if sv != nil {
		opts = append(opts, rego.EvalVirtualCache(sv.cache()))
	}
	rs, err := pq.Eval(ctx, opts...)
	if err != nil {
		return nil, false, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, false, nil
	}
	return rs[0].Expressions[0].Value, true, nil
}

func (e *Engine) evalMetric(ctx context.Context, d *Definition, input func() (*Input, *sharedValues)) *Raw {
	in, sv := input()
	v, defined, err := e.eval(ctx, e.metrics[d.ID], in, in.Value, sv)
	if err != nil {
		return &Raw{Err: fmt.Errorf("policy error in %s: %w", d.Location, err)}
	}
	if !defined {
		return &Raw{Err: fmt.Errorf("%s: rule %s is undefined for this input (give it a default)", d.Location, d.Rule)}
	}
	r, err := parseRaw(v)
	if err != nil {
		return &Raw{Err: fmt.Errorf("%s: %w", d.Location, err)}
	}
	return r
}

// parseRaw reads a metric rule's value: a number, null, or an object with
// value, items, records, waived.
func parseRaw(v any) (*Raw, error) {
	r := &Raw{}
	switch x := v.(type) {
	case nil:
		return r, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		r.Value = &f
		r.Items = -1
		return r, nil
	case map[string]any:
		if val, ok := x["value"]; ok && val != nil {
			n, ok := val.(json.Number)
			if !ok {
				return nil, fmt.Errorf("metric value must be a number or null, got %T", val)
			}
			f, err := n.Float64()
			if err != nil {
				return nil, err
			}
			r.Value = &f
		}
		if it, ok := x["items"].(json.Number); ok {
			n, _ := it.Int64()
			r.Items = int(n)
		}
		if recs, ok := x["records"].([]any); ok {
			for _, rec := range recs {
				switch s := rec.(type) {
				case string:
					r.Records = append(r.Records, s)
				default:
					b, _ := json.Marshal(s)
					r.Records = append(r.Records, string(b))
				}
			}
		}
		if ws, ok := x["waived"].([]any); ok {
			for _, w := range ws {
				m, ok := w.(map[string]any)
				if !ok {
					continue
				}
				s := func(k string) string { v, _ := m[k].(string); return v }
				r.Waived = append(r.Waived, RawWaived{Scope: s("scope"), Exception: s("exception"), Origin: s("origin")})
			}
		}
		return r, nil
	}
	return nil, fmt.Errorf("metric rule must give a number or an object with \"value\", got %T", v)
}

func (e *Engine) evalCompliance(ctx context.Context, in *Input, sv *sharedValues) ([]ComplianceFinding, error) {
	seen := map[string]int{}
	var out []ComplianceFinding
	add := func(f ComplianceFinding) {
		f.Scope = f.Check + ":" + f.Resource
		// One finding per (check, resource); its messages are all kept.
		if i, ok := seen[f.Scope]; ok {
			if f.Msg != "" && !strings.Contains(out[i].Msg, f.Msg) {
				out[i].Msg += "; " + f.Msg
			}
			return
		}
		seen[f.Scope] = len(out)
		out = append(out, f)
	}
	for _, q := range e.compliance {
		v, _, err := e.eval(ctx, q.pq, in, in.Value, sv)
		if err != nil {
			return nil, fmt.Errorf("compliance check %s: %w", q.check, err)
		}
		for _, f := range denials(q.check, v) {
			add(f)
		}
	}
	if len(e.conftest) > 0 {
		for _, cf := range configContents(in) {
			val, err := toValue(cf.content)
			if err != nil {
				return nil, err
			}
			for _, q := range e.conftest {
				v, _, err := e.eval(ctx, q.pq, in, val, nil)
				if err != nil {
					return nil, fmt.Errorf("conftest policy %s.%s on %s: %w", q.check, q.rule, cf.path, err)
				}
				for _, f := range denials(q.check, v) {
					f.Msg = f.Resource
					f.Resource = cf.path
					f.Origin = cf.origin
					add(f)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scope < out[j].Scope })
	return out, nil
}

type configContent struct {
	path, origin string
	content      any
}

func configContents(in *Input) []configContent {
	var out []configContent
	cfs, _ := in.Doc["config_files"].([]snapshot.ConfigFile)
	for _, cf := range cfs {
		if cf.Content != nil {
			out = append(out, configContent{path: cf.Path, origin: cf.Origin, content: cf.Content})
		}
	}
	return out
}

// denials reads a deny set: strings, or objects with msg and resource.
func denials(check string, v any) []ComplianceFinding {
	items, _ := v.([]any)
	var out []ComplianceFinding
	for _, it := range items {
		switch x := it.(type) {
		case string:
			out = append(out, ComplianceFinding{Check: check, Resource: x, Msg: x})
		case map[string]any:
			msg, _ := x["msg"].(string)
			res := ""
			switch r := x["resource"].(type) {
			case string:
				res = r
			case nil:
				res = msg
			default:
				b, _ := json.Marshal(r)
				res = string(b)
			}
			out = append(out, ComplianceFinding{Check: check, Resource: res, Msg: msg})
		default:
			b, _ := json.Marshal(x)
			out = append(out, ComplianceFinding{Check: check, Resource: string(b), Msg: string(b)})
		}
	}
	return out
}

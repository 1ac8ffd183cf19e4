package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ToValue converts a Go document (maps, slices, structs with json tags,
// scalars) straight into an OPA value, with the same result as a JSON
// round trip followed by ast.InterfaceToValue but without the encoding,
// decoding and intermediate maps. Struct layouts are analysed once per type.
func ToValue(doc any) (ast.Value, error) {
	t, err := convert(reflect.ValueOf(doc))
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// ToValueParallel converts a top-level document like ToValue, its entries
// (the collections of the input) on all cores.
func ToValueParallel(doc map[string]any) (ast.Value, error) {
	return toValueParallel(doc, nil)
}

// deferred is a document entry computed by the worker that converts it,
// so a slow producer overlaps the conversion of the other entries.
// toValueParallel replaces it in the document with the value it returned.
type deferred func() (any, error)

// toValueParallel converts doc with the fields projection p keeps (nil:
// every field).
func toValueParallel(doc map[string]any, p *projection) (ast.Value, error) {
	var root *pstate
	if p != nil {
		root = p.root
	}
	keys := make([]string, 0, len(doc))
	for k, v := range doc {
		if _, ok := v.(deferred); ok {
			// Deferred entries first: their workers wait for the
			// producer while the others convert.
			keys = append([]string{k}, keys...)
			continue
		}
		keys = append(keys, k)
	}
	items := make([][2]*ast.Term, len(keys))
	resolved := make([]any, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, k := range keys {
		v := doc[k]
		f, isDeferred := v.(deferred)
		wg.Add(1)
		if !isDeferred {
			sem <- struct{}{}
		}
		go func() {
			defer wg.Done()
			if isDeferred {
				var err error
				if v, err = f(); err != nil {
					errs[i] = err
					return
				}
				resolved[i] = v
				sem <- struct{}{}
			}
			defer func() { <-sem }()
			if t, ok := v.(*ast.Term); ok { // converted already (EventStream)
				items[i] = [2]*ast.Term{ast.StringTerm(k), t}
				return
			}
			t, err := convertIn(reflect.ValueOf(v), under(root, k))
			items[i], errs[i] = [2]*ast.Term{ast.StringTerm(k), t}, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keys[i], err)
		}
	}
	for i, v := range resolved {
		if v != nil {
			doc[keys[i]] = v
		}
	}
	return ast.NewObject(items...), nil
}

type field struct {
	index     []int
	key       *ast.Term
	omitEmpty bool
	state     *pstate // the projection's state of the field's value (nil: whole)
	intern    *interner
}

var plans sync.Map // reflect.Type -> []field

func planOf(t reflect.Type) []field {
	if p, ok := plans.Load(t); ok {
		return p.([]field)
	}
	var out []field
	seen := map[string]bool{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && name == "" {
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, idx)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue // the shallower field wins, as in encoding/json
			}
			seen[name] = true
			out = append(out, field{index: idx, key: ast.StringTerm(name), omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
		}
	}
	walk(t, nil)
	plans.Store(t, out)
	return out
}

var jsonNumberType = reflect.TypeOf(json.Number(""))

func convert(v reflect.Value) (*ast.Term, error) { return convertIn(v, nil) }

// emptyState is where no observed path leads: structs there keep no field.
var emptyState = &pstate{}

// under is the state of the value at key k below s: nil without a
// projection, s itself below an observed-whole path, emptyState where no
// observed path leads.
func under(s *pstate, k string) *pstate {
	if s == nil {
		return nil
	}
	if c := s.child(k); c != nil {
		return c
	}
	return emptyState
}

// convertIn converts v in projection state s (nil: every field).
func convertIn(v reflect.Value, s *pstate) (*ast.Term, error) {
	if !v.IsValid() {
		return ast.NullTerm(), nil
	}
	if v.Type() == jsonNumberType {
		s := v.String()
		if s == "" {
			s = "0"
		}
		return ast.NewTerm(ast.Number(s)), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		return convertIn(v.Elem(), s)
	case reflect.String:
		if s != nil {
			// A projected input outlives the records (Input.Release):
			// its strings are its own, not views into the decoder's
			// buffers of whole parts.
			return ast.StringTerm(strings.Clone(v.String())), nil
		}
		return ast.StringTerm(v.String()), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n >= -1 && n <= 512 {
			return ast.InternedTerm(int(n)), nil
		}
		return ast.NewTerm(ast.Number(strconv.FormatInt(n, 10))), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.NewTerm(ast.Number(strconv.FormatUint(v.Uint(), 10))), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("unsupported number %v", f)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return ast.NewTerm(ast.Number(strconv.FormatInt(int64(f), 10))), nil
		}
		return ast.NewTerm(ast.Number(strconv.FormatFloat(f, 'g', -1, 64))), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.NullTerm(), nil
		}
		terms := make([]*ast.Term, v.Len())
		es := under(s, "*")
		for i := range terms {
			t, err := convertIn(v.Index(i), es)
			if err != nil {
				return nil, err
			}
			terms[i] = t
		}
		return ast.NewTerm(ast.NewArray(terms...)), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.NullTerm(), nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported map key type %s", v.Type().Key())
		}
		items := make([][2]*ast.Term, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			t, err := convertIn(it.Value(), under(s, it.Key().String()))
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{ast.StringTerm(it.Key().String()), t})
		}
		return ast.NewTerm(ast.NewObject(items...)), nil
	case reflect.Struct:
		plan := planOf(v.Type())
		if s != nil && !s.whole {
			plan = s.plan(v.Type())
		}
		items := make([][2]*ast.Term, 0, len(plan))
		for _, f := range plan {
			fv, ok := fieldByIndex(v, f.index)
			if !ok || (f.omitEmpty && fv.IsZero() && !isNonEmptyContainer(fv)) {
				continue
			}
			if f.omitEmpty && isEmptyContainer(fv) {
				continue
			}
			fs := f.state
			if s == nil {
				fs = nil
			} else if s.whole {
				fs = s
			}
			if f.intern != nil && fv.Kind() == reflect.String {
				items = append(items, [2]*ast.Term{f.key, f.intern.term(fv.String())})
				continue
			}
			t, err := convertIn(fv, fs)
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{f.key, t})
		}
		return ast.NewTerm(ast.NewObject(items...)), nil
	}
	return nil, fmt.Errorf("unsupported type %s", v.Type())
}

// fieldByIndex follows embedded pointers; ok is false through a nil one.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// encoding/json's omitempty: false, 0, "", nil, and empty arrays, slices, maps.
func isEmptyContainer(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array, reflect.String:
		return v.Len() == 0
	}
	return false
}

func isNonEmptyContainer(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Array:
		return v.Len() > 0
	}
	return false
}

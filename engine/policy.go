// Package engine evaluates posture's policies over a snapshot with OPA
// embedded as a library: the built-in and custom Rego modules are compiled
// once, each metric's query is prepared once, the input is converted to
// OPA's AST once, and the metric queries run in parallel.
package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Module is a parsed Rego file.
type Module struct {
	Name   string // display path
	Module *ast.Module
	Test   bool // a _test.rego file
}

// Sandbox returns the capabilities policies run with: no network
// (http.send and net.* removed). The environment is hidden because the
// engine gives opa.runtime() no env, and time.now_ns() is fixed to as_of at
// evaluation.
func Sandbox() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0:0]
	for _, b := range caps.Builtins {
		if b.Name == "http.send" || strings.HasPrefix(b.Name, "net.") {
			continue
		}
		kept = append(kept, b)
	}
	caps.Builtins = kept
	return caps
}

// ParseFS parses every .rego file of fsys (built-in policies).
func ParseFS(fsys fs.FS, prefix string) ([]*Module, error) {
	var out []*Module
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return nil
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		m, err := parse(prefix+path, b)
		if err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// ParseDirs parses every .rego file under the given folders (or files).
// A folder that does not exist is an error.
func ParseDirs(dirs []string, display func(string) string) ([]*Module, error) {
	var out []*Module
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("policies: %s: no such file or folder", display(dir))
		}
		var files []string
		if !st.IsDir() {
			files = []string{dir}
		} else {
			err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && strings.HasSuffix(p, ".rego") {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("policies: %w", err)
			}
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("policies: %w", err)
			}
			m, err := parse(display(f), b)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

func parse(name string, src []byte) (*Module, error) {
	mod, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{
		ProcessAnnotation: true,
		RegoVersion:       ast.RegoV1,
	})
	if err != nil {
		return nil, &PolicyError{Err: err}
	}
	return &Module{Name: name, Module: mod, Test: strings.HasSuffix(name, "_test.rego")}, nil
}

// PolicyError is a parse or compile error; its message names file:line.
type PolicyError struct{ Err error }

func (e *PolicyError) Error() string {
	var errs ast.Errors
	if errors.As(e.Err, &errs) {
		lines := make([]string, 0, len(errs))
		for _, x := range errs {
			loc := ""
			if x.Location != nil {
				loc = fmt.Sprintf("%s:%d:%d: ", x.Location.File, x.Location.Row, x.Location.Col)
			}
			lines = append(lines, fmt.Sprintf("%s%s: %s", loc, x.Code, x.Message))
		}
		return strings.Join(lines, "\n")
	}
	return e.Err.Error()
}

func (e *PolicyError) Unwrap() error { return e.Err }

// Compile compiles the modules with the sandbox capabilities.
func Compile(mods []*Module) (*ast.Compiler, error) {
	in := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		if _, dup := in[m.Name]; dup {
			return nil, fmt.Errorf("policies: %s loaded twice", m.Name)
		}
		in[m.Name] = m.Module
	}
	c := ast.NewCompiler().
		WithCapabilities(Sandbox()).
		WithEnablePrintStatements(false).
		WithDefaultRegoVersion(ast.RegoV1)
	c.Compile(in)
	if c.Failed() {
		return nil, &PolicyError{Err: c.Errors}
	}
	return c, nil
}

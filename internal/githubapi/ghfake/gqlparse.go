package ghfake

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small GraphQL reader: one query operation (optionally named, with
// variable definitions and defaults), fields with aliases, arguments and
// selection sets, values of every kind (variables, numbers, strings,
// booleans, null, enums, lists, objects). Fragments, directives and
// mutations are refused: the github source sends none.

// gqlField is one field of a selection set; Args hold the argument values
// with the variables put in.
type gqlField struct {
	Alias, Name string
	Args        map[string]any
	Sel         []*gqlField
	Line, Col   int
}

// Key is the field's name in the response (its alias, else its name).
func (f *gqlField) Key() string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

type gqlToken struct {
	kind      byte // 'n' name, 's' string, 'i' int, 'f' float, 'p' punctuator, 0 end
	text      string
	line, col int
}

type gqlSyntaxError struct {
	msg       string
	line, col int
}

func (e *gqlSyntaxError) Error() string { return e.msg }

func gqlLex(src string) ([]gqlToken, error) {
	var out []gqlToken
	line, col := 1, 1
	i := 0
	adv := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			i++
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			adv(1)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				adv(1)
			}
		case strings.ContainsRune("{}()[]:!$=@|&", rune(c)):
			out = append(out, gqlToken{'p', string(c), line, col})
			adv(1)
		case c == '.':
			return nil, &gqlSyntaxError{"fragments are not supported by the test server", line, col}
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, gqlToken{'n', src[i:j], line, col})
			adv(j - i)
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			kind := byte('i')
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' || src[j] == '+' || src[j] == '-') {
				if src[j] == '.' || src[j] == 'e' || src[j] == 'E' {
					kind = 'f'
				}
				j++
			}
			out = append(out, gqlToken{kind, src[i:j], line, col})
			adv(j - i)
		case c == '"':
			if strings.HasPrefix(src[i:], `"""`) {
				end := strings.Index(src[i+3:], `"""`)
				if end < 0 {
					return nil, &gqlSyntaxError{"unterminated string", line, col}
				}
				out = append(out, gqlToken{'s', src[i+3 : i+3+end], line, col})
				adv(end + 6)
				continue
			}
			var b strings.Builder
			l0, c0 := line, col
			adv(1)
			for {
				if i >= len(src) || src[i] == '\n' {
					return nil, &gqlSyntaxError{"unterminated string", l0, c0}
				}
				if src[i] == '"' {
					adv(1)
					break
				}
				if src[i] == '\\' && i+1 < len(src) {
					e := src[i+1]
					switch e {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case 'b':
						b.WriteByte('\b')
					case 'f':
						b.WriteByte('\f')
					case 'u':
						if i+6 > len(src) {
							return nil, &gqlSyntaxError{"bad escape", line, col}
						}
						n, err := strconv.ParseUint(src[i+2:i+6], 16, 32)
						if err != nil {
							return nil, &gqlSyntaxError{"bad escape", line, col}
						}
						b.WriteRune(rune(n))
						adv(6)
						continue
					default:
						b.WriteByte(e)
					}
					adv(2)
					continue
				}
				r, n := utf8.DecodeRuneInString(src[i:])
				b.WriteRune(r)
				adv(n)
			}
			out = append(out, gqlToken{'s', b.String(), l0, c0})
		default:
			return nil, &gqlSyntaxError{fmt.Sprintf("Parse error on %q", string(c)), line, col}
		}
	}
	return append(out, gqlToken{0, "", line, col}), nil
}

type gqlParser struct {
	toks []gqlToken
	pos  int
	vars map[string]any
	defs map[string]bool
}

func (p *gqlParser) peek() gqlToken { return p.toks[p.pos] }
func (p *gqlParser) next() gqlToken {
	t := p.toks[p.pos]
	if t.kind != 0 {
		p.pos++
	}
	return t
}

func (p *gqlParser) errAt(t gqlToken, format string, args ...any) error {
	what := t.text
	if t.kind == 0 {
		what = "end of file"
	}
	msg := fmt.Sprintf(format, args...)
	if msg == "" {
		msg = fmt.Sprintf("Parse error on %q", what)
	}
	return &gqlSyntaxError{msg, t.line, t.col}
}

func (p *gqlParser) expect(text string) error {
	t := p.next()
	if t.kind != 'p' || t.text != text {
		return p.errAt(t, "Parse error on %q (expected %q)", t.text, text)
	}
	return nil
}

func (p *gqlParser) is(text string) bool {
	t := p.peek()
	return t.kind == 'p' && t.text == text
}

// gqlParse reads a query document with its variables.
func gqlParse(src string, vars map[string]any) ([]*gqlField, error) {
	toks, err := gqlLex(src)
	if err != nil {
		return nil, err
	}
	p := &gqlParser{toks: toks, vars: map[string]any{}, defs: map[string]bool{}}
	for k, v := range vars {
		p.vars[k] = v
	}
	if t := p.peek(); t.kind == 'n' {
		if t.text != "query" {
			return nil, p.errAt(t, "the test server only answers queries, not %q", t.text)
		}
		p.next()
		if p.peek().kind == 'n' {
			p.next() // operation name
		}
		if p.is("(") {
			if err := p.varDefs(); err != nil {
				return nil, err
			}
		}
	}
	sel, err := p.selectionSet()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, p.errAt(t, "the test server answers one operation a document")
	}
	return sel, nil
}

func (p *gqlParser) varDefs() error {
	p.next() // (
	for !p.is(")") {
		if err := p.expect("$"); err != nil {
			return err
		}
		name := p.next()
		if name.kind != 'n' {
			return p.errAt(name, "")
		}
		if err := p.expect(":"); err != nil {
			return err
		}
		if err := p.skipType(); err != nil {
			return err
		}
		p.defs[name.text] = true
		if p.is("=") {
			p.next()
			v, err := p.value(true)
			if err != nil {
				return err
			}
			if _, set := p.vars[name.text]; !set {
				p.vars[name.text] = v
			}
		}
	}
	p.next()
	return nil
}

func (p *gqlParser) skipType() error {
	if p.is("[") {
		p.next()
		if err := p.skipType(); err != nil {
			return err
		}
		if err := p.expect("]"); err != nil {
			return err
		}
	} else if t := p.next(); t.kind != 'n' {
		return p.errAt(t, "")
	}
	if p.is("!") {
		p.next()
	}
	return nil
}

func (p *gqlParser) selectionSet() ([]*gqlField, error) {
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var out []*gqlField
	for !p.is("}") {
		t := p.next()
		if t.kind != 'n' {
			return nil, p.errAt(t, "")
		}
		f := &gqlField{Name: t.text, Line: t.line, Col: t.col}
		if p.is(":") {
			p.next()
			n := p.next()
			if n.kind != 'n' {
				return nil, p.errAt(n, "")
			}
			f.Alias, f.Name = t.text, n.text
		}
		if p.is("(") {
			p.next()
			f.Args = map[string]any{}
			for !p.is(")") {
				a := p.next()
				if a.kind != 'n' {
					return nil, p.errAt(a, "")
				}
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				v, err := p.value(false)
				if err != nil {
					return nil, err
				}
				f.Args[a.text] = v
			}
			p.next()
		}
		if p.is("@") {
			return nil, p.errAt(p.peek(), "directives are not supported by the test server")
		}
		if p.is("{") {
			sel, err := p.selectionSet()
			if err != nil {
				return nil, err
			}
			f.Sel = sel
		}
		out = append(out, f)
	}
	p.next()
	if len(out) == 0 {
		return nil, p.errAt(p.peek(), "empty selection")
	}
	return out, nil
}

// gqlEnum is an enum value (an unquoted name).
type gqlEnum string

func (p *gqlParser) value(isConst bool) (any, error) {
	t := p.next()
	switch t.kind {
	case 's':
		return t.text, nil
	case 'i':
		n, err := strconv.Atoi(t.text)
		if err != nil {
			return nil, p.errAt(t, "")
		}
		return n, nil
	case 'f':
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errAt(t, "")
		}
		return n, nil
	case 'n':
		switch t.text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		return gqlEnum(t.text), nil
	case 'p':
		switch t.text {
		case "$":
			if isConst {
				return nil, p.errAt(t, "")
			}
			n := p.next()
			if !p.defs[n.text] {
				return nil, p.errAt(n, "Variable $%s is used by anonymous query but not declared", n.text)
			}
			return p.vars[n.text], nil
		case "[":
			out := []any{}
			for !p.is("]") {
				v, err := p.value(isConst)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			p.next()
			return out, nil
		case "{":
			out := map[string]any{}
			for !p.is("}") {
				k := p.next()
				if k.kind != 'n' {
					return nil, p.errAt(k, "")
				}
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				v, err := p.value(isConst)
				if err != nil {
					return nil, err
				}
				out[k.text] = v
			}
			p.next()
			return out, nil
		}
	}
	return nil, p.errAt(t, "")
}

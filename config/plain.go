package config

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// plainExceptions reads an exceptions file written in the plain shape that
// `posture init`, the examples and most teams use: `exception "ID" {`
// blocks of one `name = "text"` attribute per line, with comment lines
// and blank lines around them. It is about twenty times faster than the
// general HCL parser, which matters for files of tens of thousands of
// exceptions. It gives exactly what the HCL path gives (values and
// ranges: a fuzz test holds both to it) or declines with ok=false, and then
// the HCL parser reads the file and reports any problem: anything outside
// the plain shape (heredocs, templates, escapes other than \" and \\,
// non-ASCII text outside comments, carriage returns, block comments,
// expressions) and any
// block that is not a valid exception (a missing, empty, unknown or
// repeated attribute, a bad date or status, a repeated id).
func plainExceptions(src []byte, display string) ([]*Exception, bool) {
	p := plainParser{src: src, file: display, line: 1}
	var out []*Exception
	seen := map[string]bool{}
	for {
		p.skipBlankAndComments()
		if p.off == len(src) {
			return out, true
		}
		p.spaces()
		e, ok := p.block()
		if !ok || seen[e.ID] {
			return nil, false
		}
		seen[e.ID] = true
		out = append(out, e)
	}
}

type plainParser struct {
	src       []byte
	file      string
	off       int // byte offset of the current position
	line      int // its line (1-based)
	lineStart int // offset of its line's first byte
}

func (p *plainParser) pos() hcl.Pos {
	return hcl.Pos{Line: p.line, Column: p.off - p.lineStart + 1, Byte: p.off}
}

func (p *plainParser) spaces() {
	for p.off < len(p.src) && (p.src[p.off] == ' ' || p.src[p.off] == '\t') {
		p.off++
	}
}

// endOfLine accepts optional spaces, an optional line comment and the
// newline (or the end of the file).
func (p *plainParser) endOfLine() bool {
	p.spaces()
	if p.off < len(p.src) && (p.src[p.off] == '#' || (p.src[p.off] == '/' && p.off+1 < len(p.src) && p.src[p.off+1] == '/')) {
		i := bytes.IndexByte(p.src[p.off:], '\n')
		if i < 0 {
			i = len(p.src) - p.off
		}
		if !commentText(p.src[p.off : p.off+i]) {
			return false
		}
		p.off += i
	}
	if p.off == len(p.src) {
		return true
	}
	if p.src[p.off] != '\n' {
		return false
	}
	p.off++
	p.line++
	p.lineStart = p.off
	return true
}

// skipBlankAndComments skips whole lines that are blank or comments.
func (p *plainParser) skipBlankAndComments() {
	for p.off < len(p.src) {
		save := *p
		p.spaces()
		if p.off == len(p.src) || !p.isLineEnd() || !p.endOfLine() {
			*p = save
			return
		}
	}
}

func (p *plainParser) isLineEnd() bool {
	c := p.src[p.off]
	return c == '\n' || c == '#' || (c == '/' && p.off+1 < len(p.src) && p.src[p.off+1] == '/')
}

// word reads an identifier of lower-case letters and underscores.
func (p *plainParser) word() string {
	start := p.off
	for p.off < len(p.src) && (p.src[p.off] >= 'a' && p.src[p.off] <= 'z' || p.src[p.off] == '_') {
		p.off++
	}
	return string(p.src[start:p.off])
}

// quoted reads a "..." string of printable ASCII with only \" and \\
// escapes and no template sequence.
func (p *plainParser) quoted() (string, bool) {
	if p.off >= len(p.src) || p.src[p.off] != '"' {
		return "", false
	}
	p.off++
	var buf []byte
	start := p.off
	for p.off < len(p.src) {
		c := p.src[p.off]
		switch {
		case c == '"':
			raw := p.src[start:p.off]
			p.off++
			if buf == nil {
				return string(raw), true
			}
			return string(append(buf, raw...)), true
		case c == '\\':
			if p.off+1 >= len(p.src) || (p.src[p.off+1] != '"' && p.src[p.off+1] != '\\') {
				return "", false
			}
			buf = append(append(buf, p.src[start:p.off]...), p.src[p.off+1])
			p.off += 2
			start = p.off
		case (c == '$' || c == '%') && p.off+1 < len(p.src) && p.src[p.off+1] == '{':
			return "", false
		case c < 0x20 || c > 0x7e:
			return "", false
		default:
			p.off++
		}
	}
	return "", false
}

// commentText: valid UTF-8 without control characters other than tab.
func commentText(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(b)
}

// block reads one exception block; ok=false for anything else.
func (p *plainParser) block() (*Exception, bool) {
	start := p.pos()
	if p.word() != "exception" || p.off >= len(p.src) || (p.src[p.off] != ' ' && p.src[p.off] != '\t') {
		return nil, false
	}
	p.spaces()
	id, ok := p.quoted()
	if !ok {
		return nil, false
	}
	def := hcl.Range{Filename: p.file, Start: start, End: p.pos()}
	p.spaces()
	if p.off >= len(p.src) || p.src[p.off] != '{' {
		return nil, false
	}
	p.off++
	if !p.endOfLine() {
		return nil, false
	}
	var b exceptionBody
	set := map[string]bool{}
	for {
		p.skipBlankAndComments()
		p.spaces()
		if p.off < len(p.src) && p.src[p.off] == '}' {
			p.off++
			if !p.endOfLine() {
				return nil, false
			}
			break
		}
		name := p.word()
		if set[name] {
			return nil, false
		}
		p.spaces()
		if p.off >= len(p.src) || p.src[p.off] != '=' {
			return nil, false
		}
		p.off++
		p.spaces()
		val, ok := p.quoted()
		if !ok || !p.endOfLine() {
			return nil, false
		}
		set[name] = true
		if name == "status" {
			b.Status = &val
		} else if dst := b.text(name); dst != nil {
			*dst = val
		} else {
			return nil, false
		}
	}
	for _, req := range []string{"metric", "scope", "reason", "owner", "expires"} {
		if !set[req] {
			return nil, false
		}
	}
	e, diags := newException(id, &b, def, func(string) hcl.Range { return def })
	if len(diags) > 0 || e == nil {
		return nil, false
	}
	return e, true
}

// text is the field of a text attribute of the block (nil for others).
func (b *exceptionBody) text(name string) *string {
	return map[string]*string{
		"metric": &b.Metric, "scope": &b.Scope, "reason": &b.Reason,
		"owner": &b.Owner, "approved_by": &b.ApprovedBy, "expires": &b.Expires,
	}[name]
}

package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// MaxNesting is how deeply the expressions of an HCL file posture reads
// (the config, exceptions files) may nest: brackets, braces, parentheses,
// quoted strings, heredocs, template interpolations and directives, and the
// operators of one expression (each of which the HCL parser and evaluator
// handle one call deeper). Real files stay under ten; a file far deeper is
// refused before it is parsed, because the parser's recursion on it would
// grow the stack until the process dies.
const MaxNesting = 100

// parseHCL checks the nesting of src (checkNesting), then parses it as
// native HCL syntax.
func parseHCL(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	if diags := checkNesting(src, filename); diags.HasErrors() {
		return nil, diags
	}
	return hclparse.NewParser().ParseHCL(src, filename)
}

// nestFrame is an open bracket (or string, template sequence, directive)
// in checkNesting's scan.
type nestFrame struct {
	open hclsyntax.TokenType // the opening token; hclsyntax.TokenNil for a directive (%{ if } / %{ for })
	// ops counts what the current item of the frame chains one level deeper
	// each: unary and binary operators, '?', and index or call brackets
	// closed right after an operand.
	ops int
	// lines: a newline ends the item (a body or an object constructor,
	// not a for expression or a parenthesis).
	lines bool
}

// checkNesting scans the tokens of src (the HCL lexer is a state machine:
// no recursion, whatever the input) and reports the first place where the
// nesting exceeds MaxNesting. It does not judge anything else: the parser
// reports every other problem.
func checkNesting(src []byte, filename string) hcl.Diagnostics {
	toks, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	stack := []nestFrame{{open: hclsyntax.TokenNil, lines: true}} // the file's body
	depth := 0                                                    // frames above the body plus every frame's ops
	push := func(open hclsyntax.TokenType, lines bool) {
		stack = append(stack, nestFrame{open: open, lines: lines})
		depth++
	}
	pop := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		depth -= 1 + top.ops
	}
	// closeTo pops up to and including the innermost frame opened by open;
	// a closer without its opener is left to the parser.
	closeTo := func(open hclsyntax.TokenType) bool {
		for i := len(stack) - 1; i > 0; i-- {
			if stack[i].open == open {
				for len(stack) > i {
					pop()
				}
				return true
			}
		}
		return false
	}
	// word returns the identifier that follows token i (newlines skipped).
	word := func(i int) string {
		for j := i + 1; j < len(toks); j++ {
			switch toks[j].Type {
			case hclsyntax.TokenNewline:
				continue
			case hclsyntax.TokenIdent:
				return string(toks[j].Bytes)
			}
			return ""
		}
		return ""
	}
	for i, tok := range toks {
		top := &stack[len(stack)-1]
		switch tok.Type {
		case hclsyntax.TokenOBrace:
			push(tok.Type, word(i) != "for")
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOQuote,
			hclsyntax.TokenOHeredoc, hclsyntax.TokenTemplateInterp:
			push(tok.Type, false)
		case hclsyntax.TokenTemplateControl:
			switch word(i) {
			case "if", "for":
				push(hclsyntax.TokenNil, false)
			case "endif", "endfor":
				if top.open == hclsyntax.TokenNil && len(stack) > 1 {
					pop()
				}
			}
			push(tok.Type, false)
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen:
			if closeTo(opener(tok.Type)) {
				stack[len(stack)-1].ops++ // an index or call may follow
				depth++
			}
		case hclsyntax.TokenTemplateSeqEnd:
			if !closeTo(hclsyntax.TokenTemplateInterp) {
				closeTo(hclsyntax.TokenTemplateControl)
			}
		case hclsyntax.TokenCQuote:
			closeTo(hclsyntax.TokenOQuote)
		case hclsyntax.TokenCHeredoc:
			closeTo(hclsyntax.TokenOHeredoc)
		case hclsyntax.TokenComma:
			depth -= top.ops
			top.ops = 0
		case hclsyntax.TokenNewline:
			if top.lines {
				depth -= top.ops
				top.ops = 0
			}
		case hclsyntax.TokenBang, hclsyntax.TokenMinus, hclsyntax.TokenQuestion,
			hclsyntax.TokenPlus, hclsyntax.TokenStar, hclsyntax.TokenSlash, hclsyntax.TokenPercent,
			hclsyntax.TokenAnd, hclsyntax.TokenOr, hclsyntax.TokenEqualOp, hclsyntax.TokenNotEqual,
			hclsyntax.TokenLessThan, hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThan, hclsyntax.TokenGreaterThanEq:
			top.ops++
			depth++
		}
		if depth > MaxNesting {
			rng := tok.Range
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Nesting too deep",
				Detail: fmt.Sprintf("more than %d levels of brackets, braces, parentheses, strings, templates or operators in one expression; posture reads at most %d",
					MaxNesting, MaxNesting),
				Subject: &rng,
			}}
		}
	}
	return nil
}

// opener returns the token that a closing bracket closes.
func opener(closer hclsyntax.TokenType) hclsyntax.TokenType {
	switch closer {
	case hclsyntax.TokenCBrace:
		return hclsyntax.TokenOBrace
	case hclsyntax.TokenCBrack:
		return hclsyntax.TokenOBrack
	}
	return hclsyntax.TokenOParen
}

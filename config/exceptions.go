package config

import (
	"fmt"
	"github.com/localizevideos/posture/report"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Exception is an approved deviation (docs/configuration.md, "Exceptions").
// Its id, metric, scope, owner, approver and expiry date (YYYY-MM-DD) are the
// ExceptionRef every listing of exceptions shares.
type Exception struct {
	report.ExceptionRef
	Reason     string
	ExpiresEnd time.Time // first instant after the expiry day (UTC)
	Status     string    // open or closed
	Range      hcl.Range
}

// DefaultExceptionStatus is the status of an exception block without one.
const DefaultExceptionStatus = "open"

type exceptionBody struct {
	Metric     string  `hcl:"metric" doc:"The metric whose findings it waives."`
	Scope      string  `hcl:"scope" doc:"Pattern over the whole finding scope: * matches any run of characters (/ included), ? one character, everything else literally."`
	Reason     string  `hcl:"reason" doc:"Why the deviation is accepted."`
	Owner      string  `hcl:"owner" doc:"Who is accountable for it."`
	ApprovedBy string  `hcl:"approved_by,optional" doc:"Who approved it; may be missing (a custom compliance check can flag that)."`
	Expires    string  `hcl:"expires" doc:"Last day it applies, YYYY-MM-DD: valid through that whole day (UTC)."`
	Status     *string `hcl:"status,optional" doc:"open or closed; a closed exception waives nothing."`
}

var exceptionsFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "exception", LabelNames: []string{"id"}}},
}

// LoadExceptions reads a file of exception blocks. display is the name used
// in diagnostics.
func LoadExceptions(path, display string) ([]*Exception, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("exceptions: %w", err)
	}
	if out, ok := plainExceptions(src, display); ok {
		return out, nil
	}
	file, diags := parseHCL(src, display)
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	content, diags := file.Body.Content(exceptionsFileSchema)
	var out []*Exception
	seen := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		e, d := decodeException(blk.Labels[0], blk)
		diags = append(diags, d...)
		if e == nil {
			continue
		}
		if prev, ok := seen[e.ID]; ok {
			diags = append(diags, diagErr(blk.DefRange, "Duplicate exception", fmt.Sprintf("exception %q was already declared at %s", e.ID, prev)))
			continue
		}
		seen[e.ID] = blk.DefRange
		out = append(out, e)
	}
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	return out, nil
}

func decodeException(id string, blk *hcl.Block) (*Exception, hcl.Diagnostics) {
	var b exceptionBody
	diags := gohcl.DecodeBody(blk.Body, nil, &b)
	if diags.HasErrors() {
		return nil, diags
	}
	return newException(id, &b, blk.DefRange, func(name string) hcl.Range { return attrRange(blk, name) })
}

// newException checks a decoded exception block; attr gives the range of
// an attribute's value for diagnostics.
func newException(id string, b *exceptionBody, def hcl.Range, attr func(name string) hcl.Range) (*Exception, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	e := &Exception{ExceptionRef: report.ExceptionRef{ID: id, Metric: b.Metric, Scope: b.Scope, Owner: b.Owner, ApprovedBy: b.ApprovedBy}, Reason: b.Reason, Status: DefaultExceptionStatus, Range: def}
	for _, req := range []struct{ name, val string }{{"metric", b.Metric}, {"scope", b.Scope}, {"reason", b.Reason}, {"owner", b.Owner}} {
		if strings.TrimSpace(req.val) == "" {
			diags = append(diags, diagErr(def, "Empty required argument", fmt.Sprintf("exception %q: %s must not be empty", id, req.name)))
		}
	}
	day, err := parseExpiry(b.Expires)
	if err != nil {
		diags = append(diags, diagErr(attr("expires"), "Invalid expires date", err.Error()))
	}
	e.Expires = day.Format("2006-01-02")
	e.ExpiresEnd = day.AddDate(0, 0, 1)
	if b.Status != nil {
		st := strings.ToLower(strings.TrimSpace(*b.Status))
		if st != "open" && st != "closed" {
			diags = append(diags, diagErr(attr("status"), "Invalid status", fmt.Sprintf("status must be \"open\" or \"closed\", not %q", *b.Status)))
		}
		e.Status = st
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return e, diags
}

// parseExpiry accepts YYYY-MM-DD (or an RFC 3339 instant, whose UTC date is taken).
func parseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		u := t.UTC()
		return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, fmt.Errorf("expires must be a date YYYY-MM-DD, not %q", s)
}

// Active reports whether the exception waives findings at asOf.
func (e *Exception) Active(asOf time.Time) bool {
	return e.Status != "closed" && asOf.Before(e.ExpiresEnd)
}

// ScopePrefix is the literal start of a scope pattern: everything before
// its first wildcard (the whole pattern when it has none).
func ScopePrefix(pattern string) string {
	if i := strings.IndexAny(pattern, "*?"); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// ScopeRegex turns a scope pattern into an anchored regular expression:
// '*' matches any run of characters ('/' included), '?' one character,
// everything else literally.
func ScopeRegex(pattern string) string {
	var b strings.Builder
	b.WriteString(`^`)
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			b.WriteString(regexp.QuoteMeta(lit.String()))
			lit.Reset()
		}
	}
	for _, r := range pattern {
		switch r {
		case '*':
			flush()
			b.WriteString(`(?s:.*)`)
		case '?':
			flush()
			b.WriteString(`(?s:.)`)
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	b.WriteString(`$`)
	return b.String()
}

// attrRange is the range of an attribute's value in a block, or the block's
// header when it cannot be found.
func attrRange(blk *hcl.Block, name string) hcl.Range {
	if sb, ok := blk.Body.(*hclsyntax.Body); ok {
		if a, ok := sb.Attributes[name]; ok {
			return a.Expr.Range()
		}
	}
	return blk.DefRange
}

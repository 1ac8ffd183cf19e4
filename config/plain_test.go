package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// viaHCL is LoadExceptions without the plain fast path.
func viaHCL(src []byte, display string) ([]*Exception, error) {
	file, diags := hclparse.NewParser().ParseHCL(src, display)
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	content, diags := file.Body.Content(exceptionsFileSchema)
	var out []*Exception
	seen := map[string]bool{}
	for _, blk := range content.Blocks {
		e, d := decodeException(blk.Labels[0], blk)
		diags = append(diags, d...)
		if e == nil {
			continue
		}
		if seen[e.ID] {
			return nil, &Error{diags}
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	if diags.HasErrors() {
		return nil, &Error{diags}
	}
	return out, nil
}

// checkPlain holds the fast path to the HCL one: when it accepts a file,
// the HCL parser accepts it too with exactly the same exceptions (values
// and ranges).
func checkPlain(t *testing.T, src []byte) bool {
	t.Helper()
	fast, ok := plainExceptions(src, "exceptions.hcl")
	if !ok {
		return false
	}
	slow, err := viaHCL(src, "exceptions.hcl")
	require.NoError(t, err, "the fast path accepted a file the HCL parser refuses:\n%s", src)
	require.Equal(t, slow, fast, "%s", src)
	return true
}

const plainBlock = `# header comment — with UTF-8
// another comment

exception "EXC-001" {
  metric      = "high_critical_vulnerabilities"
  scope       = "CVE-2025-22869|golang.org/x/crypto|*"   # trailing comment
  reason      = "server-side SSH KEX DoS; \"quoted\" and a back\\slash, 50% of $HOME"
	owner = "platform"
  approved_by = "ciso"
  expires     = "2027-01-31"
  status      = "open"
}
  exception	"EXC-002"   {
  // inside
  metric  = "orphaned_accounts"

  scope   = "okta/svc-ci-?"
  reason  = "r"
  owner   = "identity"
  expires = "2026-12-31T10:00:00+02:00"
}
`

func TestPlainExceptionsMatchHCL(t *testing.T) {
	require.True(t, checkPlain(t, []byte(plainBlock)))
	require.True(t, checkPlain(t, []byte(plainBlock[:len(plainBlock)-1])), "no newline at the end")
	require.True(t, checkPlain(t, []byte("")))
	require.True(t, checkPlain(t, []byte("# only a comment\n\n")))

	for _, f := range []string{"../examples/localizevideos/exceptions.hcl", "testdata/exceptions.hcl"} {
		src, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		assert.True(t, checkPlain(t, src), "%s is plain", f)
	}
}

func TestPlainExceptionsDecline(t *testing.T) {
	base := []byte(plainBlock)
	for name, src := range map[string]string{
		"template":          `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "${var.x}"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n}\n",
		"escape \\n":        `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "a\nb"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n}\n",
		"missing reason":    `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n}\n",
		"empty owner":       `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `reason = "r"` + "\n" + `owner = " "` + "\n" + `expires = "2027-01-01"` + "\n}\n",
		"bad date":          `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "soon"` + "\n}\n",
		"bad status":        `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n" + `status = "maybe"` + "\n}\n",
		"unknown attribute": `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n" + `note = "x"` + "\n}\n",
		"repeated id":       plainBlock + "\n" + plainBlock[len("# header comment — with UTF-8\n// another comment\n\n"):],
		"crlf":              `exception "E" {` + "\r\n" + `metric = "m"` + "\r\n" + `scope = "s"` + "\r\n" + `reason = "r"` + "\r\n" + `owner = "o"` + "\r\n" + `expires = "2027-01-01"` + "\r\n}\r\n",
		"block comment":     "/* x */\n" + plainBlock,
		"non-ASCII value":   `exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "s"` + "\n" + `reason = "café"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n}\n",
		"one-line block":    `exception "E" { metric = "m" }` + "\n",
		"other block":       `other "E" {` + "\n}\n",
		"unclosed":          plainBlock + `exception "X" {` + "\n",
	} {
		_, ok := plainExceptions([]byte(src), "exceptions.hcl")
		assert.False(t, ok, name)
	}
	_, ok := plainExceptions(base, "exceptions.hcl")
	assert.True(t, ok)
}

func FuzzPlainExceptions(f *testing.F) {
	f.Add([]byte(plainBlock))
	f.Add([]byte(`exception "E" {` + "\n" + `metric = "m"` + "\n" + `scope = "a\\\"b"` + "\n" + `reason = "r"` + "\n" + `owner = "o"` + "\n" + `expires = "2027-01-01"` + "\n}\n"))
	if src, err := os.ReadFile(filepath.Join("..", "examples", "localizevideos", "exceptions.hcl")); err == nil {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkPlain(t, src)
	})
}

// BenchmarkPlainVsHCL compares the plain fast path with the HCL parser on
// the same 2,000 exceptions.
func BenchmarkPlainVsHCL(b *testing.B) {
	path, src := benchExceptions(b, 2000)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadExceptions(path, "exceptions.hcl"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hcl", func(b *testing.B) {
		for b.Loop() {
			if _, err := viaHCL(src, "exceptions.hcl"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var commentedSource = regexp.MustCompile(`^#\s*source\s+"`)

// uncommentSources uncomments every commented `source` block of an HCL
// file, as a user does who has every kind of data: a line "# source ..."
// and, when its braces do not close on that line, the commented lines that
// follow until they do. It returns the text and the number of blocks.
func uncommentSources(t *testing.T, text string) (string, int) {
	t.Helper()
	lines := strings.Split(text, "\n")
	blocks, depth := 0, 0
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " \t")
		if depth == 0 {
			if !commentedSource.MatchString(trimmed) {
				continue
			}
			blocks++
		} else if !strings.HasPrefix(trimmed, "#") {
			t.Fatalf("line %d: a commented source block is left open: %q", i+1, line)
		}
		body := strings.TrimPrefix(strings.TrimPrefix(trimmed, "#"), " ")
		lines[i] = body
		depth += braceDepth(body)
		if depth < 0 {
			t.Fatalf("line %d: more braces closed than opened: %q", i+1, line)
		}
	}
	require.Zero(t, depth, "the last commented source block is left open")
	return strings.Join(lines, "\n"), blocks
}

// braceDepth is the change of brace depth over an HCL line: the braces
// outside strings and before a comment.
func braceDepth(line string) int {
	d, inString := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '#' || (c == '/' && i+1 < len(line) && line[i+1] == '/'):
			return d
		case c == '{':
			d++
		case c == '}':
			d--
		}
	}
	return d
}

func TestUncommentSources(t *testing.T) {
	in := "# source \"a\" \"x\" { paths = [\"{\"] } # }\n" +
		"#source \"b\" \"y\" {\n#   urls = [\n#     \"https://e/#}\",\n#   ]\n# }\n" +
		"# a comment about a source \"c\" {\n" +
		"source \"d\" \"z\" { paths = [] }\n"
	out, n := uncommentSources(t, in)
	assert.Equal(t, 2, n)
	assert.Equal(t, "source \"a\" \"x\" { paths = [\"{\"] } # }\n"+
		"source \"b\" \"y\" {\n  urls = [\n    \"https://e/#}\",\n  ]\n}\n"+
		"# a comment about a source \"c\" {\n"+
		"source \"d\" \"z\" { paths = [] }\n", out)
}

// validateUncommented uncomments every source block of dir/posture.hcl and
// runs `posture validate` on the result, which must pass with every block
// configured.
func validateUncommented(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "posture.hcl")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	active := len(regexp.MustCompile(`(?m)^source\s+"`).FindAll(b, -1))
	text, commented := uncommentSources(t, string(b))
	require.NotZero(t, commented, "%s shows commented source blocks", p)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	code, out, errs := run(t, dir, "validate")
	require.Equal(t, ExitOK, code, "posture validate with every source block uncommented:\n%s%s\n%s", out, errs, text)
	assert.Contains(t, out, ": ok — ")
	assert.Contains(t, out, ", "+strconv.Itoa(active+commented)+" sources, ", "every block is a source of its own")
}

// The scaffold says "uncomment what you have": with everything uncommented
// it validates.
func TestScaffoldWithEverySourceUncommentedValidates(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, dir, "init")
	require.Equal(t, ExitOK, code, out+errs)
	validateUncommented(t, dir)
}

// So does the example with its live sources uncommented.
func TestExampleWithEverySourceUncommentedValidates(t *testing.T) {
	root, err := filepath.Abs("../../examples/localizevideos")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(root)))
	validateUncommented(t, dir)
}

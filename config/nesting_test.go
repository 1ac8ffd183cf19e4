package config_test

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
)

// smallStack lowers the goroutine stack limit for the test: parsing a
// nesting bomb recursively would then crash the test binary at once
// instead of growing the stack to a gigabyte first. Nothing posture does
// on a sane file comes near it.
func smallStack(t *testing.T) {
	old := debug.SetMaxStack(64 << 20)
	t.Cleanup(func() { debug.SetMaxStack(old) })
}

const n = 50000

// bombs are expressions nested n deep, each one a different way the HCL
// parser or evaluator recurses.
var bombs = []struct{ name, expr string }{
	{"brackets", strings.Repeat("[", n) + strings.Repeat("]", n)},
	{"parentheses", strings.Repeat("(", n) + "1" + strings.Repeat(")", n)},
	{"objects", strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n)},
	{"function calls", strings.Repeat("max(", n) + "1" + strings.Repeat(")", n)},
	{"templates", `"` + strings.Repeat(`${"`, n) + strings.Repeat(`"}`, n) + `"`},
	{"template directives", `"` + strings.Repeat("%{ if true }", n) + strings.Repeat("%{ endif }", n) + `"`},
	{"heredocs", strings.Repeat("<<EOT\n${", n) + "1" + strings.Repeat("}\nEOT\n", n)},
	{"not", strings.Repeat("!", n) + "true"},
	{"negation", strings.Repeat("-", n) + "1"},
	{"sum", strings.Repeat("1 + ", n) + "1"},
	{"conditionals", strings.Repeat("true ? 1 : ", n) + "1"},
	{"indexes", "[1]" + strings.Repeat("[0]", n)},
	{"splats", "[1]" + strings.Repeat(".*", n)},
	{"newlines in parentheses", "(" + strings.Repeat("1 +\n", n) + "1)"},
}

func TestNestingBombIsAnErrorNamingFileAndLine(t *testing.T) {
	smallStack(t)
	dir := t.TempDir()
	for _, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			start := time.Now()
			cfg := write(t, dir, "posture.hcl", "project = \"p\"\n\nwindow_days = "+b.expr+"\n")
			_, err := config.Load(cfg)
			require.Error(t, err)
			// The error is where the limit is passed: on the expression's
			// first line, or a hundred lines on when each level takes a line.
			m := regexp.MustCompile(`^` + regexp.QuoteMeta(cfg) + `:(\d+),\d+-[\d,]+: Nesting too deep; more than 100 levels`).FindStringSubmatch(err.Error())
			require.NotNil(t, m, err.Error())
			assert.True(t, inRange(m[1], 3, 3+100), err.Error())
			exc := write(t, dir, "exceptions.hcl", "exception \"E-1\" {\n  metric = "+b.expr+"\n}\n")
			_, err = config.LoadExceptions(exc, "exceptions.hcl")
			require.Error(t, err)
			m = regexp.MustCompile(`^exceptions.hcl:(\d+),\d+-[\d,]+: Nesting too deep`).FindStringSubmatch(err.Error())
			require.NotNil(t, m, err.Error())
			assert.True(t, inRange(m[1], 2, 2+100), err.Error())
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}

func inRange(s string, lo, hi int) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= lo && n <= hi
}

// Nesting up to the limit, long lists, many attributes and long templates
// are fine: the limit is on depth and on one expression's operators only.
func TestNestingWithinTheLimitLoads(t *testing.T) {
	smallStack(t)
	dir := t.TempDir()
	deep := strings.Repeat("[", 99) + strings.Repeat("]", 99)
	var many strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&many, "%q, ", fmt.Sprint("actor-", i))
	}
	template := strings.Repeat("${\"x\"}", 5000)
	src := "project = \"p\"\n" +
		"automation_actors = [" + many.String() + "]\n" +
		"production_environments = [\"" + template + "\"]\n" +
		"window_days = " + strings.Repeat("1 + ", 90) + "1\n" +
		"inactive_days = [" + strings.Repeat("(1 + 1), ", 5000) + "][0]\n" +
		"max_token_lifetime_days = {a = (" + strings.Repeat("1 +\n", 90) + "1)\n b = 2}.a\n" +
		"x = " + deep + "\n"
	_, err := config.Load(write(t, dir, "posture.hcl", src))
	require.Error(t, err, "x is not an argument")
	assert.NotContains(t, err.Error(), "Nesting too deep")
	assert.Contains(t, err.Error(), `An argument named "x" is not expected here`)

	src = strings.Replace(src, "x = "+deep+"\n", "", 1)
	cfg, err := config.Load(write(t, dir, "posture.hcl", src))
	require.NoError(t, err)
	assert.Equal(t, 91, cfg.WindowDays)
	assert.Equal(t, 2, cfg.InactiveDays)
	assert.Equal(t, 91, cfg.MaxTokenLifetimeDays)
	assert.Len(t, cfg.AutomationActors, 5000)
}

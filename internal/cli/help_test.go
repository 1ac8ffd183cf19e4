package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHelpCommand(t *testing.T) {
	code, out, errs := run(t, "", "help")
	assert.Equal(t, ExitOK, code, errs)
	assert.Contains(t, out, "COMMANDS:")
	assert.Contains(t, out, "   eval ")
	assert.Contains(t, out, "   version ")
	assert.Contains(t, out, "--version")
	assert.Empty(t, errs)

	for _, args := range [][]string{{"help", "eval"}, {"h", "eval"}, {"--help", "eval"}, {"eval", "--help"}} {
		code, out, errs = run(t, "", args...)
		assert.Equal(t, ExitOK, code, "%v: %s", args, errs)
		assert.Contains(t, out, "posture eval - evaluate the policies", "%v", args)
		assert.Contains(t, out, "--snapshot DIR", "%v", args)
		assert.Empty(t, errs, "%v", args)
	}
}

func TestUnknownCommandExits2(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"help", "frobnicate"}, {"--help", "frobnicate"}, {"frobnicate", "--help"},
		{"--format", "json", "frobnicate", "x"}} {
		code, out, errs := run(t, "", args...)
		assert.Equal(t, ExitError, code, "%v", args)
		assert.Contains(t, errs, `posture: unknown command "frobnicate"; the commands are init, validate, metrics,`, "%v", args)
		assert.Contains(t, errs, "`posture help COMMAND` explains one", "%v", args)
		assert.NotContains(t, errs, "No help topic", "%v", args)
		assert.Empty(t, out, "%v", args)
	}
	code, _, errs := run(t, "", "evl")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, `unknown command "evl" (did you mean "eval"?)`)
	assert.NotContains(t, errs, "demo-history", "hidden commands stay hidden")
}

func TestEditDistance(t *testing.T) {
	assert.Equal(t, 0, editDistance("eval", "eval"))
	assert.Equal(t, 1, editDistance("evl", "eval"))
	assert.Equal(t, 2, editDistance("gaet", "gate"))
	assert.Equal(t, 4, editDistance("", "gate"))
}

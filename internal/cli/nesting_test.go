package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A config or exceptions file nested tens of thousands of levels deep is a
// config error naming the file and line (exit 2), not a crash: the stack
// limit is lowered so that a recursive parse would crash at once.
func TestNestingBombExit2(t *testing.T) {
	old := debug.SetMaxStack(64 << 20)
	defer debug.SetMaxStack(old)
	const n = 50000
	bombLine := fmt.Sprintf("posture.hcl:%d,", strings.Count(baseConfig, "\n")+1)
	cases := []struct {
		name, file, body, want string
	}{
		{"config list", "posture.hcl", baseConfig + "automation_actors = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n",
			bombLine},
		{"config parentheses", "posture.hcl", baseConfig + "window_days = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "\n",
			bombLine},
		{"exceptions", "exceptions.hcl", "exception \"E-1\" {\n  metric = " + strings.Repeat("(", n) + "\"x\"" + strings.Repeat(")", n) + "\n}\n",
			"exceptions.hcl:2,"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, cmd := range []string{"validate", "eval"} {
				code, out, errs := run(t, fixture(t, map[string]string{tc.file: tc.body}), cmd)
				assert.Equal(t, ExitError, code, "stdout: %s\nstderr: %s", out, errs)
				assert.Contains(t, errs, tc.want)
				assert.Contains(t, errs, "Nesting too deep")
			}
		})
	}
}

// Package policies embeds posture's built-in Rego policies and their tests.
package policies

import "embed"

// FS holds the built-in metric policies (package posture.metrics.<category>), the
// shared helpers (posture.lib), the built-in compliance checks (compliance.*) and
// their Rego unit tests (*_test.rego).
//
//go:embed *.rego compliance/*.rego
var FS embed.FS

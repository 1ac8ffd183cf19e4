// Package archtest holds tests of the module's import graph: the packages
// that read and write reports stay free of the policy engine (OPA), the
// engine stays free of the config, and the commands go through the
// pipeline (internal/app). It has no code of its own.
package archtest

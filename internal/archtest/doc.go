// Package archtest holds tests of the module's import graph: the packages
// that read and write reports stay free of the policy engine (OPA), and the
// engine stays free of the config. It has no code of its own.
package archtest

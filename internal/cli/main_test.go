package cli

import (
	"os"
	"testing"
)

// testVersion is the tool version every report of these tests names, so
// that no output depends on the build (version.Get reads the binary's).
const testVersion = "v0.0.0-test"

func TestMain(m *testing.M) {
	toolVersion = func() string { return testVersion }
	code := m.Run()
	removeBuilt()
	os.Exit(code)
}

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// testVersion is the tool version every report of these tests names, so
// that no output depends on the build (version.Get reads the binary's).
const testVersion = "v0.0.0-test"

// goTool is the go command that builds the binary under test: the one on
// PATH, else $GOROOT/bin/go, else /usr/local/go/bin/go.
func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, root := range []string{os.Getenv("GOROOT"), "/usr/local/go"} {
		if p := filepath.Join(root, "bin", "go"); root != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	t.Skip("no go command to build posture with")
	return ""
}

func TestMain(m *testing.M) {
	toolVersion = func() string { return testVersion }
	code := m.Run()
	removeBuilt()
	os.Exit(code)
}

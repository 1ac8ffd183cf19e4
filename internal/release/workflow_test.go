package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The release workflow's shape (actionlint checks its syntax in .ci/run).
func TestReleaseWorkflow(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "release.yml"))
	require.NoError(t, err)
	var w struct {
		On          map[string]any `json:"on"`
		OnYAML11    map[string]any `json:"true"` // YAML 1.1 reads the key on as true
		Permissions map[string]string
		Jobs        map[string]struct {
			Needs       any               `json:"needs"`
			Permissions map[string]string `json:"permissions"`
			Steps       []struct {
				Uses string            `json:"uses"`
				Run  string            `json:"run"`
				With map[string]any    `json:"with"`
				Env  map[string]string `json:"env"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &w))
	if w.On == nil {
		w.On = w.OnYAML11
	}
	push, _ := w.On["push"].(map[string]any)
	assert.Equal(t, []any{"v*.*.*"}, push["tags"], "release tags only: pushing the major tag v1 starts nothing")
	assert.Len(t, w.On, 1)
	assert.Equal(t, "read", w.Permissions["contents"], "least privilege by default")

	bin, ok := w.Jobs["binaries"]
	require.True(t, ok)
	assert.Equal(t, "write", bin.Permissions["contents"])
	var runs string
	for _, s := range bin.Steps {
		runs += s.Run + "\n"
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			assert.Equal(t, "go.mod", s.With["go-version-file"])
			assert.Equal(t, false, s.With["cache"])
		}
		assert.NotContains(t, s.Run, "${{", "values reach scripts through env")
	}
	for _, want := range []string{`scripts/release.sh "$VERSION" dist`, "sha256sum -c checksums.txt", "--version",
		"gh release create", "gh release upload", "dist/checksums.txt", "CHANGELOG.md", "go test ./..."} {
		assert.Contains(t, runs, want)
	}

	img, ok := w.Jobs["image"]
	require.True(t, ok)
	assert.Equal(t, "binaries", img.Needs)
	assert.Equal(t, "write", img.Permissions["packages"])
	var pushed bool
	runs = ""
	for _, s := range img.Steps {
		runs += s.Run + "\n"
		if strings.HasPrefix(s.Uses, "docker/build-push-action@") {
			pushed = true
			assert.Equal(t, "./Dockerfile.release", s.With["file"])
			assert.Equal(t, "linux/amd64,linux/arm64", s.With["platforms"])
			assert.Equal(t, true, s.With["push"])
		}
	}
	assert.True(t, pushed)
	// The context holds what Dockerfile.release copies.
	assert.Contains(t, runs, `image/linux_$arch`)
	assert.Contains(t, runs, "cp LICENSE image/")
	assert.Contains(t, runs, "sha256sum -c checksums.txt", "the image gets the verified binaries")
	assert.Contains(t, runs, `image="ghcr.io/${REPO,,}"`)
}

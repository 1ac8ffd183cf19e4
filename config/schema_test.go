package config_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
)

func TestTitle(t *testing.T) {
	dir := t.TempDir()

	c, err := config.Load(write(t, dir, "default.hcl", `project = "LocalizeVideos"`))
	require.NoError(t, err)
	assert.Empty(t, c.Title, "not configured")
	assert.Equal(t, "LocalizeVideos security posture", c.DisplayTitle(), "the project's default")

	c, err = config.Load(write(t, dir, "titled.hcl", "project = \"LocalizeVideos\"\ntitle = \"LocalizeVideos security KPIs\"\n"))
	require.NoError(t, err)
	assert.Equal(t, "LocalizeVideos security KPIs", c.Title)
	assert.Equal(t, "LocalizeVideos security KPIs", c.DisplayTitle())

	_, err = config.Load(write(t, dir, "blank.hcl", "project = \"LocalizeVideos\"\ntitle = \"  \"\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "blank.hcl")+":2,9-13: Invalid value; title must not be empty")
}

// Every top-level attribute the loader accepts is documented, and every
// block type has its documentation and body schema.
func TestSchemaIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range config.Settings {
		assert.False(t, seen[s.Name], "%s listed twice", s.Name)
		seen[s.Name] = true
		assert.NotEmpty(t, s.Doc, s.Name)
		assert.NotNil(t, s.Get, s.Name)
	}
	var types []string
	for _, b := range config.Blocks() {
		types = append(types, b.Type)
		assert.NotEmpty(t, b.Doc, b.Type)
		assert.NotEmpty(t, b.Labels, b.Type)
		if b.Type != "source" {
			assert.NotNil(t, b.Body, b.Type)
		}
	}
	assert.Equal(t, []string{"owner", "category", "metric", "source", "exception"}, types)
}

package nginx

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
)

func decode(t *testing.T, kind, src string) (any, error) {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "posture.hcl", hclStart)
	require.False(t, diags.HasErrors(), diags.Error())
	k, ok := sources.Lookup(kind)
	require.True(t, ok)
	cfg := k.NewConfig()
	if diags := gohcl.DecodeBody(f.Body, nil, cfg); diags.HasErrors() {
		return nil, diags
	}
	return cfg, nil
}

var hclStart = hcl.Pos{Line: 1, Column: 1}

func TestDecodeHCL(t *testing.T) {
	cfg, err := decode(t, AccessKind, `paths = ["logs/access.log*"]
rate_limit_status = [429, 503]
timezone = "Europe/Berlin"`)
	require.NoError(t, err)
	assert.Equal(t, &AccessConfig{Paths: []string{"logs/access.log*"}, RateLimitStatus: []int{429, 503}, Timezone: "Europe/Berlin"}, cfg)

	cfg, err = decode(t, AccessKind, `paths = ["a"]`)
	require.NoError(t, err)
	s, err := NewAccess(cfg.(*AccessConfig))
	require.NoError(t, err)
	assert.Equal(t, []int{429}, s.rateLimit)

	cfg, err = decode(t, ErrorKind, `paths = ["logs/error.log"]
timezone = "Europe/Berlin"`)
	require.NoError(t, err)
	assert.Equal(t, &ErrorConfig{Paths: []string{"logs/error.log"}, Timezone: "Europe/Berlin"}, cfg)

	_, err = decode(t, ErrorKind, `paths = ["a"]
rate_limit_status = [429]`)
	require.Error(t, err, "unknown attributes are errors")
	_, err = decode(t, AccessKind, `timezone = "UTC"`)
	require.Error(t, err, "paths is required")
}

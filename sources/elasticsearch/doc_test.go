package elasticsearch

import (
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The worked queries of the reference are a valid source block.
func TestReferenceExampleIsValid(t *testing.T) {
	b, err := os.ReadFile("elasticsearch.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindSubmatch(b)
	require.NotNil(t, m)
	file, diags := hclsyntax.ParseConfig(m[1], "elasticsearch.md", hcl.InitialPos)
	require.False(t, diags.HasErrors(), diags.Error())
	content, diags := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "source", LabelNames: []string{"kind", "name"}}}})
	require.False(t, diags.HasErrors(), diags.Error())
	require.Len(t, content.Blocks, 1)
	assert.Equal(t, "elasticsearch", content.Blocks[0].Labels[0])
	var c Config
	diags = gohcl.DecodeBody(content.Blocks[0].Body, nil, &c)
	require.False(t, diags.HasErrors(), diags.Error())
	s, err := New(&c)
	require.NoError(t, err)
	assert.NotEmpty(t, s.queries)
}

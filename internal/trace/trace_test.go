package trace

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPhaseWritesOnlyWhenEnabled(t *testing.T) {
	Phase("off")()
	var buf bytes.Buffer
	Enable(&buf)
	Phase("snapshot read")()
	Enable(nil)
	Phase("after")()
	require.Regexp(t, regexp.MustCompile(`^trace +\d+\.\d{3}s  snapshot read +\d+\.\d{3}s\n$`), buf.String())
}

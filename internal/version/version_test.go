package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRead(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"},
	}}
	i := read(func() (*debug.BuildInfo, bool) { return bi, true })
	assert.Equal(t, Info{Version: "v1.4.0", Revision: "0123456789abcdef0123", Modified: true, GoVersion: "go1.26.8"}, i)
	assert.Equal(t, "v1.4.0 (0123456789ab, modified)", i.String())

	bi.Main.Version = "(devel)"
	bi.Settings = nil
	assert.Equal(t, "devel", read(func() (*debug.BuildInfo, bool) { return bi, true }).String())
	assert.Equal(t, "devel", read(func() (*debug.BuildInfo, bool) { return nil, false }).Version)
}

func TestLdflagsWin(t *testing.T) {
	version, revision = "v2.0.0", "feedface"
	defer func() { version, revision = "", "" }()
	i := read(func() (*debug.BuildInfo, bool) { return &debug.BuildInfo{Main: debug.Module{Version: "v1.0.0"}}, true })
	assert.Equal(t, "v2.0.0 (feedface)", i.String())
}

// Package version tells which build of posture is running: the module
// version and the VCS revision recorded in the binary's build info, or the
// values a release build sets with -ldflags.
package version

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Set by release builds: -ldflags "-X github.com/localizevideos/posture/internal/version.version=v1.2.3
// -X github.com/localizevideos/posture/internal/version.revision=<sha>".
var (
	version  string
	revision string
)

// Info is what a build knows about itself.
type Info struct {
	Version   string `json:"version"`            // v1.2.3, or "devel"
	Revision  string `json:"revision,omitempty"` // VCS commit
	Modified  bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
	GoVersion string `json:"go_version,omitempty"`
}

var (
	once   sync.Once
	cached Info
)

// Get returns the build's Info (computed once).
func Get() Info {
	once.Do(func() { cached = read(debug.ReadBuildInfo) })
	return cached
}

// String is the one-line form: "v1.2.3 (abc1234)", "devel (abc1234, modified)".
func String() string { return Get().String() }

// String renders i on one line.
func (i Info) String() string {
	s := i.Version
	var extra []string
	if i.Revision != "" {
		r := i.Revision
		if len(r) > 12 {
			r = r[:12]
		}
		extra = append(extra, r)
	}
	if i.Modified {
		extra = append(extra, "modified")
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

func read(buildInfo func() (*debug.BuildInfo, bool)) Info {
	i := Info{Version: "devel"}
	if bi, ok := buildInfo(); ok {
		i.GoVersion = bi.GoVersion
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			i.Version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				i.Revision = s.Value
			case "vcs.modified":
				i.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		i.Version = version
	}
	if revision != "" {
		i.Revision = revision
	}
	return i
}

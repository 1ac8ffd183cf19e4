package release

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// No Docker engine runs the tests: these read the Dockerfiles as text and
// check what matters about the image — a static binary on a distroless (or
// scratch) base, run as a non-root user, with the OCI labels.

type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
}

type stage struct {
	from  string // the FROM line's arguments
	lines []instruction
}

// parseDockerfile splits a Dockerfile into stages of instructions, joining
// continued lines and dropping comments.
func parseDockerfile(t *testing.T, name string) []stage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", name))
	require.NoError(t, err)
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, stage{from: in.args})
			return
		}
		if len(stages) == 0 {
			assert.Equal(t, "ARG", in.cmd, "%s: only ARG before the first FROM", name)
			return
		}
		s := &stages[len(stages)-1]
		s.lines = append(s.lines, in)
	}
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") {
			continue
		}
		if body, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(body + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	require.NotEmpty(t, stages, name)
	return stages
}

func (s stage) all(cmd string) []string {
	var out []string
	for _, in := range s.lines {
		if in.cmd == cmd {
			out = append(out, in.args)
		}
	}
	return out
}

func (s stage) last(cmd string) string {
	all := s.all(cmd)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// checkFinalStage: the image that ships.
func checkFinalStage(t *testing.T, name string, final stage) {
	t.Helper()
	base := strings.Fields(final.from)[0]
	if base != "scratch" {
		assert.Regexp(t, `^gcr\.io/distroless/static(-debian\d+)?:nonroot$`, base, "%s: final base: distroless static, non-root variant", name)
	}
	user := final.last("USER")
	assert.NotEmpty(t, user, "%s: a USER", name)
	for _, root := range []string{"root", "0", "root:root", "0:0"} {
		assert.NotEqual(t, root, user, "%s: the user is not root", name)
	}
	assert.Regexp(t, `^(nonroot(:nonroot)?|65532(:65532)?)$`, user, name)
	assert.Equal(t, `["/posture"]`, final.last("ENTRYPOINT"), "%s: exec-form entrypoint", name)
	assert.Empty(t, final.all("CMD"), "%s: arguments come from docker run", name)
	assert.Equal(t, "/work", final.last("WORKDIR"), name)
	assert.Empty(t, final.all("RUN"), "%s: the final stage runs nothing (distroless has no shell)", name)

	labels := strings.Join(final.all("LABEL"), " ")
	for _, want := range []string{
		`org.opencontainers.image.source="https://github.com/localizevideos/posture"`,
		`org.opencontainers.image.licenses="Apache-2.0"`,
		`org.opencontainers.image.title="posture"`,
		`org.opencontainers.image.version="${VERSION}"`,
		`org.opencontainers.image.revision="${REVISION}"`,
	} {
		assert.Contains(t, labels, want, "%s: OCI label", name)
	}
	var copiesBinary, copiesLicense bool
	for _, c := range final.all("COPY") {
		f := strings.Fields(c)
		if len(f) >= 2 && f[len(f)-1] == "/posture" {
			copiesBinary = true
		}
		if len(f) >= 2 && f[len(f)-1] == "/LICENSE" {
			copiesLicense = true
		}
	}
	assert.True(t, copiesBinary, "%s: the binary is /posture", name)
	assert.True(t, copiesLicense, "%s: the licence ships with the image", name)
}

func TestDockerfileFromSource(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile")
	require.Len(t, stages, 2, "a build stage and the final image")
	build, final := stages[0], stages[1]

	// The builder: Go of go.mod's minor version, on the build platform.
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	require.NotNil(t, m)
	assert.Equal(t, "--platform=$BUILDPLATFORM golang:"+string(m[1])+" AS build", build.from)

	var goBuild string
	for _, r := range build.all("RUN") {
		if strings.Contains(r, "go build") {
			goBuild = r
		}
	}
	require.NotEmpty(t, goBuild, "a RUN builds posture")
	assert.Contains(t, goBuild, "CGO_ENABLED=0", "a static binary: distroless static has no libc")
	assert.Contains(t, goBuild, `GOOS="$TARGETOS" GOARCH="$TARGETARCH"`)
	assert.Contains(t, goBuild, "-trimpath")
	assert.Contains(t, goBuild, "-o /out/posture ./cmd/posture")
	assert.Contains(t, goBuild, "pkg=github.com/localizevideos/posture/internal/version")
	assert.Contains(t, goBuild, "-X $pkg.version=$VERSION")
	assert.Contains(t, goBuild, "-X $pkg.revision=$REVISION")
	assert.Contains(t, final.all("COPY"), "--from=build /out/posture /posture")

	checkFinalStage(t, "Dockerfile", final)
}

func TestDockerfileRelease(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile.release")
	require.Len(t, stages, 1, "no build stage: the release's binaries")
	final := stages[0]
	assert.Contains(t, final.all("COPY"), "${TARGETOS}_${TARGETARCH}/posture /posture", "the binary of the image's platform")
	assert.Contains(t, final.all("ARG"), "TARGETARCH")
	checkFinalStage(t, "Dockerfile.release", final)

	// Both images have the same base and layout.
	src := parseDockerfile(t, "Dockerfile")
	assert.Equal(t, src[len(src)-1].from, final.from)
}

// release.sh stamps the same variables the Dockerfile does, and they exist.
func TestReleaseLdflags(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "release.sh"))
	require.NoError(t, err)
	s := string(script)
	assert.Contains(t, s, "pkg=github.com/localizevideos/posture/internal/version")
	assert.Contains(t, s, "-X $pkg.version=$version -X $pkg.revision=$revision")
	assert.Contains(t, s, "CGO_ENABLED=0")
	assert.Contains(t, s, "-trimpath")
	v, err := os.ReadFile(filepath.Join("..", "version", "version.go"))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^\s+version\s+string$`, string(v))
	assert.Regexp(t, `(?m)^\s+revision\s+string$`, string(v))
}

// .dockerignore keeps the build's inputs in the context.
func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	require.NoError(t, err)
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			require.False(t, strings.HasPrefix(line, "!"), "no exceptions: this check does not model them")
			patterns = append(patterns, line)
		}
	}
	// ignored reports whether a pattern matches p or one of its parent folders
	// (a "**/" prefix matches in any folder).
	ignored := func(p string) string {
		for _, pat := range patterns {
			for q := p; q != "." && q != "/"; q = path.Dir(q) {
				if ok, _ := path.Match(pat, q); ok {
					return pat
				}
				if rest, ok := strings.CutPrefix(pat, "**/"); ok {
					if ok, _ := path.Match(rest, path.Base(q)); ok {
						return pat
					}
				}
			}
		}
		return ""
	}
	for _, p := range []string{"go.mod", "go.sum", "LICENSE", "cmd/posture/main.go", "internal/cli/init.go",
		"internal/cli/scaffold/.github/workflows/posture.yml", "internal/cli/scaffold/posture.hcl",
		"policies/embed.go", "dashboard/dashboard.css", "internal/version/version.go"} {
		assert.Empty(t, ignored(p), "%s is in the build context", p)
	}
	for _, p := range []string{".git/config", "bin/posture", "dist/checksums.txt", ".github/workflows/release.yml"} {
		assert.NotEmpty(t, ignored(p), "%s stays out of the build context", p)
	}
}

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/release"
)

// The install step of the action (scripts/posture-install.sh) against a
// loopback server holding fake releases laid out as GitHub serves them:
// <base>/download/<tag>/<asset> and <base>/latest/download/<asset>.

// fakeReleases serves:
//
//	v9.9.9  a good release (linux amd64 tar.gz, windows arm64 zip), the latest
//	v6.6.6  a release whose archive does not match its checksums.txt
//	v5.5.5  a release whose checksums.txt does not list the archive
//	anything else: 404
type fakeReleases struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  []string
}

// fakePosture is the "binary" of a fake release: a script that says its version.
func fakePosture(version string) string {
	return "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"posture " + version + " (fake)\"; exit 0; fi\necho \"fake posture $*\"\n"
}

func newFakeReleases(t *testing.T) *fakeReleases {
	t.Helper()
	f := &fakeReleases{files: map[string][]byte{}}
	src := t.TempDir()
	for _, doc := range []string{"LICENSE", "README.md"} {
		require.NoError(t, os.WriteFile(filepath.Join(src, doc), []byte(doc+"\n"), 0o644))
	}
	archive := func(tag, goos, goarch, body string) (string, []byte) {
		exe, ext := "posture", "tar.gz"
		if goos == "windows" {
			exe, ext = "posture.exe", "zip"
		}
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, exe), []byte(body), 0o755))
		name := fmt.Sprintf("posture_%s_%s_%s.%s", tag, goos, goarch, ext)
		out := filepath.Join(t.TempDir(), name)
		require.NoError(t, release.WriteArchive(out, []release.File{
			{Name: exe, Path: filepath.Join(dir, exe)},
			{Name: "LICENSE", Path: filepath.Join(src, "LICENSE")},
			{Name: "README.md", Path: filepath.Join(src, "README.md")},
		}, time.Unix(1764979200, 0)))
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		return out, b
	}
	publish := func(tag string, tamper bool, unlisted bool) {
		var paths []string
		for _, target := range [][2]string{{"linux", "amd64"}, {"windows", "arm64"}} {
			p, b := archive(tag, target[0], target[1], fakePosture(tag))
			paths = append(paths, p)
			if tamper {
				// The archive served is another one than checksums.txt lists.
				_, b = archive(tag, target[0], target[1], fakePosture(tag)+"echo tampered\n")
			}
			f.files["/releases/download/"+tag+"/"+filepath.Base(p)] = b
		}
		if unlisted {
			paths = paths[1:]
		}
		sums, err := release.Checksums(paths)
		require.NoError(t, err)
		f.files["/releases/download/"+tag+"/checksums.txt"] = sums
	}
	publish("v9.9.9", false, false)
	publish("v6.6.6", true, false)
	publish("v5.5.5", false, true)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits = append(f.hits, r.URL.Path)
		f.mu.Unlock()
		if rest, ok := strings.CutPrefix(r.URL.Path, "/releases/latest/download/"); ok {
			// As GitHub does: a redirect to the latest release's asset.
			http.Redirect(w, r, "/releases/download/v9.9.9/"+rest, http.StatusFound)
			return
		}
		b, ok := f.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b) // the client sees a short body if this fails
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeReleases) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.hits
	f.hits = nil
	return out
}

type installRun struct {
	code    int
	stderr  string
	outputs map[string]string
	path    string // what the step added to $GITHUB_PATH
}

// runInstall runs the install script with the runner's environment: tool
// cache and temp folders, a Linux X64 runner unless env says otherwise.
func runInstall(t *testing.T, f *fakeReleases, cache string, env map[string]string) installRun {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	for _, tool := range []string{"curl", "tar", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " is not installed")
		}
	}
	dir := t.TempDir()
	out, ghPath := filepath.Join(dir, "github_output"), filepath.Join(dir, "github_path")
	require.NoError(t, os.WriteFile(out, nil, 0o644))
	require.NoError(t, os.WriteFile(ghPath, nil, 0o644))
	vars := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "GITHUB_ACTIONS": "true",
		"GITHUB_OUTPUT": out, "GITHUB_PATH": ghPath, "RUNNER_TEMP": t.TempDir(), "RUNNER_TOOL_CACHE": cache,
		"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "POSTURE_RELEASE_BASE_URL": f.srv.URL + "/releases",
		"GITHUB_ACTION_PATH": filepath.Join(dir, "action"),
	}
	for k, v := range env {
		vars[k] = v
	}
	script := filepath.Join(repoRoot(t), "scripts", "posture-install.sh")
	// Read here so that go test's cache knows the result depends on the script.
	_, err := os.ReadFile(script)
	require.NoError(t, err)
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &se, &se
	err = cmd.Run()
	r := installRun{stderr: se.String(), outputs: map[string]string{}}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs[k] = v
		}
	}
	p, err := os.ReadFile(ghPath)
	require.NoError(t, err)
	r.path = strings.TrimSpace(string(p))
	return r
}

// runBin runs an installed binary as a later step would.
func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

func TestActionInstallsAVerifiedRelease(t *testing.T) {
	f := newFakeReleases(t)
	cache := t.TempDir()

	r := runInstall(t, f, cache, map[string]string{"INPUT_VERSION": "v9.9.9"})
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "release", r.outputs["method"])
	assert.Equal(t, "v9.9.9", r.outputs["version"])
	bin := filepath.Join(cache, "posture", "9.9.9", "x64", "posture")
	assert.Equal(t, bin, r.outputs["bin"])
	assert.Equal(t, filepath.Dir(bin), r.path, "on PATH for the later steps")
	assert.Contains(t, r.stderr, "matches checksums.txt")
	assert.Contains(t, r.stderr, "posture v9.9.9 (fake)", "the binary ran")
	assert.NotContains(t, r.stderr, "::warning")
	assert.Equal(t, []string{"/releases/download/v9.9.9/checksums.txt", "/releases/download/v9.9.9/posture_v9.9.9_linux_amd64.tar.gz"}, f.requests())
	assert.Equal(t, "fake posture gate\n", runBin(t, bin, "gate"))

	// A second job on this runner: from the tool cache, no download.
	r = runInstall(t, f, cache, map[string]string{"INPUT_VERSION": "9.9.9"})
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, bin, r.outputs["bin"])
	assert.Contains(t, r.stderr, "from the tool cache")
	assert.Empty(t, f.requests())

	// A cached binary that changed since it was verified is downloaded again.
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\necho evil\n"), 0o755))
	r = runInstall(t, f, cache, map[string]string{"INPUT_VERSION": "v9.9.9"})
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "from the tool cache")
	assert.Len(t, f.requests(), 2)
	assert.Equal(t, "fake posture x\n", runBin(t, bin, "x"))
}

func TestActionInstallPicksTheVersion(t *testing.T) {
	f := newFakeReleases(t)

	t.Run("latest", func(t *testing.T) {
		r := runInstall(t, f, t.TempDir(), map[string]string{"INPUT_VERSION": "latest"})
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "release", r.outputs["method"])
		assert.Equal(t, "v9.9.9", r.outputs["version"])
		assert.Equal(t, []string{"/releases/latest/download/checksums.txt", "/releases/download/v9.9.9/checksums.txt",
			"/releases/download/v9.9.9/posture_v9.9.9_linux_amd64.tar.gz"}, f.requests())
	})

	t.Run("default: the action's ref is a release tag", func(t *testing.T) {
		r := runInstall(t, f, t.TempDir(), map[string]string{"POSTURE_ACTION_REF": "v9.9.9", "POSTURE_ACTION_REPOSITORY": "localizevideos/posture"})
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "release", r.outputs["method"])
		assert.Equal(t, "v9.9.9", r.outputs["version"])
		f.requests()
	})

	t.Run("default: the ref read from the action's path", func(t *testing.T) {
		r := runInstall(t, f, t.TempDir(), map[string]string{"GITHUB_ACTION_PATH": "/home/runner/work/_actions/localizevideos/posture/v9.9.9"})
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "v9.9.9", r.outputs["version"])
		f.requests()
	})

	t.Run("default: a branch or major tag builds from source", func(t *testing.T) {
		for _, ref := range []string{"main", "v0", "", "0123456789abcdef0123456789abcdef01234567"} {
			r := runInstall(t, f, t.TempDir(), map[string]string{"POSTURE_ACTION_REF": ref})
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, "source", r.outputs["method"], ref)
			assert.NotContains(t, r.stderr, "::warning", "asked for: no warning")
			assert.True(t, strings.HasSuffix(r.outputs["bin"], "/posture-bin/posture"), r.outputs["bin"])
		}
		assert.Empty(t, f.requests())
	})

	t.Run("source", func(t *testing.T) {
		r := runInstall(t, f, t.TempDir(), map[string]string{"INPUT_VERSION": "source", "POSTURE_ACTION_REF": "v9.9.9"})
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "source", r.outputs["method"])
		assert.Empty(t, r.path, "the build step puts it on PATH")
		assert.Empty(t, f.requests())
	})

	t.Run("windows arm64: the zip", func(t *testing.T) {
		cache := t.TempDir()
		r := runInstall(t, f, cache, map[string]string{"INPUT_VERSION": "v9.9.9", "RUNNER_OS": "Windows", "RUNNER_ARCH": "ARM64"})
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, filepath.Join(cache, "posture", "9.9.9", "arm64", "posture.exe"), r.outputs["bin"])
		assert.Equal(t, []string{"/releases/download/v9.9.9/checksums.txt", "/releases/download/v9.9.9/posture_v9.9.9_windows_arm64.zip"}, f.requests())
	})

	t.Run("bad inputs", func(t *testing.T) {
		for _, env := range []map[string]string{
			{"INPUT_VERSION": "newest"},
			{"INPUT_VERSION": "v1.2"},
			{"INPUT_VERSION": "v1.2.3/../../x"},
			{"INPUT_VERSION": "v9.9.9", "POSTURE_RELEASE_BASE_URL": "http://example.com/releases"},
		} {
			r := runInstall(t, f, t.TempDir(), env)
			assert.Equal(t, 2, r.code, env)
			assert.Contains(t, r.stderr, "::error title=posture action::", env)
			assert.Empty(t, r.outputs, env)
		}
		assert.Empty(t, f.requests())
	})
}

func TestActionInstallRefusesAMismatch(t *testing.T) {
	f := newFakeReleases(t)
	for _, tag := range []string{"v6.6.6", "v5.5.5"} {
		cache := t.TempDir()
		r := runInstall(t, f, cache, map[string]string{"INPUT_VERSION": tag})
		assert.Equal(t, 2, r.code, "the step fails: no fallback hides a bad archive")
		assert.Contains(t, r.stderr, "::error title=posture action::", tag)
		assert.Contains(t, r.stderr, "refusing to run", tag)
		assert.NotContains(t, r.stderr, "(fake)", "the binary never ran")
		assert.Empty(t, r.outputs, "no method: the action stops here")
		assert.Empty(t, r.path)
		entries, err := os.ReadDir(cache)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing in the tool cache")
		f.requests()
	}
}

func TestActionInstallFallsBackToSource(t *testing.T) {
	f := newFakeReleases(t)
	for _, env := range []map[string]string{
		{"INPUT_VERSION": "v4.0.4"},                                                            // no such release: 404
		{"POSTURE_ACTION_REF": "v4.0.4"},                                                       // the action's ref, no release
		{"INPUT_VERSION": "v9.9.9", "RUNNER_ARCH": "X86"},                                      // no binary for this runner
		{"INPUT_VERSION": "v9.9.9", "RUNNER_OS": "Linux", "RUNNER_ARCH": "ARM64"},              // asset missing: 404
		{"INPUT_VERSION": "v9.9.9", "POSTURE_RELEASE_BASE_URL": "http://127.0.0.1:1/releases"}, // unreachable
	} {
		r := runInstall(t, f, t.TempDir(), env)
		assert.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "source", r.outputs["method"], env)
		assert.Equal(t, "", r.outputs["version"])
		assert.NotEmpty(t, r.outputs["bin"])
		assert.Contains(t, r.stderr, "::warning title=posture action::", env)
		assert.Contains(t, r.stderr, "building posture from the action's source instead", env)
		assert.Empty(t, r.path)
		f.requests()
	}
}

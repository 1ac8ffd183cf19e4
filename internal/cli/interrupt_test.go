package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/app"
)

// The binary the subprocess tests run, built once (see builtPosture).
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// removeBuilt removes the binary builtPosture built (called by TestMain).
func removeBuilt() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// builtPosture builds ./cmd/posture once per test binary and returns its path.
func builtPosture(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "posture-cli-test-")
		if built.err != nil {
			return
		}
		goBin := goTool(t)
		built.bin = filepath.Join(built.dir, "posture")
		cmd := exec.Command(goBin, "build", "-o", built.bin, "./cmd/posture")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, built.err)
	return built.bin
}

// slowServer answers no request until the test ends (or the client gives
// up): a source probing it waits. hits counts the requests; first is
// closed at the first one.
type slowServer struct {
	*httptest.Server
	hits  atomic.Int64
	first chan struct{}
	once  sync.Once
}

func newSlowServer(t *testing.T) *slowServer {
	t.Helper()
	s := &slowServer{first: make(chan struct{})}
	release := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.once.Do(func() { close(s.first) })
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		s.Close()
	})
	return s
}

// waitHit waits for the server's first request.
func (s *slowServer) waitHit(t *testing.T) {
	t.Helper()
	select {
	case <-s.first:
	case <-time.After(20 * time.Second):
		t.Fatal("the source never reached the server")
	}
}

// slowFixture is the test fixture plus a headers source probing url (it
// waits up to 8 s for an answer).
func slowFixture(t *testing.T, url string) string {
	t.Helper()
	return fixture(t, map[string]string{"posture.hcl": baseConfig + fmt.Sprintf(`source "headers" "web" {
  urls    = [%q]
  timeout = "8s"
}
`, url+"/")})
}

// runCtx runs the CLI in-process in dir with ctx and the fixture's as-of.
func runCtx(t *testing.T, ctx context.Context, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { _ = os.Chdir(wd) }()
	code := Run(ctx, append([]string{"posture"}, args...), strings.NewReader(""), &out, &errb, func(k string) string {
		if k == "POSTURE_AS_OF" {
			return "2026-11-27"
		}
		return ""
	})
	return code, out.String(), errb.String()
}

// wrote lists what a run left in dir besides the fixture's files.
func wrote(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == ".":
			return nil
		case rel == "policies" || strings.HasPrefix(rel, "policies"+string(filepath.Separator)):
			return nil
		}
		switch rel {
		case "posture.hcl", "accounts.csv", "tokens.csv", "exceptions.hcl":
			return nil
		}
		out = append(out, rel)
		return nil
	})
	require.NoError(t, err)
	return out
}

// Cancelling the context while a source waits on a slow server stops the
// run at once: exit 130, "posture: interrupted", and no snapshot, report,
// manifest or -o file (nothing at all) written.
func TestCancelStopsTheRunAndWritesNothing(t *testing.T) {
	for _, args := range [][]string{
		{"snapshot"},
		{"report"},
		{"run", "--no-issues"},
		{"eval", "-o", "out.json", "--format", "json"},
		{"gate"},
		{"explain", "security_header_drift"},
	} {
		t.Run(args[0], func(t *testing.T) {
			srv := newSlowServer(t)
			dir := slowFixture(t, srv.URL)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelled atomic.Int64
			go func() {
				srv.waitHit(t)
				cancelled.Store(time.Now().UnixNano())
				cancel()
			}()
			code, out, errs := runCtx(t, ctx, dir, args...)
			took := time.Since(time.Unix(0, cancelled.Load()))
			require.NotZero(t, cancelled.Load(), "the source never reached the server")
			assert.Less(t, took, 2*time.Second, "the run stops promptly once cancelled")
			assert.Equal(t, ExitInterrupt, code, errs)
			assert.Contains(t, errs, "posture: interrupted (cancelled)")
			assert.NotContains(t, errs, "ERROR", "a source stopped by the interruption is no source error")
			assert.Empty(t, out)
			assert.Empty(t, wrote(t, dir), "an interrupted run writes nothing")
		})
	}
}

// A run interrupted once its report is written sends no issue request and
// makes no commit (the report files, written whole, stay).
func TestRunInterruptedAfterTheReportSkipsIssuesAndCommit(t *testing.T) {
	dir := fixture(t, nil)
	git := gitRepo(t, dir)
	head := git("rev-parse", "HEAD")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := runIssues
	called := false
	runIssues = func(e *env, g *globals, p *app.Published) error { called = true; return nil }
	defer func() { runIssues = old }()
	// The report's own output is the last thing before the issues step:
	// cancel when it is printed.
	var out bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte("snapshot ")) {
			cancel()
		}
		return out.Write(p)
	})
	var errb bytes.Buffer
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	code := Run(ctx, []string{"posture", "run", "--commit"}, strings.NewReader(""), w, &errb, func(k string) string {
		if k == "POSTURE_AS_OF" {
			return "2026-11-27"
		}
		return ""
	})
	require.NoError(t, os.Chdir(wd))
	assert.Equal(t, ExitInterrupt, code, errb.String())
	assert.False(t, called, "no issues step after an interruption")
	assert.Equal(t, head, git("rev-parse", "HEAD"), "no commit after an interruption")
	assert.FileExists(t, filepath.Join(dir, "security", "reports", "2026-11-27.json"))
	assert.FileExists(t, filepath.Join(dir, "security", "snapshots", "2026-11-27", "manifest.json"))
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// The issues step stops at the interruption: no write after it, even when
// the next one was due only after a long pause.
func TestIssuesStopWhenCancelled(t *testing.T) {
	withIssuesNet(t)
	issuesNet.Sleep = nil // real waits, which the cancellation must cut short
	issuesNet.WriteInterval = time.Hour
	gh, env := fakeGitHub(t)
	dir, _ := issuesWorkspace(t, issuesReport("2026-11-27T00:00:00Z", 2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(gh.Writes()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	type result struct {
		code      int
		out, errs string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := Run(ctx, []string{"posture", "-c", filepath.Join(dir, "posture.hcl"), "issues",
			"--report", filepath.Join(dir, "security", "reports", "2026-11-27.json")},
			strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		done <- result{code, out.String(), errb.String()}
	}()
	select {
	case r := <-done:
		assert.Equal(t, ExitInterrupt, r.code, r.errs)
		assert.Contains(t, r.errs, "posture: interrupted")
		assert.Len(t, gh.Writes(), 1, "no write after the interruption")
	case <-time.After(10 * time.Second):
		t.Fatal("the issues step did not stop when cancelled")
	}
}

// The real binary: SIGINT and SIGTERM during a collection stop it
// promptly with 130 and 143, and nothing is written.
func TestSignalsStopTheBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT/SIGTERM to send on Windows")
	}
	bin := builtPosture(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		args []string
		code int
		why  string
	}{
		{syscall.SIGINT, []string{"report"}, 130, "interrupt signal received"},
		{syscall.SIGTERM, []string{"run", "--no-issues"}, 143, "terminated signal received"},
		{syscall.SIGTERM, []string{"snapshot"}, 143, "terminated signal received"},
	} {
		t.Run(tc.sig.String()+" "+tc.args[0], func(t *testing.T) {
			srv := newSlowServer(t)
			dir := slowFixture(t, srv.URL)
			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "POSTURE_AS_OF=2026-11-27"}
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-srv.first:
			case err := <-exited:
				t.Fatalf("posture exited before reaching the server: %v\n%s", err, errb.String())
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the source never reached the server")
			}
			require.NoError(t, cmd.Process.Signal(tc.sig))
			start := time.Now()
			var err error
			select {
			case err = <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("posture did not stop within 5 s of %s", tc.sig)
			}
			assert.Less(t, time.Since(start), 2*time.Second)
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "exit: %v", err)
			assert.Equal(t, tc.code, ee.ExitCode(), "an exit, not a death by signal: %s", errb.String())
			assert.Contains(t, errb.String(), "posture: interrupted ("+tc.why+")")
			assert.Empty(t, out.String())
			assert.Empty(t, wrote(t, dir), "an interrupted run writes nothing")
		})
	}
}

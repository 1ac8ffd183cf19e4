//go:build linux

package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPTY opens a pseudo-terminal: what posture writes to tty shows up on
// the returned reader, as on a user's terminal.
func openPTY(t *testing.T) (tty *os.File, shown func() string) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		master.Close()
		t.Skipf("no pseudo-terminal: unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		master.Close()
		t.Skipf("no pseudo-terminal: ptsname: %v", e)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(&buf, master) // ends with EIO once tty is closed
		close(done)
	}()
	closed := false
	t.Cleanup(func() {
		if !closed {
			tty.Close()
			<-done
		}
		master.Close()
	})
	return tty, func() string {
		if !closed {
			closed = true
			tty.Close()
			<-done
		}
		return buf.String()
	}
}

// runTTY runs posture in dir with stdout (or stderr) on a terminal and the
// given environment; it returns what the terminal showed.
func runTTY(t *testing.T, dir string, env map[string]string, onStderr bool, args ...string) (int, string) {
	t.Helper()
	tty, shown := openPTY(t)
	var other bytes.Buffer
	stdout, stderr := io.Writer(tty), io.Writer(&other)
	if onStderr {
		stdout, stderr = &other, tty
	}
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	defer func() { _ = os.Chdir(wd) }()
	code := Run(context.Background(), append([]string{"posture"}, args...), strings.NewReader(""), stdout, stderr, func(k string) string {
		if k == "POSTURE_AS_OF" {
			return "2026-11-27"
		}
		return env[k]
	})
	return code, shown()
}

const esc = "\x1b["

// On a terminal the table is coloured, unless NO_COLOR, --no-color or a
// dumb terminal (TERM=dumb) says otherwise.
func TestNoColourOnADumbTerminal(t *testing.T) {
	dir := fixture(t, nil)
	code, shown := runTTY(t, dir, map[string]string{"TERM": "xterm-256color"}, false, "eval")
	require.Equal(t, ExitOK, code, shown)
	assert.Contains(t, shown, esc, "a terminal gets colours")
	assert.Contains(t, shown, "orphaned_accounts")

	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"TERM": "dumb"}, []string{"eval"}},
		{map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, []string{"eval"}},
		{map[string]string{"TERM": "xterm"}, []string{"eval", "--no-color"}},
	} {
		code, shown := runTTY(t, dir, tc.env, false, tc.args...)
		require.Equal(t, ExitOK, code, shown)
		assert.Contains(t, shown, "orphaned_accounts", "%v", tc.env)
		assert.NotContains(t, shown, esc, "%v %v: no escape sequence", tc.env, tc.args)
	}
}

// The live progress line on a terminal's stderr (cursor moves, line
// erases) is left out on a dumb terminal, which cannot do them.
func TestNoLiveProgressOnADumbTerminal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	dir := fixture(t, map[string]string{"posture.hcl": baseConfig + fmt.Sprintf("source \"headers\" \"web\" { urls = [%q] }\n", srv.URL+"/")})

	code, shown := runTTY(t, dir, map[string]string{"TERM": "xterm"}, true, "snapshot")
	require.Equal(t, ExitOK, code, shown)
	assert.Contains(t, shown, "\r"+esc+"K  headers.web: ", "a terminal gets the live line")

	code, shown = runTTY(t, dir, map[string]string{"TERM": "dumb"}, true, "snapshot")
	require.Equal(t, ExitOK, code, shown)
	assert.Contains(t, shown, "source headers.web")
	assert.NotContains(t, shown, esc, "no escape sequence on a dumb terminal")
}

// Package cli is posture's command line: flags, subcommands and exit codes.
// Commands return errors; Run maps them to exit codes (0 ok, 1 gated metric
// failed, 2 error, 130/143 interrupted) and never calls os.Exit itself.
package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/localizevideos/posture/internal/atomicfile"
	"github.com/localizevideos/posture/internal/trace"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// Exit codes (README.md, "Commands").
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitError = 2
	// An interrupted run exits 128 + the signal's number, as a shell
	// reports a process that signal killed: 130 for SIGINT (Ctrl-C), 143
	// for SIGTERM (a cancelled CI job).
	ExitInterrupt = 130
	ExitTerminate = 143
)

// ExitError carries an exit code; a nil Err means "exit quietly with Code".
type exitError struct {
	Code int
	Err  error
}

func (e *exitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *exitError) Unwrap() error { return e.Err }

func exitCode(code int, err error) error { return &exitError{Code: code, Err: err} }

// env gives access to the environment (tests pass their own).
type env struct {
	// ctx is cancelled when the run is interrupted (Ctrl-C, SIGTERM): the
	// sources, the evaluation and the GitHub issues step stop, and nothing
	// is written after it.
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// globals are the flags valid before or after the subcommand.
type globals struct {
	config  string
	asOf    string
	format  string
	output  string
	quiet   bool
	noColor bool

	stderr    io.Writer
	stderrTTY bool
	unknown   string // a command name the help did not find
}

var globalFlagArity = map[string]bool{ // name -> takes a value
	"-c": true, "--config": true, "--as-of": true, "--format": true, "-o": true, "--output": true,
	"-q": false, "--quiet": false, "--no-color": false,
}

// hoistGlobals moves global flags given after the subcommand in front of
// it, so `posture eval --format json` and `posture --format json eval` mean
// the same.
func hoistGlobals(args []string) []string {
	if len(args) < 2 {
		return args
	}
	var global, rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name := a
		if j := strings.IndexByte(a, '='); j > 0 && strings.HasPrefix(a, "-") {
			name = a[:j]
		}
		takesValue, isGlobal := globalFlagArity[name]
		if isGlobal {
			global = append(global, a)
			if takesValue && name == a && i+1 < len(args) {
				global = append(global, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	out := append([]string{args[0]}, global...)
	return append(out, rest...)
}

// Run runs the command line and returns the exit code. Cancelling ctx (the
// caller does on SIGINT and SIGTERM) interrupts the run: the sources, the
// evaluation and the issues step stop, nothing of the partial run is
// written (no snapshot, report file, ledger or commit), Run says "posture:
// interrupted (<cause>)" and returns ExitTerminate when the cause is
// SIGTERM, else ExitInterrupt.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	g := &globals{stderr: stderr}
	if f, ok := stderr.(*os.File); ok {
		// A dumb terminal cannot erase a line: no live progress line.
		g.stderrTTY = term.IsTerminal(int(f.Fd())) && !dumbTerminal(getenv)
	}
	if getenv("POSTURE_TRACE") != "" {
		trace.Enable(stderr)
		defer trace.Enable(nil)
	}
	app := newApp(e, g)
	err := app.RunContext(ctx, hoistGlobals(args))
	if ctx.Err() != nil {
		return interrupted(ctx, g)
	}
	if err == nil && g.unknown != "" {
		err = unknownCommand(app, g.unknown)
	}
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.Err != nil && ee.Code != ExitOK {
			fmt.Fprintf(stderr, "posture: %s\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "posture: %s\n", err)
	return ExitError
}

func newApp(e *env, g *globals) *cli.App {
	app := &cli.App{
		Name:      "posture",
		Usage:     "security metrics and KPIs as code",
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		Reader:    e.stdin,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Value: "posture.hcl", Usage: "HCL config `FILE`", Destination: &g.config},
			&cli.StringFlag{Name: "as-of", Usage: "evaluation instant: RFC 3339 or YYYY-MM-DD (default now; env POSTURE_AS_OF)", Destination: &g.asOf},
			&cli.StringFlag{Name: "format", Usage: "output format: table, json, markdown, sarif, junit", Destination: &g.format},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the printed result to `FILE`", Destination: &g.output},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print less", Destination: &g.quiet},
			&cli.BoolFlag{Name: "no-color", Usage: "no ANSI colours", Destination: &g.noColor},
			&cli.BoolFlag{Name: "version", Usage: "print the version (module version and VCS revision) and exit"},
			cli.HelpFlag, // not added by the library when the app has its own help command
		},
		// --version prints the version whatever follows (posture --version eval).
		Before: func(c *cli.Context) error {
			if c.Bool("version") {
				if err := printVersion(e, g); err != nil {
					return err
				}
				return exitCode(ExitOK, nil)
			}
			switch c.Args().First() {
			case "", "help", "h", "version":
				return nil
			}
			return g.checkGlobals(e)
		},
		ExitErrHandler: func(*cli.Context, error) {},
		Action:         rootAction,
		// `posture --help frobnicate`: the library's help calls this
		// instead of failing (Run turns it into the unknown-command error).
		CommandNotFound: func(_ *cli.Context, name string) { g.unknown = name },
		Commands: []*cli.Command{
			cmdInit(e, g), cmdValidate(e, g), cmdMetrics(e, g), cmdSnapshot(e, g), cmdMerge(e, g), cmdEval(e, g),
			cmdGate(e, g), cmdReport(e, g), cmdRun(e, g), cmdAggregate(e, g), cmdReview(e, g),
			cmdExplain(e, g), cmdTest(e, g), cmdBaseline(e, g), cmdDemoHistory(e, g),
			cmdIssues(e, g), cmdVerify(e, g), cmdVersion(e, g), cmdHelp(),
		},
	}
	return app
}

// asOf resolves --as-of / POSTURE_AS_OF / now.
func (g *globals) when(e *env) (time.Time, bool, error) {
	s := g.asOf
	if s == "" {
		s = e.getenv("POSTURE_AS_OF")
	}
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), false, nil
	}
	t, err := ParseAsOf(s)
	return t, true, err
}

// ParseAsOf reads RFC 3339 or YYYY-MM-DD (midnight UTC).
func ParseAsOf(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--as-of %q: want RFC 3339 (2026-11-27T00:00:00Z) or a date (2026-11-27)", s)
}

// dumbTerminal reports TERM=dumb: a terminal without colours or cursor
// movement (Emacs shell buffers, some CI log viewers).
func dumbTerminal(getenv func(string) string) bool { return getenv("TERM") == "dumb" }

// color: ANSI colours on stdout only on a terminal that has them, unless
// --no-color, NO_COLOR or -o.
func (g *globals) color(e *env) bool {
	if g.noColor || e.getenv("NO_COLOR") != "" || g.output != "" || dumbTerminal(e.getenv) {
		return false
	}
	if f, ok := e.stdout.(*os.File); ok {
		return term.IsTerminal(int(f.Fd()))
	}
	return false
}

// emit writes the printed result to stdout or, with -o, atomically to a file.
func (g *globals) emit(e *env, fn func(w io.Writer) error) error {
	if g.output == "" {
		return fn(e.stdout)
	}
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(g.output, buf.Bytes())
}

// WriteFileAtomic writes a file atomically (see atomicfile.Write).
func WriteFileAtomic(path string, data []byte) error { return atomicfile.Write(path, data) }

// interrupted says the run was interrupted and returns its exit code.
func interrupted(ctx context.Context, g *globals) int {
	why := "cancelled"
	code := ExitInterrupt
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled { //nolint:errorlint // a signal's cause wraps context.Canceled: only the bare one means "cancelled"
		why = cause.Error() // "interrupt signal received", "terminated signal received"
		if strings.HasPrefix(why, syscall.SIGTERM.String()+" ") {
			code = ExitTerminate
		}
	}
	if g.stderrTTY {
		fmt.Fprint(g.stderr, "\r\033[K") // clear a live progress line
	}
	fmt.Fprintf(g.stderr, "posture: interrupted (%s)\n", why)
	return code
}

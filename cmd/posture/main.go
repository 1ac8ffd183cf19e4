// Command posture computes security KPIs as code: sources snapshot the state
// that matters, Rego policies compute the metrics, and the results become
// reports, issues and CI gate exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/localizevideos/posture/internal/cli"
)

func main() {
	// posture builds one large, long-lived input and then allocates a lot
	// of short-lived values while evaluating it: collecting less often cut
	// eval at 100x by 16% for 10% more peak memory (docs/performance.md).
	// GOGC set by the user wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	// Ctrl-C or SIGTERM (a cancelled CI job) cancels the run's context: the
	// run stops, writes nothing half-done and exits 130 or 143. The signals
	// are released at the first one, so a second Ctrl-C kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	run := func() int { return cli.Run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv) }
	// POSTURE_CPUPROFILE=file writes a CPU profile of the run (for
	// performance work; see docs/performance.md).
	if path := os.Getenv("POSTURE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := run()
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
			f.Close()
		}
	}
	os.Exit(run())
}

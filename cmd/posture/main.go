// Command posture computes security KPIs as code: sources snapshot the state
// that matters, Rego policies compute the metrics, and the results become
// reports, issues and CI gate exit codes.
package main

import (
	"os"
	"runtime/pprof"

	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/localizevideos/posture/internal/cli"
)

func main() {
	// POSTURE_CPUPROFILE=file writes a CPU profile of the run (for
	// performance work; see docs/performance.md).
	if path := os.Getenv("POSTURE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				code := cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
				pprof.StopCPUProfile()
				f.Close()
				os.Exit(code)
			}
			f.Close()
		}
	}
	os.Exit(cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Command posture computes security KPIs as code: sources snapshot the state
// that matters, Rego policies compute the metrics, and the results become
// reports, issues and CI gate exit codes.
package main

import (
	"os"

	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/localizevideos/posture/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// cmdHelp is `posture help [COMMAND]`: the list of commands, or one
// command's help. An unknown command is an error (exit 2).
func cmdHelp() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the commands, or the help of one command",
		ArgsUsage: "[COMMAND]",
		// No `help help` subcommand: ShowCommandHelp would then look the
		// command up among the subcommands.
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			switch c.NArg() {
			case 0:
				return cli.ShowAppHelp(c)
			case 1:
				name := c.Args().First()
				if c.App.Command(name) == nil {
					return unknownCommand(c.App, name)
				}
				return cli.ShowCommandHelp(c, name)
			}
			return exitCode(ExitError, fmt.Errorf("help: give at most one command (posture help COMMAND)"))
		},
	}
}

// rootAction runs when no command is named: the help, or an error for a
// word that is no command (`posture frobnicate`).
func rootAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return unknownCommand(c.App, c.Args().First())
	}
	return cli.ShowAppHelp(c)
}

// unknownCommand is the exit-2 error for a name that is no command, with
// the nearest command when one is close and the list of commands.
func unknownCommand(app *cli.App, name string) error {
	var names []string
	best, bestDist := "", 3 // suggest only within 2 edits
	for _, cmd := range app.VisibleCommands() {
		names = append(names, cmd.Name)
		for _, n := range cmd.Names() {
			if d := editDistance(strings.ToLower(name), n); d < bestDist {
				best, bestDist = cmd.Name, d
			}
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", best)
	}
	msg += fmt.Sprintf("; the commands are %s (`posture help COMMAND` explains one)", strings.Join(names, ", "))
	return exitCode(ExitError, fmt.Errorf("%s", msg))
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Package fail2ban is the fail2ban_log source kind (docs/configuration.md#fail2ban_log):
// fail2ban's own log, normalised into ban events (blocked_ips counts their
// distinct IPs).
package fail2ban

import (
	_ "embed"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
)

// KindName is the source kind.
const KindName = "fail2ban_log"

// Config is the body of a `source "fail2ban_log" "<name>"` block. fail2ban
// writes the server's local time without a zone: set Timezone to it.
type Config = logfile.Config

// New builds a source from its configuration. It reads every configured
// file (rotated *.gz ones transparently).
// Declaring it registers the kind.
var New = logfile.Register(sources.Kind{
	Name:        KindName,
	Summary:     "fail2ban log: Ban and Restore Ban of client IPs",
	Doc:         doc,
	Collections: sources.Events(snapshot.EventBan),
}, newLine, logfile.Stateless)

//go:embed fail2ban_log.md
var doc string

func newLine(loc *time.Location, asOf time.Time) logfile.LineFunc {
	return logfile.One(func(line []byte) (logfile.Event, bool) { return parseLine(line, asOf, loc) })
}

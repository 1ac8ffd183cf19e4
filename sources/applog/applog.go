// Package applog is the app_log source kind (docs/configuration.md#app_log): application
// security events as JSON Lines in the OWASP Logging Vocabulary, normalised
// into login_failed, login_success, authz_fail and rate_limited events.
package applog

import (
	_ "embed"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/logfile"
)

// KindName is the source kind.
const KindName = "app_log"

// Config is the body of a `source "app_log" "<name>"` block. Timezone
// applies to datetimes without an offset ("2026-11-27 03:12:01,123").
type Config = logfile.Config

// New builds a source from its configuration. It reads every configured
// file (rotated *.gz ones transparently). A log line that does not parse is
// skipped and counted, never an error: an application log is a log, not a
// structured export.
// Declaring it registers the kind.
var New = logfile.Register(sources.Kind{
	Name:        KindName,
	Summary:     "application JSON Lines log (OWASP Logging Vocabulary): logins, authz failures, rate limits",
	Doc:         doc,
	Collections: sources.Events(snapshot.EventLoginFailed, snapshot.EventLoginSuccess, snapshot.EventAuthzFail, snapshot.EventRateLimited),
}, newLine, logfile.Stateless)

//go:embed app_log.md
var doc string

func newLine(loc *time.Location, _ time.Time) logfile.LineFunc {
	return logfile.One(func(line []byte) (logfile.Event, bool) { return parseLine(line, loc) })
}

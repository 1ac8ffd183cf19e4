// Package all registers every source kind; import it for its side effects.
package all

// Log source kinds: sshd_log, nginx_access_log, nginx_error_log, app_log,
// fail2ban_log.
import (
	_ "github.com/localizevideos/posture/sources/applog"
	_ "github.com/localizevideos/posture/sources/fail2ban"
	_ "github.com/localizevideos/posture/sources/nginx"
	_ "github.com/localizevideos/posture/sources/sshd"
)

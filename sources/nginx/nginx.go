// Package nginx holds two source kinds: nginx_access_log (the combined log
// format) and nginx_error_log (docs/configuration.md#nginx_access_log,
// #nginx_error_log). They produce
// http_forbidden, rate_limited and tls_downgrade events.
package nginx

// escaped reports whether b[i] is preceded by an odd number of backslashes.
func escaped(b []byte, i int) bool {
	n := 0
	for i--; i >= 0 && b[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

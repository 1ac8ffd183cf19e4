package posture.metrics.prevention_controls_test

import data.posture.metrics.prevention_controls as m
import data.posture.testing as t

# ---------------------------------------------------------------------------
# Event counts

test_failed_login_rate_window_and_ratio if {
	inp := t.with_input({"events": {
		"login_failed": [
			t.event(t.start_ms, "auth.log:1"), # window start: excluded
			t.event(t.start_ms + 1, "auth.log:2"),
			t.event(t.as_of_ms, "auth.log:3"),
			t.event(t.as_of_ms + 1, "auth.log:4"), # after as_of: excluded
		],
		"login_success": [
			t.event(t.as_of_ms - 1, "auth.log:5"),
			t.event(t.as_of_ms - 2, "app.log:1"),
			t.event(t.as_of_ms - 3, "app.log:2"),
		],
	}})
	r := m.failed_login_rate with input as inp
	r == {
		"value": 40,
		"items": 5,
		"records": ["app.log:1", "app.log:2", "auth.log:2", "auth.log:3", "auth.log:5"],
		"waived": [],
	}
}

test_failed_login_rate_no_logins_is_null if {
	inp := t.with_input({"events": {"login_failed": [t.event(t.start_ms, "auth.log:1")]}})
	r := m.failed_login_rate with input as inp
	r.value == null
	t.empty(r)
}

test_failed_login_rate_only_failures_is_100 if {
	inp := t.with_input({"events": {"login_failed": [t.event(t.as_of_ms, "auth.log:1")]}})
	r := m.failed_login_rate with input as inp
	r.value == 100
}

test_rate_limit_triggers_window_boundaries if {
	inp := t.with_input({"events": {"rate_limited": [
		t.event(t.start_ms, "access.log:1"),
		t.event(t.start_ms + 1, "access.log:2"),
		t.event(t.as_of_ms, "error.log:1"),
		{"origin": "app.log:9"}, # unknown time
	]}})
	r := m.rate_limit_triggers with input as inp
	r == {"value": 2, "items": 2, "records": ["access.log:2", "error.log:1"], "waived": []}
}

test_rate_limit_triggers_empty_is_zero if {
	r := m.rate_limit_triggers with input as t.base
	r.value == 0
	t.empty(r)
}

_ban(ms, ip, origin) := object.union(t.event(ms, origin), {"ip": ip, "detail": "sshd"})

test_blocked_ips_distinct_in_window if {
	inp := t.with_input({"events": {"ban": [
		_ban(t.as_of_ms, "203.0.113.7", "fail2ban.log:1"),
		_ban(t.as_of_ms - t.day_ms, "203.0.113.7", "fail2ban.log:2"),
		_ban(t.start_ms + 1, "198.51.100.1", "fail2ban.log:3"),
		_ban(t.start_ms, "192.0.2.1", "fail2ban.log:4"), # window start: excluded
		t.event(t.as_of_ms, "fail2ban.log:5"), # no ip
	]}})
	r := m.blocked_ips with input as inp
	r == {"value": 2, "items": 3, "records": ["fail2ban.log:1", "fail2ban.log:2", "fail2ban.log:3"], "waived": []}
}

test_blocked_ips_empty_is_zero if {
	r := m.blocked_ips with input as t.base
	r.value == 0
	t.empty(r)
}

test_tls_downgrade_attempts_window_boundaries if {
	inp := t.with_input({"events": {"tls_downgrade": [
		t.event(t.start_ms, "access.log:1"),
		t.event(t.as_of_ms, "access.log:2"),
		t.event(t.as_of_ms, "error.log:7"),
		t.event(t.as_of_ms + 1, "error.log:8"),
	]}})
	r := m.tls_downgrade_attempts with input as inp
	r == {"value": 2, "items": 2, "records": ["access.log:2", "error.log:7"], "waived": []}
}

test_tls_downgrade_attempts_empty_is_zero if {
	r := m.tls_downgrade_attempts with input as t.base
	r.value == 0
}

# ---------------------------------------------------------------------------
# Security headers

_good := {
	"strict-transport-security": ["max-age=31536000; includeSubDomains"],
	"content-security-policy": ["default-src 'self'; script-src 'self' 'nonce-r4nd0m'"],
	"x-content-type-options": ["nosniff"],
	"x-frame-options": ["DENY"],
	"referrer-policy": ["strict-origin-when-cross-origin"],
}

_url := "https://app.example/"

_endpoint(url, headers) := {
	"url": url,
	"final_url": url,
	"status": 200,
	"redirects": [],
	"headers": headers,
	"origin": url,
}

# The checks failing for one endpoint whose headers are the good ones with patch applied
# (a header set to null is removed).
_failing(patch) := _failing_endpoint(_endpoint(_url, _patched(patch)))

_patched(patch) := {k: v |
	some k, v in object.union(_good, patch)
	v != null
}

_failing_endpoint(ep) := {f.check | some f in findings} if {
	findings := m.header_findings with input as t.with_input({"endpoints": [ep]})
}

test_security_header_drift_all_good_is_zero if {
	r := m.security_header_drift with input as t.with_input({"endpoints": [_endpoint(_url, _good)]})
	r == {"value": 0, "items": 0, "records": [], "waived": []}
}

test_security_header_drift_empty_is_zero if {
	r := m.security_header_drift with input as t.base
	r.value == 0
}

test_security_header_drift_fetch_error_fails_every_check if {
	ep := object.union(_endpoint(_url, {}), {"error": "dial tcp: connection refused", "headers": null})
	r := m.security_header_drift with input as t.with_input({"endpoints": [ep]})
	r.value == 5
	r.records == [
		"https://app.example/#csp",
		"https://app.example/#frame_options",
		"https://app.example/#hsts",
		"https://app.example/#referrer_policy",
		"https://app.example/#x_content_type_options",
	]
}

test_security_header_drift_fetch_error_wins_over_headers if {
	# a partial response recorded with an error is not judged: every check fails
	ep := object.union(_endpoint(_url, _good), {"error": "timeout reading body"})
	count(_failing_endpoint(ep)) == 5
}

test_security_header_drift_no_headers_fails_every_check if {
	_failing_endpoint(_endpoint(_url, {})) == {"hsts", "csp", "x_content_type_options", "frame_options", "referrer_policy"}
}

test_security_header_drift_hsts_max_age_boundary if {
	_failing({"strict-transport-security": ["max-age=15552000"]}) == set()
	_failing({"strict-transport-security": ["max-age=15551999; includeSubDomains"]}) == {"hsts"}
	_failing({"strict-transport-security": [" Max-Age=\"31536000\" ; preload"]}) == set()
	_failing({"strict-transport-security": ["includeSubDomains"]}) == {"hsts"}
	_failing({"strict-transport-security": ["max-age=abc"]}) == {"hsts"}
	_failing({"strict-transport-security": ["max-age=31536000; max-age=31536000"]}) == {"hsts"}
}

test_security_header_drift_hsts_exactly_one_header if {
	_failing({"strict-transport-security": ["max-age=31536000", "max-age=31536000"]}) == {"hsts"}
	_failing({"strict-transport-security": null}) == {"hsts"}
}

test_security_header_drift_hsts_http_url if {
	# an http:// URL that is not redirected to HTTPS fails hsts whatever it sends
	_failing_endpoint(_endpoint("http://app.example/", _good)) == {"hsts"}

	# redirected to HTTPS: the final response's header is judged
	redirected := object.union(_endpoint("http://app.example/", _good), {"final_url": "https://app.example/"})
	_failing_endpoint(redirected) == set()
	weak := object.union(redirected, {"headers": {"strict-transport-security": ["max-age=60"]}})
	"hsts" in _failing_endpoint(weak)

	# an https URL that ends on http fails
	downgraded := object.union(_endpoint(_url, _good), {"final_url": "http://app.example/"})
	_failing_endpoint(downgraded) == {"hsts"}
}

test_security_header_drift_csp_report_only_does_not_count if {
	_failing({
		"content-security-policy": null,
		"content-security-policy-report-only": ["default-src 'self'"],
	}) == {"csp"}
}

test_security_header_drift_csp_unsafe_inline if {
	_failing({"content-security-policy": ["script-src 'self' 'unsafe-inline'"]}) == {"csp"}
	_failing({"content-security-policy": ["script-src 'self' 'unsafe-inline' 'nonce-abc'"]}) == set()
	_failing({"content-security-policy": ["script-src 'unsafe-inline' 'sha256-AbC='"]}) == set()
	_failing({"content-security-policy": ["script-src 'unsafe-inline' 'SHA512-AbC='"]}) == set()
	_failing({"content-security-policy": ["default-src 'self' 'unsafe-inline'"]}) == {"csp"}
}

test_security_header_drift_csp_wildcard_and_schemes if {
	_failing({"content-security-policy": ["script-src *"]}) == {"csp"}
	_failing({"content-security-policy": ["script-src 'self' https:"]}) == {"csp"}
	_failing({"content-security-policy": ["script-src 'self' HTTP:"]}) == {"csp"}
	_failing({"content-security-policy": ["script-src 'self' data:"]}) == {"csp"}
	_failing({"content-security-policy": ["script-src 'self' https://cdn.example *.example.com"]}) == set()
}

test_security_header_drift_csp_script_src_before_default_src if {
	# script-src decides even when default-src is weak
	_failing({"content-security-policy": ["default-src *; script-src 'self'"]}) == set()
	_failing({"content-security-policy": ["default-src 'self'; script-src *"]}) == {"csp"}

	# neither directive
	_failing({"content-security-policy": ["img-src 'self'; frame-ancestors 'none'"]}) == {"csp"}

	# the first of duplicate directives counts
	_failing({"content-security-policy": ["script-src 'self'; script-src *"]}) == set()
}

test_security_header_drift_csp_several_policies if {
	_failing({"content-security-policy": ["script-src *", "script-src 'self'"]}) == set()
	_failing({"content-security-policy": ["script-src *, default-src 'self'"]}) == set()
	_failing({"content-security-policy": ["script-src *", "default-src https:"]}) == {"csp"}
}

test_security_header_drift_x_content_type_options if {
	_failing({"x-content-type-options": [" NoSniff "]}) == set()
	_failing({"x-content-type-options": ["nosniff, other"]}) == set()
	_failing({"x-content-type-options": ["sniff"]}) == {"x_content_type_options"}
	_failing({"x-content-type-options": null}) == {"x_content_type_options"}
}

test_security_header_drift_frame_options if {
	_failing({"x-frame-options": ["SameOrigin"]}) == set()
	_failing({"x-frame-options": ["ALLOW-FROM https://a.example"]}) == {"frame_options"}
	_failing({"x-frame-options": null}) == {"frame_options"}
	_failing({
		"x-frame-options": null,
		"content-security-policy": ["script-src 'self'; frame-ancestors 'none'"],
	}) == set()
	_failing({
		"x-frame-options": null,
		"content-security-policy-report-only": ["frame-ancestors 'none'"],
	}) == {"frame_options"}
}

test_security_header_drift_referrer_policy_last_valid_token if {
	_failing({"referrer-policy": ["no-referrer, unsafe-url"]}) == {"referrer_policy"}
	_failing({"referrer-policy": ["unsafe-url, Strict-Origin"]}) == set()
	_failing({"referrer-policy": ["strict-origin, no-such-policy"]}) == set()
	_failing({"referrer-policy": ["same-origin", "origin"]}) == {"referrer_policy"}
	_failing({"referrer-policy": ["origin", "no-referrer"]}) == set()
	_failing({"referrer-policy": ["nonsense"]}) == {"referrer_policy"}
	_failing({"referrer-policy": null}) == {"referrer_policy"}
}

test_security_header_drift_counts_pairs_and_waives if {
	legacy := "https://legacy.example/"
	inp := t.with_input({
		"endpoints": [
			_endpoint(_url, _patched({"x-frame-options": null})),
			_endpoint(legacy, _patched({"content-security-policy": ["script-src 'unsafe-inline'"], "referrer-policy": null})),
		],
		"exceptions": [
			t.exception("EXC-007", "security_header_drift", "https://legacy.example/#csp", `^https://legacy\.example/#csp$`),
			t.exception_expiring("EXC-001", "security_header_drift", "https://legacy.example/#*", `^https://legacy\.example/#.*$`, t.yesterday, t.yesterday_end_ms),
			t.exception("EXC-002", "tls_downgrade_attempts", "*", `^.*$`),
		],
	})
	r := m.security_header_drift with input as inp
	r == {
		"value": 2,
		"items": 2,
		"records": ["https://app.example/#frame_options", "https://legacy.example/#referrer_policy"],
		"waived": [{"scope": "https://legacy.example/#csp", "exception": "EXC-007", "origin": legacy}],
	}
}

test_security_header_drift_findings_shape if {
	fs := m.header_findings with input as t.with_input({"endpoints": [_endpoint(_url, _patched({"x-content-type-options": null}))]})
	fs == {{
		"url": _url,
		"check": "x_content_type_options",
		"scope": "https://app.example/#x_content_type_options",
		"origin": _url,
	}}
}

# Weighted events: a query source (prometheus) records the count its back-end computed as one
# event of that weight; a weighted event outside the window counts for nothing.
_counted(ms, origin, n) := object.union(t.event(ms, origin), {"weight": n})

test_rate_limit_triggers_sums_weights if {
	inp := t.with_input({"events": {"rate_limited": [
		t.event(t.as_of_ms, "access.log:1"),
		_counted(t.as_of_ms, "http://prom:9090/api/v1/query?query=q", 41),
		_counted(t.start_ms, "http://prom:9090/api/v1/query?query=old", 1000),
	]}})
	r := m.rate_limit_triggers with input as inp
	r == {"value": 42, "items": 42, "records": ["access.log:1", "http://prom:9090/api/v1/query?query=q"], "waived": []}
}

test_tls_downgrade_attempts_sums_weights if {
	inp := t.with_input({"events": {"tls_downgrade": [_counted(t.as_of_ms, "prom", 3)]}})
	r := m.tls_downgrade_attempts with input as inp
	r.value == 3
}

test_failed_login_rate_weighted if {
	inp := t.with_input({"events": {
		"login_failed": [_counted(t.as_of_ms, "prom-failed", 30), t.event(t.as_of_ms, "auth.log:1")],
		"login_success": [_counted(t.as_of_ms, "prom-ok", 69)],
	}})
	r := m.failed_login_rate with input as inp
	r.value == 31
	r.items == 100
	r.records == ["auth.log:1", "prom-failed", "prom-ok"]
}

test_blocked_ips_aggregated_ban_adds_its_weight if {
	inp := t.with_input({"events": {"ban": [
		_ban(t.as_of_ms, "203.0.113.7", "fail2ban.log:1"),
		_ban(t.as_of_ms, "203.0.113.7", "fail2ban.log:2"),
		_counted(t.as_of_ms, "prom-bans", 5), # 5 distinct addresses counted by the query
		_counted(t.start_ms, "prom-old", 9), # outside the window
		object.union(_ban(t.as_of_ms, "198.51.100.1", "fail2ban.log:3"), {"weight": 4}), # an address is one address
	]}})
	r := m.blocked_ips with input as inp
	r == {"value": 7, "items": 8, "records": ["fail2ban.log:1", "fail2ban.log:2", "fail2ban.log:3", "prom-bans"], "waived": []}
}

# Prevention control metrics (docs/metrics.md#prevention_controls; sources: docs/configuration.md#log-files, #headers).
package posture.metrics.prevention_controls

import data.posture.lib

# Origins of the events of one type that happened in the window. The window test is
# lib.in_window written inline: over hundreds of thousands of events a function call
# per event costs a third of the metric (docs/performance.md).
_in_window(type) := [e.origin |
	some e in input.events[type]
	e.ts_ms > input.window.start_ms
	e.ts_ms <= input.window.end_ms
]

# METADATA
# title: Failed login rate
# description: 100 × failed ÷ (failed + successful) logins in the window (sshd Failed and Accepted lines, app authn_login_fail and authn_login_success events); no_data when there were none.
# custom:
#   id: failed_login_rate
#   category: prevention_controls
#   unit: percent
#   target:
#     trend: stable
#   gate: false
#   inputs: [events.login_failed, events.login_success]
failed_login_rate := _weighted_rate(failed, "login_failed", succeeded, "login_success") if {
	failed := _in_window("login_failed")
	succeeded := _in_window("login_success")
}

# METADATA
# title: Rate-limit triggers
# description: Requests rejected by a rate limit in the window (nginx 429 / limit_req, app excess_rate_limit_exceeded).
# custom:
#   id: rate_limit_triggers
#   category: prevention_controls
#   unit: count
#   gate: false
#   inputs: [events.rate_limited]
rate_limit_triggers := _event_count("rate_limited")

# METADATA
# title: Blocked IPs
# description: Distinct IP addresses banned (fail2ban Ban / Restore Ban) in the window; items and records are the ban events.
# custom:
#   id: blocked_ips
#   category: prevention_controls
#   unit: count
#   gate: false
#   inputs: [events.ban]
blocked_ips := {
	"value": count({e.ip | some e in bans}) + _counted_bans.n,
	"items": count(bans) + _counted_bans.n,
	"records": sort(array.concat([e.origin | some e in bans], _counted_bans.origins)),
	"waived": [],
} if {
	bans := [e |
		some e in input.events.ban
		lib.in_window(e.ts_ms)
		is_string(e.ip)
		e.ip != ""
	]
}

# METADATA
# title: Security header drift
# description: Failing (url, check) pairs over the probed URLs (hsts, csp, x_content_type_options, frame_options, referrer_policy), not waived. Scope <url>#<check>.
# custom:
#   id: security_header_drift
#   category: prevention_controls
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [endpoints]
security_header_drift := lib.findings_result(
	"security_header_drift",
	{{"scope": f.scope, "origin": f.origin} | some f in header_findings},
)

# METADATA
# title: TLS downgrade attempts
# description: Requests on SSLv2/SSLv3/TLSv1/TLSv1.1 plus handshakes refused for protocol version, in the window.
# custom:
#   id: tls_downgrade_attempts
#   category: prevention_controls
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [events.tls_downgrade]
tls_downgrade_attempts := _event_count("tls_downgrade")

# ---------------------------------------------------------------------------
# Security headers (docs/configuration.md#headers). Every probed URL gets each check of header_checks; a
# check fails unless its _passes clause holds. An endpoint that could not be
# fetched (error set) fails every check.

# header_checks names the checks applied to every probed URL.
header_checks := ["hsts", "csp", "x_content_type_options", "frame_options", "referrer_policy"]

# header_findings: one element per failing (url, check).
header_findings contains finding if {
	some ep in input.endpoints
	some check in header_checks
	not _check_passes(ep, check)
	finding := {
		"url": ep.url,
		"check": check,
		"scope": concat("#", [ep.url, check]),
		"origin": ep.origin,
	}
}

_check_passes(ep, check) if {
	not _fetch_failed(ep)
	_passes(ep, check)
}

_fetch_failed(ep) if {
	is_string(ep.error)
	ep.error != ""
}

_headers(ep) := ep.headers if is_object(ep.headers)

else := {}

# The values of one (lower-case) header, trimmed and lower-cased, in order.
_values(ep, name) := [trim_space(lower(v)) | some v in object.get(_headers(ep), name, [])]

# The URL whose response is judged: the final URL after redirects, else the configured one.
_final_url(ep) := ep.final_url if {
	is_string(ep.final_url)
	ep.final_url != ""
} else := ep.url

_hsts_min_max_age := 15552000

# hsts: judged over HTTPS only; exactly one Strict-Transport-Security header with exactly
# one max-age directive >= 180 days.
_passes(ep, "hsts") if {
	startswith(lower(_final_url(ep)), "https://")
	values := _values(ep, "strict-transport-security")
	count(values) == 1
	_max_age(values[0]) >= _hsts_min_max_age
}

_max_age(header) := to_number(ages[0]) if {
	ages := [trim(trim_space(kv[1]), "\"") |
		some directive in split(header, ";")
		kv := split(directive, "=")
		count(kv) == 2
		trim_space(kv[0]) == "max-age"
	]
	count(ages) == 1
	regex.match(`^[0-9]+$`, ages[0])
}

# csp: some enforced policy whose script-src (else default-src) is safe.
_passes(ep, "csp") if {
	some policy in _csp_policies(ep)
	_safe_sources(_script_sources(policy))
}

# The enforced CSP policies (Report-Only is not read): each header value may hold a
# comma-separated list of policies; each policy is a list of directives.
_csp_policies(ep) := [_parse_policy(p) |
	some v in _values(ep, "content-security-policy")
	some p in split(v, ",")
	trim_space(p) != ""
]

# A policy as the token lists of its directives: [[name, source...], ...].
_parse_policy(p) := [tokens |
	some d in split(p, ";")
	trim_space(d) != ""
	tokens := regex.split(`\s+`, trim_space(d))
]

# The sources of the first directive of that name (later duplicates are ignored, as browsers do).
_directive(policy, name) := array.slice(policy[i], 1, count(policy[i])) if {
	indexes := [j | some j, d in policy; d[0] == name]
	i := indexes[0]
}

_script_sources(policy) := s if {
	s := _directive(policy, "script-src")
} else := s if {
	s := _directive(policy, "default-src")
}

_unsafe_schemes := {"http:", "https:", "data:"}

_safe_sources(sources) if {
	not _unsafe_inline(sources)
	not "*" in sources
	every s in sources {
		not _unsafe_schemes[s]
	}
}

_unsafe_inline(sources) if {
	"'unsafe-inline'" in sources
	not _nonce_or_hash(sources)
}

_nonce_or_hash(sources) if {
	some s in sources
	regex.match(`^'(nonce|sha256|sha384|sha512)-`, s)
}

# x_content_type_options: the first value is nosniff.
_passes(ep, "x_content_type_options") if {
	tokens := [trim_space(t) | some v in _values(ep, "x-content-type-options"); some t in split(v, ",")]
	tokens[0] == "nosniff"
}

# frame_options: X-Frame-Options DENY or SAMEORIGIN, or a CSP frame-ancestors directive.
_passes(ep, "frame_options") if {
	some v in _values(ep, "x-frame-options")
	some t in split(v, ",")
	trim_space(t) in {"deny", "sameorigin"}
}

_passes(ep, "frame_options") if {
	some policy in _csp_policies(ep)
	_directive(policy, "frame-ancestors")
}

# referrer_policy: the last valid token across all Referrer-Policy headers is a strict one.
_referrer_policies := {
	"no-referrer", "no-referrer-when-downgrade", "same-origin", "origin",
	"strict-origin", "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url",
}

_strict_referrer_policies := {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}

_passes(ep, "referrer_policy") if {
	tokens := [t |
		some v in _values(ep, "referrer-policy")
		some raw in split(v, ",")
		t := trim_space(raw)
		_referrer_policies[t]
	]
	count(tokens) > 0
	_strict_referrer_policies[tokens[count(tokens) - 1]]
}

# ---------------------------------------------------------------------------
# Event counts (docs/configuration.md#prometheus). A log line is one event; a query source records
# the count its back-end computed as one event whose `weight` is that count (lib.extra_weight).

# The count result of the events of one type in the window: one per origin, plus what
# weighted events add beyond their one record.
_event_count(type) := lib.weighted_count_result(origins, count(origins) + lib.extra_weight(type)) if {
	origins := _in_window(type)
}

# Percent of the part's events among the part's and the rest's, by event count.
_weighted_rate(part, part_type, rest, rest_type) := lib.weighted_percent_result(n, n + m, array.concat(part, rest)) if {
	n := count(part) + lib.extra_weight(part_type)
	m := count(rest) + lib.extra_weight(rest_type)
}

# blocked_ips: a ban event with a weight and no IP is a count a query source made (prometheus:
# the query counts distinct addresses); it adds its weight to the distinct addresses and to the
# items. Addresses counted that way cannot be matched with the ones the logs name, so an
# address banned in both is counted twice.
_counted_bans := {"n": sum([e.weight | some e in aggregated]), "origins": [e.origin | some e in aggregated]} if {
	aggregated := [e |
		some e in input.events.ban
		e.weight
		not e.ip
		lib.in_window(e.ts_ms)
	]
}

# Test helpers shared by the built-in policy tests: a base input document as the engine
# builds it (as_of 2026-11-27T00:00:00Z, 30-day window, every collection empty) and
# small record builders.
package posture.testing

day_ms := 86400000

hour_ms := 3600000

# 2026-11-27T00:00:00Z
as_of_ms := 1795737600000

# 2026-10-28T00:00:00Z, excluded from the window.
start_ms := as_of_ms - (30 * day_ms)

# as_of - 90 days (2026-08-29T00:00:00Z).
inactive_cutoff_ms := as_of_ms - (90 * day_ms)

base := {
	"as_of": "2026-11-27T00:00:00Z",
	"as_of_ms": as_of_ms,
	"as_of_date": "2026-11-27",
	"window": {"days": 30, "start_ms": start_ms, "end_ms": as_of_ms},
	"settings": {
		"inactive_days": 90,
		"inactive_cutoff_ms": inactive_cutoff_ms,
		"max_token_lifetime_days": 90,
		"max_token_lifetime_ms": 90 * day_ms,
		"production_environments": ["production", "prod"],
		"automation_actors": ["GitHub-Actions[bot]"],
		"trend_tolerance_pct": 10,
	},
	"sources": {},
	"events": {
		"login_failed": [],
		"login_success": [],
		"invalid_user": [],
		"http_forbidden": [],
		"authz_fail": [],
		"rate_limited": [],
		"tls_downgrade": [],
		"ban": [],
	},
	"incidents": [],
	"alerts": [],
	"accounts": [],
	"tokens": [],
	"audit_findings": [],
	"deployments": [],
	"vulnerabilities": [],
	"config_files": [],
	"endpoints": [],
	"tls_endpoints": [],
	"baseline": {"present": true, "files": {}},
	"exceptions": [],
	"compliance_findings": [],
}

# with_input(patch) is the base input with patch merged in (objects merged recursively,
# lists replaced).
with_input(patch) := object.union(base, patch)

# event(ms, origin) is a log event at ms.
event(ms, origin) := {"ts_ms": ms, "time": "", "source": "test", "origin": origin}

# exception(id, metric, scope, scope_regex) is an open exception valid through 2026-12-31.
exception(id, metric, scope, scope_regex) := {
	"id": id,
	"metric": metric,
	"scope": scope,
	"scope_regex": scope_regex,
	"reason": "test",
	"owner": "security",
	"approved_by": "ciso",
	"expires": "2026-12-31",
	"expires_end_ms": 1798761600000,
	"status": "open",
	"origin": "exceptions.hcl:1",
}

# exception_expiring(id, metric, scope, scope_regex, date, end_ms): the same with another expiry.
exception_expiring(id, metric, scope, scope_regex, date, end_ms) := object.union(
	exception(id, metric, scope, scope_regex),
	{"expires": date, "expires_end_ms": end_ms},
)

# The expiry dates around as_of: yesterday (expired), today (still active).
yesterday := "2026-11-26"

yesterday_end_ms := as_of_ms

today := "2026-11-27"

today_end_ms := as_of_ms + day_ms

# empty(r) holds for a metric result with nothing counted.
empty(r) if {
	r.items == 0
	r.records == []
	r.waived == []
}

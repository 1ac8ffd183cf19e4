# Identity and access metrics (docs/metrics.md#identity_access; sources: docs/configuration.md#accounts, #tokens).
package posture.metrics.identity_access

import data.posture.lib

# METADATA
# title: Privileged accounts
# description: Active accounts with admin rights (privileged flag, or role admin, owner, root or superuser). Records <system>/<login>.
# custom:
#   id: privileged_accounts
#   category: identity_access
#   unit: count
#   target:
#     trend: down
#     soft: true
#   gate: false
#   inputs: [accounts]
privileged_accounts := lib.count_result({lib.account_scope(a) |
	some a in input.accounts
	lib.privileged_account(a)
})

# METADATA
# title: Orphaned accounts
# description: Active accounts inactive for more than inactive_days (last activity, else creation, before the cutoff), not waived. Accounts without activity data are not judged. Scope <system>/<login>.
# custom:
#   id: orphaned_accounts
#   category: identity_access
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: ["accounts:activity"]
orphaned_accounts := lib.findings_result("orphaned_accounts", {{"scope": lib.account_scope(a), "origin": a.origin} |
	some a in input.accounts
	lib.active_account(a)
	_orphaned(a)
})

_inactive_cutoff_ms := input.settings.inactive_cutoff_ms

_orphaned(a) if {
	lib.known(a.last_active_at_ms)
	a.last_active_at_ms < _inactive_cutoff_ms
}

_orphaned(a) if {
	object.get(a, "last_active_at_ms", null) == null
	lib.known(a.created_at_ms)
	a.created_at_ms < _inactive_cutoff_ms
}

# METADATA
# title: Token expiry compliance
# description: 100 × live tokens (not revoked, no expiry or expiring after as_of) whose expiry is set and at most max_token_lifetime_days after creation ÷ live tokens; 100 when there are none. Records are the live tokens.
# custom:
#   id: token_expiry_compliance
#   category: identity_access
#   unit: percent
#   target:
#     min: 100
#   gate: true
#   inputs: [tokens]
token_expiry_compliance := {
	"value": _compliance_pct(count(compliant), count(live)),
	"items": count(live),
	"records": sort([t.origin | some t in live]),
	"waived": [],
} if {
	live := [t | some t in input.tokens; _live(t)]
	compliant := [t | some t in live; _compliant(t)]
}

_compliance_pct(_, 0) := 100

_compliance_pct(part, whole) := lib.percent(part, whole) if whole != 0

_live(t) if {
	not t.revoked
	object.get(t, "expires_at_ms", null) == null
}

_live(t) if {
	not t.revoked
	lib.known(t.expires_at_ms)
	t.expires_at_ms > input.as_of_ms
}

_max_token_lifetime_ms := input.settings.max_token_lifetime_ms

_compliant(t) if {
	lib.known(t.expires_at_ms)
	lib.known(t.created_at_ms)
	t.expires_at_ms - t.created_at_ms <= _max_token_lifetime_ms
}

# METADATA
# title: Unauthorized access attempts
# description: HTTP 403 responses, sshd invalid-user attempts and app authz_fail events in the window.
# custom:
#   id: unauthorized_access_attempts
#   category: identity_access
#   unit: count
#   target:
#     trend: down
#   gate: false
#   inputs: [events.http_forbidden, events.invalid_user, events.authz_fail]
unauthorized_access_attempts := lib.weighted_count_result(origins, count(origins) + extra) if {
	types := ["http_forbidden", "invalid_user", "authz_fail"]
	origins := [e.origin |
		some type in types
		some e in input.events[type]
		e.ts_ms > input.window.start_ms
		e.ts_ms <= input.window.end_ms
	]
	extra := sum([lib.extra_weight(type) | some type in types])
}

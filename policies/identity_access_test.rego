package posture.metrics.identity_access_test

import data.posture.metrics.identity_access as m
import data.posture.testing as t

_account(system, login, fields) := object.union(
	{
		"system": system,
		"login": login,
		"role": "member",
		"privileged": false,
		"status": "",
		"mfa": null,
		"origin": concat(":", ["accounts.csv", login]),
	},
	fields,
)

test_privileged_accounts_roles_flag_and_status if {
	inp := t.with_input({"accounts": [
		_account("vpn", "ann", {"privileged": true}),
		_account("db", "bob", {"role": "superuser"}),
		_account("github", "cyd", {"role": "admin", "status": "active"}),
		_account("aws", "root", {"role": "root"}),
		_account("aws", "own", {"role": "owner", "status": "disabled"}), # inactive
		_account("vpn", "dan", {}), # not privileged
	]})
	r := m.privileged_accounts with input as inp
	r == {"value": 4, "items": 4, "records": ["aws/root", "db/bob", "github/cyd", "vpn/ann"], "waived": []}
}

test_privileged_accounts_empty_is_zero if {
	r := m.privileged_accounts with input as t.base
	r.value == 0
	t.empty(r)
}

test_orphaned_accounts_cutoff_boundary if {
	inp := t.with_input({"accounts": [
		# last activity exactly at the cutoff: not older than it
		_account("vpn", "at", {"last_active_at_ms": t.inactive_cutoff_ms}),
		_account("vpn", "old", {"last_active_at_ms": t.inactive_cutoff_ms - 1}),
		# recent activity wins over an old creation date
		_account("vpn", "recent", {"created_at_ms": 0, "last_active_at_ms": t.as_of_ms - t.day_ms}),
		# never active: creation date decides
		_account("vpn", "never", {"created_at_ms": t.inactive_cutoff_ms - t.day_ms}),
		_account("vpn", "new", {"created_at_ms": t.inactive_cutoff_ms + 1}),
		# no activity data at all (GitHub members): not judged
		_account("github", "member", {}),
		_account("github", "nulls", {"created_at_ms": null, "last_active_at_ms": null}),
		# a null last activity is unknown: the creation date decides
		_account("vpn", "nullactive", {"created_at_ms": t.as_of_ms - t.day_ms, "last_active_at_ms": null}),
		# not active
		_account("vpn", "gone", {"status": "disabled", "last_active_at_ms": 0}),
	]})
	r := m.orphaned_accounts with input as inp
	r == {"value": 2, "items": 2, "records": ["vpn/never", "vpn/old"], "waived": []}
}

test_orphaned_accounts_waived_by_active_exception if {
	inp := t.with_input({
		"accounts": [
			_account("vpn", "svc-backup", {"last_active_at_ms": 0}),
			_account("vpn", "svc-report", {"last_active_at_ms": 0}),
			_account("vpn", "old", {"last_active_at_ms": 0}),
		],
		"exceptions": [
			t.exception("EXC-2", "orphaned_accounts", "vpn/svc-*", `^vpn/svc-.*$`),
			t.exception_expiring("EXC-1", "orphaned_accounts", "vpn/svc-backup", `^vpn/svc-backup$`, t.today, t.today_end_ms),
			t.exception_expiring("EXC-0", "orphaned_accounts", "vpn/old", `^vpn/old$`, t.yesterday, t.yesterday_end_ms),
			object.union(t.exception("EXC-3", "orphaned_accounts", "*", `^.*$`), {"status": "closed"}),
		],
	})
	r := m.orphaned_accounts with input as inp
	r == {
		"value": 1,
		"items": 1,
		"records": ["vpn/old"],
		"waived": [
			{"scope": "vpn/svc-backup", "exception": "EXC-1", "origin": "accounts.csv:svc-backup"},
			{"scope": "vpn/svc-report", "exception": "EXC-2", "origin": "accounts.csv:svc-report"},
		],
	}
}

test_orphaned_accounts_empty_is_zero if {
	r := m.orphaned_accounts with input as t.base
	r.value == 0
	t.empty(r)
}

_token(id, fields) := object.union({"id": id, "account": "ann", "revoked": false, "origin": concat(":", ["tokens.csv", id])}, fields)

test_token_expiry_compliance_lifetime_boundary if {
	created := t.as_of_ms - t.day_ms
	inp := t.with_input({"tokens": [
		_token("ok", {"created_at_ms": created, "expires_at_ms": created + (90 * t.day_ms)}),
		_token("long", {"created_at_ms": created, "expires_at_ms": (created + (90 * t.day_ms)) + 1}),
		_token("never", {"created_at_ms": created}),
		_token("nocreate", {"expires_at_ms": t.as_of_ms + t.day_ms}),
	]})
	r := m.token_expiry_compliance with input as inp
	r == {
		"value": 25,
		"items": 4,
		"records": ["tokens.csv:long", "tokens.csv:never", "tokens.csv:nocreate", "tokens.csv:ok"],
		"waived": [],
	}
}

test_token_expiry_compliance_only_live_tokens if {
	inp := t.with_input({"tokens": [
		_token("revoked", {"revoked": true, "created_at_ms": 0}),
		# expiring exactly at as_of: no longer live
		_token("expired", {"created_at_ms": 0, "expires_at_ms": t.as_of_ms}),
		_token("live", {"created_at_ms": t.as_of_ms, "expires_at_ms": t.as_of_ms + 1}),
	]})
	r := m.token_expiry_compliance with input as inp
	r == {"value": 100, "items": 1, "records": ["tokens.csv:live"], "waived": []}
}

test_token_expiry_compliance_no_live_tokens_is_100 if {
	r := m.token_expiry_compliance with input as t.base
	r.value == 100
	t.empty(r)
	inp := t.with_input({"tokens": [_token("revoked", {"revoked": true})]})
	r2 := m.token_expiry_compliance with input as inp
	r2.value == 100
}

test_unauthorized_access_attempts_three_kinds_in_window if {
	inp := t.with_input({"events": {
		"http_forbidden": [t.event(t.as_of_ms, "access.log:1"), t.event(t.start_ms, "access.log:2")],
		"invalid_user": [t.event(t.start_ms + 1, "auth.log:1")],
		"authz_fail": [t.event(t.as_of_ms - 1, "app.log:1"), t.event(t.as_of_ms + 1, "app.log:2")],
		"login_failed": [t.event(t.as_of_ms, "auth.log:9")],
	}})
	r := m.unauthorized_access_attempts with input as inp
	r == {"value": 3, "items": 3, "records": ["access.log:1", "app.log:1", "auth.log:1"], "waived": []}
}

test_unauthorized_access_attempts_empty_is_zero if {
	r := m.unauthorized_access_attempts with input as t.base
	r.value == 0
	t.empty(r)
}

# A query source's count (an event with a weight) counts its weight.
test_unauthorized_access_attempts_sums_weights if {
	inp := t.with_input({"events": {
		"http_forbidden": [object.union(t.event(t.as_of_ms, "prom-403"), {"weight": 10}), t.event(t.as_of_ms, "access.log:1")],
		"authz_fail": [object.union(t.event(t.as_of_ms, "prom-authz"), {"weight": 5})],
		"invalid_user": [object.union(t.event(t.start_ms, "prom-old"), {"weight": 7})],
	}})
	r := m.unauthorized_access_attempts with input as inp
	r == {"value": 16, "items": 16, "records": ["access.log:1", "prom-403", "prom-authz"], "waived": []}
}

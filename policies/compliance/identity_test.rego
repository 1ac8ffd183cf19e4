package compliance.identity_test

import data.compliance.identity
import data.posture.testing as t

_account(login, fields) := object.union(
	{"system": "vpn", "login": login, "role": "member", "privileged": false, "status": "", "mfa": null, "origin": "accounts.csv:1"},
	fields,
)

test_deny_privileged_without_mfa if {
	inp := t.with_input({"accounts": [
		_account("ann", {"role": "admin", "mfa": false}),
		_account("bob", {"privileged": true, "status": "active", "mfa": false}),
		_account("cyd", {"role": "admin", "mfa": true}),
		_account("dan", {"role": "admin", "mfa": null}), # unknown is not a violation
		_account("eve", {"mfa": false}), # not privileged
		_account("fay", {"role": "root", "status": "disabled", "mfa": false}), # not active
	]})
	resources := {d.resource | some d in identity.deny} with input as inp
	resources == {"vpn/ann", "vpn/bob"}
}

test_deny_message_names_account if {
	inp := t.with_input({"accounts": [_account("ann", {"role": "owner", "mfa": false})]})
	denies := identity.deny with input as inp
	denies == {{"msg": "privileged account vpn/ann has MFA disabled (accounts.csv:1)", "resource": "vpn/ann"}}
}

test_deny_nothing_on_empty_input if {
	count(identity.deny) == 0 with input as t.base
}

# Unit tests for the mfa_coverage custom metric. Run: posture test examples/localizevideos/policies
package localizevideos.metrics_test

import data.localizevideos.metrics

acct(system, login, status, mfa) := {
	"system": system, "login": login, "role": "user", "privileged": false,
	"status": status, "mfa": mfa, "created_at": null, "last_active_at": null,
	"source": "iam", "origin": sprintf("accounts.csv:%s", [login]),
}

test_coverage_counts_only_active_accounts_with_known_mfa if {
	r := metrics.mfa_coverage with input as {"accounts": [
		acct("okta", "a", "", true),
		acct("okta", "b", "active", true),
		acct("okta", "c", "active", false),
		acct("okta", "d", "disabled", false), # not active: ignored
		acct("postgres", "e", "active", null), # unknown MFA: ignored
	]}
	r.value == (100 * 2) / 3
	r.items == 3
	r.records == ["accounts.csv:c"]
	r.waived == []
}

test_full_coverage if {
	r := metrics.mfa_coverage with input as {"accounts": [
		acct("github", "a", "", true),
		acct("github", "b", "active", true),
	]}
	r.value == 100
	r.items == 2
	r.records == []
}

test_value_is_not_rounded if {
	accounts := array.concat(
		[acct("okta", sprintf("u%d", [i]), "active", true) | some i in numbers.range(1, 20)],
		[acct("okta", "nomfa", "active", false)],
	)
	r := metrics.mfa_coverage with input as {"accounts": accounts}
	r.value == 2000 / 21 # 95.238…, posture shows 95.2
	r.items == 21
}

test_no_known_mfa_gives_null if {
	r := metrics.mfa_coverage with input as {"accounts": [
		acct("postgres", "app", "active", null),
		acct("okta", "gone", "suspended", true),
	]}
	r.value == null
	r.items == 0
}

test_empty_input_gives_null if {
	r := metrics.mfa_coverage with input as {"accounts": []}
	r.value == null
	r.items == 0
}

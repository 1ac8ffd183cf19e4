package custom.metrics_test

import data.custom.metrics

test_accounts_without_mfa_counts_active_only if {
	r := metrics.accounts_without_mfa with input as {"accounts": [
		{"system": "okta", "login": "a", "status": "", "mfa": false},
		{"system": "okta", "login": "b", "status": "disabled", "mfa": false},
		{"system": "okta", "login": "c", "status": "active", "mfa": true},
	]}
	r.value == 1
	r.records == ["okta/a"]
}

test_accounts_without_mfa_empty if {
	r := metrics.accounts_without_mfa with input as {"accounts": []}
	r.value == 0
}

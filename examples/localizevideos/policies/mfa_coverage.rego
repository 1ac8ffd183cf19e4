# Custom metric for LocalizeVideos: how much of the active workforce and tooling is protected
# by MFA. It joins the catalogue like a built-in metric (see `posture metrics`).
#
# Input: input.accounts (docs/configuration.md#accounts, docs/input-document.md). Values arrive lower-cased,
# `status` "" means active, `mfa` is true, false or null (unknown: service accounts, database
# roles). Accounts whose MFA state is unknown are left out of the ratio rather than counted
# as unprotected; the built-in compliance.identity check covers privileged accounts.
package localizevideos.metrics

# An account is active when its status is empty or "active".
active(a) if a.status == ""

active(a) if a.status == "active"

# Active accounts with a known MFA state (the denominator).
mfa_known contains a if {
	some a in input.accounts
	active(a)
	is_boolean(a.mfa)
}

# Active accounts with MFA on (the numerator).
mfa_enabled contains a if {
	some a in mfa_known
	a.mfa == true
}

# Where the unprotected accounts came from (file:line), listed as evidence.
mfa_missing contains a.origin if {
	some a in mfa_known
	a.mfa == false
}

# Percent, unrounded (posture rounds by unit); null when there is nothing to compute from
# (status no_data).
default mfa_coverage_value := null

mfa_coverage_value := (100 * count(mfa_enabled)) / count(mfa_known) if count(mfa_known) > 0

# METADATA
# title: MFA coverage
# description: >-
#   100 × active accounts with MFA enabled ÷ active accounts whose MFA state is known.
#   Evidence lists the active accounts without MFA.
# custom:
#   id: mfa_coverage
#   category: identity_access
#   unit: percent
#   target:
#     min: 95
#   gate: false
#   inputs: [accounts]
mfa_coverage := {
	"value": mfa_coverage_value,
	"items": count(mfa_known),
	"records": sort(mfa_missing),
	"waived": [],
}

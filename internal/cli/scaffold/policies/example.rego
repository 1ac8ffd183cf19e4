package custom.metrics

# A custom metric joins the catalogue through its METADATA: id, title,
# category, unit, default target and the collections it reads (inputs).
# The rule gives {"value": number or null, "items", "records", "waived"}.

# METADATA
# title: Accounts without MFA
# description: Active accounts whose mfa flag is false.
# custom:
#   id: accounts_without_mfa
#   category: identity_access
#   unit: count
#   target:
#     max: 0
#   gate: false
#   inputs: [accounts]
accounts_without_mfa := {"value": count(rows), "items": count(rows), "records": sort(rows), "waived": []}

rows := [sprintf("%s/%s", [a.system, a.login]) |
	some a in input.accounts
	a.status in {"", "active"}
	a.mfa == false
]

# Compliance signal metrics (docs/metrics.md#compliance_signals; exceptions: docs/configuration.md#exceptions).
package posture.metrics.compliance_signals

import data.posture.lib

# METADATA
# title: Compliance drift
# description: Distinct failing (check, resource) pairs of the compliance checks, not waived. Scope <check>:<resource>.
# custom:
#   id: compliance_drift
#   category: compliance_signals
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: ["*"]
compliance_drift := lib.findings_result("compliance_drift", {{"scope": f.scope, "origin": object.get(f, "origin", f.check)} |
	some f in input.compliance_findings
})

# METADATA
# title: Open exceptions
# description: Exceptions not closed whose expires date is on or after the as-of date. Records are exception ids.
# custom:
#   id: open_exceptions
#   category: compliance_signals
#   unit: count
#   target:
#     trend: down
#   gate: false
#   inputs: [exceptions]
open_exceptions := lib.count_result({e.id |
	some e in input.exceptions
	e.status != "closed"
	e.expires >= input.as_of_date
})

# METADATA
# title: Expired exceptions
# description: Exceptions not closed whose expires date is before the as-of date. Records are exception ids.
# custom:
#   id: expired_exceptions
#   category: compliance_signals
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [exceptions]
expired_exceptions := lib.count_result({e.id |
	some e in input.exceptions
	e.status != "closed"
	e.expires < input.as_of_date
})

# METADATA
# title: Open audit findings
# description: Audit findings with status open opened at or before as_of (or with no opening date).
# custom:
#   id: audit_findings
#   category: compliance_signals
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [audit_findings]
audit_findings := lib.count_result([f.origin | some f in input.audit_findings; _open(f)])

_open(f) if {
	f.status == "open"
	lib.known(f.opened_at_ms)
	f.opened_at_ms <= input.as_of_ms
}

_open(f) if {
	f.status == "open"
	object.get(f, "opened_at_ms", null) == null
}

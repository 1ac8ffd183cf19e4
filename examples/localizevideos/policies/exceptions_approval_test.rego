# Unit tests for compliance.exceptions. Run: posture test examples/localizevideos/policies
package localizevideos.exceptions_approval_test

import data.compliance.exceptions

exc(id, approved_by) := {
	"id": id, "metric": "security_header_drift", "scope": "https://status.localizevideos.example/#*",
	"scope_regex": "^https://status\\.localizevideos\\.example/#.*$", "reason": "vendor page",
	"owner": "platform", "approved_by": approved_by, "expires": "2027-03-31",
	"expires_end_ms": 1806451200000, "status": "open", "origin": "exceptions.hcl:1",
}

test_empty_approver_is_flagged if {
	d := exceptions.deny with input as {"exceptions": [exc("EXC-006", ""), exc("EXC-001", "ciso")]}
	d == {{"msg": "exception EXC-006 (metric security_header_drift, owner platform) has no approved_by", "resource": "EXC-006"}}
}

test_blank_and_null_approvers_are_flagged if {
	d := exceptions.deny with input as {"exceptions": [exc("EXC-010", "  "), exc("EXC-011", null)]}
	{x.resource | some x in d} == {"EXC-010", "EXC-011"}
}

test_absent_attribute_is_flagged if {
	e := object.remove(exc("EXC-012", "x"), ["approved_by"])
	d := exceptions.deny with input as {"exceptions": [e]}
	{x.resource | some x in d} == {"EXC-012"}
}

test_approved_exceptions_pass if {
	d := exceptions.deny with input as {"exceptions": [exc("EXC-001", "ciso"), exc("EXC-002", "head-of-platform")]}
	count(d) == 0
}

test_no_exceptions_no_findings if {
	count(exceptions.deny) == 0 with input as {"exceptions": []}
}

package posture.metrics.compliance_signals_test

import data.posture.metrics.compliance_signals as m
import data.posture.testing as t

_finding(check, resource) := {
	"check": check,
	"resource": resource,
	"scope": concat(":", [check, resource]),
	"msg": "m",
}

test_compliance_drift_distinct_pairs if {
	inp := t.with_input({"compliance_findings": [
		_finding("compliance.tls", "api.example:443"),
		object.union(_finding("compliance.tls", "api.example:443"), {"msg": "another reason"}),
		_finding("compliance.identity", "vpn/ann"),
		_finding("main", "nginx.conf"),
	]})
	r := m.compliance_drift with input as inp
	r == {
		"value": 3,
		"items": 3,
		"records": ["compliance.identity:vpn/ann", "compliance.tls:api.example:443", "main:nginx.conf"],
		"waived": [],
	}
}

test_compliance_drift_waived if {
	inp := t.with_input({
		"compliance_findings": [_finding("compliance.tls", "old.example:443"), _finding("compliance.tls", "new.example:443")],
		"exceptions": [
			t.exception_expiring("EXC-1", "compliance_drift", "compliance.tls:old.*", `^compliance\.tls:old\..*$`, t.today, t.today_end_ms),
			t.exception_expiring("EXC-2", "compliance_drift", "compliance.tls:new.*", `^compliance\.tls:new\..*$`, t.yesterday, t.yesterday_end_ms),
		],
	})
	r := m.compliance_drift with input as inp
	r.value == 1
	r.records == ["compliance.tls:new.example:443"]
	r.waived == [{"scope": "compliance.tls:old.example:443", "exception": "EXC-1", "origin": "compliance.tls"}]
}

test_compliance_drift_empty_is_zero if {
	r := m.compliance_drift with input as t.base
	r.value == 0
	t.empty(r)
}

_exceptions := [
	t.exception_expiring("EXC-1", "m", "a", `^a$`, t.today, t.today_end_ms),
	t.exception_expiring("EXC-2", "m", "a", `^a$`, t.yesterday, t.yesterday_end_ms),
	t.exception_expiring("EXC-3", "m", "a", `^a$`, "2027-03-01", 1803945600000),
	object.union(t.exception_expiring("EXC-4", "m", "a", `^a$`, "2025-01-01", 1735776000000), {"status": "closed"}),
	object.union(t.exception("EXC-5", "m", "a", `^a$`), {"status": "closed"}),
	t.exception_expiring("EXC-6", "m", "a", `^a$`, "2025-12-31", 1767225600000),
]

test_open_exceptions_expiring_today_still_open if {
	r := m.open_exceptions with input as t.with_input({"exceptions": _exceptions})
	r == {"value": 2, "items": 2, "records": ["EXC-1", "EXC-3"], "waived": []}
}

test_open_exceptions_empty_is_zero if {
	r := m.open_exceptions with input as t.base
	r.value == 0
	t.empty(r)
}

test_expired_exceptions_before_as_of_date if {
	r := m.expired_exceptions with input as t.with_input({"exceptions": _exceptions})
	r == {"value": 2, "items": 2, "records": ["EXC-2", "EXC-6"], "waived": []}
}

test_expired_exceptions_empty_is_zero if {
	r := m.expired_exceptions with input as t.base
	r.value == 0
}

_audit(id, status, fields) := object.union({"id": id, "title": "t", "severity": "high", "status": status, "origin": concat(":", ["audit.csv", id])}, fields)

test_audit_findings_open_until_as_of if {
	inp := t.with_input({"audit_findings": [
		_audit("1", "open", {"opened_at_ms": t.as_of_ms}),
		_audit("2", "open", {"opened_at_ms": t.as_of_ms + 1}), # opened after as_of
		_audit("3", "open", {}), # opening date unknown
		_audit("4", "closed", {"opened_at_ms": 0, "closed_at_ms": 1}),
		_audit("5", "open", {"opened_at_ms": 0}), # long before the window still counts
		_audit("6", "in_progress", {"opened_at_ms": 0}),
		_audit("7", "open", {"opened_at_ms": null}), # null: unknown, counts once
	]})
	r := m.audit_findings with input as inp
	r == {"value": 4, "items": 4, "records": ["audit.csv:1", "audit.csv:3", "audit.csv:5", "audit.csv:7"], "waived": []}
}

test_audit_findings_empty_is_zero if {
	r := m.audit_findings with input as t.base
	r.value == 0
	t.empty(r)
}

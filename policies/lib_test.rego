package posture.lib_test

import data.posture.lib
import data.posture.testing as t

test_in_window_start_excluded_end_included if {
	inp := t.base
	not lib.in_window(t.start_ms) with input as inp
	lib.in_window(t.start_ms + 1) with input as inp
	lib.in_window(t.as_of_ms) with input as inp
	not lib.in_window(t.as_of_ms + 1) with input as inp
}

test_in_window_only_numbers if {
	inp := t.base
	not lib.in_window(null) with input as inp
	not lib.in_window(true) with input as inp
	not lib.in_window("2026-11-20T00:00:00Z") with input as inp
	not lib.in_window([t.as_of_ms]) with input as inp
	not lib.in_window({"ms": t.as_of_ms}) with input as inp
}

test_waiver_prefix_prefilter if {
	inp := t.with_input({"exceptions": [
		t.exception("EXC-1", "m", "CVE-1|zlib|*", `^CVE-1\|zlib\|.*$`),
		t.exception("EXC-2", "m", "CVE-1|?", `^CVE-1\|.$`),
		t.exception("EXC-3", "other", "*", `^.*$`),
	]})
	lib.waiver("m", "CVE-1|zlib|img") == "EXC-1" with input as inp
	lib.waiver("m", "CVE-1|x") == "EXC-2" with input as inp
	not lib.waiver("m", "CVE-1|xy") with input as inp
	not lib.waiver("m", "CVE-2|zlib|img") with input as inp
	not lib.waiver("m", "CVE-1") with input as inp
	not lib.waiver("none", "CVE-1|x") with input as inp
}

test_waiver_exact_and_pattern_smallest_id if {
	inp := t.with_input({"exceptions": [
		t.exception("EXC-9", "m", "a/b", `^a/b$`),
		t.exception("EXC-2", "m", "a/*", `^a/.*$`),
		t.exception("EXC-5", "m", "*", `^.*$`),
	]})
	lib.waiver("m", "a/b") == "EXC-2" with input as inp
	lib.waiver("m", "c") == "EXC-5" with input as inp
}

test_waiver_exact_only if {
	inp := t.with_input({"exceptions": [t.exception("EXC-1", "m", "a/b", `^a/b$`)]})
	lib.waiver("m", "a/b") == "EXC-1" with input as inp
	not lib.waiver("m", "a/bc") with input as inp
	not lib.waiver("other", "a/b") with input as inp
}

test_waiver_question_mark_pattern if {
	inp := t.with_input({"exceptions": [t.exception("EXC-1", "m", "host?", `^host.$`)]})
	lib.waiver("m", "host1") == "EXC-1" with input as inp
	not lib.waiver("m", "host12") with input as inp
}

test_waiver_closed_or_expired_waive_nothing if {
	inp := t.with_input({"exceptions": [
		object.union(t.exception("EXC-1", "m", "a", `^a$`), {"status": "closed"}),
		t.exception_expiring("EXC-2", "m", "a", `^a$`, t.yesterday, t.yesterday_end_ms),
		object.union(t.exception("EXC-3", "m", "*", `^.*$`), {"status": "closed"}),
	]})
	not lib.waiver("m", "a") with input as inp
}

test_waiver_expiring_today_is_active if {
	inp := t.with_input({"exceptions": [t.exception_expiring("EXC-1", "m", "a", `^a$`, t.today, t.today_end_ms)]})
	lib.waiver("m", "a") == "EXC-1" with input as inp
}

test_active_exceptions_by_metric if {
	inp := t.with_input({"exceptions": [
		t.exception("EXC-1", "m", "a", `^a$`),
		t.exception("EXC-2", "n", "a", `^a$`),
		object.union(t.exception("EXC-3", "m", "b", `^b$`), {"status": "closed"}),
	]})
	active := lib.active_exceptions with input as inp
	[e.id | some e in active.m] == ["EXC-1"]
	[e.id | some e in active.n] == ["EXC-2"]
}

test_findings_result_counts_distinct_scopes_and_lists_waived if {
	inp := t.with_input({"exceptions": [t.exception("EXC-1", "m", "b", `^b$`)]})
	findings := {
		{"scope": "c", "origin": "f:3"},
		{"scope": "a", "origin": "f:1"},
		{"scope": "a", "origin": "f:2"},
		{"scope": "b", "origin": "f:4"},
	}
	r := lib.findings_result("m", findings) with input as inp
	r == {
		"value": 2,
		"items": 2,
		"records": ["a", "c"],
		"waived": [{"scope": "b", "exception": "EXC-1", "origin": "f:4"}],
	}
}

test_findings_result_record_text if {
	r := lib.findings_result("m", {{"scope": "p", "origin": "o", "record": "changed: p"}}) with input as t.base
	r.records == ["changed: p"]
}

test_findings_result_empty if {
	r := lib.findings_result("m", set()) with input as t.base
	r == {"value": 0, "items": 0, "records": [], "waived": []}
}

test_mean_and_percent_null_on_empty if {
	lib.mean([]) == null
	lib.mean([1, 2]) == 1.5
	lib.scaled_mean([], 10) == null
	lib.scaled_mean([10, 30], 10) == 2
	lib.percent(1, 0) == null
	lib.percent(1, 4) == 25
	lib.percent(0, 4) == 0
}

test_privileged_account_roles_and_status if {
	lib.privileged_account({"status": "", "role": "owner", "privileged": false})
	lib.privileged_account({"status": "active", "role": "member", "privileged": true})
	not lib.privileged_account({"status": "suspended", "role": "admin", "privileged": true})
	not lib.privileged_account({"status": "active", "role": "member", "privileged": false})
}

test_waiver_patterns_indexed_by_literal_prefix if {
	inp := t.with_input({"exceptions": [
		object.union(t.exception("EXC-3", "m", "CVE-1|*", `^CVE-1\|(?s:.*)$`), {"scope_prefix": "CVE-1|"}),
		object.union(t.exception("EXC-4", "m", "CVE-12|*", `^CVE-12\|(?s:.*)$`), {"scope_prefix": "CVE-12|"}),
		object.union(t.exception("EXC-7", "m", "*|openssl|*", `^(?s:.*)\|openssl\|(?s:.*)$`), {"scope_prefix": ""}),
		object.union(t.exception("EXC-8", "other", "CVE-1|*", `^CVE-1\|(?s:.*)$`), {"scope_prefix": "CVE-1|"}),
	]})
	lib.waiver("m", "CVE-1|zlib|img") == "EXC-3" with input as inp
	lib.waiver("m", "CVE-12|zlib|img") == "EXC-4" with input as inp
	lib.waiver("m", "CVE-12|openssl|img") == "EXC-4" with input as inp # smallest id of two
	lib.waiver("m", "CVE-9|openssl|img") == "EXC-7" with input as inp
	not lib.waiver("m", "CVE-9|zlib|img") with input as inp
	not lib.waiver("m", "CVE") with input as inp # shorter than every prefix
	lib.waiver("other", "CVE-1|x") == "EXC-8" with input as inp
}

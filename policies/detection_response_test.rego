package posture.metrics.detection_response_test

import data.posture.metrics.detection_response as m
import data.posture.testing as t

_incident(origin, severity, times) := object.union({"id": origin, "title": "t", "severity": severity, "origin": origin}, times)

test_mttd_hours_window_start_excluded_as_of_included if {
	inp := t.with_input({"incidents": [
		_incident("i:1", "sev2", {"started_at_ms": t.start_ms - t.hour_ms, "detected_at_ms": t.start_ms}),
		_incident("i:3", "sev2", {"started_at_ms": t.as_of_ms - (4 * t.hour_ms), "detected_at_ms": t.as_of_ms}),
		_incident("i:2", "sev2", {"started_at_ms": t.start_ms - t.hour_ms, "detected_at_ms": t.start_ms + t.hour_ms}),
	]})
	r := m.mttd_hours with input as inp
	r == {"value": 3, "items": 2, "records": ["i:2", "i:3"], "waived": []}
}

test_mttd_hours_unknown_times_left_out if {
	inp := t.with_input({"incidents": [
		_incident("i:1", "sev2", {"detected_at_ms": t.as_of_ms - t.hour_ms}),
		_incident("i:2", "sev2", {"started_at_ms": t.as_of_ms - t.hour_ms}),
		_incident("i:3", "sev2", {"started_at_ms": t.as_of_ms - (90 * 60000), "detected_at_ms": t.as_of_ms - t.hour_ms}),
	]})
	r := m.mttd_hours with input as inp
	r.value == 0.5
	r.records == ["i:3"]
}

test_mttd_hours_empty_is_null if {
	r := m.mttd_hours with input as t.base
	r.value == null
	t.empty(r)
}

test_mttr_hours_resolved_in_window if {
	inp := t.with_input({"incidents": [
		# resolved at the window start: excluded
		_incident("i:1", "sev2", {"detected_at_ms": t.start_ms - t.day_ms, "resolved_at_ms": t.start_ms}),
		# detected before the window, resolved at as_of: included (24h)
		_incident("i:2", "sev2", {"detected_at_ms": t.as_of_ms - t.day_ms, "resolved_at_ms": t.as_of_ms}),
		# not resolved
		_incident("i:3", "sev2", {"detected_at_ms": t.as_of_ms - t.day_ms}),
		# resolved in window, detected unknown: left out
		_incident("i:4", "sev2", {"resolved_at_ms": t.as_of_ms - t.hour_ms}),
		_incident("i:5", "sev2", {"detected_at_ms": t.as_of_ms - (3 * t.hour_ms), "resolved_at_ms": t.as_of_ms - t.hour_ms}),
	]})
	r := m.mttr_hours with input as inp
	r == {"value": 13, "items": 2, "records": ["i:2", "i:5"], "waived": []}
}

test_mttr_hours_empty_is_null if {
	inp := t.with_input({"incidents": [_incident("i:1", "sev1", {"detected_at_ms": t.as_of_ms})]})
	r := m.mttr_hours with input as inp
	r.value == null
	t.empty(r)
}

test_incident_count_window_boundaries if {
	inp := t.with_input({"incidents": [
		_incident("i:1", "sev2", {"detected_at_ms": t.start_ms}),
		_incident("i:2", "sev2", {"detected_at_ms": t.start_ms + 1}),
		_incident("i:3", "sev2", {"detected_at_ms": t.as_of_ms}),
		_incident("i:4", "sev2", {"detected_at_ms": t.as_of_ms + 1}),
		_incident("i:5", "sev2", {}),
	]})
	r := m.incident_count with input as inp
	r == {"value": 2, "items": 2, "records": ["i:2", "i:3"], "waived": []}
}

test_incident_count_empty_is_zero if {
	r := m.incident_count with input as t.base
	r.value == 0
	t.empty(r)
}

test_sev1_incidents_only_sev1_in_window if {
	inp := t.with_input({"incidents": [
		_incident("i:1", "sev1", {"detected_at_ms": t.as_of_ms}),
		_incident("i:2", "sev2", {"detected_at_ms": t.as_of_ms}),
		_incident("i:3", "sev1", {"detected_at_ms": t.start_ms}),
		_incident("i:4", "sev1", {}),
		object.union(_incident("i:5", "sev1", {"detected_at_ms": t.as_of_ms - 1}), {"severity_raw": "Sev 1"}),
	]})
	r := m.sev1_incidents with input as inp
	r == {"value": 2, "items": 2, "records": ["i:1", "i:5"], "waived": []}
}

test_sev1_incidents_empty_is_zero if {
	r := m.sev1_incidents with input as t.base
	r.value == 0
}

_alert(origin, fired, incident) := object.union({"id": origin, "incident_id": incident, "origin": origin}, fired)

test_alert_to_incident_ratio_linked_share if {
	inp := t.with_input({"alerts": [
		_alert("a:1", {"fired_at_ms": t.as_of_ms}, "INC-1"),
		_alert("a:2", {"fired_at_ms": t.start_ms + 1}, ""),
		_alert("a:3", {"fired_at_ms": t.as_of_ms - 5}, ""),
		_alert("a:4", {"fired_at_ms": t.as_of_ms - 6}, "INC-2"),
		# outside the window / unknown time
		_alert("a:5", {"fired_at_ms": t.start_ms}, "INC-3"),
		_alert("a:6", {}, "INC-3"),
	]})
	r := m.alert_to_incident_ratio with input as inp
	r == {"value": 50, "items": 4, "records": ["a:1", "a:2", "a:3", "a:4"], "waived": []}
}

test_alert_to_incident_ratio_no_alerts_is_null if {
	inp := t.with_input({"alerts": [_alert("a:1", {"fired_at_ms": t.start_ms}, "INC-1")]})
	r := m.alert_to_incident_ratio with input as inp
	r.value == null
	t.empty(r)
}

test_alert_to_incident_ratio_none_linked_is_zero if {
	inp := t.with_input({"alerts": [_alert("a:1", {"fired_at_ms": t.as_of_ms}, "")]})
	r := m.alert_to_incident_ratio with input as inp
	r.value == 0
	r.items == 1
}

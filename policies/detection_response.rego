# Detection and response metrics (docs/metrics.md#detection_response; sources: docs/configuration.md#incidents).
package posture.metrics.detection_response

import data.posture.lib

# Incidents whose detected_at lies in the window.
_detected := [i | some i in input.incidents; lib.in_window(i.detected_at_ms)]

# METADATA
# title: Mean time to detect
# description: Mean of detected_at - started_at, in hours, over incidents detected in the window (incidents without started_at are left out).
# custom:
#   id: mttd_hours
#   category: detection_response
#   unit: hours
#   target:
#     trend: down
#   gate: false
#   inputs: [incidents]
mttd_hours := lib.mean_result(durations, origins, lib.hour_ms) if {
	counted := [i | some i in _detected; lib.known(i.started_at_ms)]
	durations := [(i.detected_at_ms - i.started_at_ms) | some i in counted]
	origins := [i.origin | some i in counted]
}

# METADATA
# title: Mean time to resolve
# description: Mean of resolved_at - detected_at, in hours, over incidents resolved in the window (incidents without detected_at are left out).
# custom:
#   id: mttr_hours
#   category: detection_response
#   unit: hours
#   target:
#     trend: down
#   gate: false
#   inputs: [incidents]
mttr_hours := lib.mean_result(durations, origins, lib.hour_ms) if {
	counted := [i |
		some i in input.incidents
		lib.in_window(i.resolved_at_ms)
		lib.known(i.detected_at_ms)
	]
	durations := [(i.resolved_at_ms - i.detected_at_ms) | some i in counted]
	origins := [i.origin | some i in counted]
}

# METADATA
# title: Incidents
# description: Incidents whose detected_at lies in the window.
# custom:
#   id: incident_count
#   category: detection_response
#   unit: count
#   target:
#     trend: stable
#   gate: false
#   inputs: [incidents]
incident_count := lib.count_result([i.origin | some i in _detected])

# METADATA
# title: Sev1 incidents
# description: Incidents whose detected_at lies in the window and whose severity is sev1 (compared lower-cased with - and spaces removed, so SEV-1 and Sev 1 count).
# custom:
#   id: sev1_incidents
#   category: detection_response
#   unit: count
#   target:
#     max: 0
#     soft: true
#   gate: false
#   inputs: [incidents]
sev1_incidents := lib.count_result([i.origin | some i in _detected; i.severity == "sev1"])

# METADATA
# title: Alerts leading to an incident
# description: 100 × alerts fired in the window that link to an incident (a non-empty incident_id) ÷ alerts fired in the window; no_data when none fired.
# custom:
#   id: alert_to_incident_ratio
#   category: detection_response
#   unit: percent
#   target:
#     trend: up
#   gate: false
#   inputs: [alerts]
alert_to_incident_ratio := lib.percent_result(count(linked), [a.origin | some a in fired]) if {
	fired := [a | some a in input.alerts; lib.in_window(a.fired_at_ms)]
	linked := [a | some a in fired; _linked(a)]
}

_linked(a) if {
	is_string(a.incident_id)
	a.incident_id != ""
}

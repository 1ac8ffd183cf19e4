# Operational hygiene metrics (docs/metrics.md#operational_hygiene; sources: docs/configuration.md#deployments, #config_files).
package posture.metrics.operational_hygiene

import data.posture.lib

# ---------------------------------------------------------------------------
# Config drift: watched files against the approved baseline (path -> sha256).

_baseline_files := object.get(input.baseline, "files", {})

_baseline_origin := object.get(input.baseline, "origin", "baseline")

_current_paths := {f.path | some f in input.config_files}

_config_drift contains {"scope": f.path, "origin": f.origin, "record": concat(": ", ["changed", f.path])} if {
	some f in input.config_files
	approved := _baseline_files[f.path]
	approved != f.sha256
}

_config_drift contains {"scope": f.path, "origin": f.origin, "record": concat(": ", ["added", f.path])} if {
	some f in input.config_files
	object.get(_baseline_files, f.path, null) == null
}

_config_drift contains {"scope": path, "origin": _baseline_origin, "record": concat(": ", ["removed", path])} if {
	some path, _ in _baseline_files
	not _current_paths[path]
}

# METADATA
# title: Config drift events
# description: 'Watched config files changed, added or removed against the approved baseline, not waived. Scope = path; records read "changed|added|removed" then the path (changed: config/app.hcl).'
# custom:
#   id: config_drift_events
#   category: operational_hygiene
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [config_files]
config_drift_events := lib.findings_result("config_drift_events", _config_drift)

# ---------------------------------------------------------------------------
# Deployments. `production`, `successful` and `previous_success_sha` are derived by the engine.

_prod_in_window := [d |
	some d in input.deployments
	d.production == true
	lib.in_window(d.created_at_ms)
]

_automation_actors := {lower(a) | some a in input.settings.automation_actors}

# METADATA
# title: Manual production changes
# description: Production deployments (environment in production_environments) created in the window by a creator not in automation_actors, compared case-insensitively.
# custom:
#   id: manual_prod_changes
#   category: operational_hygiene
#   unit: count
#   target:
#     max: 0
#   gate: true
#   inputs: [deployments]
manual_prod_changes := lib.count_result([d.origin |
	some d in _prod_in_window
	not _automation_actors[lower(d.creator)]
])

# METADATA
# title: Failed deployments
# description: Production deployments (environment in production_environments) created in the window whose latest status is failure or error.
# custom:
#   id: failed_deployments
#   category: operational_hygiene
#   unit: count
#   target:
#     trend: down
#   gate: false
#   inputs: [deployments]
failed_deployments := lib.count_result([d.origin |
	some d in _prod_in_window
	d.status in {"failure", "error"}
])

# METADATA
# title: Rollbacks
# description: Production deployments created in the window that are rollbacks - task or description mentions rollback, or the sha differs from the previous successful production deployment and equals an earlier successful one.
# custom:
#   id: rollbacks
#   category: operational_hygiene
#   unit: count
#   target:
#     trend: down
#   gate: false
#   inputs: [deployments]
rollbacks := lib.count_result([d.origin | some d in _prod_in_window; _rollback(d)])

_rollback(d) if contains(lower(d.task), "rollback")

_rollback(d) if contains(lower(d.description), "rollback")

_rollback(d) if {
	is_string(d.previous_success_sha)
	d.sha != d.previous_success_sha
	_first_success[_repo_sha(d)] < d.created_at_ms
}

_repo_sha(d) := concat("|", [d.repo, d.sha])

_successful_prod := [{"repo_sha": _repo_sha(d), "created_at_ms": d.created_at_ms} |
	some d in input.deployments
	d.production == true
	d.successful == true
	lib.known(d.created_at_ms)
]

# "<repo>|<sha>" -> earliest created_at_ms of a successful production deployment of it.
# Distinct keys are iterated (see posture.lib on grouping); the inner comprehension is indexed.
_first_success := {k: min(times) |
	some k in {d.repo_sha | some d in _successful_prod}
	times := [x.created_at_ms | some x in _successful_prod; x.repo_sha == k]
}

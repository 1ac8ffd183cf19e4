package posture.metrics.operational_hygiene_test

import data.posture.metrics.operational_hygiene as m
import data.posture.testing as t

_file(path, sha) := {"path": path, "sha256": sha, "format": "text", "source": "cfg", "origin": path}

test_config_drift_events_changed_added_removed if {
	inp := t.with_input({
		"config_files": [
			_file("nginx/nginx.conf", "aaa"),
			_file("sshd_config", "bbb"),
			_file("new.yaml", "ccc"),
		],
		"baseline": {"present": true, "files": {
			"nginx/nginx.conf": "aaa",
			"sshd_config": "old",
			"gone.hcl": "ddd",
		}},
	})
	r := m.config_drift_events with input as inp
	r == {
		"value": 3,
		"items": 3,
		"records": ["added: new.yaml", "changed: sshd_config", "removed: gone.hcl"],
		"waived": [],
	}
}

test_config_drift_events_no_drift_is_zero if {
	inp := t.with_input({
		"config_files": [_file("a", "1")],
		"baseline": {"present": true, "files": {"a": "1"}},
	})
	r := m.config_drift_events with input as inp
	r.value == 0
	t.empty(r)
	r2 := m.config_drift_events with input as t.base
	r2.value == 0
}

test_config_drift_events_without_baseline_everything_is_added if {
	inp := t.with_input({"config_files": [_file("a", "1")], "baseline": {"present": false, "files": {}}})
	r := m.config_drift_events with input as inp
	r.records == ["added: a"]
}

test_config_drift_events_waived if {
	inp := t.with_input({
		"config_files": [_file("nginx/a.conf", "new"), _file("nginx/b.conf", "new")],
		"baseline": {"present": true, "files": {"nginx/a.conf": "old", "nginx/b.conf": "old"}},
		"exceptions": [
			t.exception("EXC-4", "config_drift_events", "nginx/a.conf", `^nginx/a\.conf$`),
			t.exception_expiring("EXC-5", "config_drift_events", "nginx/*", `^nginx/.*$`, t.yesterday, t.yesterday_end_ms),
		],
	})
	r := m.config_drift_events with input as inp
	r.value == 1
	r.records == ["changed: nginx/b.conf"]
	r.waived == [{"scope": "nginx/a.conf", "exception": "EXC-4", "origin": "nginx/a.conf"}]
}

_deploy(id, fields) := object.union(
	{
		"id": id,
		"repo": "org/web",
		"environment": "production",
		"production": true,
		"sha": "s1",
		"ref": "main",
		"task": "deploy",
		"description": "",
		"creator": "github-actions[bot]",
		"created_at_ms": t.as_of_ms - t.hour_ms,
		"status": "success",
		"statuses": ["success"],
		"successful": true,
		"previous_success_sha": null,
		"origin": concat(":", ["deployments.json", id]),
	},
	fields,
)

test_manual_prod_changes_actor_and_window if {
	inp := t.with_input({"deployments": [
		_deploy("1", {}),
		_deploy("2", {"creator": "GitHub-Actions[BOT]"}), # automation, any case
		_deploy("3", {"creator": "alice"}),
		_deploy("4", {"creator": "bob", "created_at_ms": t.start_ms + 1}),
		_deploy("5", {"creator": "carol", "created_at_ms": t.start_ms}), # window start
		_deploy("6", {"creator": "dave", "production": false, "environment": "staging"}),
		_deploy("7", {"creator": "erin", "created_at_ms": t.as_of_ms}),
	]})
	r := m.manual_prod_changes with input as inp
	r == {"value": 3, "items": 3, "records": ["deployments.json:3", "deployments.json:4", "deployments.json:7"], "waived": []}
}

test_manual_prod_changes_empty_is_zero if {
	r := m.manual_prod_changes with input as t.base
	r.value == 0
	t.empty(r)
}

test_failed_deployments_latest_status if {
	inp := t.with_input({"deployments": [
		_deploy("1", {"status": "failure", "successful": false}),
		_deploy("2", {"status": "error", "successful": false}),
		# succeeded earlier, latest status inactive: not failed
		_deploy("3", {"status": "inactive", "statuses": ["success", "inactive"]}),
		_deploy("4", {"status": "failure", "created_at_ms": t.start_ms}),
		_deploy("5", {"status": "failure", "production": false}),
		_deploy("6", {"status": "pending"}),
	]})
	r := m.failed_deployments with input as inp
	r == {"value": 2, "items": 2, "records": ["deployments.json:1", "deployments.json:2"], "waived": []}
}

test_failed_deployments_empty_is_zero if {
	r := m.failed_deployments with input as t.base
	r.value == 0
}

test_rollbacks_by_task_or_description if {
	inp := t.with_input({"deployments": [
		_deploy("1", {"task": "deploy:Rollback"}),
		_deploy("2", {"description": "ROLLBACK to v1.2"}),
		_deploy("3", {"description": "rollback", "created_at_ms": t.start_ms}), # outside window
		_deploy("4", {"description": "rollback", "production": false}),
		_deploy("5", {}),
	]})
	r := m.rollbacks with input as inp
	r == {"value": 2, "items": 2, "records": ["deployments.json:1", "deployments.json:2"], "waived": []}
}

test_rollbacks_redeploy_of_earlier_sha if {
	d := t.day_ms
	inp := t.with_input({"deployments": [
		# long before the window: s1 then s2 succeed
		_deploy("1", {"sha": "s1", "created_at_ms": t.start_ms - (10 * d)}),
		_deploy("2", {"sha": "s2", "created_at_ms": t.start_ms - (5 * d), "previous_success_sha": "s1"}),
		# back to s1 in the window: rollback
		_deploy("3", {"sha": "s1", "created_at_ms": t.as_of_ms - (3 * d), "previous_success_sha": "s2"}),
		# s3 never deployed before: not a rollback
		_deploy("4", {"sha": "s3", "created_at_ms": t.as_of_ms - (2 * d), "previous_success_sha": "s1"}),
		# same sha as the previous success (a redeploy): not a rollback
		_deploy("5", {"sha": "s3", "created_at_ms": t.as_of_ms - d, "previous_success_sha": "s3"}),
		# s2 again, but s2 only succeeded in another repo
		_deploy("6", {"repo": "org/api", "sha": "s9", "created_at_ms": t.start_ms - d}),
		_deploy("7", {"sha": "s9", "created_at_ms": t.as_of_ms - 1, "previous_success_sha": "s3"}),
		# earlier s4 deployment failed: not a rollback
		_deploy("8", {"sha": "s4", "created_at_ms": t.start_ms - d, "successful": false, "status": "failure"}),
		_deploy("9", {"sha": "s4", "created_at_ms": t.as_of_ms, "previous_success_sha": "s9"}),
	]})
	r := m.rollbacks with input as inp
	r == {"value": 1, "items": 1, "records": ["deployments.json:3"], "waived": []}
}

test_rollbacks_earlier_success_must_be_strictly_before if {
	inp := t.with_input({"deployments": [
		_deploy("1", {"sha": "s1", "created_at_ms": t.as_of_ms - 10}),
		_deploy("2", {"sha": "s2", "created_at_ms": t.as_of_ms - 5, "previous_success_sha": "s1"}),
		# same instant as a successful s2 deployment: not before it
		_deploy("3", {"sha": "s2", "created_at_ms": t.as_of_ms - 5, "previous_success_sha": "s1", "successful": false}),
		_deploy("4", {"sha": "s1", "created_at_ms": t.as_of_ms, "previous_success_sha": "s2"}),
		# no previous success at all
		_deploy("5", {"repo": "org/new", "sha": "s1", "created_at_ms": t.as_of_ms}),
	]})
	r := m.rollbacks with input as inp
	r.records == ["deployments.json:4"]
}

test_rollbacks_empty_is_zero if {
	r := m.rollbacks with input as t.base
	r.value == 0
	t.empty(r)
}

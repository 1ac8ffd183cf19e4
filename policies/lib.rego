# Shared helpers of posture's built-in policies.
#
# Every metric rule returns an object
#   {"value": number|null, "items": int, "records": [string], "waived": [{"scope", "exception", "origin"}]}
# built by one of the *_result helpers below. Cross-collection lookups go through
# objects or sets keyed by id, never through nested iteration.
#
# Grouping ("key -> records with that key") is written
#   {k: v | some k in {<key of r> | some r in xs}; v := [x | some x in xs; <key of x> == k]}
# The inner comprehension is indexed by OPA (built once, looked up per key), and the
# outer one iterates distinct keys: OPA v1.22 rehashes the whole object on every
# duplicate-key insert, so iterating records with repeated keys would be quadratic.
package posture.lib

day_ms := 86400000

hour_ms := 3600000

# in_window holds when ms lies in the reporting window (start excluded, end included).
# No is_number guard is needed: Rego orders null < booleans < numbers < strings <
# composites, so only a number can be above one number and at most another.
in_window(ms) if {
	ms > input.window.start_ms
	ms <= input.window.end_ms
}

# known holds when x is a time in epoch ms (an absent `_ms` field makes the call undefined;
# null is not a time either: null sorts before every number).
known(x) if is_number(x)

# active_exception holds for an exception that is not closed and has not expired at as_of
# (expires_end_ms is the first millisecond after the `expires` day).
active_exception(e) if {
	e.status != "closed"
	input.as_of_ms < e.expires_end_ms
}

# active_exceptions[metric] lists the active exceptions of that metric, in input order.
active_exceptions := {m: es |
	some m in {e.metric | some e in _active}
	es := [x | some x in _active; x.metric == m]
}

_active := [e | some e in input.exceptions; active_exception(e)]

# A scope without wildcards matches only itself: those exceptions are looked up by
# (metric, scope) in constant time; only wildcard patterns are matched one by one.
_literal(e) if {
	is_string(e.scope)
	not contains(e.scope, "*")
	not contains(e.scope, "?")
}

_key(metric, scope) := concat("\n", [metric, scope])

_literal_active := [e | some e in _active; _literal(e)]

_pattern_active := [e | some e in _active; not _literal(e)]

_exact_index := {k: ids |
	some k in {_key(e.metric, e.scope) | some e in _literal_active}
	ids := {x.id | some x in _literal_active; _key(x.metric, x.scope) == k}
}

# Wildcard patterns are indexed by their literal prefix (the characters before the first
# wildcard): a finding scope is only matched against the patterns whose prefix it starts
# with, found by one lookup per distinct prefix length, so thousands of exceptions do not
# multiply the cost of every finding.
_prefix(e) := object.get(e, "scope_prefix", "")

_prefix_lengths := {m: ns |
	some m in {e.metric | some e in _pattern_active}
	ns := {count(_prefix(x)) | some x in _pattern_active; x.metric == m}
}

# _prefixes[metric] is the set of literal prefixes of its wildcard patterns: one native
# strings.any_prefix_match call rules out most finding scopes before any lookup.
_prefixes := {m: ps |
	some m in {e.metric | some e in _pattern_active}
	ps := {_prefix(x) | some x in _pattern_active; x.metric == m}
}

_patterns_by_prefix := {k: es |
	some k in {_key(e.metric, _prefix(e)) | some e in _pattern_active}
	es := [x | some x in _pattern_active; _key(x.metric, _prefix(x)) == k]
}

# waiver(metric, scope) is the id of the active exception of metric whose scope pattern
# matches the whole finding scope; the smallest id when several match; undefined when none.
waiver(metric, scope) := min(ids) if {
	exact := object.get(_exact_index, _key(metric, scope), set())
	patterned := {e.id |
		strings.any_prefix_match(scope, _prefixes[metric])
		some n in _prefix_lengths[metric]
		some e in object.get(_patterns_by_prefix, _key(metric, substring(scope, 0, n)), [])
		regex.match(e.scope_regex, scope)
	}
	ids := exact | patterned
	count(ids) > 0
}

# findings_result turns findings {"scope", "origin"[, "record"]} of a metric into its
# result: findings waived by an active exception are listed, the others counted once
# per distinct scope. records are the findings' "record" texts (default: the scope).
findings_result(metric, findings) := {
	"value": count(scopes),
	"items": count(scopes),
	"records": sort({object.get(f, "record", f.scope) | some f in counted}),
	"waived": sort({{"scope": f.scope, "exception": waivers[f.scope], "origin": f.origin} |
		some f in findings
		waivers[f.scope]
	}),
} if {
	waivers := {s: id |
		some s in {f.scope | some f in findings}
		id := waiver(metric, s)
	}
	counted := {f | some f in findings; not waivers[f.scope]}
	scopes := {f.scope | some f in counted}
}

# count_result counts records (an array of origins, or a set of distinct keys).
count_result(records) := {
	"value": count(records),
	"items": count(records),
	"records": sort(records),
	"waived": [],
}

# Event counts. A log line is one event; a query source (prometheus) records a count its
# back-end computed as one event whose `weight` is that count. An event count is the number
# of origins plus what the weighted events add beyond their one record each.

# extra_weight(type) is what the weighted events of the type in the window add to their count. Only a
# weighted event passes `e.weight` (the field is left out when 1), so a list of log lines
# costs one failed lookup per event and no builtin call.
extra_weight(type) := sum(weights) - count(weights) if {
	weights := [e.weight |
		some e in input.events[type]
		e.weight
		e.ts_ms > input.window.start_ms
		e.ts_ms <= input.window.end_ms
	]
}

# weighted_count_result is count_result of event origins whose events count n (see extra_weight).
weighted_count_result(origins, n) := {
	"value": n,
	"items": n,
	"records": sort(origins),
	"waived": [],
}

# mean(xs) is the arithmetic mean of xs, null when xs is empty.
mean(xs) := sum(xs) / count(xs) if {
	count(xs) > 0
} else := null

# scaled_mean(xs, unit) is mean(xs) / unit with a single division, null when xs is empty.
scaled_mean(xs, unit) := sum(xs) / (count(xs) * unit) if {
	count(xs) > 0
} else := null

# percent(part, whole) is 100 × part ÷ whole, null when whole is 0.
percent(part, whole) := (100 * part) / whole if {
	whole != 0
} else := null

# mean_result: durations in ms (xs) of the records with the given origins, as a mean in unit ms.
mean_result(xs, origins, unit) := {
	"value": scaled_mean(xs, unit),
	"items": count(xs),
	"records": sort(origins),
	"waived": [],
}

# weighted_percent_result: percent_result where part and whole are event counts (see extra_weight).
weighted_percent_result(part, whole, origins) := {
	"value": percent(part, whole),
	"items": whole,
	"records": sort(origins),
	"waived": [],
}

# percent_result: part of the records (origins) that make the whole.
percent_result(part, origins) := {
	"value": percent(part, count(origins)),
	"items": count(origins),
	"records": sort(origins),
	"waived": [],
}

# Accounts (4.8).
admin_roles := {"admin", "owner", "root", "superuser"}

active_account(a) if a.status in {"", "active"}

privileged_account(a) if {
	active_account(a)
	a.privileged == true
}

privileged_account(a) if {
	active_account(a)
	admin_roles[a.role]
}

account_scope(a) := concat("/", [a.system, a.login])

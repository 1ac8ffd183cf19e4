# Custom compliance check: every exception must name who approved it.
#
# posture lets `approved_by` be missing so that an urgent deviation can be recorded at
# once; this check keeps such exceptions visible in compliance_drift (scope
# "compliance.exceptions:<exception id>") until someone signs them off.
package compliance.exceptions

# True when the exception has no approver: attribute absent, null or blank.
unapproved(e) if not is_string(object.get(e, "approved_by", null))

unapproved(e) if trim_space(e.approved_by) == ""

# METADATA
# title: Exceptions name their approver
# description: Flags every exception whose approved_by is missing or empty.
deny contains {"msg": msg, "resource": e.id} if {
	some e in input.exceptions
	unapproved(e)
	msg := sprintf("exception %s (metric %s, owner %s) has no approved_by", [e.id, e.metric, e.owner])
}

# Built-in compliance check: an active privileged account without MFA.
# mfa is true, false or null (unknown); only an explicit false is a violation.
package compliance.identity

import data.posture.lib

deny contains {"msg": msg, "resource": resource} if {
	some a in input.accounts
	lib.privileged_account(a)
	a.mfa == false
	resource := lib.account_scope(a)
	msg := sprintf("privileged account %s has MFA disabled (%s)", [resource, a.origin])
}

# Built-in compliance checks over the probed TLS endpoints: legacy protocol
# versions accepted, certificate expired or expiring within 14 days, certificate that does
# not verify. resource = the endpoint address (host:port as configured).
package compliance.tls

_legacy_versions := {"TLS1.0", "TLS1.1"}

_expiry_warning_ms := 14 * 86400000

# Certificates expiring at or before this instant are flagged.
_expiry_cutoff_ms := input.as_of_ms + _expiry_warning_ms

deny contains {"msg": msg, "resource": t.address} if {
	some t in input.tls_endpoints
	some v in t.accepted_versions
	_legacy_versions[v]
	msg := sprintf("%s accepts legacy protocol %s", [t.address, v])
}

deny contains {"msg": msg, "resource": t.address} if {
	some t in input.tls_endpoints
	is_number(t.cert_not_after_ms)
	t.cert_not_after_ms < input.as_of_ms
	msg := sprintf("%s certificate expired at %s", [t.address, t.cert_not_after])
}

deny contains {"msg": msg, "resource": t.address} if {
	some t in input.tls_endpoints
	is_number(t.cert_not_after_ms)
	t.cert_not_after_ms >= input.as_of_ms
	t.cert_not_after_ms <= _expiry_cutoff_ms
	msg := sprintf("%s certificate expires at %s, within 14 days", [t.address, t.cert_not_after])
}

# An endpoint that could not be probed is a finding, never a silent pass.
deny contains {"msg": msg, "resource": t.address} if {
	some t in input.tls_endpoints
	_probe_failed(t)
	msg := sprintf("%s could not be probed: %s", [t.address, t.error])
}

# An endpoint that could not be probed (error set) has no certificate to verify.
deny contains {"msg": msg, "resource": t.address} if {
	some t in input.tls_endpoints
	t.cert_verified == false
	not _probe_failed(t)
	msg := sprintf("%s certificate does not verify%s", [t.address, _cert_error(t)])
}

_probe_failed(t) if {
	is_string(t.error)
	t.error != ""
}

_cert_error(t) := concat("", [": ", t.cert_error]) if {
	is_string(t.cert_error)
	t.cert_error != ""
} else := ""

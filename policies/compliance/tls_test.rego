package compliance.tls_test

import data.compliance.tls
import data.posture.testing as t

_endpoint(address, fields) := object.union(
	{
		"address": address,
		"accepted_versions": ["TLS1.2", "TLS1.3"],
		"cert_not_after": "2027-06-01T00:00:00Z",
		"cert_not_after_ms": t.as_of_ms + (180 * t.day_ms),
		"cert_verified": true,
		"cipher": "TLS_AES_128_GCM_SHA256",
		"origin": address,
	},
	fields,
)

_resources(endpoints) := {d.resource | some d in denies} if {
	denies := tls.deny with input as t.with_input({"tls_endpoints": endpoints})
}

test_tls_good_endpoint_passes if {
	_resources([_endpoint("good.example:443", {})]) == set()
	count(tls.deny) == 0 with input as t.base
}

test_tls_legacy_versions if {
	_resources([
		_endpoint("a:443", {"accepted_versions": ["TLS1.0", "TLS1.2"]}),
		_endpoint("b:443", {"accepted_versions": ["TLS1.1"]}),
		_endpoint("c:443", {"accepted_versions": ["TLS1.2", "TLS1.3"]}),
	]) == {"a:443", "b:443"}
	denies := tls.deny with input as t.with_input({"tls_endpoints": [_endpoint("a:443", {"accepted_versions": ["TLS1.0", "TLS1.1"]})]})
	denies == {
		{"msg": "a:443 accepts legacy protocol TLS1.0", "resource": "a:443"},
		{"msg": "a:443 accepts legacy protocol TLS1.1", "resource": "a:443"},
	}
}

test_tls_certificate_expiry_14_day_boundary if {
	_resources([
		_endpoint("in14:443", {"cert_not_after_ms": t.as_of_ms + (14 * t.day_ms)}),
		_endpoint("after14:443", {"cert_not_after_ms": (t.as_of_ms + (14 * t.day_ms)) + 1}),
		_endpoint("expired:443", {"cert_not_after_ms": t.as_of_ms - 1}),
		_endpoint("now:443", {"cert_not_after_ms": t.as_of_ms}),
		_endpoint("null:443", {"cert_not_after_ms": null}),
		object.remove(_endpoint("unknown:443", {"cert_not_after": null}), {"cert_not_after_ms"}),
	]) == {"in14:443", "expired:443", "now:443"}
}

test_tls_certificate_expiry_messages if {
	denies := tls.deny with input as t.with_input({"tls_endpoints": [
		_endpoint("old:443", {"cert_not_after": "2026-11-20T00:00:00Z", "cert_not_after_ms": t.as_of_ms - (7 * t.day_ms)}),
		_endpoint("soon:443", {"cert_not_after": "2026-12-01T00:00:00Z", "cert_not_after_ms": t.as_of_ms + (4 * t.day_ms)}),
	]})
	denies == {
		{"msg": "old:443 certificate expired at 2026-11-20T00:00:00Z", "resource": "old:443"},
		{"msg": "soon:443 certificate expires at 2026-12-01T00:00:00Z, within 14 days", "resource": "soon:443"},
	}
}

test_tls_certificate_not_verified if {
	denies := tls.deny with input as t.with_input({"tls_endpoints": [
		_endpoint("self:443", {"cert_verified": false, "cert_error": "x509: certificate signed by unknown authority"}),
		_endpoint("bare:443", {"cert_verified": false}),
		# could not be probed at all: flagged as such, not as a certificate problem
		_endpoint("down:443", {"cert_verified": false, "accepted_versions": [], "error": "connection refused", "cert_not_after_ms": null}),
	]})
	denies == {
		{"msg": "self:443 certificate does not verify: x509: certificate signed by unknown authority", "resource": "self:443"},
		{"msg": "bare:443 certificate does not verify", "resource": "bare:443"},
		{"msg": "down:443 could not be probed: connection refused", "resource": "down:443"},
	}
}

# LocalizeVideos — approved deviations (docs/configuration.md#exceptions in the posture repository).
#
# An exception removes matching findings from ONE metric's count while it is active
# (status not "closed" and today's date <= expires). Expired exceptions waive nothing
# and show up in `expired_exceptions`; closed ones are kept for the audit trail.
#
# scope is matched against the whole finding scope:
#   vulnerabilities      "<advisory id>|<package>|<target>"   (SARIF: package is empty)
#   accounts             "<system>/<login>"
#   security headers     "<url>#<check>"
#   compliance checks    "<package>:<resource>"
# `*` matches any run of characters (including "/" and "|"), `?` exactly one.
#
# Review: weekly in the security sync; owners renew or close before `expires`.

# The API does not run an SSH server: x/crypto/ssh is only used as an SFTP *client* to
# customer drop boxes, so the server-side KEX DoS is not reachable. Waived in every image
# (api via Trivy, transcoder via Grype) until the Go toolchain bump lands.
exception "EXC-001" {
  metric      = "high_critical_vulnerabilities"
  scope       = "CVE-2025-22869|golang.org/x/crypto|*"
  reason      = "server-side SSH KEX DoS; we only use x/crypto/ssh as an SFTP client (PLAT-2291)"
  owner       = "platform"
  approved_by = "ciso"
  expires     = "2027-01-31"
  status      = "open"
}

# Legacy reporting role used by the finance month-end export, which runs quarterly.
# Inactive > 90 days by design; replaced by the warehouse export in Q1.
exception "EXC-002" {
  metric      = "orphaned_accounts"
  scope       = "postgres/svc_legacy_reporting"
  reason      = "quarterly finance export; decommissioned with the warehouse migration (DATA-118)"
  owner       = "identity"
  approved_by = "head-of-platform"
  expires     = "2026-12-31"
  status      = "open"
}

# Expired yesterday and nobody renewed it: it waives nothing any more, libxml2 findings
# count again, and expired_exceptions = 1 until someone renews or closes it.
exception "EXC-003" {
  metric      = "high_critical_vulnerabilities"
  scope       = "CVE-2024-56171|libxml2|*"
  reason      = "libxml2 schema validation not reachable from our inputs; base images rebuilt monthly"
  owner       = "platform"
  approved_by = "ciso"
  expires     = "2026-11-26"
  status      = "open"
}

# Closed early: the v3 player shipped without inline scripts on 2026-10-20.
exception "EXC-004" {
  metric      = "security_header_drift"
  scope       = "https://legacy.localizevideos.example/#csp"
  reason      = "legacy player needs inline script until the v3 player ships"
  owner       = "platform"
  approved_by = "ciso"
  expires     = "2026-12-31"
  status      = "closed"
}

# Thumbnailer fetches customer-supplied preview URLs by design; an egress allow-list
# proxy is being rolled out. Expires in 8 days: listed as "expiring soon" in the report.
exception "EXC-005" {
  metric      = "high_critical_vulnerabilities"
  scope       = "go/request-forgery|*|services/thumbnailer/fetch.go"
  reason      = "SSRF mitigated by the egress proxy (no private ranges) until the allow-list ships (SEC-431)"
  owner       = "security"
  approved_by = "ciso"
  expires     = "2026-12-05"
  status      = "open"
}

# The status page is hosted by a vendor; we cannot set its headers.
# approved_by is missing: the custom check policies/exceptions_approval.rego flags it
# (compliance_drift), although the exception itself is active.
exception "EXC-006" {
  metric  = "security_header_drift"
  scope   = "https://status.localizevideos.example/#*"
  reason  = "vendor-hosted status page, headers outside our control"
  owner   = "platform"
  expires = "2027-03-31"
  status  = "open"
}

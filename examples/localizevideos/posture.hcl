# posture.hcl — LocalizeVideos security KPIs as code.
#
# Try it from the repository root:
#   go run ./cmd/posture -c examples/localizevideos/posture.hcl eval --as-of 2026-11-27
#
# Every relative path in this file resolves against the folder of this file
# (examples/localizevideos/), not against the working directory.

project = "LocalizeVideos"

# Heading of the dashboard (index.html) and of the Markdown reports. Default: "<project> security posture".
title = "LocalizeVideos security KPIs"

# The reporting period. With --as-of 2026-11-27 the window is
# (2026-10-28T00:00:00Z, 2026-11-27T00:00:00Z]: the start is excluded, the as-of instant included.
window_days = 30

# Dated reports (YYYY-MM-DD.json/.md), index.html, metrics.prom and the history of vulnerability
# keys live here; commit this folder. `posture baseline --approve` writes baseline.json here too.
reports_dir = "security/reports"

# `posture snapshot` / `posture report` keep the raw collected inputs here, one folder per day.
snapshots_dir = "security/snapshots"

# Identity hygiene thresholds.
inactive_days           = 90 # active accounts idle for longer than this are orphaned
max_token_lifetime_days = 90 # a token is compliant when it expires at most 90 days after creation

# Deployments to these environments are "production" (the pipeline called it "prod" until October).
production_environments = ["production", "prod"]

# Deployments created by anyone else count as manual production changes (this is the default).
automation_actors = ["github-actions[bot]"]

# A change of at most 10 % against the previous period is "stable".
trend_tolerance_pct = 10

# Files of `exception` blocks (approved deviations). Inline exception blocks are allowed here too.
exceptions = ["exceptions.hcl"]

# Extra Rego folders: custom metrics (rules with a `# METADATA` custom.id) and compliance
# checks (`deny` rules in packages under `compliance`). Test them with `posture test policies`.
policies = ["policies"]

# ---------------------------------------------------------------------------------------------
# Owners. Every category and every metric must resolve to one of these ("measuring without
# ownership" is refused). The GitHub logins are assigned to the issues `posture issues` opens.
# ---------------------------------------------------------------------------------------------
owner "security" { github = ["sec-lead"] }
owner "platform" { github = ["plat-oncall", "sre-lead"] }
owner "identity" { github = ["anna-keller"] }

# The six security-metrics categories; a metric's owner defaults to its category's owner.
category "detection_response" { owner = "security" }
category "prevention_controls" { owner = "platform" }
category "identity_access" { owner = "identity" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene" { owner = "platform" }
category "compliance_signals" { owner = "security" }

# ---------------------------------------------------------------------------------------------
# Metric overrides. A `target` block replaces the catalogue's default target as a whole
# (attributes not given are unset); `gate` and `owner` override only when given.
# Target attributes: max, min, trend ("down" | "up" | "stable"), soft (fail becomes warn).
# ---------------------------------------------------------------------------------------------

# Catalogue default: trend down, soft, not gated. We hold a hard ceiling instead and
# ratchet it down every quarter (Q4 2026: 15).
metric "privileged_accounts" {
  owner = "identity"
  gate  = true
  target { max = 15 }
}

# Our incident-response SLO: respond within 24 hours on average (default was "trend down").
metric "mttr_hours" {
  target { max = 24 }
}

# Rollbacks are healthy when they are rare; more than 3 a month is a warning, not a blocker.
metric "rollbacks" {
  owner = "platform"
  target {
    max  = 3
    soft = true
  }
}

# ---------------------------------------------------------------------------------------------
# Sources: source "<kind>" "<name>" { ... }. A source is identified by its kind and name together
# (two kinds may share a name); records, reports and messages name it "<kind>.<name>".
# File sources take `paths` (globs relative to this folder; each glob must match at least one
# file, a missing file is an error, never "zero records"). Rotated logs may be gzipped (*.gz).
# Log lines without a zone are UTC unless the source sets `timezone`.
# ---------------------------------------------------------------------------------------------

# OpenSSH on bastion-01 (UTC). auth.log.2.gz and auth.log.1 use classic syslog stamps
# ("Oct 28 00:00:00", year inferred from --as-of); auth.log uses RFC 3339 stamps and
# sshd-session since the OS upgrade on 2026-11-13.
# Feeds failed_login_rate (Failed/Accepted) and unauthorized_access_attempts (Invalid user).
source "sshd_log" "bastion" {
  paths = ["data/logs/bastion/auth.log*"]
}

# nginx edge, log_format "main_tls" = combined + $ssl_protocol (the port-80 server logs plain
# combined). Feeds rate_limit_triggers (429), unauthorized_access_attempts (403) and
# tls_downgrade_attempts (requests on TLSv1 / TLSv1.1).
source "nginx_access_log" "edge" {
  paths             = ["data/logs/edge/access.log*"]
  rate_limit_status = [429] # statuses that count as a rate-limit rejection (default [429])
}

# nginx error log of the same edge hosts. Its stamps ("2026/11/27 01:00:00") carry no zone and
# the hosts run on Berlin time, hence the timezone. Feeds rate_limit_triggers ("limiting
# requests", not "delaying" nor "dry run") and tls_downgrade_attempts (handshakes refused with
# "unsupported protocol", "version too low" or "inappropriate fallback").
source "nginx_error_log" "edge_errors" {
  paths    = ["data/logs/edge/error.log*"]
  timezone = "Europe/Berlin"
}

# Application security events (OWASP Logging Vocabulary, JSON Lines) of the web and API
# services. Feeds failed_login_rate, rate_limit_triggers and unauthorized_access_attempts.
source "app_log" "app" {
  paths = ["data/logs/app/*.jsonl"]
}

# fail2ban on bastion-01 (jails sshd and recidive). Feeds blocked_ips (Ban / Restore Ban).
source "fail2ban_log" "bastion_fail2ban" {
  paths = ["data/logs/bastion/fail2ban.log*"]
}

# Incident register export (CSV). Feeds mttd_hours, mttr_hours, incident_count, sev1_incidents.
source "incidents" "incident_register" {
  paths = ["data/exports/incidents.csv"]
}

# Alertmanager history export (CSV; extra columns are ignored). Feeds alert_to_incident_ratio.
source "alerts" "alertmanager" {
  paths = ["data/exports/alerts.csv"]
}

# Joiner/mover/leaver export of AWS IAM, GitHub, Okta, bastion and Postgres logins.
# Feeds privileged_accounts, orphaned_accounts, the built-in compliance.identity check and the
# custom mfa_coverage metric.
source "accounts" "iam" {
  paths = ["data/exports/accounts.csv"]
}

# API / access tokens (JSON array). Feeds token_expiry_compliance.
source "tokens" "tokens" {
  paths = ["data/exports/tokens.json"]
}

# SOC 2 Type II findings tracker export. Feeds audit_findings.
source "audit_findings" "soc2" {
  paths = ["data/exports/audit_findings.csv"]
}

# Release history of the platform monorepo (JSON array). Feeds manual_prod_changes,
# failed_deployments and rollbacks.
source "deployments" "releases" {
  paths = ["data/deploy/deployments.json"]
}

# Scanner reports, produced nightly in CI. Together they feed open_vulnerabilities,
# high_critical_vulnerabilities, mean_time_to_patch_days and repeat_findings.
source "trivy" "images" {
  paths = ["data/scans/trivy-*.json"] # api and web images
}

source "grype" "transcoder" {
  paths = ["data/scans/grype-*.json"] # transcoder image (ffmpeg, Ubuntu 24.04)
}

source "govulncheck" "api_go" {
  paths = ["data/scans/govulncheck-*.json"] # `govulncheck -json ./...` of the API module
}

source "sarif" "codeql" {
  paths = ["data/scans/*.sarif"] # CodeQL Go analysis
}

# Watched configuration files. `posture baseline --approve` records their fingerprints in
# security/reports/baseline.json; every file changed, added or removed since counts one
# config_drift_events. Parsed JSON/YAML/HCL is also the input of conftest-style policies.
source "config_files" "watched" {
  paths = [
    "data/config/nginx/*.conf",
    "data/config/k8s/*.yaml",
    "data/config/app/*.json",
    "data/config/terraform/*.tf",
  ]
}

# ---------------------------------------------------------------------------------------------
# Live sources for later (they need network access and, for GitHub, GITHUB_TOKEN).
# Until a headers source is configured, security_header_drift is reported as "unmeasured".
# ---------------------------------------------------------------------------------------------

# Security headers of the public URLs (hsts, csp, x_content_type_options, frame_options,
# referrer_policy). Feeds security_header_drift.
# source "headers" "public" {
#   urls = [
#     "https://localizevideos.example/",
#     "https://app.localizevideos.example/login",
#     "https://api.localizevideos.example/healthz",
#     "https://status.localizevideos.example/",
#   ]
#   concurrency = 8
#   timeout     = "10s"
# }

# TLS versions and certificates of the edge. Feeds the built-in compliance.tls check
# (TLS 1.0/1.1 accepted, certificate expiring within 14 days, expired or not verifying).
# source "tls" "edge_tls" {
#   hosts = ["localizevideos.example:443", "api.localizevideos.example:443", "tv.localizevideos.example:443"]
# }

# GitHub organisation: admin members (privileged_accounts), Dependabot / code scanning /
# secret scanning alerts (vulnerabilities), deployments and issues labelled "incident".
# source "github" "org" {
#   owner = "localizevideos"
#   repos = ["web", "api"] # empty = every repository of the org
# }

# The organisation's fine-grained personal access tokens and their expiry (token_expiry_compliance
# from GitHub itself) need a GitHub App installation with "Personal access tokens: read":
# source "github" "org_tokens" {
#   owner                  = "localizevideos"
#   collect                = ["tokens"]
#   personal_access_tokens = true
#   app_id                 = 12345
#   installation_id        = 678910
#   private_key_path       = "secrets/posture-app.pem"
# }

# ---------------------------------------------------------------------------------------------
# Systems of record: read incidents, alerts, accounts, tokens and audit findings where they are
# kept instead of from hand exports. Credentials come from the environment only (never here):
# PAGERDUTY_TOKEN, JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_TOKEN (Server), OKTA_API_TOKEN,
# and the AWS SDK's default chain. See docs/configuration.md#systems-of-record.
# ---------------------------------------------------------------------------------------------

# PagerDuty incidents (mttd_hours, mttr_hours, incident_count, sev1_incidents); alerts are opt-in.
# source "pagerduty" "oncall" {
#   service_ids  = ["PIJ90N7"]                  # empty = every service
#   severity_map = { P1 = "sev1", P2 = "sev2" } # priority (else urgency) -> severity
#   # collect    = ["incidents", "alerts"]
# }

# Audit findings (or incidents) selected by a JQL query in Jira.
# source "jira" "audit" {
#   base_url       = "https://localizevideos.atlassian.net"
#   jql            = "project = SEC AND labels = audit"
#   collection     = "audit_findings"    # or "incidents"
#   severity_field = "customfield_10042" # default priority
# }

# Okta users (status, last sign-in), admin roles and the admins' MFA factors: privileged_accounts,
# orphaned_accounts and the MFA compliance check.
# source "okta" "workforce" {
#   org_url = "https://localizevideos.okta.com"
# }

# AWS IAM credential reports: users and root as accounts, access keys as tokens, one role per account.
# source "aws_iam" "org" {
#   role_arns = [
#     "arn:aws:iam::111111111111:role/posture-audit",
#     "arn:aws:iam::222222222222:role/posture-audit",
#   ]
# }

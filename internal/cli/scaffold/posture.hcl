# posture.hcl — security metrics and KPIs as code.
# Run `posture validate` after editing, `posture eval` to see the metrics.
# Relative paths resolve against this file's folder.

project       = "my-project"
window_days   = 30                   # the reporting period: (as_of - 30 days, as_of]
reports_dir   = "security/reports"   # dated reports and history (commit them)
snapshots_dir = "security/snapshots" # raw data behind each report, pinned by its digest: not
                                     # committed by `run --commit` (add it to .gitignore; keep it
                                     # as a workflow artifact, in an object store or in Git LFS)
# commit_snapshots = true            # commit the snapshots too (hundreds of MB a day at scale)
# evidence_limit   = 25              # evidence records listed per metric in a report
inactive_days = 90                   # accounts idle longer than this are orphaned
max_token_lifetime_days = 90
production_environments = ["production", "prod"]
automation_actors       = ["github-actions[bot]"] # deployments by anyone else are manual changes
trend_tolerance_pct     = 10
exceptions = ["exceptions.hcl"]      # approved deviations
policies   = ["policies"]            # your own Rego metrics and compliance checks

# Every metric has an owner: each category names one, a metric block may override it.
owner "security" { github = ["your-github-login"] }
owner "platform" { github = ["your-github-login"] }

category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "platform" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "platform" }
category "compliance_signals"       { owner = "security" }

# Override a catalogue metric's target, gate or owner (see `posture metrics`).
# metric "privileged_accounts" {
#   gate = true
#   target { max = 5 }
# }

# The gate fails closed: `posture gate` (and eval, report, run) exits 1 when a gated
# metric fails its target OR is not measured (no source below feeds it, or its
# sources gave no data). Until you uncomment the sources of the gated metrics
# (`posture metrics` lists them with the kinds that feed them), the gate fails and
# says which ones are not measured. To keep a metric out of the gate instead:
# metric "audit_findings" { gate = false }

# Sources: source "<kind>" "<name>" { ... }. Uncomment what you have.
# A source is identified by its kind and its name together, so two kinds may share a name (the
# two nginx logs below are both "edge"); records and reports name it "<kind>.<name>".
# File sources take `paths` (globs; each must match at least one file when collecting).
# Log lines without a zone are UTC unless the source sets `timezone`.
# source "sshd_log" "bastion"        { paths = ["/var/log/auth.log*"] }
# source "nginx_access_log" "edge"   { paths = ["/var/log/nginx/access.log*"] }
# source "nginx_error_log" "edge" {
#   paths    = ["/var/log/nginx/error.log*"]
#   timezone = "Europe/Berlin"           # error log stamps carry no zone
# }
# source "app_log" "api"             { paths = ["logs/app.jsonl"] }
# source "fail2ban_log" "bastion"    { paths = ["/var/log/fail2ban.log*"] }
# source "accounts" "iam"            { paths = ["exports/accounts.csv"] }
# source "tokens" "api"              { paths = ["exports/tokens.csv"] }
# source "incidents" "ir"            { paths = ["exports/incidents.csv"] }
# source "alerts" "siem"             { paths = ["exports/alerts.csv"] }
# source "audit_findings" "soc2"     { paths = ["exports/audit_findings.csv"] }
# source "deployments" "prod"        { paths = ["exports/deployments.json"] }
# source "trivy" "images"            { paths = ["scans/trivy-*.json"] }
# source "grype" "images"            { paths = ["scans/grype-*.json"] }
# source "govulncheck" "api"         { paths = ["scans/govulncheck.json"] }
# source "sarif" "codeql"            { paths = ["scans/*.sarif"] }
# source "config_files" "infra"      { paths = ["deploy/*.yaml"] } # "*" stays within one folder

# Live sources (network access; GitHub needs GITHUB_TOKEN or a GitHub App).
# source "headers" "public" {
#   urls    = ["https://example.com/"]
#   timeout = "10s"
# }
# source "tls" "public" {
#   hosts = ["example.com:443"]
# }
# source "github" "org" {
#   owner = "your-org"                   # org or user
#   repos = []                           # empty = every repository of the owner
# }

# Systems of record (credentials from the environment only: PAGERDUTY_TOKEN; JIRA_EMAIL and
# JIRA_API_TOKEN, or JIRA_TOKEN for Server; OKTA_API_TOKEN; the AWS SDK's default chain).
# source "pagerduty" "oncall" {
#   service_ids = []                     # empty = every service
# }
# source "jira" "audit" {
#   base_url = "https://your-org.atlassian.net"
#   jql      = "project = SEC AND labels = audit"
# }
# source "okta" "workforce" {
#   org_url = "https://your-org.okta.com"
# }
# source "aws_iam" "org" {
#   role_arns = []                       # one role per account; empty = the credentials' own account
# }

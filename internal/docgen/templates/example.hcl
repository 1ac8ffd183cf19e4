project     = "LocalizeVideos"
title       = "LocalizeVideos security KPIs" # heading of the dashboard and the reports
window_days = 30                             # the reporting period
reports_dir = "security/reports"             # dated reports and history (commit it)
exceptions  = ["exceptions.hcl"]             # files of exception blocks
policies    = ["policies"]                   # custom metrics and compliance checks

owner "security" { github = ["sec-lead"] }   # GitHub logins assigned to this owner's issues
owner "platform" { github = ["plat-oncall", "sre-lead"] }

category "detection_response"       { owner = "security" }
category "prevention_controls"      { owner = "platform" }
category "identity_access"          { owner = "security" }
category "vulnerability_management" { owner = "security" }
category "operational_hygiene"      { owner = "platform" }
category "compliance_signals"       { owner = "security" }

metric "privileged_accounts" {               # override a catalogue metric
  owner = "security"
  gate  = true
  target { max = 5 }                         # replaces the default target as a whole
}

source "sshd_log" "bastion" { paths = ["logs/auth.log*"] }
source "github" "org" {
  owner = "localizevideos"
  repos = ["web", "api"]                     # empty = every repository of the owner
}

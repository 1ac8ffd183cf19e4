package all

// The structured file sources: table exports, deployments, scanner reports
// and watched config files.
import (
	_ "github.com/localizevideos/posture/sources/configfiles" // config_files
	_ "github.com/localizevideos/posture/sources/deployments" // deployments
	_ "github.com/localizevideos/posture/sources/github"      // github
	_ "github.com/localizevideos/posture/sources/headers"     // headers
	_ "github.com/localizevideos/posture/sources/tabular"     // incidents, alerts, accounts, tokens, audit_findings
	_ "github.com/localizevideos/posture/sources/tlsprobe"    // tls
	_ "github.com/localizevideos/posture/sources/vuln"        // trivy, grype, govulncheck, sarif
)

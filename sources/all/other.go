package all

// The structured file sources: table exports, deployments, scanner reports
// and watched config files.
import (
	_ "github.com/localizevideos/posture/sources/configfiles" // config_files
	_ "github.com/localizevideos/posture/sources/deployments" // deployments
	_ "github.com/localizevideos/posture/sources/tabular"     // incidents, alerts, accounts, tokens, audit_findings
	_ "github.com/localizevideos/posture/sources/vuln"        // trivy, grype, govulncheck, sarif
)

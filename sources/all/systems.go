package all

// The systems of record: incident tools, issue trackers, identity
// providers and cloud IAM, read through their APIs.
import (
	_ "github.com/localizevideos/posture/sources/awsiam"    // aws_iam
	_ "github.com/localizevideos/posture/sources/jira"      // jira
	_ "github.com/localizevideos/posture/sources/okta"      // okta
	_ "github.com/localizevideos/posture/sources/pagerduty" // pagerduty
)

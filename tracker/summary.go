package tracker

import "fmt"

// Line is what a sync did, in one line: "issues in owner/repo: 2 created,
// 1 updated, 0 commented, 0 closed, 0 reopened" ("planned" for a dry run),
// with the duplicates closed and the labels created when there were any.
func (s *Summary) Line() string {
	verb := "issues"
	if s.DryRun {
		verb = "planned"
	}
	line := fmt.Sprintf("%s in %s: %d created, %d updated, %d commented, %d closed, %d reopened",
		verb, s.Repo, s.Created, s.Updated, s.Commented, s.Closed, s.Reopened)
	if s.Duplicates > 0 {
		line += fmt.Sprintf(", %d duplicates closed", s.Duplicates)
	}
	if s.LabelsCreated > 0 {
		line += fmt.Sprintf(", %d labels created", s.LabelsCreated)
	}
	return line
}

package tracker

import (
	"fmt"

	"github.com/localizevideos/posture/report"
)

// Labels every posture issue carries.
const (
	// LabelKPI marks every issue posture manages.
	LabelKPI = "security-kpi"
	// labelKPIColor and labelKPIDesc describe LabelKPI when posture creates it.
	labelKPIColor = "d93f0b"
	labelKPIDesc  = "A security KPI off its target (issue managed by posture)"
)

// metricLabelColor is the colour of a kpi:<id> label: its category's.
func metricLabelColor(category string) string {
	if c, ok := report.BuiltinCategory(category); ok {
		return c.Color
	}
	return "c5def5"
}

func metricLabelDesc(m *report.Metric) string {
	d := fmt.Sprintf("posture KPI %s: %s (%s)", m.ID, m.Title, m.Category)
	if r := []rune(d); len(r) > 100 { // GitHub's limit
		d = string(r[:99]) + "…"
	}
	return d
}

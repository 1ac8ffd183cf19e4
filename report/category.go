package report

import "strings"

// Category is one of the built-in categories of security metrics.
type Category struct {
	ID   string // as metrics, policies and the config name it
	Name string // display name
	// Color is the category's colour, hex RGB without '#': the colour of
	// the kpi:<id> labels of its metrics' GitHub issues.
	Color string
}

// Categories are the built-in categories, in display order: reports,
// the dashboard and the catalogue list the built-in categories in this
// order, custom ones after them.
var Categories = []Category{
	{ID: "detection_response", Name: "Detection & Response", Color: "5319e7"},
	{ID: "prevention_controls", Name: "Prevention & Controls", Color: "1d76db"},
	{ID: "identity_access", Name: "Identity & Access", Color: "fbca04"},
	{ID: "vulnerability_management", Name: "Vulnerability Management", Color: "b60205"},
	{ID: "operational_hygiene", Name: "Operational Hygiene", Color: "0e8a16"},
	{ID: "compliance_signals", Name: "Compliance Signals", Color: "006b75"},
}

// BuiltinCategory returns the built-in category id, or false when id is a
// custom one.
func BuiltinCategory(id string) (Category, bool) {
	for _, c := range Categories {
		if c.ID == id {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryRank orders categories: the built-in ones in display order,
// every custom one after them (len(Categories)).
func CategoryRank(id string) int {
	for i, c := range Categories {
		if c.ID == id {
			return i
		}
	}
	return len(Categories)
}

// CategoryName is the display name of a category id: the built-in name,
// else the id with underscores as spaces and the first letter upper-cased
// ("Uncategorised" for none).
func CategoryName(id string) string {
	if c, ok := BuiltinCategory(id); ok {
		return c.Name
	}
	if id == "" {
		return "Uncategorised"
	}
	r := []rune(strings.ReplaceAll(id, "_", " "))
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

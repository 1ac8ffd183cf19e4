package output

import "github.com/localizevideos/posture/report"

// The helpers below let other renderers (monthly aggregates, quarterly
// reviews, dashboards) print values, targets and statuses exactly as the
// report formats do.

// FormatValue prints a value with its unit ("3.5 h", "12.5 %", "4"; "—" when null).
func FormatValue(v *float64, unit string) string { return formatValue(v, unit) }

// FormatNumber prints a number rounded for its unit, without trailing zeros.
func FormatNumber(v float64, unit string) string { return formatNumber(v, unit) }

// FormatTarget prints a target ("≤ 0", "≥ 100", "trend ↓"; "—" when none).
func FormatTarget(t report.Target, unit string) string { return formatTarget(t, unit) }

// StatusEmoji is the emoji the markdown report shows for a status.
func StatusEmoji(s report.Status) string { return statusEmoji[s] }

// TrendText is a metric's trend as the reports print it: "↓ improving (-12.5%)".
func TrendText(m report.Metric) string { return trendText(m) }

// MDText escapes plain text for markdown (one line).
func MDText(s string) string { return mdText(s) }

// CodeSpan wraps s in a markdown code span.
func CodeSpan(s string) string { return codeSpan(s) }

// Cell makes text safe inside a markdown table cell.
func Cell(s string) string { return cell(s) }

package text

import (
	"strings"

	"github.com/localizevideos/posture/report"
)

// OneLine folds line breaks so a message stays on one line.
func OneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// mdEscaper escapes the characters that would start markup in plain text.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`,
)

// MD escapes plain text for Markdown, on one line.
func MD(s string) string { return mdEscaper.Replace(OneLine(s)) }

// Code wraps s in a Markdown code span, with a longer fence when s holds
// backticks; "" stays "".
func Code(s string) string {
	s = OneLine(s)
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if fence != "`" || strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Cell makes text safe inside a Markdown table cell: one line, pipes
// escaped (GFM also honours \| inside code spans in tables).
func Cell(s string) string {
	return strings.ReplaceAll(OneLine(s), "|", `\|`)
}

var statusEmoji = map[report.Status]string{
	report.StatusPass:       "✅",
	report.StatusFail:       "❌",
	report.StatusWarn:       "⚠️",
	report.StatusTracked:    "📈",
	report.StatusNoData:     "∅",
	report.StatusUnmeasured: "❔",
	report.StatusError:      "🛑",
}

// StatusEmoji is the emoji the Markdown views show for a status.
func StatusEmoji(s report.Status) string { return statusEmoji[s] }

// MetricCell is a metric in a Markdown table: "`id` Title (gate)", safe
// inside a cell.
func MetricCell(id, title string, gate bool) string {
	s := Code(id)
	if title != "" {
		s += " " + MD(title)
	}
	if gate {
		s += " (gate)"
	}
	return Cell(s)
}

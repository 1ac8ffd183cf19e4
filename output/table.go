package output

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// Table prints aligned columns for terminals, most urgent metrics first.
type Table struct{}

// ANSI SGR sequences.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// displayWidth is the number of terminal columns s takes: ANSI escapes are
// ignored, every rune counts one except zero-width marks and format runes.
func displayWidth(s string) int {
	n := 0
	for _, r := range ansiRE.ReplaceAllString(s, "") {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			continue
		}
		n++
	}
	return n
}

func paint(on bool, code, s string) string {
	if !on || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

func statusColor(s report.Status) string {
	switch s {
	case report.StatusError, report.StatusFail:
		return ansiRed
	case report.StatusWarn:
		return ansiYellow
	case report.StatusPass:
		return ansiGreen
	case report.StatusNoData, report.StatusUnmeasured:
		return ansiDim
	}
	return ""
}

func trendColor(direction string) string {
	switch direction {
	case report.TrendImproving:
		return ansiGreen
	case report.TrendWorsening:
		return ansiRed
	case report.TrendInsufficient, "":
		return ansiDim
	}
	return ""
}

// Write implements Writer.
func (Table) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	c := opt.Color
	bw := bufio.NewWriter(w)

	fmt.Fprintf(bw, "%s · as of %s · window %d days\n\n",
		paint(c, ansiBold, projectName(r)), r.AsOf, r.WindowDays)

	rows := [][]string{{"STATUS", "METRIC", "VALUE", "TARGET", "TREND", "OWNER", "GATE"}}
	if c {
		for i, h := range rows[0] {
			rows[0][i] = paint(true, ansiBold, h)
		}
	}
	metrics := byUrgency(r.Metrics)
	for _, m := range metrics {
		gate := ""
		if m.Gate {
			gate = "gate"
		}
		trend := paint(c, trendColor(m.Trend.Direction), text.Arrow(m))
		if ch := text.Change(m); ch != "" {
			trend += " " + ch
		}
		rows = append(rows, []string{
			paint(c, statusColor(m.Status), string(m.Status)),
			m.ID,
			text.Value(m.Value, m.Unit),
			text.Target(m.Target, m.Unit),
			trend,
			m.Owner,
			gate,
		})
	}
	writeAligned(bw, rows)

	cnt := counts(metrics)
	var parts []string
	for _, s := range report.Statuses {
		parts = append(parts, paint(c && cnt[s] > 0, statusColor(s), fmt.Sprintf("%d %s", cnt[s], s)))
	}
	fmt.Fprintf(bw, "\n%d metrics: %s\n", len(metrics), strings.Join(parts, ", "))
	for _, m := range metrics {
		if m.Status == report.StatusError || m.Error != "" {
			msg := m.Error
			if msg == "" {
				msg = "evaluation error"
			}
			fmt.Fprintf(bw, "%s %s: %s\n", paint(c, ansiRed, "error:"), m.ID, text.OneLine(msg))
		}
	}
	// The gate's verdict, as the CLI's exit code and messages give it.
	v := judge(r, opt)
	colour := ansiGreen
	if !v.Passed() {
		colour = ansiRed
	}
	for _, line := range v.Lines() {
		fmt.Fprintln(bw, paint(c, colour, line))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// writeAligned prints rows as columns separated by two spaces, padded by
// display width; trailing blanks are trimmed.
func writeAligned(w io.Writer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := displayWidth(cell); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/output"
	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// explained is what `posture explain --format json` prints.
type explained struct {
	Metric      report.Metric   `json:"metric"`
	Description string          `json:"description"`
	DefinedAt   string          `json:"defined_at"`
	Inputs      []string        `json:"inputs"`
	Kinds       []string        `json:"-"` // the source kinds that feed the inputs
	Counted     []explainRecord `json:"counted"`
	Waived      []explainWaived `json:"waived"`
}

type explainRecord struct {
	Record string `json:"record"`         // origin (file:line, URL) or finding scope
	Line   string `json:"line,omitempty"` // the raw line, when the record is a file line
}

type explainWaived struct {
	Scope      string `json:"scope"`
	Origin     string `json:"origin,omitempty"`
	Exception  string `json:"exception"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approved_by,omitempty"`
	Expires    string `json:"expires"`
}

func cmdExplain(e *env, g *globals) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "show how a metric's value was reached: the records that counted, the ones waived, and why",
		ArgsUsage: "METRIC",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "snapshot", Usage: "snapshot `DIR` to evaluate (default: collect now)"},
			&cli.IntFlag{Name: "limit", Value: 200, Usage: "show at most `N` counted records (0 = all)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return exitCode(ExitError, fmt.Errorf("explain: give exactly one metric id"))
			}
			id := c.Args().First()
			if err := g.checkFormat("explain", "table", "json"); err != nil {
				return err
			}
			if c.Int("limit") < 0 {
				return exitCode(ExitError, fmt.Errorf("--limit %d: want 0 (all) or more", c.Int("limit")))
			}
			ev, err := g.evaluate(e, c.String("snapshot"), true, knownMetric("explain", id))
			if err != nil {
				return err
			}
			a, r := ev.App, ev.Report
			var m *report.Metric
			for i := range r.Metrics {
				if r.Metrics[i].ID == id {
					m = &r.Metrics[i]
				}
			}
			def := a.Engine.Definition(id)
			if m == nil || def == nil {
				return exitCode(ExitError, fmt.Errorf("explain: unknown metric %q (see `posture metrics`)", id))
			}
			out := explained{Metric: *m, Description: def.Description, DefinedAt: def.Location, Inputs: def.Inputs, Kinds: feedKinds(def),
				Counted: []explainRecord{}, Waived: []explainWaived{}}
			raw := ev.Evaluation.Raw[id]
			if raw != nil {
				recs := raw.Records
				if n := c.Int("limit"); n > 0 && len(recs) > n {
					recs = recs[:n]
				}
				lines := rawLines(a.Config.Dir, recs)
				for _, rec := range recs {
					out.Counted = append(out.Counted, explainRecord{Record: rec, Line: lines[rec]})
				}
				for _, w := range raw.Waived {
					ew := explainWaived{Scope: w.Scope, Origin: w.Origin, Exception: w.Exception}
					for _, ex := range a.Config.Exceptions {
						if ex.ID == w.Exception {
							ew.Reason, ew.ApprovedBy, ew.Expires = ex.Reason, ex.ApprovedBy, ex.Expires
						}
					}
					out.Waived = append(out.Waived, ew)
				}
			}
			return g.emit(e, func(w io.Writer) error {
				if g.format == "json" {
					return output.EncodeJSON(w, out)
				}
				return printExplain(w, &out, raw != nil && len(raw.Records) > len(out.Counted), raw)
			})
		},
	}
}

func printExplain(w io.Writer, x *explained, truncated bool, raw interface{}) error {
	m := x.Metric
	fmt.Fprintf(w, "%s — %s\n", m.ID, m.Title)
	fmt.Fprintf(w, "  category %s · owner %s · unit %s · target %s · gate %v\n", m.Category, m.Owner, m.Unit, text.TargetWords(m.Target), m.Gate)
	if x.Description != "" {
		fmt.Fprintf(w, "  definition: %s\n", x.Description)
	}
	fmt.Fprintf(w, "  defined at: %s\n", x.DefinedAt)
	fed := strings.Join(m.Sources, ", ")
	if fed == "" {
		fed = "none configured (inputs: " + strings.Join(x.Inputs, ", ") + ")"
	}
	fmt.Fprintf(w, "  fed by: %s\n", fed)
	fmt.Fprintf(w, "\n  %s\n", text.MetricWords(m))
	if m.Trend.Previous != nil {
		fmt.Fprintf(w, "  previous: %s on %s\n", text.Short(*m.Trend.Previous), m.Trend.PreviousAsOf)
	}
	if m.Status == report.StatusUnmeasured {
		fmt.Fprintf(w, "\n  No configured source feeds this metric. Add a source of kind: %s\n", strings.Join(x.Kinds, ", "))
		return nil
	}
	fmt.Fprintf(w, "\n  counted: %d\n", m.Evidence.Items)
	for _, r := range x.Counted {
		if r.Line != "" {
			fmt.Fprintf(w, "    %s\n        %s\n", r.Record, r.Line)
		} else {
			fmt.Fprintf(w, "    %s\n", r.Record)
		}
	}
	if truncated {
		fmt.Fprintf(w, "    … (use --limit 0 to list all %d)\n", m.Evidence.RecordsTotal)
	}
	fmt.Fprintf(w, "\n  waived: %d\n", len(x.Waived))
	for _, wv := range x.Waived {
		fmt.Fprintf(w, "    %s  by %s (expires %s, approved by %s): %s\n", wv.Scope, wv.Exception, wv.Expires, orDash(wv.ApprovedBy), wv.Reason)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// rawLines reads the source lines behind "path:line" records, one pass per file.
func rawLines(base string, recs []string) map[string]string {
	want := map[string]map[int]string{} // path -> line -> record
	for _, r := range recs {
		i := strings.LastIndexByte(r, ':')
		if i <= 0 || strings.Contains(r, "://") {
			continue
		}
		n, err := strconv.Atoi(r[i+1:])
		if err != nil || n <= 0 {
			continue
		}
		p := r[:i]
		if want[p] == nil {
			want[p] = map[int]string{}
		}
		want[p][n] = r
	}
	out := map[string]string{}
	paths := make([]string, 0, len(want))
	for p := range want {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := p
		if !filepath.IsAbs(full) {
			full = filepath.Join(base, p)
		}
		f, err := os.Open(full)
		if err != nil || strings.HasSuffix(full, ".gz") {
			if f != nil {
				f.Close()
			}
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		n, left := 0, len(want[p])
		for left > 0 && sc.Scan() {
			n++
			if rec, ok := want[p][n]; ok {
				line := sc.Text()
				if len(line) > 300 {
					line = line[:300] + "…"
				}
				out[rec] = line
				left--
			}
		}
		f.Close()
	}
	return out
}

var _ = app.Display

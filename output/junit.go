package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/localizevideos/posture/output/text"
	"github.com/localizevideos/posture/report"
)

// JUnit prints JUnit XML for CI test reporters: one test suite per category,
// one test case per metric. fail → failure, error → error, warn → passes with
// a note in system-out, unmeasured and no_data → a failure ("not measured")
// when the metric is gated (the gate fails on it), else skipped.
//
// The document validates against the common JUnit schema (junit-10.xsd of
// the Jenkins xUnit plugin, output/testdata): <testsuites> carries no skipped
// count (each <testsuite> does).
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties *junitPropsList `xml:"properties,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitPropsList struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Write implements Writer.
func (JUnit) Write(w io.Writer, r *report.Report, opt Options) error {
	r, err := selected(r, opt)
	if err != nil {
		return err
	}
	max := opt.maxRecords()
	all := junitSuites{Name: "posture: " + projectName(r)}
	// The Ant JUnit schema wants a timestamp without zone; as_of is UTC.
	stamp := ""
	if t, err := r.AsOfTime(); err == nil {
		stamp = t.UTC().Format("2006-01-02T15:04:05")
	}
	cats, groups := byCategory(r.Metrics)
	for _, c := range cats {
		name := orDefault(c, "uncategorised")
		s := junitSuite{
			Name:      name,
			Timestamp: stamp,
			Properties: &junitPropsList{Props: []junitProp{
				{Name: "project", Value: r.Project},
				{Name: "as_of", Value: r.AsOf},
				{Name: "window_days", Value: fmt.Sprint(r.WindowDays)},
			}},
		}
		for _, m := range groups[c] {
			tc := junitCase{ClassName: "posture." + name, Name: m.ID}
			summary := fmt.Sprintf("value %s, target %s (owner %s)",
				text.Value(m.Value, m.Unit), text.Target(m.Target, m.Unit), orDefault(m.Owner, "none"))
			switch m.Status {
			case report.StatusFail:
				tc.Failure = &junitProblem{Message: summary, Type: "fail", Body: junitDetails(m, max)}
				s.Failures++
			case report.StatusError:
				tc.Error = &junitProblem{
					Message: "evaluation error: " + text.OneLine(orDefault(m.Error, "unknown")),
					Type:    "error",
					Body:    junitDetails(m, max),
				}
				s.Errors++
			case report.StatusWarn:
				tc.SystemOut = &junitText{Text: "warning: soft target missed: " + summary + "\n" + junitDetails(m, max)}
			case report.StatusUnmeasured, report.StatusNoData:
				if opt.gated(m) {
					tc.Failure = &junitProblem{Message: MetricNotMeasured(m, len(opt.GateOn) > 0), Type: "not_measured", Body: junitDetails(m, max)}
					s.Failures++
					break
				}
				tc.Skipped = &junitSkipped{Message: string(m.Status) + ": " + statusExplain(m, false)}
				s.Skipped++
			}
			s.Cases = append(s.Cases, tc)
			s.Tests++
		}
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Suites = append(all.Suites, s)
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitDetails is the multi-line body of a failure, error or warning.
func junitDetails(m report.Metric, max int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)\n", orDefault(m.Title, m.ID), m.ID)
	fmt.Fprintf(&b, "status: %s\n", m.Status)
	fmt.Fprintf(&b, "value: %s\n", text.Value(m.Value, m.Unit))
	fmt.Fprintf(&b, "target: %s\n", text.Target(m.Target, m.Unit))
	fmt.Fprintf(&b, "owner: %s\n", orDefault(m.Owner, "none"))
	if m.Gate {
		fmt.Fprintf(&b, "gate: yes\n")
	}
	fmt.Fprintf(&b, "trend: %s\n", text.Trend(m))
	if m.Error != "" {
		fmt.Fprintf(&b, "error: %s\n", text.OneLine(m.Error))
	}
	e := m.Evidence
	shown, more := shownRecords(e, max)
	fmt.Fprintf(&b, "evidence: %d %s\n", e.Items, text.Plural(e.Items, "item", "items"))
	for _, rec := range shown {
		fmt.Fprintf(&b, "  %s\n", rec)
	}
	if more > 0 {
		fmt.Fprintf(&b, "  … and %d more\n", more)
	}
	for _, wv := range e.Waived {
		fmt.Fprintf(&b, "waived: %s (exception %s)\n", wv.Scope, wv.Exception)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", text.OneLine(e.Note))
	}
	return xmlSafe(b.String())
}

// xmlSafe drops the characters XML 1.0 cannot carry (CDATA sections are not
// escaped by encoding/xml).
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return -1
	}, s)
}

// Command harness holds the small helpers of bench/run.sh that would be
// awkward in shell:
//
//	harness check -posture REPORT.json -floor FLOOR.json [-opa OPA.json]
//	    compare posture's metric values (and item counts) with the native
//	    floor's (`floor -items`) and, when given, with the raw values of
//	    `opa eval -f json ... data.posture.metrics` rounded by unit; print
//	    every difference and exit 1 when there is one.
//	harness median HYPERFINE.json
//	    print "<command name>\t<median seconds>" for each benchmarked command.
//	harness rss TIME_V.txt
//	    print the maximum resident set size in MiB from `/usr/bin/time -v`.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "check":
		err = check(os.Args[2:])
	case "median":
		err = median(os.Args[2:])
	case "rss":
		err = rss(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: harness check -posture R.json -floor F.json [-opa O.json] | median H.json | rss TIME.txt")
	os.Exit(2)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func round(v float64, unit string) float64 {
	switch unit {
	case "count":
		return math.Round(v)
	case "percent":
		return math.Round(v*10) / 10
	}
	return math.Round(v*100) / 100
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func same(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

type postureReport struct {
	Metrics []struct {
		ID       string   `json:"id"`
		Unit     string   `json:"unit"`
		Value    *float64 `json:"value"`
		Status   string   `json:"status"`
		Evidence struct {
			Items int `json:"items"`
		} `json:"evidence"`
	} `json:"metrics"`
}

type raw struct {
	Value *float64 `json:"value"`
	Items int      `json:"items"`
}

func check(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	posturePath := fs.String("posture", "", "posture eval --format json report")
	floorPath := fs.String("floor", "", "floor -items output")
	opaPath := fs.String("opa", "", "opa eval -f json output of data.posture.metrics (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *posturePath == "" || *floorPath == "" {
		return fmt.Errorf("check: -posture and -floor are required")
	}
	var rep postureReport
	if err := readJSON(*posturePath, &rep); err != nil {
		return err
	}
	var floor map[string]raw
	if err := readJSON(*floorPath, &floor); err != nil {
		return err
	}
	var opa map[string]raw
	if *opaPath != "" {
		var out struct {
			Result []struct {
				Expressions []struct {
					Value map[string]map[string]json.RawMessage `json:"value"`
				} `json:"expressions"`
			} `json:"result"`
		}
		if err := readJSON(*opaPath, &out); err != nil {
			return err
		}
		if len(out.Result) != 1 || len(out.Result[0].Expressions) != 1 {
			return fmt.Errorf("%s: no result", *opaPath)
		}
		opa = map[string]raw{}
		for _, rules := range out.Result[0].Expressions[0].Value {
			for name, msg := range rules {
				var r raw
				if json.Unmarshal(msg, &r) == nil {
					opa[name] = r
				}
			}
		}
	}
	var bad []string
	seen := map[string]bool{}
	for _, m := range rep.Metrics {
		f, ok := floor[m.ID]
		if !ok {
			continue // a custom metric: the floor knows the 26 built-ins only
		}
		seen[m.ID] = true
		if !same(m.Value, f.Value) {
			bad = append(bad, fmt.Sprintf("%s: posture %s (%s), floor %s", m.ID, show(m.Value), m.Status, show(f.Value)))
		} else if m.Value != nil && m.Evidence.Items != f.Items {
			bad = append(bad, fmt.Sprintf("%s: items: posture %d, floor %d", m.ID, m.Evidence.Items, f.Items))
		}
		if opa == nil || m.Status == "unmeasured" || m.Status == "error" {
			continue
		}
		o, ok := opa[m.ID]
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: missing from the opa output", m.ID))
			continue
		}
		if o.Value != nil {
			v := round(*o.Value, m.Unit)
			o.Value = &v
		}
		if !same(m.Value, o.Value) {
			bad = append(bad, fmt.Sprintf("%s: posture %s, opa eval %s", m.ID, show(m.Value), show(o.Value)))
		} else if m.Evidence.Items != o.Items {
			bad = append(bad, fmt.Sprintf("%s: items: posture %d, opa eval %d", m.ID, m.Evidence.Items, o.Items))
		}
	}
	for id := range floor {
		if !seen[id] {
			bad = append(bad, fmt.Sprintf("%s: missing from the posture report", id))
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintln(os.Stderr, "MISMATCH", b)
		}
		return fmt.Errorf("%d mismatches between posture, the floor%s", len(bad), map[bool]string{true: " and opa eval", false: ""}[opa != nil])
	}
	with := "the floor"
	if opa != nil {
		with += " and opa eval"
	}
	fmt.Printf("check: %d metrics, posture agrees with %s (values and item counts)\n", len(seen), with)
	return nil
}

func median(args []string) error {
	if len(args) != 1 {
		usage()
	}
	var h struct {
		Results []struct {
			Command string  `json:"command"`
			Median  float64 `json:"median"`
		} `json:"results"`
	}
	if err := readJSON(args[0], &h); err != nil {
		return err
	}
	for _, r := range h.Results {
		fmt.Printf("%s\t%.6f\n", r.Command, r.Median)
	}
	return nil
}

func rss(args []string) error {
	if len(args) != 1 {
		usage()
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "Maximum resident set size (kbytes):"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return err
			}
			fmt.Printf("%.0f\n", kb/1024)
			return nil
		}
	}
	return fmt.Errorf("%s: no maximum resident set size", args[0])
}

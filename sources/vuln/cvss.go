package vuln

import (
	"math"
	"strconv"
	"strings"
)

// CVSSScore returns the base score of a CVSS v3.0/v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), or of a plain number
// ("7.5"). Other vectors (CVSS v2, v4) are not scored: ok is false.
func CVSSScore(s string) (score float64, ok bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 10 || math.IsNaN(f) {
			return 0, false
		}
		return f, true
	}
	if !strings.HasPrefix(s, "CVSS:3.0/") && !strings.HasPrefix(s, "CVSS:3.1/") {
		return 0, false
	}
	m := map[string]string{}
	for _, part := range strings.Split(s, "/")[1:] {
		k, v, found := strings.Cut(part, ":")
		if !found {
			return 0, false
		}
		m[k] = v
	}
	weight := func(metric string, table map[string]float64) (float64, bool) {
		w, ok := table[m[metric]]
		return w, ok
	}
	changed := m["S"] == "C"
	if m["S"] != "U" && !changed {
		return 0, false
	}
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	av, ok1 := weight("AV", map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2})
	ac, ok2 := weight("AC", map[string]float64{"L": 0.77, "H": 0.44})
	p, ok3 := weight("PR", pr)
	ui, ok4 := weight("UI", map[string]float64{"N": 0.85, "R": 0.62})
	c, ok5 := weight("C", cia)
	i, ok6 := weight("I", cia)
	a, ok7 := weight("A", cia)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return 0, false
	}
	iss := 1 - (1-c)*(1-i)*(1-a)
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	if impact <= 0 {
		return 0, true
	}
	expl := 8.22 * av * ac * p * ui
	if changed {
		return roundUp(math.Min(1.08*(impact+expl), 10)), true
	}
	return roundUp(math.Min(impact+expl, 10)), true
}

// roundUp is CVSS v3.1's Roundup: the smallest one-decimal number ≥ x.
func roundUp(x float64) float64 {
	n := int64(math.Round(x * 100000))
	if n%10000 == 0 {
		return float64(n) / 100000
	}
	return (math.Floor(float64(n)/10000) + 1) / 10
}

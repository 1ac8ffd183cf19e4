// Command gen writes a realistic, deterministic example tree for the
// performance harness (bench/run.sh): one file (or rotated file set) for
// every file source kind of posture, a posture.hcl with one source block per
// kind, an exceptions.hcl and an approved config baseline.
//
//	go run ./bench/gen -scale 10 -out /tmp/posture-bench/s10
//	go run ./bench/gen -log-bytes 1G -out /tmp/posture-bench/ingest
//
// Scale 1 is about 1k accounts, 1k tokens, 1k vulnerability findings, 100
// incidents, 200 exceptions and 10 MB of logs; scale N multiplies every
// count (and the log volume) by N. Timestamps are spread over the 45 days
// before the fixed as-of instant 2026-11-27T00:00:00Z (the reporting window
// is the last 30 of them). The same seed and scale always give the same
// bytes.
//
// With -as-of DATE the tree is the one of that day, DATE-1 being the last day of
// activity: a daily series of trees (bench/history.sh) changes from one day to
// the next the way real data does. The events (logs, incidents, alerts,
// audit findings, deployments) are drawn afresh for each day from the same
// distributions; every scanner finding has a lifetime of 45 to 365 days,
// after which its slot in the scan holds another advisory (about 0.6% of
// the findings are fixed and as many new ones appear each day); accounts,
// tokens, watched files, the approved baseline and the exceptions are those
// of the default day, moved with the date where they are relative to it
// (the baseline's approval and the exceptions' expiry dates stay put).
// -as-of 2026-11-27, the default, writes the default tree byte for byte.
//
// With -log-bytes SIZE only the ingestion set is written: one nginx access
// log and one sshd log of SIZE bytes each, with a config per log (nginx.hcl,
// sshd.hcl) holding just that source.
//
// Logs are streamed to disk through buffered writers; scale 100 (about 1 GB
// of logs) needs little memory.
package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "time/tzdata" // Europe/Berlin on machines without a zoneinfo database
)

// baseAsOf is the evaluation instant of the default tree.
var baseAsOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// asOf is the evaluation instant the generated tree is meant for (-as-of).
var asOf = baseAsOf

// span is how far back the generated activity goes.
const span = 45 * 24 * time.Hour

var berlin *time.Location

func main() {
	var (
		scale     = flag.Int("scale", 1, "scale factor N (1 = ~1k accounts, 1k tokens, 1k findings, 100 incidents, 200 exceptions, 10 MB of logs)")
		out       = flag.String("out", "", "output `DIR` (created; existing files are overwritten)")
		seed      = flag.Uint64("seed", 1, "PRNG seed")
		logBytes  = flag.String("log-bytes", "", "write only the ingestion set: one nginx access log and one sshd log of `SIZE` each (e.g. 1G, 200M)")
		wildcards = flag.Int("wildcards", 20, "wildcard exceptions among the 200×N (-1: 10% of them, scaling with N)")
		asOfFlag  = flag.String("as-of", baseAsOf.Format(time.DateOnly), "the `DATE` (YYYY-MM-DD) the tree is for: its activity ends the day before")
	)
	flag.Parse()
	if *out == "" || *scale < 1 {
		fmt.Fprintln(os.Stderr, "usage: gen -scale N [-as-of DATE] -out DIR | gen -log-bytes SIZE -out DIR")
		os.Exit(2)
	}
	var err error
	if berlin, err = time.LoadLocation("Europe/Berlin"); err != nil {
		fatal(err)
	}
	d, err := time.Parse(time.DateOnly, *asOfFlag)
	if err != nil {
		fatal(fmt.Errorf("-as-of: %w", err))
	}
	asOf = d
	g := &gen{dir: *out, scale: *scale, seed: *seed, day: int(asOf.Sub(baseAsOf) / (24 * time.Hour))}
	start := time.Now()
	if *logBytes != "" {
		n, err := parseSize(*logBytes)
		if err != nil {
			fatal(err)
		}
		err = g.ingestion(n)
		if err != nil {
			fatal(err)
		}
	} else {
		g.wildcards = *wildcards
		if g.wildcards < 0 {
			g.wildcards = 20 * g.scale
		}
		if err := g.tree(); err != nil {
			fatal(err)
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %s in %s (%s of logs)\n", *out, time.Since(start).Round(time.Millisecond), human(g.logBytes))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// gen holds the parameters and what later files need from earlier ones.
type gen struct {
	dir       string
	scale     int
	seed      uint64
	day       int // days from baseAsOf to asOf
	wildcards int
	logBytes  int64

	// Filled while writing, used by the exceptions.
	highKeys     []string // open high/critical vulnerability keys
	orphans      []string // <system>/<login> of orphaned active accounts
	noMFAAdmins  []string // <system>/<login> of active privileged accounts without MFA
	configPaths  []string // watched config files as recorded (relative to the config)
	bastionUsers []string // logins of the bastion accounts (sshd Accepted lines)
}

// rng returns a PRNG for one named stream: each file draws from its own, so
// changing one generator does not shift the others.
func (g *gen) rng(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(g.seed, h.Sum64()))
}

// events returns the PRNG of an event stream (a log, the incidents, the
// deployments…): the default tree's stream on the default day, another one
// on every other day.
func (g *gen) events(name string) *rand.Rand {
	if g.day == 0 {
		return g.rng(name)
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(g.seed^(uint64(int64(g.day))*0x9e3779b97f4a7c15), h.Sum64()))
}

// churned reports whether slot i of the named finding stream holds another
// finding on g.day than on the default day, and if so returns a PRNG for
// drawing it. Each slot keeps a finding for a lifetime of 45 to 365 days
// (fixed per slot), then a new one takes its place.
func (g *gen) churned(name string, i int) (*rand.Rand, bool) {
	if g.day == 0 {
		return nil, false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", name, i)
	x := h.Sum64()
	life := 45 + int(x%321)
	phase := int((x >> 20) % uint64(life))
	gen := func(day int) int { // floor((day+phase)/life) for negative days too
		n := day + phase
		if n < 0 {
			return -((-n + life - 1) / life)
		}
		return n / life
	}
	k := gen(g.day)
	if k == gen(0) {
		return nil, false
	}
	return rand.New(rand.NewPCG(g.seed^x, uint64(int64(k)))), true
}

func (g *gen) path(rel string) string { return filepath.Join(g.dir, filepath.FromSlash(rel)) }

// tree writes the whole example tree at g.scale.
func (g *gen) tree() error {
	steps := []func() error{
		g.accounts, g.tokens, g.incidentsAndAlerts, g.auditFindings, g.deployments,
		g.trivy, g.grype, g.govulncheck, g.sarif, g.configFiles,
		g.sshdLogs, g.accessLogs, g.errorLogs, g.appLogs, g.fail2banLogs,
		g.exceptions, g.config,
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// Log volume at scale 1, by log kind (10 MB in total).
const (
	mb               = 1 << 20
	accessLogBytes   = 5.9 * mb
	sshdLogBytes     = 1.8 * mb
	errorLogBytes    = 0.8 * mb
	appLogBytes      = 1.0 * mb
	fail2banLogBytes = 0.5 * mb
)

func (g *gen) budget(perScale float64) int64 { return int64(perScale * float64(g.scale)) }

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("-log-bytes: %q is not a size such as 1G or 200M", s)
	}
	return int64(f * float64(mult)), nil
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// ingestion writes the ingestion set: access.log and auth.log of n bytes
// each and one config per log.
func (g *gen) ingestion(n int64) error {
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return err
	}
	g.bastionUsers = []string{"anna.keller", "tomasz.nowak", "deploy", "ansible", "julia.berg"}
	if err := g.accessLog(n, []segment{{path: "access.log"}}); err != nil {
		return err
	}
	if err := g.sshdLog(n, []segment{{path: "auth.log", syslog: true}}); err != nil {
		return err
	}
	for _, c := range []struct{ file, kind, name, path string }{
		{"nginx.hcl", "nginx_access_log", "edge", "access.log"},
		{"sshd.hcl", "sshd_log", "bastion", "auth.log"},
	} {
		body := configHeader + fmt.Sprintf("source %q %q {\n  paths = [%q]\n}\n", c.kind, c.name, c.path)
		if err := os.WriteFile(g.path(c.file), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Helpers shared by the generators.

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// within returns an instant uniformly in [from, to).
func within(r *rand.Rand, from, to time.Time) time.Time {
	d := to.Sub(from)
	if d <= 0 {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(d))))
}

func days(n float64) time.Duration { return time.Duration(n * float64(24*time.Hour)) }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func hexString(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

var (
	firstNames = []string{"anna", "tomasz", "julia", "lukas", "mia", "jonas", "lea", "felix", "sofia", "noah",
		"emma", "paul", "hannah", "elias", "clara", "ben", "marie", "leon", "lina", "finn", "ida", "theo",
		"amelie", "henry", "nora", "oskar", "frieda", "karl", "greta", "jan", "ole", "pia"}
	lastNames = []string{"keller", "nowak", "berg", "meyer", "huber", "schmidt", "fischer", "weber", "wagner",
		"becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann", "schwarz", "braun",
		"zimmermann", "krueger", "hartmann", "lange", "werner", "krause", "lehmann", "koehler", "mayer"}
)

// person returns a login like "anna.keller" (with a number when i passes the
// name combinations, so logins stay unique per system).
func person(i int) string {
	n := len(firstNames) * len(lastNames)
	s := firstNames[i%len(firstNames)] + "." + lastNames[(i/len(firstNames))%len(lastNames)]
	if i >= n {
		s += strconv.Itoa(i / n)
	}
	return s
}

// Package ledger keeps the history of vulnerability keys across reports
// (docs/configuration.md#vulnerability-findings) in <reports_dir>/vulnerabilities.json, a human-readable
// JSON file committed with the reports (its model, reading and writing are
// store.Ledger's).
//
// Scanner files (the findings of the kinds that provide them as
// snapshot.TraitScanner: trivy, grype, govulncheck, sarif) only list what
// is open now, so the ledger remembers, for each finding key, the report dates on
// which it was listed and those on which its scanner ran and did not list
// it. From those observations it derives, for any date D:
//
//   - first_seen: the as-of of the first report that listed the key;
//   - fixes: a key listed by one report and absent from a later one is fixed
//     at the as-of of the first report without it;
//   - reopenings: a key fixed before and listed again is open again (a
//     repeat finding).
//
// A key is "absent" on a date only when a scanner source that listed it
// before was collected successfully that day and none of its sources
// failed; when its source failed or is no longer configured nothing is
// concluded (the key is neither listed nor fixed that day).
//
// Scanner sources are named by their id "<kind>.<name>" (a source is
// identified by its kind and name together). Ledgers written before carry
// bare source names; such a name matches the id of any scanner source of
// that name, so their history carries on (see sameSource).
//
// The observations are stored per report date (which scanner sources ran or
// failed; on which dates each key was listed), and everything else is
// derived from them, so re-running a date replaces that date's observation
// and dates may be reported in any order with the same result: the state at
// D only uses observations dated on or before D.
//
// GitHub alerts carry their own created/fixed dates and are not followed.
package ledger

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/store"
)

// Schema is the value of the file's "schema" (its format version).
const Schema = store.LedgerSchema

// FileName is the ledger's file name in the reports folder.
const FileName = store.LedgerFile

// Scanner reports whether the ledger follows the findings of a source kind:
// those it provides as scanner findings (snapshot.TraitScanner), which a
// scan lists only while they are open.
func Scanner(kind string) bool {
	return snapshot.KindHas(kind, snapshot.Vulnerabilities.Name(), snapshot.TraitScanner)
}

// Path is the ledger file of a reports folder.
func Path(reportsDir string) string { return store.LedgerPath(reportsDir) }

// Ledger is the content of vulnerabilities.json (the file's model is
// store.Ledger; this is the same struct with the ledger's operations).
type Ledger store.Ledger

// Seen is what one report observed of the scanner sources.
type Seen = store.Seen

// Finding is the history of one key.
type Finding = store.Finding

// Episode is one period during which a key was open.
type Episode = store.Episode

// New returns an empty ledger.
func New() *Ledger { return (*Ledger)(store.NewLedger()) }

// Load reads a ledger file; a missing file is an empty ledger (see
// store.LoadLedger).
func Load(path string) (*Ledger, error) {
	l, err := store.LoadLedger(path)
	return (*Ledger)(l), err
}

// Encode serialises the ledger (indented, keys sorted, trailing newline).
func (l *Ledger) Encode() ([]byte, error) { return (*store.Ledger)(l).Encode() }

// Save writes the ledger atomically (temporary file and rename).
func (l *Ledger) Save(path string) error { return (*store.Ledger)(l).Save(path) }

// Observation is what one snapshot says about the scanner findings.
type Observation struct {
	Date   string                            // YYYY-MM-DD (UTC)
	AsOf   string                            // RFC 3339
	Listed map[string]snapshot.Vulnerability // key -> record (highest severity)
	By     map[string][]string               // key -> ids of the sources listing it
	OK     map[string]bool                   // ids of the scanner sources collected
	Failed map[string]bool                   // ids of the scanner sources that failed
}

var severityRank = map[string]int{"critical": 5, "high": 4, "medium": 3, "low": 2, "unknown": 1}

// Observe reads the open scanner findings of a snapshot taken for asOf.
func Observe(snap *snapshot.Snapshot, asOf time.Time) *Observation {
	asOf = asOf.UTC()
	o := &Observation{
		Date: asOf.Format("2006-01-02"), AsOf: asOf.Format(time.RFC3339),
		Listed: map[string]snapshot.Vulnerability{}, By: map[string][]string{},
		OK: map[string]bool{}, Failed: map[string]bool{},
	}
	for _, p := range snap.Parts {
		if !Scanner(p.Kind) {
			continue
		}
		id := p.ID()
		if p.Failed() {
			o.Failed[id] = true
			continue
		}
		o.OK[id] = true
		for _, v := range p.Data.Vulnerabilities {
			if !isOpen(v) || v.Key == "" {
				continue
			}
			if cur, ok := o.Listed[v.Key]; !ok || severityRank[v.Severity] > severityRank[cur.Severity] {
				o.Listed[v.Key] = v
			}
			if !slices.Contains(o.By[v.Key], id) {
				o.By[v.Key] = append(o.By[v.Key], id)
			}
		}
	}
	return o
}

func isOpen(v snapshot.Vulnerability) bool { return v.State == "open" || v.State == "" }

// Record adds (or replaces) the observation of its date.
func (l *Ledger) Record(o *Observation) {
	l.Reports[o.Date] = o.seen()
	tl := l.timeline("")
	at := tl.index(o.Date)
	for k := range o.Listed {
		if l.Findings[k] == nil {
			l.Findings[k] = &Finding{}
		}
	}
	for k, f := range l.Findings {
		mask := tl.mask(f)
		_, isListed := o.Listed[k]
		mask[at] = isListed
		if isListed {
			f.Sources = withSources(f.Sources, o.By[k])
			if tl.lastListed(mask) == at || f.ID == "" {
				describe(f, o.Listed[k])
			}
		}
		f.Listed = tl.compress(mask)
		if len(f.Listed) == 0 {
			delete(l.Findings, k) // only ever listed by an observation now replaced
			continue
		}
		summarise(f, tl, tl.episodes(f.Sources, mask, len(tl.dates)))
	}
}

func (o *Observation) seen() *Seen {
	return &Seen{AsOf: o.AsOf, Scanned: sortedSet(o.OK), Failed: sortedSet(o.Failed)}
}

// withSources adds the sources of by missing from have, sorted; a bare
// name of an older ledger is replaced by the id that matches it.
func withSources(have, by []string) []string {
	out := have
	for _, s := range by {
		if slices.Contains(out, s) {
			continue
		}
		kept := out[:0:0]
		for _, h := range out {
			if !sameSource(h, s) {
				kept = append(kept, h)
			}
		}
		out = append(kept, s)
	}
	sort.Strings(out)
	return out
}

// isID reports whether s is a scanner source id "<kind>.<name>" rather than
// the bare name an older ledger recorded.
func isID(s string) bool {
	kind, name, ok := strings.Cut(s, ".")
	return ok && name != "" && Scanner(kind)
}

// sameSource reports whether two recorded sources are the same: equal, or
// a bare name of an older ledger and an id of that name.
func sameSource(a, b string) bool {
	if a == b {
		return true
	}
	switch idA, idB := isID(a), isID(b); {
	case idA && !idB:
		_, name, _ := strings.Cut(a, ".")
		return name == b
	case idB && !idA:
		_, name, _ := strings.Cut(b, ".")
		return name == a
	}
	return false
}

// containsSource is contains with sameSource.
func containsSource(xs []string, x string) bool {
	return slices.ContainsFunc(xs, func(y string) bool { return sameSource(y, x) })
}

// describe takes the finding's description from a record.
func describe(f *Finding, v snapshot.Vulnerability) {
	f.ID, f.Package, f.Target, f.Severity, f.Scanner, f.Title = v.ID, v.Package, v.Target, v.Severity, v.Scanner, v.Title
}

// timeline is the report dates of a ledger in order (those on or before a
// cut date), with what each report saw: a finding's observations are a
// mask over its dates.
type timeline struct {
	dates []string
	seen  []*Seen
}

// timeline returns the ledger's report dates on or before cut ("" = all).
func (l *Ledger) timeline(cut string) *timeline {
	tl := &timeline{dates: make([]string, 0, len(l.Reports))}
	for d := range l.Reports {
		if cut == "" || d <= cut {
			tl.dates = append(tl.dates, d)
		}
	}
	sort.Strings(tl.dates)
	tl.seen = make([]*Seen, len(tl.dates))
	for i, d := range tl.dates {
		tl.seen[i] = l.Reports[d]
	}
	return tl
}

// index is the position of date d, which must be one of the dates.
func (tl *timeline) index(d string) int { return sort.SearchStrings(tl.dates, d) }

// mask expands the listed ranges of f over the dates.
func (tl *timeline) mask(f *Finding) []bool {
	m := make([]bool, len(tl.dates))
	for _, r := range f.Listed {
		a, b, ok := strings.Cut(r, "..")
		if !ok {
			b = a
		}
		for i := sort.SearchStrings(tl.dates, a); i < len(tl.dates) && tl.dates[i] <= b; i++ {
			m[i] = true
		}
	}
	return m
}

func (tl *timeline) lastListed(mask []bool) int {
	for i := len(mask) - 1; i >= 0; i-- {
		if mask[i] {
			return i
		}
	}
	return -1
}

// compress writes the listed dates as ranges of consecutive report dates.
func (tl *timeline) compress(mask []bool) []string {
	out := []string{}
	for i := 0; i < len(mask); i++ {
		if !mask[i] {
			continue
		}
		j := i
		for j+1 < len(mask) && mask[j+1] {
			j++
		}
		if i == j {
			out = append(out, tl.dates[i])
		} else {
			out = append(out, tl.dates[i]+".."+tl.dates[j])
		}
		i = j
	}
	return out
}

// absentAt: the key is not listed on the i-th date, none of its sources
// failed that day, and one of them ran.
func (tl *timeline) absentAt(sources []string, i int) bool {
	seen := tl.seen[i]
	if seen == nil {
		return false
	}
	ran := false
	for _, s := range sources {
		if containsSource(seen.Failed, s) {
			return false
		}
		ran = ran || containsSource(seen.Scanned, s)
	}
	return ran
}

// episodes derives the open periods of a key from its observations on the
// first n dates.
func (tl *timeline) episodes(sources []string, mask []bool, n int) []episode {
	var eps []episode
	for i := 0; i < n; i++ {
		switch {
		case mask[i]:
			if k := len(eps); k == 0 || eps[k-1].fixed >= 0 {
				eps = append(eps, episode{opened: i, lastSeen: i, fixed: -1})
			} else {
				eps[k-1].lastSeen = i
			}
		case tl.absentAt(sources, i):
			if k := len(eps); k > 0 && eps[k-1].fixed < 0 {
				eps[k-1].fixed = i
			}
		}
	}
	return eps
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// episode is an Episode with date indexes instead of instants; fixed is
// -1 while open.
type episode struct {
	opened, lastSeen, fixed int
}

// asOf is the as-of instant of the report of the i-th date.
func (tl *timeline) asOf(i int) string { return tl.seen[i].AsOf }

// summarise derives the finding's summary fields from its episodes.
func summarise(f *Finding, tl *timeline, eps []episode) {
	f.History = make([]Episode, len(eps))
	for i, e := range eps {
		f.History[i] = Episode{Opened: tl.asOf(e.opened), LastSeen: tl.asOf(e.lastSeen)}
		if e.fixed >= 0 {
			s := tl.asOf(e.fixed)
			f.History[i].Fixed = &s
		}
	}
	f.FirstSeen, f.LastSeen, f.FixedAt, f.Reopened = "", "", nil, 0
	if n := len(f.History); n > 0 {
		f.FirstSeen = f.History[0].Opened
		f.LastSeen = f.History[n-1].LastSeen
		f.FixedAt = f.History[n-1].Fixed
		f.Reopened = n - 1
	}
}

// state is the State of key k (finding f) from its episodes; ok=false when
// it has none.
func (tl *timeline) state(k string, f *Finding, eps []episode) (State, bool) {
	if len(eps) == 0 {
		return State{}, false
	}
	s := State{Key: k, FirstSeen: tl.asOf(eps[0].opened), Reopened: len(eps) - 1, Finding: f}
	for _, e := range eps {
		if e.fixed >= 0 {
			s.Fixes = append(s.Fixes, Fix{Opened: tl.asOf(e.opened), Fixed: tl.asOf(e.fixed)})
		}
	}
	s.Open = eps[len(eps)-1].fixed < 0
	return s, true
}

// State is a key's state at a date.
type State struct {
	Key       string
	FirstSeen string   // as-of of the first report listing it (on or before the date)
	Open      bool     // listed by the latest observation on or before the date
	Fixes     []Fix    // fixes dated on or before the date, oldest first
	Reopened  int      // listings after a fix
	Finding   *Finding // the ledger entry
}

// Fix is one fix of a key: the episode it closed.
type Fix struct {
	Opened string // as-of of the report that opened the episode
	Fixed  string // as-of of the first report without the key
}

// At returns the state of every key at date (YYYY-MM-DD), from the
// observations dated on or before it, keys sorted.
func (l *Ledger) At(date string) []State {
	keys := make([]string, 0, len(l.Findings))
	for k := range l.Findings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tl := l.timeline(date)
	var out []State
	for _, k := range keys {
		f := l.Findings[k]
		if s, ok := tl.state(k, f, tl.episodes(f.Sources, tl.mask(f), len(tl.dates))); ok {
			out = append(out, s)
		}
	}
	return out
}

// statesWith is At(o.Date) of the ledger with the observation o recorded,
// computed without recording it (the ledger is not changed).
func (l *Ledger) statesWith(o *Observation) map[string]State {
	tl := &timeline{dates: make([]string, 0, len(l.Reports)+1)}
	for d := range l.Reports {
		if d != o.Date {
			tl.dates = append(tl.dates, d)
		}
	}
	tl.dates = append(tl.dates, o.Date)
	sort.Strings(tl.dates)
	tl.seen = make([]*Seen, len(tl.dates))
	for i, d := range tl.dates {
		tl.seen[i] = l.Reports[d]
	}
	at := tl.index(o.Date)
	tl.seen[at] = o.seen()
	out := make(map[string]State, max(len(l.Findings), len(o.Listed)))
	add := func(k string, f *Finding) {
		mask := tl.mask(f)
		v, isListed := o.Listed[k]
		mask[at] = isListed
		if isListed {
			cp := *f
			cp.Sources = withSources(append([]string(nil), f.Sources...), o.By[k])
			if tl.lastListed(mask) == at || cp.ID == "" {
				describe(&cp, v)
			}
			f = &cp
		}
		if s, ok := tl.state(k, f, tl.episodes(f.Sources, mask, at+1)); ok {
			out[k] = s
		}
	}
	for k, f := range l.Findings {
		add(k, f)
	}
	for k := range o.Listed {
		if l.Findings[k] == nil {
			add(k, &Finding{})
		}
	}
	return out
}

// Annotate returns a copy of snap for evaluation at asOf with the ledger's
// history merged into the scanner records, the ledger itself untouched
// (the snapshot's own observation is applied in memory):
//
//   - open scanner records get first_seen = the as-of of the first report
//     that listed their key (this one when none did before);
//   - for every fix of a key dated on or before asOf, a record with state
//     "fixed", fixed_at = the fix and first_seen = the as-of of the report
//     that opened the episode it closed, so mean_time_to_patch_days counts
//     the fixes in its window and repeat_findings sees keys fixed before.
//
// The added records carry origin "<origin>#<key>". The parts keep their
// sha256 (the snapshot on disk is not changed).
func (l *Ledger) Annotate(snap *snapshot.Snapshot, asOf time.Time, origin string) *snapshot.Snapshot {
	o := Observe(snap, asOf)
	states := l.statesWith(o)
	out := &snapshot.Snapshot{AsOf: snap.AsOf, Parts: make([]*snapshot.Part, len(snap.Parts))}
	var hosts []*snapshot.Part // scanner parts, in snapshot order
	var firstHost *snapshot.Part
	for i, p := range snap.Parts {
		out.Parts[i] = p
		if !Scanner(p.Kind) || p.Failed() {
			continue
		}
		cp := *p
		cp.Data.Vulnerabilities = append([]snapshot.Vulnerability(nil), p.Data.Vulnerabilities...)
		for j := range cp.Data.Vulnerabilities {
			v := &cp.Data.Vulnerabilities[j]
			if s, ok := states[v.Key]; ok && isOpen(*v) && v.FirstSeen == nil {
				v.FirstSeen, v.FirstSeenMS = instant(s.FirstSeen)
			}
		}
		out.Parts[i] = &cp
		hosts = append(hosts, &cp)
		if firstHost == nil {
			firstHost = &cp
		}
	}
	if firstHost == nil {
		return out
	}
	keys := make([]string, 0, len(states))
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := states[k]
		host := firstHost
	find:
		for _, src := range s.Finding.Sources {
			for _, h := range hosts {
				if sameSource(src, h.ID()) {
					host = h
					break find
				}
			}
		}
		f := s.Finding
		for _, fx := range s.Fixes {
			v := snapshot.Vulnerability{
				Key: k, ID: f.ID, Package: f.Package, Target: f.Target, Severity: f.Severity, State: "fixed",
				Title: f.Title, Scanner: f.Scanner, Source: host.ID(), Origin: origin + "#" + k,
			}
			v.FirstSeen, v.FirstSeenMS = instant(fx.Opened)
			v.FixedAt, v.FixedAtMS = instant(fx.Fixed)
			host.Data.Vulnerabilities = append(host.Data.Vulnerabilities, v)
		}
	}
	return out
}

func instant(s string) (*string, *int64) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, nil
	}
	str := t.UTC().Format(time.RFC3339)
	ms := t.UnixMilli()
	return &str, &ms
}

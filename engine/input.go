package engine

import (
	"fmt"
	"github.com/localizevideos/posture/report"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/localizevideos/posture/internal/trace"
	"github.com/localizevideos/posture/snapshot"
)

const dayMS = int64(24 * time.Hour / time.Millisecond)

// Settings are the config values policies see under input.settings.
type Settings struct {
	WindowDays             int
	InactiveDays           int
	MaxTokenLifetimeDays   int
	ProductionEnvironments []string
	AutomationActors       []string
	TrendTolerancePct      float64
}

// Exception is an approved deviation as the policies see it
// (input.exceptions, docs/input-document.md) and as reports list it. The
// pipeline translates the config's exceptions (internal/app).
type Exception struct {
	report.ExceptionRef        // Scope is the pattern as written
	ScopeRegex          string // the pattern as an anchored regular expression
	ScopePrefix         string // the pattern's literal text before its first wildcard
	Reason              string
	ExpiresEnd          time.Time // first instant after the expiry day (UTC)
	Status              string    // open or closed
	Origin              string    // where it is declared (file:line,col-col)
	// Declared is file:line of its block, the file relative to the config's
	// folder when inside it (reports and SARIF point there).
	Declared string
}

// Input is the policy input document (docs/input-document.md) in both forms:
// Doc for Go and for dumping, Value converted once for OPA.
type Input struct {
	AsOf  time.Time
	Doc   map[string]any
	Value ast.Value
	// Failed maps source kind to the ids ("<kind>.<name>") of its sources
	// that failed.
	Failed map[string][]string
	// Kinds maps each collected source kind to the ids of its sources, and
	// each "<kind>.<part>" a source provides (Part.Provides) to the ids of
	// those sources.
	Kinds map[string][]string
	// Collections maps each collection name to the ids of the sources that
	// provide it (snapshot.Part.Collections; failed ones included), and
	// each "<collection>:<trait>" to those that provide it with the trait.
	Collections map[string][]string
	// FailedCollections maps each collection name (and
	// "<collection>:<trait>") to the ids of the sources that failed and
	// whose kind may provide it.
	FailedCollections map[string][]string
}

func (in *Input) addProvider(p snapshot.Provided, id string) {
	in.Collections[p.Collection] = append(in.Collections[p.Collection], id)
	for _, t := range p.Traits {
		k := p.Collection + ":" + string(t)
		in.Collections[k] = append(in.Collections[k], id)
	}
}

type deployment struct {
	snapshot.Deployment
	Production         bool    `json:"production"`
	Successful         bool    `json:"successful"`
	PreviousSuccessSHA *string `json:"previous_success_sha"`
}

type exception struct {
	ID           string `json:"id"`
	Metric       string `json:"metric"`
	Scope        string `json:"scope"`
	ScopeRegex   string `json:"scope_regex"`
	ScopePrefix  string `json:"scope_prefix"`
	Reason       string `json:"reason"`
	Owner        string `json:"owner"`
	ApprovedBy   string `json:"approved_by"`
	Expires      string `json:"expires"`
	ExpiresEndMS int64  `json:"expires_end_ms"`
	Status       string `json:"status"`
	Origin       string `json:"origin"`
}

type sourceInfo struct {
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	OK           bool   `json:"ok"`
	Error        string `json:"error"`
	Records      int    `json:"records"`
	SkippedLines int    `json:"skipped_lines"`
}

// BuildInput merges the snapshot's parts into the input document for asOf.
func BuildInput(snap *snapshot.Snapshot, asOf time.Time, s Settings, excs []Exception) (*Input, error) {
	return BuildInputLate(snap, asOf, s, excs, nil)
}

// Late returns the snapshot whose vulnerabilities and source summaries feed
// the input: snap with its scanner parts annotated (ledger.Annotate), which
// may only change the vulnerabilities of scanner parts.
type Late func() (*snapshot.Snapshot, error)

// BuildInputLate is BuildInput where the vulnerabilities and the source
// summaries come from late, which is called while the rest of the input is
// being converted: the annotation of the findings overlaps the conversion
// of the other collections. A nil late uses snap.
func BuildInputLate(snap *snapshot.Snapshot, asOf time.Time, s Settings, excs []Exception, late Late) (*Input, error) {
	return buildInput(snap, asOf, s, excs, late, nil, nil)
}

// Input is BuildInputLate for this engine's policies: Value holds only the
// record fields they can observe (see observedFields); Doc is whole.
// With a stream (the snapshot read with EventStream.Add), the events are
// its terms and Doc has them as a term.
func (e *Engine) Input(snap *snapshot.Snapshot, asOf time.Time, s Settings, excs []Exception, late Late, stream *EventStream) (*Input, error) {
	return buildInput(snap, asOf, s, excs, late, e.fields, stream)
}

func buildInput(snap *snapshot.Snapshot, asOf time.Time, s Settings, excs []Exception, late Late, fields *projection, stream *EventStream) (*Input, error) {
	asOf = asOf.UTC()
	asOfMS := asOf.UnixMilli()
	in := &Input{AsOf: asOf, Failed: map[string][]string{}, Kinds: map[string][]string{},
		Collections: map[string][]string{}, FailedCollections: map[string][]string{}}
	windowStart := asOfMS - int64(s.WindowDays)*dayMS

	// The parts' events are gathered first and merged once, at their final
	// size; the other collections are joined by their own Value.
	events := map[string][][]snapshot.Event{}
	baseline := &snapshot.Baseline{Files: map[string]string{}}
	for _, p := range snap.Parts {
		id := p.ID()
		in.Kinds[p.Kind] = append(in.Kinds[p.Kind], id)
		for _, sub := range p.Provides {
			in.Kinds[p.Kind+"."+sub] = append(in.Kinds[p.Kind+"."+sub], id)
		}
		for _, pr := range p.Collections() {
			in.addProvider(pr, id)
		}
		if p.Failed() {
			in.Failed[p.Kind] = append(in.Failed[p.Kind], id)
			// A failed source fails every collection its kind may provide.
			for _, pr := range snapshot.KindProvides(p.Kind) {
				in.FailedCollections[pr.Collection] = append(in.FailedCollections[pr.Collection], id)
				for _, t := range pr.Traits {
					k := pr.Collection + ":" + string(t)
					in.FailedCollections[k] = append(in.FailedCollections[k], id)
				}
			}
			continue
		}
		d := &p.Data
		for t, es := range d.Events {
			if stream == nil {
				events[t] = append(events[t], es.Segments()...)
			}
		}
		if d.Baseline != nil && d.Baseline.Present {
			baseline.Present = true
			baseline.ApprovedAt, baseline.ApprovedBy = d.Baseline.ApprovedAt, d.Baseline.ApprovedBy
			for k, v := range d.Baseline.Files {
				baseline.Files[k] = v
			}
		}
	}
	// Log events outside the reporting window can count for no metric
	// (their window is part of every event metric's definition): they
	// stay in the snapshot but not in the input, so policies iterate only
	// what can count. Policies still check lib.in_window.
	inWindow := func(e *snapshot.Event) bool { return e.TimeMS > windowStart && e.TimeMS <= asOfMS }
	allEvents := make(map[string][]snapshot.Event, len(snapshot.EventTypes))
	for _, t := range snapshot.EventTypes {
		allEvents[t] = []snapshot.Event{}
	}
	for t, lists := range events {
		allEvents[t] = filterAll(lists, inWindow)
	}
	var eventsDoc any = allEvents
	if stream != nil {
		v, err := stream.value(snap.Parts)
		if err != nil {
			return nil, fmt.Errorf("input: events: %w", err)
		}
		eventsDoc = v
	}
	exc := make([]exception, 0, len(excs))
	for _, e := range excs {
		exc = append(exc, exception{
			ID: e.ID, Metric: e.Metric, Scope: e.Scope, ScopeRegex: e.ScopeRegex, ScopePrefix: e.ScopePrefix,
			Reason: e.Reason, Owner: e.Owner, ApprovedBy: e.ApprovedBy, Expires: e.Expires,
			ExpiresEndMS: e.ExpiresEnd.UnixMilli(), Status: e.Status, Origin: e.Origin,
		})
	}
	// lateValue is an entry computed from the late snapshot, resolved by
	// the conversion (toValueParallel) on its own worker.
	lateSnap := sync.OnceValues(func() (*snapshot.Snapshot, error) {
		if late == nil {
			return snap, nil
		}
		return late()
	})
	lateValue := func(f func(*snapshot.Snapshot) any) deferred {
		return func() (any, error) {
			s, err := lateSnap()
			if err != nil {
				return nil, err
			}
			return f(s), nil
		}
	}
	lower := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(x)
		}
		return out
	}
	doc := map[string]any{
		"as_of":      asOf.Format(time.RFC3339Nano),
		"as_of_ms":   asOfMS,
		"as_of_date": asOf.Format("2006-01-02"),
		"window": map[string]any{
			"days": s.WindowDays, "start_ms": asOfMS - int64(s.WindowDays)*dayMS, "end_ms": asOfMS,
		},
		"settings": map[string]any{
			"inactive_days":           s.InactiveDays,
			"inactive_cutoff_ms":      asOfMS - int64(s.InactiveDays)*dayMS,
			"max_token_lifetime_days": s.MaxTokenLifetimeDays,
			"max_token_lifetime_ms":   int64(s.MaxTokenLifetimeDays) * dayMS,
			"production_environments": lower(s.ProductionEnvironments),
			"automation_actors":       lower(s.AutomationActors),
			"trend_tolerance_pct":     s.TrendTolerancePct,
		},
		"sources":             lateValue(func(s *snapshot.Snapshot) any { return sourcesOf(s) }),
		"events":              eventsDoc,
		"baseline":            baseline,
		"exceptions":          exc,
		"compliance_findings": []ComplianceFinding{},
	}
	for _, c := range snapshot.Collections() {
		switch c {
		case snapshot.Deployments:
			doc[c.Name()] = deployments(snapshot.Deployments.Gather(snap.Parts), s.ProductionEnvironments)
		case snapshot.Vulnerabilities:
			// The ledger annotates the scanners' findings late.
			doc[c.Name()] = lateValue(func(s *snapshot.Snapshot) any { return snapshot.Vulnerabilities.Merged(s.Parts) })
		default:
			doc[c.Name()] = c.Value(snap.Parts)
		}
	}
	in.Doc = doc
	end := trace.Phase("input to AST")
	v, err := toValueParallel(doc, fields)
	end()
	if err != nil {
		if _, lateErr := lateSnap(); lateErr != nil {
			return nil, lateErr // as the producer gave it
		}
		return nil, fmt.Errorf("input: %w", err)
	}
	in.Value = v
	return in, nil
}

// Release drops the document (Doc) once Value is converted, keeping what
// the evaluation itself reads of it (the config files' contents, for the
// compliance checks): for a caller that will not dump it.
func (in *Input) Release() {
	in.Doc = map[string]any{"config_files": in.Doc["config_files"]}
}

// sourcesOf summarises every part of snap, keyed by source id
// ("<kind>.<name>": two sources of different kinds may share a name).
func sourcesOf(snap *snapshot.Snapshot) map[string]sourceInfo {
	srcs := make(map[string]sourceInfo, len(snap.Parts))
	for _, p := range snap.Parts {
		srcs[p.ID()] = sourceInfo{Name: p.Source, Kind: p.Kind, OK: !p.Failed(), Error: p.Error, Records: p.Records(), SkippedLines: p.SkippedLines}
	}
	return srcs
}

// filterAll joins the elements of lists that keep holds for, counting them
// first so the result is allocated once.
func filterAll[T any](lists [][]T, keep func(*T) bool) []T {
	n := 0
	for _, l := range lists {
		for i := range l {
			if keep(&l[i]) {
				n++
			}
		}
	}
	out := make([]T, 0, n)
	for _, l := range lists {
		for i := range l {
			if keep(&l[i]) {
				out = append(out, l[i])
			}
		}
	}
	return out
}

// toValue converts a Go document to an OPA value once (see ToValue).
func toValue(doc any) (ast.Value, error) { return ToValue(doc) }

// deployments adds the derived fields: production, successful and the sha of
// the latest successful production deployment of the same repo before each.
func deployments(in []snapshot.Deployment, prodEnvs []string) []deployment {
	prod := map[string]bool{}
	for _, e := range prodEnvs {
		prod[strings.ToLower(e)] = true
	}
	out := make([]deployment, len(in))
	order := make([]int, len(in))
	for i, d := range in {
		out[i] = deployment{Deployment: d, Production: prod[strings.ToLower(d.Environment)]}
		if d.Status == "success" {
			out[i].Successful = true
		}
		for _, s := range d.Statuses {
			if s == "success" {
				out[i].Successful = true
			}
		}
		if out[i].Statuses == nil {
			out[i].Statuses = []string{}
		}
		order[i] = i
	}
	created := func(i int) int64 {
		if out[i].CreatedAtMS == nil {
			return -1 << 62
		}
		return *out[i].CreatedAtMS
	}
	sort.SliceStable(order, func(a, b int) bool { return created(order[a]) < created(order[b]) })
	latest := map[string]string{} // repo -> sha of the latest successful production deployment so far
	for k := 0; k < len(order); {
		// Deployments created at the same instant all see the state before
		// that instant, in input order.
		j := k
		for j < len(order) && created(order[j]) == created(order[k]) {
			j++
		}
		for _, i := range order[k:j] {
			if sha, ok := latest[out[i].Repo]; ok {
				s := sha
				out[i].PreviousSuccessSHA = &s
			}
		}
		for _, i := range order[k:j] {
			if out[i].Production && out[i].Successful && out[i].CreatedAtMS != nil {
				latest[out[i].Repo] = out[i].SHA
			}
		}
		k = j
	}
	return out
}

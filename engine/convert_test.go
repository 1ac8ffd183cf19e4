package engine

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
)

// viaJSON is the reference conversion: JSON round trip + InterfaceToValue.
func viaJSON(t *testing.T, doc any) ast.Value {
	t.Helper()
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	var generic any
	require.NoError(t, util.UnmarshalJSON(b, &generic))
	v, err := ast.InterfaceToValue(generic)
	require.NoError(t, err)
	return v
}

func TestToValueMatchesJSONRoundTrip(t *testing.T) {
	s, ms := "2026-11-27T00:00:00Z", int64(1795737600000)
	yes := false
	prev := "abc"
	docs := []any{
		map[string]any{"a": 1, "b": []string{"x"}, "c": nil, "d": 2.5, "e": int64(1795737600000), "f": -3, "g": true},
		snapshot.Event{TimeMS: ms, Time: s, Source: "s", Origin: "f:1"},
		snapshot.Account{System: "okta", Login: "a", MFA: &yes, CreatedAt: &s, CreatedAtMS: &ms},
		deployment{Deployment: snapshot.Deployment{ID: "1", Statuses: []string{"success"}}, Production: true, PreviousSuccessSHA: &prev},
		snapshot.ConfigFile{Path: "p", Content: map[string]any{"k": []any{1.0, "x", json.Number("12.50"), nil}}},
		map[string][]snapshot.Event{"ban": {}, "x": nil},
		[]exception{{ID: "E", ExpiresEndMS: 1 << 52}},
		&snapshot.Baseline{Present: true, Files: map[string]string{"a": "b"}},
		snapshot.Data{},
	}
	for _, d := range docs {
		got, err := ToValue(d)
		require.NoError(t, err)
		want := viaJSON(t, d)
		assert.Equal(t, 0, ast.Compare(want, got), "%T\nwant %v\ngot  %v", d, want, got)
	}
}

func TestToValueParallelMatchesToValue(t *testing.T) {
	doc := map[string]any{"a": []int{1, 2}, "b": map[string]any{"c": "d"}, "e": nil, "f": snapshot.Event{TimeMS: 5}}
	want, err := ToValue(doc)
	require.NoError(t, err)
	got, err := ToValueParallel(doc)
	require.NoError(t, err)
	assert.Equal(t, 0, ast.Compare(want, got))
}

func TestBuildInputLateTakesFindingsAndSourcesFromTheLateSnapshot(t *testing.T) {
	ms := asOfForTest.UnixMilli() - 1000
	snap := &snapshot.Snapshot{AsOf: asOfForTest, Parts: []*snapshot.Part{
		{Source: "trivy", Kind: "trivy", Data: snapshot.Data{Vulnerabilities: []snapshot.Vulnerability{{Key: "a", State: "open"}}}},
		{Source: "sshd", Kind: "sshd_log", Data: snapshot.Data{Events: map[string]snapshot.EventList{"login_failed": snapshot.EventsOf(snapshot.Event{TimeMS: ms, Origin: "auth.log:1"})}}},
	}}
	annotated := &snapshot.Snapshot{AsOf: snap.AsOf, Parts: []*snapshot.Part{
		{Source: "trivy", Kind: "trivy", Data: snapshot.Data{Vulnerabilities: []snapshot.Vulnerability{{Key: "a", State: "open"}, {Key: "b", State: "fixed"}}}},
		snap.Parts[1],
	}}
	plain, err := BuildInput(annotated, asOfForTest, Settings{WindowDays: 30}, nil)
	require.NoError(t, err)
	calls := 0
	late, err := BuildInputLate(snap, asOfForTest, Settings{WindowDays: 30}, nil, func() (*snapshot.Snapshot, error) {
		calls++
		return annotated, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "the late snapshot is produced once")
	assert.Equal(t, 0, ast.Compare(plain.Value, late.Value), "same input as building from the annotated snapshot")
	vulns, ok := late.Doc["vulnerabilities"].([]snapshot.Vulnerability)
	require.True(t, ok, "the Go document holds the resolved value, not the producer: %T", late.Doc["vulnerabilities"])
	assert.Len(t, vulns, 2)
	assert.Equal(t, 2, late.Doc["sources"].(map[string]sourceInfo)["trivy.trivy"].Records)

	_, err = BuildInputLate(snap, asOfForTest, Settings{WindowDays: 30}, nil, func() (*snapshot.Snapshot, error) {
		return nil, errors.New("security/reports/vulnerabilities.json: line 3: bad date")
	})
	assert.EqualError(t, err, "security/reports/vulnerabilities.json: line 3: bad date", "the producer's error, not wrapped by an input key")
}

var asOfForTest = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

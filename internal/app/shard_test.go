package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/internal/shard"
)

// shardConfig writes a config with log sources over several files, table
// sources, a headers source against loopback servers, a github source
// against ghfake and a single-target source; it returns its path.
func shardConfig(t *testing.T) string {
	t.Helper()
	asOf := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const token = "ghs_SHARDtestTOKEN0000000000000000000000"
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.Token = token
	f.Owners["acme"] = "Organization"
	var repos []string
	for i := range 7 {
		full := fmt.Sprintf("acme/repo-%d", i)
		repos = append(repos, `"`+full+`"`)
		r := f.Repo(full)
		for d := range i % 3 {
			r.Deployments = append(r.Deployments, ghfake.Deployment(full, int64(100*i+d), "production", "abc", "deploy", "", asOf.AddDate(0, 0, -d-1)))
		}
	}
	t.Setenv("GITHUB_TOKEN", token)
	var urls []string
	for i := range 5 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if i%2 == 0 {
				w.Header().Set("Strict-Transport-Security", "max-age=31536000")
			}
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Header().Set("Date", "Fri, 20 Nov 2026 10:00:00 GMT") // the part records the headers
			fmt.Fprintln(w, "ok")
		}))
		t.Cleanup(srv.Close)
		urls = append(urls, `"`+srv.URL+fmt.Sprintf("/p%d", i)+`"`)
	}
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "tables"), 0o755))
	for i := range 9 {
		var b strings.Builder
		for j := range 4 + i {
			fmt.Fprintf(&b, "Nov 19 0%d:%02d:00 web sshd[1%d]: Failed password for root from 10.0.%d.%d port 22 ssh2\n", j%10, i, j, i, j)
			if j%3 == 0 {
				fmt.Fprintf(&b, "not a log line %d\n", j)
			}
			if j%2 == 0 {
				fmt.Fprintf(&b, "Nov 19 0%d:%02d:30 web sshd[2%d]: Accepted publickey for deploy from 10.1.%d.%d port 22 ssh2\n", j%10, i, j, i, j)
			}
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "logs", fmt.Sprintf("auth-%d.log", i)), []byte(b.String()), 0o644))
	}
	for i := range 4 {
		csv := "id,title,severity,started_at,detected_at,resolved_at\n"
		for j := range 3 {
			csv += fmt.Sprintf("INC-%d-%d,incident,high,2026-11-0%dT10:00:00Z,2026-11-0%dT11:00:00Z,\n", i, j, j+1, j+1)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "tables", fmt.Sprintf("incidents-%d.csv", i)), []byte(csv), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte("system,login,role,privileged,status,mfa,created_at,last_active_at\ngithub,alice,admin,true,active,true,,\n"), 0o644))
	body := strings.Join(strings.SplitAfter(cfg, "\n")[:8], "") + `reports_dir = "reports"
source "sshd_log" "auth" { paths = ["logs/auth-*.log"] }
source "sshd_log" "more" { paths = ["logs/auth-[0-3].log", "logs/auth-8.log"] }
source "incidents" "inc" { paths = ["tables/*.csv"] }
source "accounts" "acc" { paths = ["accounts.csv"] }
source "headers" "web" { urls = [` + strings.Join(urls, ", ") + `] }
source "github" "gh" {
  owner   = "acme"
  api_url = "` + f.APIURL() + `"
  collect = ["deployments"]
  repos   = [` + strings.Join(repos, ", ") + `]
}
`
	path := filepath.Join(dir, "posture.hcl")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

// Three shards merged give the snapshot of an unsharded collection: every
// part file byte for byte (same sha256), the same manifest but for the
// collection times, and the same evaluation.
func TestShardedCollectionMergesToTheUnshardedSnapshot(t *testing.T) {
	ctx := context.Background()
	path := shardConfig(t)
	out := t.TempDir()
	asOf := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	whole, err := Snapshot(ctx, Request{Config: path, AsOf: asOf}, filepath.Join(out, "whole"))
	require.NoError(t, err)
	require.NoError(t, SourceErrors(whole.Snapshot))

	var dirs []string
	for i := 3; i >= 1; i-- { // merge must not depend on the order given
		d := filepath.Join(out, fmt.Sprintf("shard-%d", i))
		s, err := Snapshot(ctx, Request{Config: path, AsOf: asOf, Shard: shard.Spec{Index: i, Count: 3}}, d)
		require.NoError(t, err)
		require.NoError(t, SourceErrors(s.Snapshot))
		assert.Equal(t, fmt.Sprintf("%d/3", i), s.Manifest.Shard)
		assert.NotEmpty(t, s.Manifest.Config)
		for _, e := range s.Manifest.Sources {
			assert.True(t, e.Partial, e.Source)
		}
		dirs = append(dirs, d)
	}
	merged, err := Merge(ctx, filepath.Join(out, "merged"), dirs)
	require.NoError(t, err)
	require.NoError(t, SourceErrors(merged.Snapshot))

	// Every source got work in more than one shard or went whole to one.
	wm, mm := *whole.Manifest, *merged.Manifest
	require.Len(t, mm.Sources, len(wm.Sources))
	for i := range wm.Sources {
		w, m := wm.Sources[i], mm.Sources[i]
		assert.NotZero(t, w.Records, w.Source)
		a, err := os.ReadFile(filepath.Join(out, "whole", w.File))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(out, "merged", m.File))
		require.NoError(t, err)
		assert.Equal(t, string(a), string(b), "part %s", w.File)
		assert.Equal(t, w.SHA256, m.SHA256, "sha256 of %s", w.File)
		w.CollectedAt, m.CollectedAt = "", ""
		wm.Sources[i], mm.Sources[i] = w, m
	}
	wm.SHA256, mm.SHA256 = "", "" // the manifest's own digest covers collected_at
	assert.Equal(t, wm, mm, "manifests but for collected_at")
	assert.Empty(t, mm.Shard)

	report := func(dir string) string {
		ev, err := Eval(ctx, Request{Config: path, Snapshot: dir})
		require.NoError(t, err)
		if ev.Report.Snapshot != nil { // the report pins its manifest (collected_at differs) in another folder
			ev.Report.Snapshot.Dir, ev.Report.Snapshot.SHA256 = "DIR", "SHA256"
		}
		b, err := json.Marshal(ev.Report)
		require.NoError(t, err)
		return strings.ReplaceAll(string(b), dir, "DIR")
	}
	assert.Equal(t, report(filepath.Join(out, "whole")), report(filepath.Join(out, "merged")))
}

// Merge refuses shards that do not make a whole, and fails a source that
// failed in a shard, naming it.
func TestMergeRefusesIncompleteShards(t *testing.T) {
	ctx := context.Background()
	path := shardConfig(t)
	out := t.TempDir()
	asOf := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	collect := func(name string, spec shard.Spec, at time.Time) string {
		d := filepath.Join(out, name)
		_, err := Snapshot(ctx, Request{Config: path, AsOf: at, Shard: spec}, d)
		require.NoError(t, err)
		return d
	}
	s1 := collect("s1", shard.Spec{Index: 1, Count: 2}, asOf)
	s2 := collect("s2", shard.Spec{Index: 2, Count: 2}, asOf)
	s2of3 := collect("s2of3", shard.Spec{Index: 2, Count: 3}, asOf)
	late := collect("late", shard.Spec{Index: 2, Count: 2}, asOf.Add(time.Hour))
	whole := collect("whole", shard.Spec{}, asOf)

	for name, dirs := range map[string][]string{
		"missing":  {s1},
		"twice":    {s1, s1, s2},
		"mixed N":  {s1, s2of3},
		"as-of":    {s1, late},
		"unshared": {s1, whole},
		"none":     nil,
	} {
		_, err := Merge(ctx, filepath.Join(out, "m-"+name), dirs)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, ErrShards, name)
		assert.NoDirExists(t, filepath.Join(out, "m-"+name), name)
	}

	// Another config (one more source) is refused.
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(b, "source \"accounts\" \"acc2\" { paths = [\"accounts.csv\"] }\n"...), 0o644))
	other := collect("other", shard.Spec{Index: 2, Count: 2}, asOf)
	_, err = Merge(ctx, filepath.Join(out, "m-config"), []string{s1, other})
	assert.ErrorIs(t, err, ErrShards)
	assert.Contains(t, err.Error(), "different configs")

	// A source failed in one shard fails the merged snapshot, shard named.
	require.NoError(t, os.WriteFile(path, b, 0o644))
	for i := range 4 { // whichever files shard 2 reads
		require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(path), "tables", fmt.Sprintf("incidents-%d.csv", i)), []byte("no,columns\n"), 0o644))
	}
	broken := collect("broken", shard.Spec{Index: 2, Count: 2}, asOf)
	m, err := Merge(ctx, filepath.Join(out, "m-broken"), []string{s1, broken})
	require.NoError(t, err)
	errs := SourceErrors(m.Snapshot)
	require.Error(t, errs)
	assert.Contains(t, errs.Error(), "source incidents.inc: shard 2/2: ")
	for _, p := range m.Snapshot.Parts {
		assert.Nil(t, p.Shard)
	}
}

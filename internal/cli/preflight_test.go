package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A bad flag is refused before any source is collected: exit 2, the flag
// named, no request to the source's server, nothing written.
func TestBadFlagsAreRefusedBeforeCollecting(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("X-Content-Type-Options", "nosniff")
	}))
	defer srv.Close()
	config := baseConfig + fmt.Sprintf("source \"headers\" \"web\" { urls = [%q] }\n", srv.URL+"/")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"eval", "--format", "xml"}, `--format: unknown output format "xml" (valid: table, json, markdown, sarif, junit)`},
		{[]string{"gate", "--format", "xml"}, `--format: unknown output format "xml"`},
		{[]string{"report", "--format", "xml"}, `--format: unknown output format "xml"`},
		{[]string{"run", "--no-issues", "--format", "xml"}, `--format: unknown output format "xml"`},
		{[]string{"snapshot", "--format", "xml"}, `--format: unknown output format "xml"`},
		{[]string{"gate", "--metrics", "security_header_drift,made_up"}, "--metrics: unknown metric \"made_up\" (see `posture metrics`)"},
		{[]string{"explain", "made_up"}, "explain: unknown metric \"made_up\" (see `posture metrics`)"},
		{[]string{"explain", "security_header_drift", "--format", "sarif"}, `explain: format "sarif" not supported (table, json)`},
		{[]string{"explain", "--limit", "-1", "security_header_drift"}, `--limit -1: want 0 (all) or more`},
		{[]string{"eval", "-o", filepath.Join("accounts.csv", "out.json")}, `-o accounts.csv/out.json: accounts.csv is not a folder`},
		{[]string{"eval", "-o", filepath.Join("tokens.csv", "sub", "out.json")}, `-o tokens.csv/sub/out.json: tokens.csv is not a folder`},
		{[]string{"gate", "-o", "policies"}, `-o policies: is a folder, want a file`},
		{[]string{"eval", "--as-of", "yesterday"}, `--as-of "yesterday": want RFC 3339`},
		{[]string{"snapshot", "--as-of", "2026-13-01"}, `--as-of "2026-13-01": want RFC 3339`},
		{[]string{"aggregate", "--format", "sarif", "--month", "2026-11"}, `aggregate: format "sarif" not supported (table, json, markdown)`},
	} {
		t.Run(fmt.Sprint(tc.args), func(t *testing.T) {
			hits.Store(0)
			dir := fixture(t, map[string]string{"posture.hcl": config})
			code, out, errs := run(t, dir, tc.args...)
			assert.Equal(t, ExitError, code, errs)
			assert.Contains(t, errs, "posture: "+tc.msg)
			assert.Empty(t, out)
			assert.Zero(t, hits.Load(), "no source was collected")
			assert.Empty(t, wrote(t, dir), "nothing written")
		})
	}

	// The same flags, right, do collect (-o creates missing folders).
	hits.Store(0)
	dir := fixture(t, map[string]string{"posture.hcl": config})
	code, _, errs := run(t, dir, "gate", "--metrics", "security_header_drift", "--format", "json", "-o", "out/gate.json")
	assert.NotEqual(t, ExitError, code, errs)
	assert.Equal(t, int64(1), hits.Load())
	assert.FileExists(t, filepath.Join(dir, "out", "gate.json"))
}

// --month and --quarter are checked before the config is read.
func TestPeriodFlagsAreCheckedFirst(t *testing.T) {
	dir := t.TempDir() // no posture.hcl
	code, _, errs := run(t, dir, "aggregate", "--month", "2026-13")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "2026-13")
	assert.NotContains(t, errs, "posture.hcl")
	code, _, errs = run(t, dir, "review", "--quarter", "2026-Q5")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errs, "2026-Q5")
	assert.NotContains(t, errs, "posture.hcl")
}

// help and version need no valid as-of.
func TestHelpAndVersionIgnoreGlobalsTheyDoNotUse(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"--as-of", "junk", "help"}, {"--as-of", "junk", "version"}, {"-o", "nowhere/x", "--as-of", "junk"}} {
		out, errb := new(bytes.Buffer), new(bytes.Buffer)
		wd, _ := os.Getwd()
		require.NoError(t, os.Chdir(dir))
		code := Run(context.Background(), append([]string{"posture"}, args...), nil, out, errb, func(string) string { return "" })
		require.NoError(t, os.Chdir(wd))
		assert.Equal(t, ExitOK, code, "%v: %s", args, errb.String())
	}
}

package headers_test

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/internal/app"
	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/headers"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

// collect builds a headers source from c through the kind registry, as the
// config loader does, and collects it.
func collect(ctx context.Context, t testing.TB, env sources.Env, c headers.Config) (*sources.Result, error) {
	t.Helper()
	if env.Name == "" {
		env.Name = "h"
	}
	if env.AsOf.IsZero() {
		env.AsOf = time.Now().UTC()
	}
	return sourcetest.CollectKind(ctx, t, "headers", &c, env)
}

var builtEngine = sync.OnceValues(func() (*engine.Engine, error) {
	mods, err := engine.ParseFS(policies.FS, "policies/")
	if err != nil {
		return nil, err
	}
	return engine.New(context.Background(), mods, func(f string) bool { return strings.HasPrefix(f, "policies/") })
})

// evaluate runs the built-in policies over one headers part, as the CLI does.
func evaluate(t testing.TB, data snapshot.Data, excs []*config.Exception) *engine.Evaluation {
	t.Helper()
	e, err := builtEngine()
	require.NoError(t, err)
	asOf := time.Now().UTC().Truncate(time.Second)
	snap := &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{{Source: "h", Kind: "headers", Data: data}}}
	in, err := engine.BuildInput(snap, asOf, engine.Settings{WindowDays: 30, InactiveDays: 90, MaxTokenLifetimeDays: 90}, app.Exceptions(excs, ""))
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	return ev
}

// drift returns the security_header_drift result and its failing checks per URL.
func drift(t testing.TB, data snapshot.Data, excs []*config.Exception) (*engine.Raw, map[string][]string) {
	t.Helper()
	r := evaluate(t, data, excs).Raw["security_header_drift"]
	require.NotNil(t, r)
	require.NoError(t, r.Err)
	require.NotNil(t, r.Value)
	byURL := map[string][]string{}
	for _, scope := range r.Records {
		i := strings.LastIndexByte(scope, '#')
		require.Positive(t, i, scope)
		byURL[scope[:i]] = append(byURL[scope[:i]], scope[i+1:])
	}
	for _, v := range byURL {
		sort.Strings(v)
	}
	return r, byURL
}

// quietTLSServer is httptest.NewTLSServer without handshake-error logging
// (the untrusted-certificate test makes clients hang up on purpose).
func quietTLSServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

// writeCA writes srv's certificate as PEM into dir/name and returns name.
func writeCA(t testing.TB, dir string, srv *httptest.Server) string {
	t.Helper()
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), b, 0o600))
	return "ca.pem"
}

// closedURL returns an http URL on a loopback port nothing listens on.
func closedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr + "/"
}

// compliant sets headers that pass all five checks.
func compliant(h http.Header) {
	h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

package tlsprobe_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/tlsprobe"
)

const day = 24 * time.Hour

var all4 = []string{"TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3"}

func TestProbeThroughCompliancePolicy(t *testing.T) {
	p := newPKI(t)
	now := time.Now()
	year := now.Add(365 * day)

	modern := serve(t, p.leaf(t, year), tls.VersionTLS12, 0)
	legacy := serve(t, p.leaf(t, year), tls.VersionTLS10, 0)
	legacyOnly := serve(t, p.leaf(t, year), tls.VersionTLS10, tls.VersionTLS11)
	tls13Only := serve(t, p.leaf(t, year), tls.VersionTLS13, 0)
	expiring := serve(t, p.leaf(t, now.Add(10*day)), tls.VersionTLS12, 0)
	notSoon := serve(t, p.leaf(t, now.Add(15*day)), tls.VersionTLS12, 0)
	expired := serve(t, p.leaf(t, now.Add(-2*day)), tls.VersionTLS12, 0)
	selfSigned := newCert(t, nil, "self", false, true, year)
	untrusted := serve(t, tls.Certificate{Certificate: [][]byte{selfSigned.cert.Raw}, PrivateKey: selfSigned.key}, tls.VersionTLS12, 0)
	noIP := newCert(t, p.root, "localhost only", false, false, year)
	wrongName := serve(t, tls.Certificate{Certificate: [][]byte{noIP.cert.Raw}, PrivateKey: noIP.key}, tls.VersionTLS12, 0)
	inter := newCert(t, p.root, "posture test intermediate", true, false, year)
	viaInter := newCert(t, inter, "127.0.0.1", false, true, year)
	chained := serve(t, tls.Certificate{Certificate: [][]byte{viaInter.cert.Raw, inter.cert.Raw}, PrivateKey: viaInter.key}, tls.VersionTLS12, 0)
	closed := closedAddr(t)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	notTLS := strings.TrimPrefix(plain.URL, "http://")

	hosts := []string{modern, legacy, legacyOnly, tls13Only, expiring, notSoon, expired, untrusted, wrongName, chained, closed, notTLS}
	var calls []int
	env := sources.Env{BaseDir: p.dir, Progress: func(done, total int) {
		assert.Equal(t, len(hosts), total)
		calls = append(calls, done)
	}}
	res, err := collect(context.Background(), t, env, tlsprobe.Config{Hosts: hosts, CAFile: "ca.pem", Concurrency: 4})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, calls)
	assert.Equal(t, []string{p.dir + "/ca.pem"}, res.Files)
	eps := res.Data.TLSEndpoints
	require.Len(t, eps, len(hosts))
	byAddr := map[string]int{}
	for i, ep := range eps {
		assert.Equal(t, hosts[i], ep.Address, "records in configured order")
		assert.Equal(t, "tls://"+hosts[i], ep.Origin)
		assert.Equal(t, "edge", ep.Source)
		byAddr[ep.Address] = i
	}
	get := func(addr string) int { return byAddr[addr] }

	m := eps[get(modern)]
	assert.Equal(t, []string{"TLS1.2", "TLS1.3"}, m.AcceptedVersions)
	assert.True(t, m.CertVerified)
	assert.Empty(t, m.CertError)
	assert.Empty(t, m.Error)
	assert.True(t, strings.HasPrefix(m.Cipher, "TLS_AES_") || strings.HasPrefix(m.Cipher, "TLS_CHACHA20_"), m.Cipher)
	require.NotNil(t, m.CertNotAfter)
	require.NotNil(t, m.CertNotAfterMS)
	assert.Equal(t, year.UTC().Truncate(time.Second).UnixMilli(), *m.CertNotAfterMS)
	assert.Equal(t, year.UTC().Truncate(time.Second).Format(time.RFC3339), *m.CertNotAfter)

	assert.Equal(t, all4, eps[get(legacy)].AcceptedVersions, "TLS 1.0 and 1.1 probed without GODEBUG")
	lo := eps[get(legacyOnly)]
	assert.Equal(t, []string{"TLS1.0", "TLS1.1"}, lo.AcceptedVersions)
	assert.True(t, lo.CertVerified, "the certificate is judged apart from the protocol")
	assert.Contains(t, lo.Cipher, "_CBC_SHA", "a TLS 1.1 suite")
	assert.Equal(t, []string{"TLS1.3"}, eps[get(tls13Only)].AcceptedVersions)

	assert.True(t, eps[get(expiring)].CertVerified)
	ex := eps[get(expired)]
	assert.False(t, ex.CertVerified)
	assert.Contains(t, ex.CertError, "expired")
	un := eps[get(untrusted)]
	assert.False(t, un.CertVerified)
	assert.Contains(t, un.CertError, "unknown authority")
	wn := eps[get(wrongName)]
	assert.False(t, wn.CertVerified)
	assert.Contains(t, wn.CertError, "127.0.0.1")
	assert.True(t, eps[get(chained)].CertVerified, "intermediate sent by the server is used")

	cl := eps[get(closed)]
	assert.Contains(t, cl.Error, "connect:")
	assert.Contains(t, cl.Error, "connection refused")
	assert.Empty(t, cl.AcceptedVersions)
	assert.Nil(t, cl.CertNotAfter)
	assert.False(t, cl.CertVerified)
	nt := eps[get(notTLS)]
	assert.Contains(t, nt.Error, "no TLS handshake succeeded")

	js, err := json.Marshal(cl)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"accepted_versions":[]`)
	assert.Contains(t, string(js), `"cert_not_after":null`)

	// Through compliance.tls: one finding per (check, resource), carrying
	// every message of the rule's deny set for that resource.
	ev := evaluate(t, res.Data, now.UTC().Truncate(time.Second))
	reasons := map[string][]string{
		legacy:     {legacy + " accepts legacy protocol TLS1.0", legacy + " accepts legacy protocol TLS1.1"},
		legacyOnly: {legacyOnly + " accepts legacy protocol TLS1.0", legacyOnly + " accepts legacy protocol TLS1.1"},
		expiring:   {expiring + " certificate expires at " + *eps[get(expiring)].CertNotAfter + ", within 14 days"},
		expired: {
			expired + " certificate does not verify: " + ex.CertError,
			expired + " certificate expired at " + *ex.CertNotAfter,
		},
		untrusted: {untrusted + " certificate does not verify: " + un.CertError},
		wrongName: {wrongName + " certificate does not verify: " + wn.CertError},
		closed:    {closed + " could not be probed: " + cl.Error},
		notTLS:    {notTLS + " could not be probed: " + nt.Error},
	}
	var resources, wantResources []string
	for _, f := range ev.Compliance {
		assert.Equal(t, "compliance.tls", f.Check)
		assert.Equal(t, "compliance.tls:"+f.Resource, f.Scope)
		msgs := strings.Split(f.Msg, "; ")
		sort.Strings(msgs)
		want := append([]string(nil), reasons[f.Resource]...)
		sort.Strings(want)
		assert.Equal(t, want, msgs, f.Resource)
		resources = append(resources, f.Resource)
	}
	for r := range reasons {
		wantResources = append(wantResources, r)
	}
	sort.Strings(resources)
	sort.Strings(wantResources)
	assert.Equal(t, wantResources, resources, "unreachable and non-TLS endpoints are findings too")
	drift := ev.Raw["compliance_drift"]
	require.NotNil(t, drift)
	require.NoError(t, drift.Err)
	assert.Equal(t, float64(len(reasons)), *drift.Value, "one per (check, resource)")
}

// An old server: RSA key, RSA key exchange and 3DES only, TLS 1.0-1.2. Go
// no longer offers these suites by default; the probe offers them
// explicitly.
func TestOldServer(t *testing.T) {
	p := newPKI(t)
	addr := serve(t, p.rsaLeaf(t, time.Now().Add(90*day)), tls.VersionTLS10, tls.VersionTLS12,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA)
	res, err := collect(context.Background(), t, sources.Env{BaseDir: p.dir}, tlsprobe.Config{Hosts: []string{addr}, CAFile: "ca.pem"})
	require.NoError(t, err)
	ep := res.Data.TLSEndpoints[0]
	assert.Equal(t, []string{"TLS1.0", "TLS1.1", "TLS1.2"}, ep.AcceptedVersions)
	assert.Equal(t, "TLS_RSA_WITH_AES_128_CBC_SHA", ep.Cipher)
	assert.True(t, ep.CertVerified)
	assert.Empty(t, ep.Error)
}

func TestTrustedOnlyWithCAFile(t *testing.T) {
	p := newPKI(t)
	addr := serve(t, p.leaf(t, time.Now().Add(90*day)), tls.VersionTLS12, 0)

	res, err := collect(context.Background(), t, sources.Env{}, tlsprobe.Config{Hosts: []string{addr}})
	require.NoError(t, err)
	ep := res.Data.TLSEndpoints[0]
	assert.False(t, ep.CertVerified)
	assert.Contains(t, ep.CertError, "unknown authority")
	assert.Equal(t, []string{"TLS1.2", "TLS1.3"}, ep.AcceptedVersions, "versions are probed without trust")
	ev := evaluate(t, res.Data, time.Now().UTC())
	require.Len(t, ev.Compliance, 1)
	assert.Equal(t, addr, ev.Compliance[0].Resource)
	assert.Equal(t, 1.0, *ev.Raw["compliance_drift"].Value)

	res, err = collect(context.Background(), t, sources.Env{BaseDir: p.dir}, tlsprobe.Config{Hosts: []string{addr}, CAFile: "ca.pem"})
	require.NoError(t, err)
	assert.True(t, res.Data.TLSEndpoints[0].CertVerified)
	ev = evaluate(t, res.Data, time.Now().UTC())
	assert.Empty(t, ev.Compliance)
	assert.Equal(t, 0.0, *ev.Raw["compliance_drift"].Value)
}

func TestAllHostsDownIsSourceError(t *testing.T) {
	res, err := collect(context.Background(), t, sources.Env{}, tlsprobe.Config{Hosts: []string{closedAddr(t), closedAddr(t)}})
	require.Error(t, err)
	assert.Nil(t, res)
	assert.Contains(t, err.Error(), "all 2 hosts failed")
	assert.Contains(t, err.Error(), "connection refused")
}

func TestCancelled(t *testing.T) {
	p := newPKI(t)
	addr := serve(t, p.leaf(t, time.Now().Add(90*day)), tls.VersionTLS12, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := collect(ctx, t, sources.Env{}, tlsprobe.Config{Hosts: []string{addr}})
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, res)
}

func TestHandshakeTimeout(t *testing.T) {
	// Accepts TCP connections and never answers the ClientHello.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	conns := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		close(conns)
		for c := range conns {
			_ = c.Close()
		}
	})
	p := newPKI(t)
	good := serve(t, p.leaf(t, time.Now().Add(90*day)), tls.VersionTLS12, 0)
	res, err := collect(context.Background(), t, sources.Env{}, tlsprobe.Config{Hosts: []string{l.Addr().String(), good}, Timeout: "300ms"}) // long enough for the good host on a loaded machine
	require.NoError(t, err)
	assert.Equal(t, "no TLS handshake succeeded: timeout after 300ms", res.Data.TLSEndpoints[0].Error)
}

func TestConfigValidation(t *testing.T) {
	k, ok := sources.Lookup("tls")
	require.True(t, ok)
	for _, tc := range []struct {
		cfg  tlsprobe.Config
		want string
	}{
		{tlsprobe.Config{}, "hosts: at least one host:port is required"},
		{tlsprobe.Config{Hosts: []string{"example.com"}}, `hosts[0]: "example.com" is not host:port`},
		{tlsprobe.Config{Hosts: []string{"https://example.com:443"}}, "is not host:port"},
		{tlsprobe.Config{Hosts: []string{"a:443", "::1:443"}}, `hosts[1]: "::1:443" is not host:port`},
		{tlsprobe.Config{Hosts: []string{":443"}}, "no host"},
		{tlsprobe.Config{Hosts: []string{"a:https"}}, "port must be a number"},
		{tlsprobe.Config{Hosts: []string{"a:0"}}, "port must be a number from 1 to 65535"},
		{tlsprobe.Config{Hosts: []string{"a:70000"}}, "port must be"},
		{tlsprobe.Config{Hosts: []string{"a:443", "a:443"}}, `"a:443" is listed twice`},
		{tlsprobe.Config{Hosts: []string{"a:443"}, Concurrency: -2}, "concurrency"},
		{tlsprobe.Config{Hosts: []string{"a:443"}, Timeout: "soon"}, `timeout: "soon" is not a duration`},
		{tlsprobe.Config{Hosts: []string{"a:443"}, Timeout: "0s"}, "timeout: must be positive"},
	} {
		c := tc.cfg
		_, err := k.New(&c)
		require.Error(t, err, "%+v", tc.cfg)
		assert.Contains(t, err.Error(), tc.want)
	}
	_, err := k.New(&tlsprobe.Config{Hosts: []string{"a.example:443", "[::1]:8443", "10.0.0.7:993"}, Timeout: "3s", Concurrency: 1})
	assert.NoError(t, err)
	_, err = k.New(struct{}{})
	assert.Error(t, err)
}

func TestCAFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := collect(context.Background(), t, sources.Env{BaseDir: dir}, tlsprobe.Config{Hosts: []string{"127.0.0.1:1"}, CAFile: "missing.pem"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ca_file")
}

package tlsprobe_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/engine"
	"github.com/localizevideos/posture/policies"
	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
	"github.com/localizevideos/posture/sources/tlsprobe"
)

// issuer is a certificate with its key, able to sign others.
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial atomic.Int64

// newCert creates a certificate valid from a day ago to notAfter, signed by
// parent (self-signed when parent is nil). CAs get no names; leaves get
// "localhost" and, when ip, the IP 127.0.0.1.
func newCert(t testing.TB, parent *issuer, cn string, isCA, ip bool, notAfter time.Time) *issuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"posture test"}},
		NotBefore:    time.Now().Add(-24 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.IsCA = true
		tmpl.BasicConstraintsValid = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		if ip {
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &issuer{cert: c, key: key}
}

// pki is a root CA written to dir/ca.pem.
type pki struct {
	root *issuer
	dir  string
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{root: newCert(t, nil, "posture test root", true, false, time.Now().Add(10*365*24*time.Hour)), dir: t.TempDir()}
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.cert.Raw})
	require.NoError(t, os.WriteFile(filepath.Join(p.dir, "ca.pem"), b, 0o600))
	return p
}

// leaf issues a leaf for 127.0.0.1 expiring at notAfter; the chain holds the
// leaf then any intermediates.
func (p *pki) leaf(t testing.TB, notAfter time.Time) tls.Certificate {
	l := newCert(t, p.root, "127.0.0.1", false, true, notAfter)
	return tls.Certificate{Certificate: [][]byte{l.cert.Raw}, PrivateKey: l.key, Leaf: l.cert}
}

// rsaLeaf issues an RSA-keyed leaf for 127.0.0.1 (old servers' usual key).
func (p *pki) rsaLeaf(t testing.TB, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-24 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.root.cert, &key.PublicKey, p.root.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serve runs a TLS server on 127.0.0.1 with the given versions and
// certificate (and cipher suites, default when none); it returns host:port.
func serve(t testing.TB, cert tls.Certificate, minV, maxV uint16, suites ...uint16) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: minV, MaxVersion: maxV, CipherSuites: suites})
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, c) // until the client hangs up
			}()
		}
	}()
	return l.Addr().String()
}

// closedAddr returns a loopback host:port nothing listens on.
func closedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// collect builds a tls source from c through the kind registry and collects it.
func collect(ctx context.Context, t testing.TB, env sources.Env, c tlsprobe.Config) (*sources.Result, error) {
	t.Helper()
	if env.Name == "" {
		env.Name = "edge"
	}
	return sourcetest.CollectKind(ctx, t, "tls", &c, env)
}

var builtEngine = sync.OnceValues(func() (*engine.Engine, error) {
	mods, err := engine.ParseFS(policies.FS, "policies/")
	if err != nil {
		return nil, err
	}
	return engine.New(context.Background(), mods, func(f string) bool { return strings.HasPrefix(f, "policies/") })
})

// evaluate runs the built-in policies over one tls part, as the CLI does.
func evaluate(t testing.TB, data snapshot.Data, asOf time.Time) *engine.Evaluation {
	t.Helper()
	e, err := builtEngine()
	require.NoError(t, err)
	snap := &snapshot.Snapshot{AsOf: asOf, Parts: []*snapshot.Part{{Source: "edge", Kind: "tls", Data: data}}}
	in, err := engine.BuildInput(snap, asOf, engine.Settings{WindowDays: 30, InactiveDays: 90, MaxTokenLifetimeDays: 90}, nil)
	require.NoError(t, err)
	ev, err := e.Evaluate(context.Background(), in)
	require.NoError(t, err)
	require.NoError(t, ev.ComplianceErr)
	return ev
}

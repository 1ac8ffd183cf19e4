// Package tlsprobe is the `tls` source (docs/configuration.md#tls): for each configured
// host:port it attempts one TLS handshake per protocol version (TLS 1.3,
// 1.2, 1.1, 1.0) and records a snapshot.TLSEndpoint with the versions
// accepted, the leaf certificate's expiry and whether the certificate chain
// verifies. It never judges: the built-in compliance check compliance.tls
// (policies/compliance/tls.rego) does.
//
// Configuration:
//
//	source "tls" "edge" {
//	  hosts       = ["localizevideos.example:443", "10.0.0.7:8443"]  # required
//	  ca_file     = "internal-ca.pem" # PEM bundle added to the system roots, relative to the config
//	  timeout     = "10s"             # per handshake, connect included (default 10s)
//	  concurrency = 8                 # hosts probed in parallel (default 8)
//	}
//
// Probing handshakes pin MinVersion = MaxVersion to one version and offer
// every cipher suite crypto/tls implements (tls.CipherSuites and
// tls.InsecureCipherSuites), so old servers can be probed; they skip
// certificate verification. Setting MinVersion explicitly is what lets a Go
// client offer TLS 1.0 and 1.1 (Go 1.22 raised only the default minimum);
// no GODEBUG setting is needed. Two limits of crypto/tls remain: it has no
// SSLv3, and since Go 1.25 it refuses SHA-1 signatures in TLS 1.2 handshakes,
// so a server that can only sign with SHA-1 is recorded as not accepting
// TLS 1.2.
//
// Verification: the chain presented in the best (highest version) handshake
// is verified with crypto/x509 exactly as crypto/tls does in a verifying
// handshake (roots = system pool plus ca_file, intermediates as sent, name =
// the host), at the time of the probe. Verifying that chain rather than
// opening a separate default-config connection keeps protocol support apart
// from certificate validity: a TLS 1.0-only server with a good certificate is
// recorded as verified (and flagged for the legacy protocol), not as "does
// not verify: protocol version not supported". cert_error is x509's text.
//
// A host where no handshake succeeded (closed port, not TLS) is recorded with
// Error set and no versions; when the first connection cannot be made the
// remaining probes are skipped. When every host fails the source fails.
package tlsprobe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"github.com/localizevideos/posture/sources/internal/probe"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// Defaults.
const (
	DefaultConcurrency = probe.DefaultConcurrency
	DefaultTimeout     = probe.DefaultTimeout
)

// Versions are the probed protocol versions, best first.
var Versions = []uint16{tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS11, tls.VersionTLS10}

// Config is the configuration of a tls source.
type Config struct {
	Hosts       []string `hcl:"hosts" doc:"Endpoints to probe as host:port (localizevideos.example:443), each listed once."`
	CAFile      string   `hcl:"ca_file,optional" doc:"PEM bundle of extra CA certificates trusted besides the system roots (an internal CA), relative to the config file's folder."`
	Timeout     string   `hcl:"timeout,optional" doc:"Time allowed per handshake, connecting included: a Go duration (10s, 1m30s)."`
	Concurrency int      `hcl:"concurrency,optional" doc:"How many hosts are probed in parallel."`
}

//go:embed tls.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:        "tls",
		Summary:     "TLS endpoints: versions accepted (1.0-1.3), certificate expiry and validity (hosts, ca_file, timeout, concurrency)",
		Doc:         doc,
		Defaults:    map[string]any{"concurrency": DefaultConcurrency, "timeout": DefaultTimeout},
		Collections: []snapshot.Provided{{Collection: snapshot.TLSEndpoints.Name()}},
		Shardable:   true, // the hosts are shared out
		Build:       sources.Typed(New),
	})
}

// Source probes the configured hosts.
type Source struct {
	hosts       []string
	concurrency int
	timeout     time.Duration
	caFile      string
}

// New validates c and builds the source.
func New(c *Config) (*Source, error) {
	if err := probe.Targets("hosts", "host:port", c.Hosts, checkHostPort); err != nil {
		return nil, err
	}
	set, err := probe.ParseSettings(c.Concurrency, c.Timeout, c.CAFile)
	if err != nil {
		return nil, err
	}
	return &Source{hosts: append([]string(nil), c.Hosts...), concurrency: set.Concurrency, timeout: set.Timeout, caFile: set.CAFile}, nil
}

func checkHostPort(hp string) error {
	host, port, err := net.SplitHostPort(hp)
	if err != nil || strings.Contains(hp, "/") {
		return fmt.Errorf("%q is not host:port (for example \"example.com:443\")", hp)
	}
	if host == "" || strings.TrimSpace(host) != host {
		return fmt.Errorf("%q: no host", hp)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port must be a number from 1 to 65535", hp)
	}
	return nil
}

// Collect probes every host with at most concurrency hosts in flight.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	res := &sources.Result{}
	pool, caPath, err := probe.CertPool(env.BaseDir, s.caFile)
	if err != nil {
		return nil, err
	}
	if caPath != "" {
		res.Files = []string{caPath}
	}
	p := &prober{roots: pool, timeout: s.timeout, source: env.ID(), dialer: &net.Dialer{Timeout: s.timeout}}
	// In a sharded run, only this shard's hosts (env.Owns).
	var todo []string
	var units sources.Units
	for _, t := range s.hosts {
		if env.Owns(t) {
			todo = append(todo, t)
		}
	}
	eps := make([]snapshot.TLSEndpoint, len(todo))
	probe.ForEach(ctx, len(todo), s.concurrency, func(i int) {
		eps[i] = p.probe(ctx, todo[i])
	}, env.Report)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	failed := 0
	for _, ep := range eps {
		if ep.Error != "" {
			failed++
		}
	}
	if failed == len(eps) && len(eps) > 0 {
		return nil, fmt.Errorf("all %d hosts failed; %s: %s", len(eps), eps[0].Address, eps[0].Error)
	}
	res.Data.TLSEndpoints = eps
	for _, t := range s.hosts {
		if !env.Owns(t) {
			units.Skip(env, t)
			continue
		}
		units.Done(env, t, nil, map[string]int{snapshot.TLSEndpoints.Name(): 1}, 0)
	}
	res.Units = units.List(env)
	return res, nil
}

// probeSuites is every cipher suite crypto/tls implements, secure ones first
// (TLS 1.3 suites are not configurable and always offered).
var probeSuites = func() []uint16 {
	var ids []uint16
	for _, cs := range tls.CipherSuites() {
		ids = append(ids, cs.ID)
	}
	for _, cs := range tls.InsecureCipherSuites() {
		ids = append(ids, cs.ID)
	}
	return ids
}()

type prober struct {
	roots   *x509.CertPool
	timeout time.Duration
	source  string
	dialer  *net.Dialer
}

// dialError marks a failure to open the TCP connection.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// probe handshakes with every version and verifies the best chain. It never
// returns an error: failures are recorded.
func (p *prober) probe(ctx context.Context, addr string) snapshot.TLSEndpoint {
	ep := snapshot.TLSEndpoint{Address: addr, AcceptedVersions: []string{}, Source: p.source, Origin: "tls://" + addr}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		ep.Error = err.Error()
		return ep
	}
	var best *tls.ConnectionState
	var firstErr error
	var accepted []uint16
	for i, v := range Versions {
		cs, err := p.handshake(ctx, addr, &tls.Config{
			ServerName:         host,
			MinVersion:         v,
			MaxVersion:         v,
			CipherSuites:       probeSuites,
			InsecureSkipVerify: true, //nolint:gosec // probing versions; the chain is verified below
		})
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			var de *dialError
			if i == 0 && errors.As(err, &de) {
				break // nothing listens (or nothing answers): skip the other versions
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		accepted = append(accepted, v)
		if best == nil {
			best = cs
		}
	}
	if best == nil || len(best.PeerCertificates) == 0 {
		ep.Error = p.describe(firstErr, best)
		return ep
	}
	sort.Slice(accepted, func(i, j int) bool { return accepted[i] < accepted[j] })
	for _, v := range accepted {
		ep.AcceptedVersions = append(ep.AcceptedVersions, probe.VersionName(v))
	}
	ep.Cipher = tls.CipherSuiteName(best.CipherSuite)
	leaf := best.PeerCertificates[0]
	ep.CertNotAfter, ep.CertNotAfterMS = timefmt.Ptrs(leaf.NotAfter)
	if err := p.verify(best.PeerCertificates, host); err != nil {
		ep.CertError = err.Error()
	} else {
		ep.CertVerified = true
	}
	return ep
}

func (p *prober) describe(err error, best *tls.ConnectionState) string {
	var de *dialError
	switch {
	case best != nil:
		return "server sent no certificate"
	case err == nil:
		return "no TLS handshake succeeded"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		if errors.As(err, &de) {
			return fmt.Sprintf("connect: timeout after %s", p.timeout)
		}
		return fmt.Sprintf("no TLS handshake succeeded: timeout after %s", p.timeout)
	case errors.As(err, &de):
		return "connect: " + de.err.Error()
	}
	return "no TLS handshake succeeded: " + err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// verify checks the presented chain the way crypto/tls's verifying handshake
// does (crypto/tls.Conn.verifyServerCertificate).
func (p *prober) verify(chain []*x509.Certificate, host string) error {
	opts := x509.VerifyOptions{Roots: p.roots, DNSName: host, Intermediates: x509.NewCertPool()}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(opts)
	return err
}

// handshake connects to addr and completes a TLS handshake within the timeout.
func (p *prober) handshake(parent context.Context, addr string, cfg *tls.Config) (*tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	defer cancel()
	raw, err := p.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &dialError{err: err}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	conn := tls.Client(raw, cfg)
	defer conn.Close()
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	cs := conn.ConnectionState()
	return &cs, nil
}

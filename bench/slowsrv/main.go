// Command slowsrv is the local endpoint farm of the headers benchmark
// (bench/run.sh, part d): an HTTPS server on the loopback interface that
// serves -paths paths (/p/0 … /p/N-1), each answering after -delay with
// security headers (complete on most paths, a typical defect on some). It writes the PEM of its self-signed
// certificate to DIR/ca.pem (for the headers source's ca_file), its base
// URL to DIR/url, and a posture config with one headers source listing
// every path to DIR/headers.hcl, then serves until -lifetime has passed or
// -max-requests were answered, whichever comes first.
//
//	slowsrv -dir /tmp/posture-bench/headers -paths 200 -delay 100ms -concurrency 8
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	var (
		dir         = flag.String("dir", "", "output `DIR` for ca.pem, url and headers.hcl")
		paths       = flag.Int("paths", 200, "number of paths")
		delay       = flag.Duration("delay", 100*time.Millisecond, "latency of every response")
		concurrency = flag.Int("concurrency", 8, "concurrency written into headers.hcl")
		lifetime    = flag.Duration("lifetime", 15*time.Minute, "stop after this long")
		maxRequests = flag.Int64("max-requests", 100000, "stop after this many requests")
		header      = flag.String("config-header", "", "`FILE` whose text starts headers.hcl (owners, categories)")
	)
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: slowsrv -dir DIR [-paths N] [-delay D]")
		os.Exit(2)
	}
	if err := run(*dir, *paths, *delay, *concurrency, *lifetime, *maxRequests, *header); err != nil {
		fmt.Fprintln(os.Stderr, "slowsrv:", err)
		os.Exit(1)
	}
}

func run(dir string, paths int, delay time.Duration, concurrency int, lifetime time.Duration, maxRequests int64, headerFile string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cert, pemBytes, err := selfSigned()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "https://" + ln.Addr().String()

	var served atomic.Int64
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/p/", func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == maxRequests {
			close(done)
		}
		time.Sleep(delay)
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		// Most paths send a complete, strict set; every tenth path from 7 to 9 has a
		// typical defect, so security_header_drift has something to count.
		hsts := "max-age=31536000; includeSubDomains"
		csp := "default-src 'self'; script-src 'self' 'nonce-r4nd0m'; frame-ancestors 'none'"
		xcto, xfo, referrer := "nosniff", "DENY", "strict-origin-when-cross-origin"
		var i int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/p/"), "%d", &i) // any other path is page 0
		switch i % 10 {
		case 7:
			hsts = "max-age=86400"
			csp = "default-src 'self'; script-src 'self' 'unsafe-inline' https:"
		case 8:
			xfo = ""
			csp = "default-src *; script-src 'self' 'unsafe-inline' 'sha256-AbC='"
		case 9:
			xcto, referrer = "", "no-referrer, unsafe-url"
		}
		for name, v := range map[string]string{"Strict-Transport-Security": hsts, "Content-Security-Policy": csp,
			"X-Content-Type-Options": xcto, "X-Frame-Options": xfo, "Referrer-Policy": referrer} {
			if v != "" {
				h.Set(name, v)
			}
		}
		fmt.Fprintf(w, "<!doctype html><title>%s</title>\n", r.URL.Path)
	})
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}, ReadHeaderTimeout: 10 * time.Second}

	var urls []string
	for i := 0; i < paths; i++ {
		urls = append(urls, fmt.Sprintf("    %q,", fmt.Sprintf("%s/p/%d", base, i)))
	}
	head := ""
	if headerFile != "" {
		b, err := os.ReadFile(headerFile)
		if err != nil {
			return err
		}
		head = string(b)
	}
	cfg := fmt.Sprintf("%ssource \"headers\" \"farm\" {\n  urls = [\n%s\n  ]\n  concurrency = %d\n  timeout     = \"30s\"\n  ca_file     = \"ca.pem\"\n}\n",
		head, strings.Join(urls, "\n"), concurrency)
	for name, body := range map[string][]byte{"ca.pem": pemBytes, "headers.hcl": []byte(cfg)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return err
		}
	}
	// The url file last: its presence tells bench/run.sh the server is ready.
	if err := os.WriteFile(filepath.Join(dir, "url"), []byte(base+"\n"), 0o644); err != nil {
		return err
	}
	go func() {
		select {
		case <-done:
		case <-time.After(lifetime):
		}
		srv.Close()
	}()
	if err := srv.ServeTLS(ln, "", ""); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// selfSigned returns a certificate for 127.0.0.1 and its PEM.
func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "slowsrv"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}

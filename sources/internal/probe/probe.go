// Package probe holds what the live network sources (headers, tls) share:
// their settings (concurrency, timeout, ca_file), target list validation,
// a bounded worker pool with progress, the trusted roots, and TLS version
// names.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults of the settings.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 10 * time.Second
)

// Settings are a probe source's validated settings.
type Settings struct {
	Concurrency int
	Timeout     time.Duration
	CAFile      string
}

// ParseSettings validates the configured values, applying the defaults.
func ParseSettings(concurrency int, timeout, caFile string) (Settings, error) {
	s := Settings{Concurrency: concurrency, Timeout: DefaultTimeout, CAFile: caFile}
	switch {
	case concurrency < 0:
		return s, fmt.Errorf("concurrency: must be at least 1 (or unset for %d), got %d", DefaultConcurrency, concurrency)
	case concurrency == 0:
		s.Concurrency = DefaultConcurrency
	}
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil {
			return s, fmt.Errorf("timeout: %q is not a duration such as \"10s\" or \"1m30s\"", timeout)
		}
		if d <= 0 {
			return s, fmt.Errorf("timeout: must be positive, got %q", timeout)
		}
		s.Timeout = d
	}
	if caFile != "" && strings.TrimSpace(caFile) == "" {
		return s, errors.New("ca_file: empty path")
	}
	return s, nil
}

// Targets checks a configured target list: not empty, every entry valid
// (check), none listed twice. name is the attribute ("urls", "hosts").
func Targets(name, what string, list []string, check func(string) error) error {
	if len(list) == 0 {
		return fmt.Errorf("%s: at least one %s is required", name, what)
	}
	seen := make(map[string]bool, len(list))
	for i, x := range list {
		if err := check(x); err != nil {
			return fmt.Errorf("%s[%d]: %w", name, i, err)
		}
		if seen[x] {
			return fmt.Errorf("%s[%d]: %q is listed twice", name, i, x)
		}
		seen[x] = true
	}
	return nil
}

// ForEach runs fn(0..n-1) on at most workers goroutines and calls
// report(done, n) after each item, in order of completion (done increases
// by one each call). Items not started when ctx is done are skipped.
func ForEach(ctx context.Context, n, workers int, fn func(i int), report func(done, total int)) {
	workers = max(1, min(workers, n))
	jobs := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fn(i)
				mu.Lock()
				done++
				if report != nil {
					report(done, n)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// CertPool returns the system roots plus the certificates of caFile
// (resolved against base), or nil (system roots) when caFile is empty, and
// the path read.
func CertPool(base, caFile string) (*x509.CertPool, string, error) {
	if caFile == "" {
		return nil, "", nil
	}
	path := caFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(base, path)
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("ca_file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, "", fmt.Errorf("ca_file %s: no PEM certificate found", path)
	}
	return pool, path, nil
}

// VersionName names a TLS protocol version as the records do ("TLS1.0" ..
// "TLS1.3"); unknown versions read "0x0305".
func VersionName(v uint16) string {
	switch v {
	case tls.VersionSSL30: //nolint:staticcheck // naming an old version is not using it
		return "SSL3.0"
	case tls.VersionTLS10:
		return "TLS1.0"
	case tls.VersionTLS11:
		return "TLS1.1"
	case tls.VersionTLS12:
		return "TLS1.2"
	case tls.VersionTLS13:
		return "TLS1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

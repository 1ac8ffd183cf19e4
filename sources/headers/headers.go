// Package headers is the `headers` source (docs/configuration.md#headers): it GETs each
// configured URL, follows at most MaxRedirects redirects and records the
// final response as a snapshot.Endpoint. It never judges: the five checks
// (hsts, csp, x_content_type_options, frame_options, referrer_policy) are
// the policy's (policies/prevention_controls.rego).
//
// Configuration:
//
//	source "headers" "public" {
//	  urls        = ["https://localizevideos.example/"]  # required
//	  concurrency = 8       # parallel requests (default 8)
//	  timeout     = "10s"   # per URL, redirects and body included (default 10s)
//	  ca_file     = "ca.pem" # PEM bundle added to the system roots, relative to the config
//	}
//
// Recorded per URL: the configured URL (also the origin), the final URL,
// status, negotiated TLS version ("TLS1.2", "TLS1.3"; empty over plain
// HTTP), each redirect target in order (Redirects[len-1] is the final URL)
// and every response header of the final response, names lower-cased,
// values trimmed. Secrets are kept out of records, errors and logs:
// Set-Cookie values are removed (StripCookie), echoed Authorization,
// Proxy-Authorization and Cookie response headers are dropped, URLs with a
// password are refused in the configuration and redirect URLs are recorded
// with any password redacted.
//
// A URL that cannot be fetched (connection refused, TLS failure, timeout,
// more than MaxRedirects redirects: Error "too many redirects") is recorded
// with Error set, which fails all five checks. When every URL fails the
// source fails, so the metric is `error` rather than a silent number.
package headers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"github.com/localizevideos/posture/sources/internal/probe"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Defaults and limits.
const (
	DefaultConcurrency = probe.DefaultConcurrency
	DefaultTimeout     = probe.DefaultTimeout
	// MaxRedirects is how many redirects are followed; one more is an error.
	MaxRedirects = 5
	// BodyLimit is how much of a response body is read (and discarded) so the
	// connection can be reused.
	BodyLimit = 64 << 10
	// userAgent identifies the probe in the servers' logs.
	userAgent = "posture-headers/1 (security header probe)"
)

// ErrTooManyRedirects is the error of a URL that redirected more than
// MaxRedirects times; its text is recorded as the endpoint's Error.
var ErrTooManyRedirects = errors.New("too many redirects")

// Config is the configuration of a headers source.
type Config struct {
	URLs        []string `hcl:"urls" doc:"Absolute http:// or https:// URLs to probe, each listed once; no passwords in URLs."`
	Concurrency int      `hcl:"concurrency,optional" doc:"How many URLs are probed in parallel."`
	Timeout     string   `hcl:"timeout,optional" doc:"Time allowed per URL, redirects and body included: a Go duration (10s, 1m30s)."`
	CAFile      string   `hcl:"ca_file,optional" doc:"PEM bundle of extra CA certificates trusted besides the system roots (an internal CA), relative to the config file's folder."`
}

//go:embed headers.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:        "headers",
		Summary:     "HTTP security headers of URLs (GET, redirects followed; urls, concurrency, timeout, ca_file)",
		Doc:         doc,
		Defaults:    map[string]any{"concurrency": DefaultConcurrency, "timeout": DefaultTimeout},
		Collections: []snapshot.Provided{{Collection: snapshot.Endpoints.Name()}},
		Shardable:   true, // the URLs are shared out
		Build:       sources.Typed(New),
	})
}

// Source probes the configured URLs.
type Source struct {
	urls        []string
	concurrency int
	timeout     time.Duration
	caFile      string
}

// New validates c and builds the source.
func New(c *Config) (*Source, error) {
	if err := probe.Targets("urls", "URL", c.URLs, checkURL); err != nil {
		return nil, err
	}
	set, err := probe.ParseSettings(c.Concurrency, c.Timeout, c.CAFile)
	if err != nil {
		return nil, err
	}
	return &Source{urls: append([]string(nil), c.URLs...), concurrency: set.Concurrency, timeout: set.Timeout, caFile: set.CAFile}, nil
}

// checkURL accepts absolute http and https URLs with a host and no password.
// The error never repeats the URL's user information.
func checkURL(raw string) error {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return fmt.Errorf("%q: empty or surrounded by spaces", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %w", errors.Unwrap(err))
	}
	if _, hasPw := u.User.Password(); hasPw {
		return fmt.Errorf("%s: URLs with a password are not accepted (it would end up in the records)", u.Redacted())
	}
	switch u.Scheme {
	case "http", "https":
	default:
		return fmt.Errorf("%s: scheme must be http or https", u.Redacted())
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%s: no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%s: bad port %q", u.Redacted(), p)
		}
	}
	return nil
}

// Collect probes every URL with at most concurrency requests in flight.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	res := &sources.Result{}
	pool, caPath, err := probe.CertPool(env.BaseDir, s.caFile)
	if err != nil {
		return nil, err
	}
	if caPath != "" {
		res.Files = []string{caPath}
	}
	p := newProber(pool, s.timeout, s.concurrency, env.ID())
	defer p.transport.CloseIdleConnections()

	// In a sharded run, only this shard's urls (env.Owns).
	var todo []string
	var units sources.Units
	for _, t := range s.urls {
		if env.Owns(t) {
			todo = append(todo, t)
		}
	}
	eps := make([]snapshot.Endpoint, len(todo))
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
		return nil, fmt.Errorf("all %d URLs failed; %s: %s", len(eps), eps[0].URL, eps[0].Error)
	}
	res.Data.Endpoints = eps
	for _, t := range s.urls {
		if !env.Owns(t) {
			units.Skip(env, t)
			continue
		}
		units.Done(env, t, nil, map[string]int{snapshot.Endpoints.Name(): 1}, 0)
	}
	res.Units = units.List(env)
	return res, nil
}

type hopsKey struct{}

// hops collects the redirect targets of one request chain.
type hops struct{ urls []string }

type prober struct {
	client    *http.Client
	transport *http.Transport
	timeout   time.Duration
	source    string
}

func newProber(pool *x509.CertPool, timeout time.Duration, concurrency int, source string) *prober {
	tr := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           max(100, 2*concurrency),
		MaxIdleConnsPerHost:    max(concurrency, http.DefaultMaxIdleConnsPerHost),
		IdleConnTimeout:        30 * time.Second,
		TLSHandshakeTimeout:    timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		// Headers as sent: no transparent gzip (it removes Content-Encoding).
		DisableCompression: true,
		TLSClientConfig:    &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return ErrTooManyRedirects
			}
			if h, ok := req.Context().Value(hopsKey{}).(*hops); ok {
				h.urls = append(h.urls, req.URL.Redacted())
			}
			return nil
		},
	}
	return &prober{client: client, transport: tr, timeout: timeout, source: source}
}

// probe fetches one URL. It never returns an error: failures are recorded.
func (p *prober) probe(parent context.Context, raw string) snapshot.Endpoint {
	ep := snapshot.Endpoint{
		URL: raw, Origin: raw, Source: p.source,
		Redirects: []string{}, Headers: map[string][]string{},
	}
	ctx, cancel := context.WithTimeout(parent, p.timeout)
	defer cancel()
	h := &hops{}
	ctx = context.WithValue(ctx, hopsKey{}, h)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		ep.Error = "bad URL"
		return ep
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err := p.client.Do(req)
	// CheckRedirect runs on this goroutine; the chain is complete here.
	ep.Redirects = append(ep.Redirects, h.urls...)
	if resp != nil {
		ep.Status = resp.StatusCode
		if resp.Request != nil && resp.Request.URL != nil {
			ep.FinalURL = resp.Request.URL.Redacted()
		}
	}
	if err != nil {
		// A response alongside an error (CheckRedirect refused) has its body closed.
		ep.Error = describe(err, ctx, parent, p.timeout)
		return ep
	}
	defer resp.Body.Close()
	ep.TLSVersion = TLSVersionName(resp.TLS)
	ep.Headers = RecordHeaders(resp.Header)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, BodyLimit))
	return ep
}

// describe turns a client error into the recorded text: the cause without the
// "Get <url>:" wrapper when the configured URL failed, with the redacted URL of
// the hop when a redirect target failed.
func describe(err error, ctx, parent context.Context, timeout time.Duration) string {
	if errors.Is(err, ErrTooManyRedirects) {
		return ErrTooManyRedirects.Error()
	}
	if parent.Err() != nil {
		return "cancelled"
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return fmt.Sprintf("timeout after %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		inner := ue.Err
		if inner == nil {
			return ue.Error()
		}
		// The first request's URL is the record's own; only name other hops.
		if req, ok := ctx.Value(hopsKey{}).(*hops); ok && len(req.urls) > 0 {
			return fmt.Sprintf("%s: %v", ue.URL, inner)
		}
		return inner.Error()
	}
	return err.Error()
}

// TLSVersionName names a negotiated TLS version as the records do:
// "TLS1.0".."TLS1.3", "SSL3.0"; "" without TLS.
func TLSVersionName(cs *tls.ConnectionState) string {
	if cs == nil {
		return ""
	}
	return probe.VersionName(cs.Version)
}

// Response headers whose values may carry credentials: dropped from records.
var dropped = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
}

// RecordHeaders returns the headers as recorded: names lower-cased (headers
// whose names differ only in case are merged, in name order), values trimmed,
// Set-Cookie values stripped (StripCookie), credential headers dropped.
func RecordHeaders(h http.Header) map[string][]string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make(map[string][]string, len(h))
	for _, name := range names {
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" || dropped[key] {
			continue
		}
		cookie := key == "set-cookie" || key == "set-cookie2"
		for _, v := range h[name] {
			v = strings.TrimSpace(v)
			if cookie {
				v = StripCookie(v)
			}
			out[key] = append(out[key], v)
		}
	}
	return out
}

package headers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/localizevideos/posture/report"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/config"
	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/headers"
	"github.com/localizevideos/posture/sources/internal/sourcetest"
)

const (
	hsts = "hsts"
	csp  = "csp"
	xcto = "x_content_type_options"
	xfo  = "frame_options"
	ref  = "referrer_policy"
)

// headerCase is one response served at /case/<name> and the checks it must fail.
type headerCase struct {
	name   string
	mutate func(h http.Header) // applied after compliant()
	fail   []string
}

func setCSP(v string) func(http.Header) {
	return func(h http.Header) { h.Set("Content-Security-Policy", v) }
}

var headerCases = []headerCase{
	{name: "compliant"},
	{name: "status-500", mutate: func(h http.Header) {}}, // status is not judged
	// hsts
	{name: "hsts-15551999", mutate: func(h http.Header) { h.Set("Strict-Transport-Security", "max-age=15551999") }, fail: []string{hsts}},
	{name: "hsts-15552000", mutate: func(h http.Header) { h.Set("Strict-Transport-Security", "max-age=15552000") }},
	{name: "hsts-two-headers", mutate: func(h http.Header) { h.Add("Strict-Transport-Security", "max-age=31536000") }, fail: []string{hsts}},
	{name: "hsts-two-max-age", mutate: func(h http.Header) { h.Set("Strict-Transport-Security", "max-age=31536000; max-age=1") }, fail: []string{hsts}},
	{name: "hsts-missing", mutate: func(h http.Header) { h.Del("Strict-Transport-Security") }, fail: []string{hsts}},
	{name: "hsts-case-quoted", mutate: func(h http.Header) {
		h.Set("Strict-Transport-Security", ` includeSubDomains ; Max-Age = "31536000" ; preload `)
	}},
	{name: "hsts-not-a-number", mutate: func(h http.Header) { h.Set("Strict-Transport-Security", "max-age=1e9") }, fail: []string{hsts}},
	// csp
	{name: "csp-report-only", mutate: func(h http.Header) {
		h.Set("Content-Security-Policy-Report-Only", h.Get("Content-Security-Policy"))
		h.Del("Content-Security-Policy")
	}, fail: []string{csp}},
	{name: "csp-missing", mutate: func(h http.Header) { h.Del("Content-Security-Policy") }, fail: []string{csp}},
	{name: "csp-unsafe-inline", mutate: setCSP("script-src 'self' 'unsafe-inline'"), fail: []string{csp}},
	{name: "csp-unsafe-inline-nonce", mutate: setCSP("script-src 'self' 'unsafe-inline' 'nonce-abc123'")},
	{name: "csp-unsafe-inline-hash", mutate: setCSP("script-src 'unsafe-inline' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")},
	{name: "csp-star", mutate: setCSP("script-src *"), fail: []string{csp}},
	{name: "csp-https-scheme", mutate: setCSP("script-src 'self' https:"), fail: []string{csp}},
	{name: "csp-http-scheme", mutate: setCSP("script-src 'self' http:"), fail: []string{csp}},
	{name: "csp-data-scheme", mutate: setCSP("script-src 'self' data:"), fail: []string{csp}},
	{name: "csp-upper-case", mutate: setCSP("Script-Src 'SELF'  HTTPS:"), fail: []string{csp}},
	{name: "csp-host-source", mutate: setCSP("script-src 'self' https://cdn.example.com")},
	{name: "csp-default-fallback-unsafe", mutate: setCSP("default-src 'self' 'unsafe-inline'"), fail: []string{csp}},
	{name: "csp-default-fallback-safe", mutate: setCSP("default-src 'self'")},
	{name: "csp-script-src-wins", mutate: setCSP("default-src *; script-src 'self'")},
	{name: "csp-script-src-unsafe-default-safe", mutate: setCSP("default-src 'self'; script-src data:"), fail: []string{csp}},
	// No script-src and no default-src: nothing restricts scripts.
	{name: "csp-no-script-directive", mutate: setCSP("img-src *; frame-ancestors 'none'"), fail: []string{csp}},
	{name: "csp-first-duplicate-directive", mutate: setCSP("script-src 'self'; script-src *")},
	{name: "csp-two-policies-one-safe", mutate: func(h http.Header) {
		h.Set("Content-Security-Policy", "img-src *")
		h.Add("Content-Security-Policy", "script-src 'self'")
	}},
	{name: "csp-comma-policies", mutate: setCSP("script-src *, script-src 'self'")},
	// x_content_type_options
	{name: "nosniff-case", mutate: func(h http.Header) {
		h.Del("X-Content-Type-Options")
		h["x-CONTENT-type-OPTIONS"] = []string{"NoSniff"} // written as is, name not canonical
	}},
	{name: "nosniff-wrong", mutate: func(h http.Header) { h.Set("X-Content-Type-Options", "sniff") }, fail: []string{xcto}},
	{name: "nosniff-missing", mutate: func(h http.Header) { h.Del("X-Content-Type-Options") }, fail: []string{xcto}},
	// frame_options
	{name: "xfo-frame-ancestors-only", mutate: func(h http.Header) { h.Del("X-Frame-Options") }},
	{name: "xfo-none", mutate: func(h http.Header) {
		h.Del("X-Frame-Options")
		h.Set("Content-Security-Policy", "default-src 'self'")
	}, fail: []string{xfo}},
	{name: "xfo-allow-from", mutate: func(h http.Header) {
		h.Set("X-Frame-Options", "ALLOW-FROM https://partner.example.com/")
		h.Set("Content-Security-Policy", "default-src 'self'")
	}, fail: []string{xfo}},
	{name: "xfo-sameorigin-case", mutate: func(h http.Header) {
		h.Set("X-Frame-Options", "SameOrigin")
		h.Set("Content-Security-Policy", "default-src 'self'")
	}},
	{name: "xfo-report-only-frame-ancestors", mutate: func(h http.Header) {
		h.Del("X-Frame-Options")
		h.Set("Content-Security-Policy", "default-src 'self'")
		h.Set("Content-Security-Policy-Report-Only", "frame-ancestors 'none'")
	}, fail: []string{xfo}},
	// referrer_policy
	{name: "referrer-unsafe-then-strict", mutate: func(h http.Header) { h.Set("Referrer-Policy", "unsafe-url, strict-origin") }},
	{name: "referrer-strict-then-unknown", mutate: func(h http.Header) { h.Set("Referrer-Policy", "strict-origin, foo") }},
	{name: "referrer-strict-then-unsafe", mutate: func(h http.Header) { h.Set("Referrer-Policy", "strict-origin,unsafe-url") }, fail: []string{ref}},
	{name: "referrer-unknown-only", mutate: func(h http.Header) { h.Set("Referrer-Policy", "foo") }, fail: []string{ref}},
	{name: "referrer-two-headers", mutate: func(h http.Header) {
		h.Set("Referrer-Policy", "no-referrer")
		h.Add("Referrer-Policy", "unsafe-url")
	}, fail: []string{ref}},
	{name: "referrer-case", mutate: func(h http.Header) { h.Set("Referrer-Policy", " Same-Origin ") }},
	{name: "referrer-missing", mutate: func(h http.Header) { h.Del("Referrer-Policy") }, fail: []string{ref}},
	// everything missing
	{name: "bare", mutate: func(h http.Header) {
		for k := range h {
			delete(h, k)
		}
	}, fail: []string{csp, xfo, hsts, ref, xcto}},
}

// servers is the TLS server with every case, chains of redirects and a
// plain-HTTP server redirecting to it.
type servers struct {
	tls, plain *httptest.Server
	dir, ca    string
}

func newServers(t testing.TB) *servers {
	t.Helper()
	s := &servers{dir: t.TempDir()}
	mux := http.NewServeMux()
	for _, c := range headerCases {
		mux.HandleFunc("/case/"+c.name, func(w http.ResponseWriter, r *http.Request) {
			compliant(w.Header())
			if c.mutate != nil {
				c.mutate(w.Header())
			}
			if c.name == "status-500" {
				w.WriteHeader(http.StatusInternalServerError)
			}
			_, _ = w.Write([]byte("<html></html>"))
		})
	}
	// /chain/N redirects N times before answering compliantly.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n <= 0 {
			compliant(w.Header())
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	})
	s.tls = quietTLSServer(mux)
	t.Cleanup(s.tls.Close)
	s.ca = writeCA(t, s.dir, s.tls)

	plain := http.NewServeMux()
	plain.HandleFunc("/to-https/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.tls.URL+"/case/"+r.PathValue("name"), http.StatusMovedPermanently)
	})
	plain.HandleFunc("/no-redirect", func(w http.ResponseWriter, r *http.Request) {
		compliant(w.Header()) // HSTS over plain HTTP does not count
	})
	s.plain = httptest.NewServer(plain)
	t.Cleanup(s.plain.Close)
	return s
}

func (s *servers) env() sources.Env { return sources.Env{Name: "h", BaseDir: s.dir} }

// TestChecksThroughPolicy runs every case through the real source and the
// built-in security_header_drift policy.
func TestChecksThroughPolicy(t *testing.T) {
	s := newServers(t)
	want := map[string][]string{}
	var urls []string
	add := func(u string, fail ...string) {
		urls = append(urls, u)
		if len(fail) > 0 {
			want[u] = fail
		}
	}
	for _, c := range headerCases {
		add(s.tls.URL+"/case/"+c.name, c.fail...)
	}
	add(s.plain.URL + "/to-https/compliant")               // http -> https with HSTS: passes
	add(s.plain.URL+"/to-https/hsts-missing", hsts)        // http -> https without HSTS
	add(s.plain.URL+"/no-redirect", hsts)                  // http only: HSTS never counts
	add(s.tls.URL + "/chain/5")                            // five redirects are followed
	add(s.tls.URL+"/chain/6", csp, xfo, hsts, ref, xcto)   // the sixth is refused
	add(s.tls.URL+"/loop", csp, xfo, hsts, ref, xcto)      // a loop as well
	add(closedURL(t), csp, xfo, hsts, ref, xcto)           // nothing listens
	add("http://127.0.0.1:1/x", csp, xfo, hsts, ref, xcto) // port 1 is closed on loopback too

	var calls []int
	env := s.env()
	env.Progress = func(done, total int) {
		assert.Equal(t, len(urls), total)
		calls = append(calls, done)
	}
	res, err := collect(context.Background(), t, env, headers.Config{URLs: urls, CAFile: s.ca, Concurrency: 4})
	require.NoError(t, err)
	require.Len(t, res.Data.Endpoints, len(urls))
	for i, ep := range res.Data.Endpoints {
		assert.Equal(t, urls[i], ep.URL, "records in configured order")
		assert.Equal(t, urls[i], ep.Origin)
		assert.Equal(t, "h", ep.Source)
	}
	require.Len(t, calls, len(urls), "one progress report per URL")
	for i, d := range calls {
		assert.Equal(t, i+1, d)
	}
	assert.Equal(t, []string{s.dir + "/ca.pem"}, res.Files)

	r, got := drift(t, res.Data, nil)
	for _, u := range urls {
		w := append([]string(nil), want[u]...)
		sort.Strings(w)
		assert.Equal(t, w, got[u], "failing checks of %s", u)
	}
	total := 0
	for _, f := range want {
		total += len(f)
	}
	assert.Equal(t, float64(total), *r.Value)
	assert.Empty(t, r.Waived)
}

func TestRecordFields(t *testing.T) {
	s := newServers(t)
	urls := []string{
		s.plain.URL + "/to-https/nosniff-case",
		s.plain.URL + "/no-redirect",
		s.tls.URL + "/chain/6",
		s.tls.URL + "/case/hsts-two-headers",
		closedURL(t),
	}
	res, err := collect(context.Background(), t, s.env(), headers.Config{URLs: urls, CAFile: s.ca})
	require.NoError(t, err)
	eps := res.Data.Endpoints

	a := eps[0]
	assert.Empty(t, a.Error)
	assert.Equal(t, s.tls.URL+"/case/nosniff-case", a.FinalURL)
	assert.Equal(t, []string{a.FinalURL}, a.Redirects)
	assert.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, "TLS1.3", a.TLSVersion)
	assert.Equal(t, []string{"NoSniff"}, a.Headers["x-content-type-options"], "name lower-cased, value as sent")
	for name := range a.Headers {
		assert.Equal(t, strings.ToLower(name), name)
	}

	b := eps[1]
	assert.Empty(t, b.Error)
	assert.Equal(t, urls[1], b.FinalURL)
	assert.Empty(t, b.TLSVersion, "plain HTTP")
	assert.NotNil(t, b.Redirects)
	assert.Empty(t, b.Redirects)

	c := eps[2]
	assert.Equal(t, "too many redirects", c.Error)
	assert.Len(t, c.Redirects, headers.MaxRedirects, "the refused sixth hop is not followed")
	assert.Equal(t, s.tls.URL+"/chain/1", c.FinalURL, "last response received")
	assert.Equal(t, http.StatusFound, c.Status)
	assert.Empty(t, c.Headers)

	d := eps[3]
	assert.Equal(t, []string{"max-age=31536000; includeSubDomains", "max-age=31536000"}, d.Headers["strict-transport-security"])

	e := eps[4]
	assert.Contains(t, e.Error, "connection refused")
	assert.NotContains(t, e.Error, "Get ", "the URL is the record's own")
	assert.Zero(t, e.Status)

	// JSON shape: redirects and headers are never null.
	js, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"redirects":[]`)
	assert.Contains(t, string(js), `"headers":{}`)
}

func TestAllUnreachableIsSourceError(t *testing.T) {
	res, err := collect(context.Background(), t, sources.Env{}, headers.Config{URLs: []string{closedURL(t), closedURL(t) + "b"}})
	require.Error(t, err)
	assert.Nil(t, res)
	assert.Contains(t, err.Error(), "all 2 URLs failed")
	assert.Contains(t, err.Error(), "connection refused")
}

func TestUntrustedCertificate(t *testing.T) {
	s := newServers(t)
	urls := []string{s.tls.URL + "/case/compliant", s.plain.URL + "/no-redirect"}
	res, err := collect(context.Background(), t, s.env(), headers.Config{URLs: urls}) // no ca_file
	require.NoError(t, err)
	assert.Contains(t, res.Data.Endpoints[0].Error, "certificate")
	assert.Empty(t, res.Data.Endpoints[1].Error)
	_, got := drift(t, res.Data, nil)
	assert.Len(t, got[urls[0]], 5)
}

func TestSecretsNeverRecorded(t *testing.T) {
	const (
		cookieSecret = "SuperSecretSessionValue123"
		csrfSecret   = "AnotherSecretCsrf456"
		bareSecret   = "NamelessSecret789"
		authSecret   = "Bearer TopSecretToken000"
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		compliant(w.Header())
		w.Header().Add("Set-Cookie", "session="+cookieSecret+"; Path=/; Secure; HttpOnly; SameSite=Strict")
		w.Header().Add("Set-Cookie", " __Host-csrf = "+csrfSecret+" ;Path=/;;Secure; Max-Age=3600; X-Token="+csrfSecret)
		w.Header().Add("Set-Cookie", bareSecret+"; Path=/")
		w.Header().Set("Authorization", authSecret)
		w.Header().Set("Cookie", "echo="+cookieSecret)
	}))
	defer srv.Close()
	res, err := collect(context.Background(), t, sources.Env{}, headers.Config{URLs: []string{srv.URL + "/"}})
	require.NoError(t, err)
	ep := res.Data.Endpoints[0]
	assert.Equal(t, []string{
		"session; Path=/; Secure; HttpOnly; SameSite=Strict",
		"__Host-csrf; Path=/; Secure; Max-Age=3600; X-Token",
		"; Path=/",
	}, ep.Headers["set-cookie"])
	assert.NotContains(t, ep.Headers, "authorization")
	assert.NotContains(t, ep.Headers, "cookie")
	js, err := json.Marshal(res.Data)
	require.NoError(t, err)
	for _, secret := range []string{cookieSecret, csrfSecret, bareSecret, "TopSecretToken000"} {
		assert.NotContains(t, string(js), secret)
	}
}

func TestExceptionWaivesFinding(t *testing.T) {
	s := newServers(t)
	bad := s.tls.URL + "/case/csp-unsafe-inline"
	res, err := collect(context.Background(), t, s.env(), headers.Config{URLs: []string{bad}, CAFile: s.ca})
	require.NoError(t, err)

	r, got := drift(t, res.Data, nil)
	assert.Equal(t, 1.0, *r.Value)
	assert.Equal(t, []string{csp}, got[bad])

	exc := func(id, scope, status string, expiresEnd time.Time) *config.Exception {
		return &config.Exception{ExceptionRef: report.ExceptionRef{ID: id, Metric: "security_header_drift", Scope: scope, Owner: "platform", Expires: expiresEnd.Add(-time.Hour).Format("2006-01-02")}, Reason: "legacy player", ExpiresEnd: expiresEnd, Status: status}
	}
	future := time.Now().UTC().Add(48 * time.Hour)
	for _, e := range []*config.Exception{
		exc("EXC-1", bad+"#csp", "open", future),
		exc("EXC-2", "https://127.0.0.1:*/case/csp-*#csp", "open", future),
	} {
		r, got = drift(t, res.Data, []*config.Exception{e})
		assert.Equal(t, 0.0, *r.Value, e.ID)
		assert.Empty(t, got, e.ID)
		require.Len(t, r.Waived, 1, e.ID)
		assert.Equal(t, bad+"#csp", r.Waived[0].Scope)
		assert.Equal(t, e.ID, r.Waived[0].Exception)
	}
	// Expired, closed or for another check: nothing is waived.
	for _, e := range []*config.Exception{
		exc("EXC-3", bad+"#csp", "open", time.Now().UTC().Add(-time.Hour)),
		exc("EXC-4", bad+"#csp", "closed", future),
		exc("EXC-5", bad+"#hsts", "open", future),
	} {
		r, _ = drift(t, res.Data, []*config.Exception{e})
		assert.Equal(t, 1.0, *r.Value, e.ID)
		assert.Empty(t, r.Waived, e.ID)
	}
}

func TestTimeout(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer fast.Close()
	res, err := collect(context.Background(), t, sources.Env{}, headers.Config{URLs: []string{slow.URL, fast.URL}, Timeout: "50ms"})
	require.NoError(t, err)
	assert.Equal(t, "timeout after 50ms", res.Data.Endpoints[0].Error)
	assert.Empty(t, res.Data.Endpoints[1].Error)
}

func TestCancellation(t *testing.T) {
	started := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	}))
	defer srv.Close()
	var urls []string
	for i := range 20 {
		urls = append(urls, fmt.Sprintf("%s/%d", srv.URL, i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	res, err := collect(ctx, t, sources.Env{}, headers.Config{URLs: urls, Concurrency: 2})
	require.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, res)
}

func TestBoundedConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int32
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		mu.Lock()
		if n > peak.Load() {
			peak.Store(n)
		}
		mu.Unlock()
		time.Sleep(2 * time.Millisecond) // let requests overlap; nothing is timed
	}))
	defer srv.Close()
	var urls []string
	for i := range 40 {
		urls = append(urls, fmt.Sprintf("%s/%d", srv.URL, i))
	}
	res, err := collect(context.Background(), t, sources.Env{}, headers.Config{URLs: urls, Concurrency: 3})
	require.NoError(t, err)
	assert.Len(t, res.Data.Endpoints, 40)
	assert.LessOrEqual(t, peak.Load(), int32(3))
}

func TestConfigValidation(t *testing.T) {
	k, ok := sources.Lookup("headers")
	require.True(t, ok)
	for _, tc := range []struct {
		cfg  headers.Config
		want string
	}{
		{headers.Config{}, "urls: at least one URL is required"},
		{headers.Config{URLs: []string{"ftp://x/"}}, "scheme must be http or https"},
		{headers.Config{URLs: []string{"localizevideos.example"}}, "scheme must be http or https"},
		{headers.Config{URLs: []string{"https:///path"}}, "no host"},
		{headers.Config{URLs: []string{" https://a/"}}, "surrounded by spaces"},
		{headers.Config{URLs: []string{"https://a:99999/"}}, "bad port"},
		{headers.Config{URLs: []string{"https://a/%zz"}}, "not a URL"},
		{headers.Config{URLs: []string{"https://a/", "https://a/"}}, `urls[1]: "https://a/" is listed twice`},
		{headers.Config{URLs: []string{"https://a/"}, Concurrency: -1}, "concurrency"},
		{headers.Config{URLs: []string{"https://a/"}, Timeout: "10"}, `timeout: "10" is not a duration`},
		{headers.Config{URLs: []string{"https://a/"}, Timeout: "-1s"}, "timeout: must be positive"},
	} {
		c := tc.cfg
		_, err := k.New(&c)
		require.Error(t, err, "%+v", tc.cfg)
		assert.Contains(t, err.Error(), tc.want)
	}
	_, err := k.New(&headers.Config{URLs: []string{"https://user:hunter2@a.example/"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "password")
	assert.NotContains(t, err.Error(), "hunter2")

	_, err = k.New(&headers.Config{URLs: []string{"https://a/", "http://b:8080/x?y=1"}, Timeout: "1m30s", Concurrency: 2})
	assert.NoError(t, err)
	_, err = k.New(struct{}{})
	assert.Error(t, err)
}

func TestCAFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := collect(context.Background(), t, sources.Env{BaseDir: dir}, headers.Config{URLs: []string{"https://127.0.0.1:1/"}, CAFile: "missing.pem"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ca_file")

	sourcetest.WriteFile(t, filepath.Join(dir, "junk.pem"), "not a certificate")
	_, err = collect(context.Background(), t, sources.Env{BaseDir: dir}, headers.Config{URLs: []string{"https://127.0.0.1:1/"}, CAFile: "junk.pem"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no PEM certificate")
}

func TestStripCookie(t *testing.T) {
	for in, want := range map[string]string{
		"session=abc; Path=/; Secure; HttpOnly":           "session; Path=/; Secure; HttpOnly",
		"id=a3fWa; Expires=Thu, 21 Oct 2021 07:28:00 GMT": "id; Expires=Thu, 21 Oct 2021 07:28:00 GMT",
		"a=b=c":                               "a",
		"a=":                                  "a",
		"=value; Domain=example.com":          "; Domain=example.com",
		"justavalue":                          "",
		"":                                    "",
		"n=v;;  ; secure ;=x; Foo=bar; foo":   "n; secure; Foo; foo",
		"n=v; SameSite = Lax ; Priority=High": "n; SameSite=Lax; Priority=High",
	} {
		assert.Equal(t, want, headers.StripCookie(in), in)
	}
}

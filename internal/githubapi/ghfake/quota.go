package ghfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// bufWriter holds an answer until its ETag is known.
type bufWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufWriter) Header() http.Header { return b.header }
func (b *bufWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufWriter) WriteHeader(code int) { b.status = code }

func (s *Server) quotaLimit() int {
	if s.QuotaLimit > 0 {
		return s.QuotaLimit
	}
	return 5000
}

func (s *Server) resetAt() time.Time { return s.now().Truncate(time.Hour).Add(time.Hour) }

// conditional routes a REST request, then answers 304 to a GET whose
// If-None-Match is the answer's ETag (not counted), else the answer,
// counted against the quota, with the rate-limit headers.
func (s *Server) conditional(w http.ResponseWriter, r *http.Request, path string) {
	b := &bufWriter{header: http.Header{}}
	if r.Method == http.MethodGet && path == "/rate_limit" {
		s.rateLimit(b)
	} else {
		s.route(b, r, path)
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if r.Method == http.MethodGet && b.status == http.StatusOK {
		// The validator covers the body and the Link header (a list page
		// whose items are unchanged gets a new ETag when a next page
		// appears).
		sum := sha256.Sum256(append([]byte(b.header.Get("Link")+"\n"), b.body.Bytes()...))
		etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.rateHeaders(w)
			w.Header().Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if path != "/rate_limit" {
		s.quota++
	}
	s.rateHeaders(w)
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

func (s *Server) rateHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.quotaLimit()))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(s.quotaLimit()-s.quota, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(s.quota))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.resetAt().Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

// rateLimit answers GET /rate_limit (which costs nothing) in GitHub's
// shape: resources.core and resources.graphql, and the deprecated rate.
func (s *Server) rateLimit(w http.ResponseWriter) {
	reset := s.resetAt().Unix()
	core := map[string]any{"limit": s.quotaLimit(), "remaining": max(s.quotaLimit()-s.quota, 0), "reset": reset, "used": s.quota, "resource": "core"}
	gl := s.GraphQLLimit
	if gl <= 0 {
		gl = 5000
	}
	graphql := map[string]any{"limit": gl, "remaining": max(gl-s.gqlUsed, 0), "reset": reset, "used": s.gqlUsed, "resource": "graphql"}
	writeJSON(w, http.StatusOK, map[string]any{
		"resources": map[string]any{"core": core, "graphql": graphql,
			"search": map[string]any{"limit": 30, "remaining": 30, "reset": reset, "used": 0, "resource": "search"}},
		"rate": core,
	})
}

// Quota is the number of REST answers counted against the rate limit (a
// 304 Not Modified and GET /rate_limit are not).
func (s *Server) Quota() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quota
}

// GraphQLPoints is the GraphQL points spent (each query its cost, see
// GraphQLCost).
func (s *Server) GraphQLPoints() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gqlUsed
}

// ResetQuota starts a new rate-limit window.
func (s *Server) ResetQuota() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota, s.gqlUsed = 0, 0
}

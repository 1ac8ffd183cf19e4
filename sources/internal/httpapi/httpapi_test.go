package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/localizevideos/posture/internal/retry"
)

func TestParseBase(t *testing.T) {
	for _, tc := range []struct {
		raw       string
		httpsOnly bool
		want      string
		err       error
	}{
		{"https://jira.example.com/jira/", true, "https://jira.example.com/jira", nil},
		{"http://127.0.0.1:8080", true, "http://127.0.0.1:8080", nil},
		{"http://localhost/", true, "http://localhost", nil},
		{"http://[::1]:9/x", true, "http://[::1]:9/x", nil},
		{"http://prom:9090", false, "http://prom:9090", nil},
		{"http://prom:9090", true, "", ErrPlainHTTP},
		{"ftp://x", false, "", ErrScheme},
		{"example.com", false, "", ErrNotURL},
		{"https://u:p@x", false, "", ErrCredentials},
		{"https://x/?a=1", false, "", ErrQuery},
		{"https://x/#f", false, "", ErrQuery},
	} {
		u, err := ParseBase(tc.raw, tc.httpsOnly)
		if !errors.Is(err, tc.err) {
			t.Errorf("ParseBase(%q): error %v, want %v", tc.raw, err, tc.err)
			continue
		}
		if err == nil && u.String() != tc.want {
			t.Errorf("ParseBase(%q) = %s, want %s", tc.raw, u, tc.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://u:p@x.example/a?token=s#f": "https://x.example/a",
		"https://u:p@x/%zz?q":               "https://x/%zz",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	var s Secrets
	header, enc := BasicAuth("me", "pw")
	s.Add("pw", "", enc)
	if header != "Basic "+enc || enc != "bWU6cHc=" {
		t.Fatalf("BasicAuth = %q, %q", header, enc)
	}
	got := s.Redact("sent " + header + " with pw")
	if got != "sent Basic *** with ***" {
		t.Errorf("Redact = %q", got)
	}
	werr := s.Wrap("GET /x", fmt.Errorf("refused %s: %w", header, context.Canceled))
	if werr.Error() != "GET /x: refused Basic ***: context canceled" || !errors.Is(werr, context.Canceled) {
		t.Errorf("Wrap = %v", werr)
	}
	s = Secrets{"ab", "xabx"}
	if got := s.Redact("xabx ab"); got != "*** ***" {
		t.Errorf("longest first: %q", got)
	}
}

func TestClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer t" || r.Header.Get("Accept") != "application/json" || r.Header.Get("User-Agent") != "posture" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	c, _ := NewClient(ClientOptions{Retry: retry.Options{MaxAttempts: 1}})
	req, err := NewRequest(context.Background(), http.MethodGet, srv.URL+"/redirect", nil, "Bearer t")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Do(c, req)
	if err != nil {
		t.Fatal(err)
	}
	Drain(resp)
	if resp.StatusCode != http.StatusFound {
		t.Errorf("redirect followed: %d", resp.StatusCode)
	}
	req, _ = NewRequest(context.Background(), http.MethodGet, srv.URL+"/x?secret=1", nil, "Bearer t")
	resp, err = Do(c, req)
	if err != nil {
		t.Fatal(err)
	}
	defer Drain(resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := ReadBody(resp.Body, 10); !errors.As(err, new(*TooLargeError)) {
		t.Errorf("ReadBody over the cap: %v", err)
	}
	srv.Close()
	req, _ = NewRequest(context.Background(), http.MethodGet, srv.URL+"/x?secret=1", nil, "")
	if _, err := Do(c, req); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Do on a closed server: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		kind, detail, hint, want string
	}{
		{"E1", "bad", "fix it", "x API GET /p: 404 Not Found (E1: bad): fix it"},
		{"", "bad", "", "x API GET /p: 404 Not Found (bad)"},
		{"E1", "", "", "x API GET /p: 404 Not Found"},
	} {
		if got := Describe("x API", "GET", "/p", 404, tc.kind, tc.detail, tc.hint); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}

func TestRefusal(t *testing.T) {
	r := Refusal{Credentials: "T", Forbidden: "may not", Setting: "url", Site: "server", RateLimited: true, BadRequest: "the query"}
	for code, want := range map[int]string{
		401: "authentication refused (401: d): check T",
		403: "access refused (403: d): may not",
		429: "rate limited (429: d), still after the retries",
		302: "redirected (302) to https://x/login: set url to the server's own URL",
		400: "the query was refused (400: d)",
		500: "status 500: d",
	} {
		if err := r.Err(code, "https://u:p@x/login?token=s", ": d"); err == nil || err.Error() != want {
			t.Errorf("%d: %v, want %q", code, err, want)
		}
	}
	if err := r.Err(200, "", ""); err != nil {
		t.Errorf("200: %v", err)
	}
	if err := (Refusal{}).Err(403, "", ""); err == nil || err.Error() != "access refused (403)" {
		t.Errorf("403 without a hint: %v", err)
	}
	if err := (Refusal{}).Err(429, "", ""); err == nil || err.Error() != "status 429" {
		t.Errorf("429 without its message: %v", err)
	}
}

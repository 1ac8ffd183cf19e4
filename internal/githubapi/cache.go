package githubapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CacheHeader marks a response the cache served: its value is "revalidated"
// (the server answered 304 Not Modified, which costs no rate-limit quota on
// GitHub, and the stored body is returned as a 200).
const CacheHeader = "X-Posture-Cache"

// cachedHeaders are the response headers kept with a body: what a client
// reads besides the body (the Link header pages lists).
var cachedHeaders = []string{"Content-Type", "Link", "ETag", "Last-Modified"}

// Identity is what a cache entry is keyed by besides the method and URL:
// a hash of the credential's identity, never the credential. A token's
// identity is its SHA-256; a GitHub App installation's is its ids (its
// tokens change every hour, its access does not).
func Identity(o Options) string {
	var id string
	switch {
	case o.App != nil:
		id = "app " + strconv.FormatInt(o.App.ID, 10) + " " + strconv.FormatInt(o.App.InstallationID, 10)
	case o.Token != "":
		h := sha256.Sum256([]byte(o.Token))
		id = "token " + hex.EncodeToString(h[:])
	default:
		id = "anonymous"
	}
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// cacheEntry is one stored response.
type cacheEntry struct {
	Method string      `json:"method"`
	URL    string      `json:"url"` // redacted (no query credentials); the key is the full URL's hash
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// cacheTransport makes GET requests conditional: a stored ETag (or
// Last-Modified) is sent as If-None-Match (If-Modified-Since), and a 304
// answer is turned into the stored 200 with the 304's own headers (its
// rate-limit headers) over the stored ones. A 200 with a validator is
// stored. Entries live in dir, one file per method, URL and identity (a
// hash of them: neither the URL nor the credential can be read from the
// name); a cache that cannot be read or written is no cache, never an
// error.
type cacheTransport struct {
	next     http.RoundTripper
	dir      string
	identity string
}

func (c *cacheTransport) path(req *http.Request) string {
	h := sha256.Sum256([]byte(c.identity + "\n" + req.Method + " " + req.URL.String()))
	return filepath.Join(c.dir, hex.EncodeToString(h[:])+".json")
}

func (c *cacheTransport) load(path string) *cacheEntry {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || (e.Header.Get("ETag") == "" && e.Header.Get("Last-Modified") == "") {
		return nil
	}
	return &e
}

func (c *cacheTransport) store(path string, e *cacheEntry) {
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	if PrepareCacheDir(c.dir) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
		_ = os.Remove(tmp.Name())
	}
}

func (c *cacheTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" || !cacheable(req.URL.Path) {
		return c.next.RoundTrip(req)
	}
	path := c.path(req)
	entry := c.load(path)
	out := req
	if entry != nil {
		out = req.Clone(req.Context())
		if et := entry.Header.Get("ETag"); et != "" {
			out.Header.Set("If-None-Match", et)
		} else {
			out.Header.Set("If-Modified-Since", entry.Header.Get("Last-Modified"))
		}
	}
	resp, err := c.next.RoundTrip(out)
	if err != nil {
		return resp, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && entry != nil:
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		h := resp.Header.Clone()
		for _, k := range cachedHeaders {
			k = http.CanonicalHeaderKey(k)
			if _, sent := h[k]; sent && k != "Content-Type" {
				continue // the 304's own (a Link it sends is the current one)
			}
			if v, ok := entry.Header[k]; ok {
				h[k] = v
			} else {
				delete(h, k)
			}
		}
		h.Set(CacheHeader, "revalidated")
		h.Del("Content-Length")
		resp.StatusCode, resp.Status = http.StatusOK, "200 OK"
		resp.Header = h
		resp.Body = io.NopCloser(bytes.NewReader(entry.Body))
		resp.ContentLength = int64(len(entry.Body))
		return resp, nil
	case resp.StatusCode == http.StatusOK && (resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != ""):
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		e := &cacheEntry{Method: req.Method, URL: RedactURL(req.URL.String()), Header: http.Header{}, Body: body}
		for _, k := range cachedHeaders {
			if v := resp.Header.Values(k); len(v) > 0 {
				e.Header[http.CanonicalHeaderKey(k)] = v
			}
		}
		c.store(path, e)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	return resp, nil
}

// cacheable leaves out the answers that hold secrets: secret scanning
// alerts carry the leaked secret itself, which must not be written to disk.
func cacheable(path string) bool { return !strings.Contains(path, "/secret-scanning/") }

// PrepareCacheDir creates a cache folder (private to the user) with a
// .gitignore that keeps it out of version control: the answers are data of
// the organisation, never committed by a careless `git add -A`.
func PrepareCacheDir(dir string) error {
	if !isCacheDir(dir) {
		return os.ErrInvalid
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if ignore := filepath.Join(dir, ".gitignore"); !exists(ignore) {
		_ = os.WriteFile(ignore, []byte("# posture's HTTP cache: not for version control\n*\n"), 0o600)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// isCacheDir guards against a cache dir that is not a folder name.
func isCacheDir(dir string) bool { return strings.TrimSpace(dir) != "" }

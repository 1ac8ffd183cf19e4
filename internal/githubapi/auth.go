package githubapi

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/localizevideos/posture/internal/retry"
)

// tokenSource gives the bearer token of a request.
type tokenSource interface {
	Token(ctx context.Context) (string, error)
}

type staticToken string

func (t staticToken) Token(context.Context) (string, error) { return string(t), nil }

// authTransport sets the Authorization header on a copy of each request.
type authTransport struct {
	next http.RoundTripper
	src  tokenSource
}

func (a *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := a.src.Token(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if tok == "" {
		return a.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return a.next.RoundTrip(r)
}

// loadKey reads an RSA private key (PKCS #1 "RSA PRIVATE KEY", as GitHub
// issues them, or PKCS #8 "PRIVATE KEY"). Errors never quote the file.
func loadKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("private_key_path %s: %w", path, pe.Err)
		}
		return nil, fmt.Errorf("private_key_path %s: cannot read", path)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("private_key_path %s: no PEM block found", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rk, ok := k.(*rsa.PrivateKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("private_key_path %s: not an RSA key", path)
	}
	return nil, fmt.Errorf("private_key_path %s: not a PEM RSA private key", path)
}

// signJWT builds the GitHub App JWT: RS256, iat = now-60s (clock drift),
// exp = now+9min (GitHub allows at most 10), iss = the app id.
func signJWT(key *rsa.PrivateKey, appID int64, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	claims, _ := json.Marshal(struct {
		IAT int64  `json:"iat"`
		EXP int64  `json:"exp"`
		ISS string `json:"iss"`
	}{now.Add(-60 * time.Second).Unix(), now.Add(9 * time.Minute).Unix(), strconv.FormatInt(appID, 10)})
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", errors.New("signing the GitHub App JWT failed")
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// appJWT authenticates as the app itself (a fresh JWT per request).
type appJWT struct {
	key   *rsa.PrivateKey
	appID int64
	now   func() time.Time
}

func (j appJWT) Token(context.Context) (string, error) { return signJWT(j.key, j.appID, j.now()) }

// appTokens mints installation tokens and renews them shortly before they
// expire (they live one hour).
type appTokens struct {
	client         *gh.Client // authenticated with the app JWT
	installationID int64
	now            func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newAppTokens(app App, apiURL, setting string, rt http.RoundTripper, now func() time.Time) (*appTokens, error) {
	key, err := loadKey(app.PrivateKeyPath)
	if err != nil {
		return nil, err
	}
	client, err := newClient(&authTransport{next: rt, src: appJWT{key: key, appID: app.ID, now: now}}, apiURL, setting)
	if err != nil {
		return nil, err
	}
	return &appTokens{client: client, installationID: app.InstallationID, now: now}, nil
}

func (a *appTokens) Token(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" && a.now().Add(2*time.Minute).Before(a.expires) {
		return a.token, nil
	}
	// Minting twice does no harm: the request may be retried like a GET.
	it, _, err := a.client.Apps.CreateInstallationToken(retry.WithRetryable(ctx), a.installationID, nil)
	if err != nil {
		return "", fmt.Errorf("GitHub App installation %d: creating an access token: %w", a.installationID, err)
	}
	if it.GetToken() == "" {
		return "", fmt.Errorf("GitHub App installation %d: the access token response has no token", a.installationID)
	}
	a.token = it.GetToken()
	a.expires = it.GetExpiresAt().Time
	if a.expires.IsZero() {
		a.expires = a.now().Add(50 * time.Minute)
	}
	return a.token, nil
}

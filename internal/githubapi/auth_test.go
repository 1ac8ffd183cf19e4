package githubapi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/internal/githubapi/ghfake"
	"github.com/localizevideos/posture/internal/retry"
)

var now0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func writeKey(t *testing.T, dir string) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	path := filepath.Join(dir, "app.pem")
	require.NoError(t, os.WriteFile(path, pemBytes, 0o600))
	return key, path
}

func TestGitHubAppTokenIsRenewedBeforeExpiry(t *testing.T) {
	key, path := writeKey(t, t.TempDir())
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.Token = "ghs_RENEWED"
	f.App = &ghfake.App{ID: 1, InstallationID: 2, Key: &key.PublicKey, Token: f.Token}
	rec := &clock{now: now0}
	f.Clock = rec.Now
	c, _, err := New(Options{APIURL: f.APIURL(), App: &App{ID: 1, InstallationID: 2, PrivateKeyPath: path}, Retry: retry.Options{Now: rec.Now}})
	require.NoError(t, err)
	src := c.Client().Transport.(rateShield).next.(*authTransport).src
	for i := 0; i < 3; i++ {
		tok, err := src.Token(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "ghs_RENEWED", tok)
	}
	assert.Equal(t, 1, f.App.Minted)
	rec.add(59 * time.Minute)
	_, err = src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, f.App.Minted)
}

// The App's requests carry the JWT (checked by the server), the others the
// installation token; both go through the same retrying transport.
func TestGitHubAppRequestsShareTheTransport(t *testing.T) {
	key, path := writeKey(t, t.TempDir())
	f := ghfake.New()
	t.Cleanup(f.Close)
	f.Owners["acme"] = "Organization"
	f.Token = "ghs_INSTALLATION"
	f.App = &ghfake.App{ID: 7, InstallationID: 8, Key: &key.PublicKey, Token: f.Token}
	f.Clock = func() time.Time { return now0 }
	f.Inject("POST /app/installations/8/access_tokens", ghfake.Fault{Status: 502})
	c, rt, err := New(Options{APIURL: f.APIURL(), App: &App{ID: 7, InstallationID: 8, PrivateKeyPath: path},
		Retry: retry.Options{Now: func() time.Time { return now0 }, Sleep: func(context.Context, time.Duration) error { return nil }}})
	require.NoError(t, err)
	u, _, err := c.Users.Get(context.Background(), "acme")
	require.NoError(t, err)
	assert.Equal(t, "Organization", u.GetType())
	assert.Empty(t, f.App.JWTErrors)
	assert.Equal(t, []string{"POST /app/installations/8/access_tokens", "POST /app/installations/8/access_tokens", "GET /users/acme"}, f.Log(""),
		"the token request is retried after a 502 (it creates nothing twice)")
	assert.Equal(t, 3, rt.Requests())
}

func TestPrivateKeyErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETGARBAGE\n-----END RSA PRIVATE KEY-----\n"), 0o600))
	for path, want := range map[string]string{
		filepath.Join(dir, "missing.pem"): "private_key_path " + filepath.Join(dir, "missing.pem") + ": no such file or directory",
		bad:                               "private_key_path " + bad + ": not a PEM RSA private key",
	} {
		_, _, err := New(Options{App: &App{ID: 1, InstallationID: 2, PrivateKeyPath: path}})
		require.Error(t, err)
		assert.Equal(t, want, err.Error())
	}
}

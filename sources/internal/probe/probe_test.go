package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSettings(t *testing.T) {
	s, err := ParseSettings(0, "", "")
	require.NoError(t, err)
	assert.Equal(t, Settings{Concurrency: DefaultConcurrency, Timeout: DefaultTimeout}, s)
	s, err = ParseSettings(3, "1m30s", "ca.pem")
	require.NoError(t, err)
	assert.Equal(t, Settings{Concurrency: 3, Timeout: 90 * time.Second, CAFile: "ca.pem"}, s)
	for _, bad := range []struct {
		c       int
		timeout string
		ca      string
		want    string
	}{{-1, "", "", "concurrency"}, {0, "soon", "", "not a duration"}, {0, "-1s", "", "must be positive"}, {0, "", "  ", "empty path"}} {
		_, err := ParseSettings(bad.c, bad.timeout, bad.ca)
		assert.ErrorContains(t, err, bad.want)
	}
}

func TestTargets(t *testing.T) {
	ok := func(string) error { return nil }
	assert.NoError(t, Targets("hosts", "host:port", []string{"a:1", "b:1"}, ok))
	assert.ErrorContains(t, Targets("hosts", "host:port", nil, ok), "at least one host:port")
	assert.ErrorContains(t, Targets("hosts", "host:port", []string{"a:1", "a:1"}, ok), `hosts[1]: "a:1" is listed twice`)
	assert.ErrorContains(t, Targets("urls", "URL", []string{"x"}, func(string) error { return errors.New("bad") }), "urls[0]: bad")
}

func TestForEach(t *testing.T) {
	var ran, maxDone atomic.Int32
	ForEach(context.Background(), 20, 4, func(int) { ran.Add(1) }, func(done, total int) {
		assert.Equal(t, 20, total)
		if int32(done) > maxDone.Load() {
			maxDone.Store(int32(done))
		}
	})
	assert.Equal(t, int32(20), ran.Load())
	assert.Equal(t, int32(20), maxDone.Load())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var n atomic.Int32
	ForEach(ctx, 1000, 2, func(int) { n.Add(1) }, nil)
	assert.Less(t, n.Load(), int32(1000), "items not started after cancellation are skipped")
}

func TestCertPoolAndVersionName(t *testing.T) {
	p, path, err := CertPool("/x", "")
	require.NoError(t, err)
	assert.Nil(t, p)
	assert.Empty(t, path)
	_, _, err = CertPool(t.TempDir(), "missing.pem")
	assert.ErrorContains(t, err, "ca_file")
	assert.Equal(t, "TLS1.0", VersionName(tls.VersionTLS10))
	assert.Equal(t, "TLS1.3", VersionName(tls.VersionTLS13))
	assert.Equal(t, "0x0305", VersionName(0x0305))
}

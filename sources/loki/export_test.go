package loki

import "testing"

// FakeLoki starts the fake Loki of the tests, answering the given metric
// queries (LogQL -> testdata payload) and sample queries, and returns its
// URL and the bearer token it accepts (for the end-to-end test, in package
// loki_test).
func FakeLoki(t *testing.T, metric, samples map[string]string) (baseURL, token string) {
	f := newFake(t)
	f.Metric, f.Samples = metric, samples
	return f.URL(), f.Token
}

package elasticsearch

import "testing"

// FakeCluster starts the fake cluster of the tests, answering _count,
// sample searches and cardinality searches by index with testdata
// payloads, and returns its URL and the API key it accepts (for the
// end-to-end test, in package elasticsearch_test).
func FakeCluster(t *testing.T, count, hits, distinct map[string]string) (baseURL, key string) {
	f := newFake(t)
	f.Count, f.Hits, f.Distinct = count, hits, distinct
	return f.URL(), f.Key
}

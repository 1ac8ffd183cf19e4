package headers_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/sources"
	"github.com/localizevideos/posture/sources/headers"
)

// BenchmarkSlowEndpoints probes 200 endpoints that each take 100 ms to answer
// and reports the wall time of one collection against the ideal
// 200 × 0.1 s / concurrency (x-ideal) and against the whole-rounds bound
// ceil(200 / concurrency) × 0.1 s that no schedule can beat (x-rounds):
//
//	go test -run '^$' -bench SlowEndpoints -benchtime 3x ./sources/headers/
//
// hosts=1 puts the 200 URLs on one server (connection reuse per host,
// MaxIdleConnsPerHost); hosts=200 gives each URL its own server (a new
// connection per URL).
func BenchmarkSlowEndpoints(b *testing.B) {
	const (
		endpoints = 200
		delay     = 100 * time.Millisecond
	)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		compliant(w.Header())
		_, _ = w.Write([]byte("<html></html>"))
	})
	one := httptest.NewServer(slow)
	b.Cleanup(one.Close)
	sameHost := make([]string, endpoints)
	manyHosts := make([]string, endpoints)
	for i := range endpoints {
		sameHost[i] = fmt.Sprintf("%s/page/%d", one.URL, i)
		srv := httptest.NewServer(slow)
		b.Cleanup(srv.Close)
		manyHosts[i] = srv.URL + "/"
	}
	for _, shape := range []struct {
		name string
		urls []string
	}{{"hosts=1", sameHost}, {"hosts=200", manyHosts}} {
		for _, conc := range []int{8, 16, 32} {
			b.Run(fmt.Sprintf("%s/concurrency=%d", shape.name, conc), func(b *testing.B) {
				ideal := float64(endpoints) * delay.Seconds() / float64(conc)
				// Whole rounds: no schedule finishes before ceil(200/c) × 0.1 s.
				bound := math.Ceil(float64(endpoints)/float64(conc)) * delay.Seconds()
				n := 0
				start := time.Now()
				for b.Loop() {
					res, err := collect(context.Background(), b, sources.Env{}, headers.Config{URLs: shape.urls, Concurrency: conc})
					require.NoError(b, err)
					require.Len(b, res.Data.Endpoints, endpoints)
					for _, ep := range res.Data.Endpoints {
						require.Empty(b, ep.Error)
					}
					n++
				}
				per := time.Since(start).Seconds() / float64(n)
				b.ReportMetric(per, "s/collection")
				b.ReportMetric(ideal, "ideal-s")
				b.ReportMetric(per/ideal, "x-ideal")
				b.ReportMetric(per/bound, "x-rounds")
			})
		}
	}
}

package snapshot

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkPartWriteTo encodes and hashes a part of 500000 sshd-like events
// (about 75 MB), as `posture snapshot` writes it.
func BenchmarkPartWriteTo(b *testing.B) {
	p := &Part{Source: "bastion", Kind: "sshd_log", SkippedLines: 7, Files: []string{"auth.log"}}
	for i := range 500000 {
		typ := EventLoginFailed
		if i%4 == 0 {
			typ = EventInvalidUser
		}
		p.Data.AddEvent(typ, Event{TimeMS: int64(1795737600000 + i*1000), Time: fmt.Sprintf("2026-11-%02dT%02d:%02d:%02dZ", 1+i/86400%28, i/3600%24, i/60%60, i%60),
			Source: "bastion", Origin: fmt.Sprintf("auth.log:%d", 3*i+1), IP: fmt.Sprintf("203.0.%d.%d", i%200, i%250+1), User: "root", Detail: "password"})
	}
	n, err := p.WriteTo(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	for b.Loop() {
		if _, err := p.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

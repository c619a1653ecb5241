package tcp

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func benchMesh(b *testing.B, n int) []*Transport {
	cfgs, err := configs(b, n, 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	ts, errs := connectAll(cfgs)
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	return ts
}

// BenchmarkTCPRoundTrip measures one 8-byte message from party 1 to party 2
// and back over TLS on 127.0.0.1.
func BenchmarkTCPRoundTrip(b *testing.B) {
	ts := benchMesh(b, 2)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := ts[1].Recv(ctx, 1)
			if err != nil || ts[1].Send(ctx, 1, m) != nil {
				return
			}
		}
	}()
	msg := make([]byte, 8)
	for b.Loop() {
		if err := ts[0].Send(ctx, 2, msg); err != nil {
			b.Fatal(err)
		}
		var err error
		if msg, err = ts[0].Recv(ctx, 2); err != nil {
			b.Fatal(err)
		}
	}
	closeAll(ts)
	<-done
}

// BenchmarkTCPThroughput measures 1000 messages of 8 bytes from party 1 to
// party 2; one op is 1000 messages.
func BenchmarkTCPThroughput(b *testing.B) {
	const count = 1000
	ts := benchMesh(b, 2)
	defer closeAll(ts)
	ctx := context.Background()
	msg := make([]byte, 8)
	b.SetBytes(8 * count)
	for b.Loop() {
		var wg sync.WaitGroup
		wg.Go(func() {
			for range count {
				if _, err := ts[1].Recv(ctx, 1); err != nil {
					b.Error(err)
					return
				}
			}
		})
		for range count {
			if err := ts[0].Send(ctx, 2, msg); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*count), "ns/msg")
}

// BenchmarkTLSHandshake measures Connect for two parties on 127.0.0.1: TCP
// connect, TLS 1.3 handshake with mutual Ed25519 authentication, hello
// exchange, and Close.
func BenchmarkTLSHandshake(b *testing.B) {
	identities()
	for b.Loop() {
		ts := benchMesh(b, 2)
		closeAll(ts)
	}
}

package net_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/cohortmpc/cohort/net"
)

// BenchmarkMeshRoundTrip measures one 8-byte message from party 1 to party 2
// and back.
func BenchmarkMeshRoundTrip(b *testing.B) {
	ts, _ := net.NewMesh(2)
	defer closeAll(ts)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := ts[1].Recv(ctx, 1)
			if err != nil {
				return
			}
			if ts[1].Send(ctx, 1, m) != nil {
				return
			}
		}
	}()
	msg := make([]byte, 8)
	for b.Loop() {
		ts[0].Send(ctx, 2, msg)
		msg, _ = ts[0].Recv(ctx, 2)
	}
	ts[0].Close()
	<-done
}

// BenchmarkMeshThroughput measures 1000 messages of 8 bytes from party 1 to
// party 2 (sender and receiver in separate goroutines); one op is 1000
// messages.
func BenchmarkMeshThroughput(b *testing.B) {
	const count = 1000
	ts, _ := net.NewMesh(2)
	defer closeAll(ts)
	ctx := context.Background()
	buf := make([]byte, 8*count)
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
		for k := range count {
			ts[0].Send(ctx, 2, buf[8*k:8*k+8:8*k+8])
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*count), "ns/msg")
}

// BenchmarkMeshRound runs all-to-all rounds: every party sends one 8-byte
// message to every other party, then receives one from each; one op is one
// round, n(n−1) messages. The parties are n goroutines.
func BenchmarkMeshRound(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ts, _ := net.NewMesh(n)
			defer closeAll(ts)
			ctx := context.Background()
			start := make(chan int)
			var wg sync.WaitGroup
			for _, tr := range ts {
				wg.Go(func() {
					for rounds := range start {
						for range rounds {
							buf := make([]byte, 8*n) // one encoding buffer per party and round
							for j := 1; j <= n; j++ {
								if j != tr.ID() {
									tr.Send(ctx, j, buf[8*j-8:8*j:8*j])
								}
							}
							for j := 1; j <= n; j++ {
								if j != tr.ID() {
									if _, err := tr.Recv(ctx, j); err != nil {
										b.Error(err)
										return
									}
								}
							}
						}
					}
				})
			}
			// Each party runs b.N rounds back to back; parties drift apart by
			// at most what the unbounded queues absorb.
			b.ResetTimer()
			for range n {
				start <- b.N
			}
			close(start)
			wg.Wait()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/round")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*(n-1)), "ns/msg")
		})
	}
}

// BenchmarkMeshMemory reports the heap used by a mesh of n parties after one
// all-to-all round, per ordered pair.
func BenchmarkMeshMemory(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var perPair float64
			for b.Loop() {
				before := heap()
				ts, _ := net.NewMesh(n)
				empty := heap()
				ctx := context.Background()
				for _, tr := range ts {
					for j := 1; j <= n; j++ {
						if j != tr.ID() {
							tr.Send(ctx, j, nil)
						}
					}
				}
				for _, tr := range ts {
					for j := 1; j <= n; j++ {
						if j != tr.ID() {
							tr.Recv(ctx, j)
						}
					}
				}
				used := heap()
				pairs := float64(n * (n - 1))
				b.ReportMetric(float64(empty-before)/pairs, "B/pair-empty")
				perPair = float64(used-before) / pairs
				runtime.KeepAlive(ts)
			}
			b.ReportMetric(perPair, "B/pair")
		})
	}
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func closeAll(ts []net.Transport) {
	for _, tr := range ts {
		tr.Close()
	}
}

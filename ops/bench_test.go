package ops_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// The building-block benchmarks run one operation on all n parties of an
// in-memory mesh at once; one op is the operation on a whole batch, at
// every party. The sessions start with empty pools and are never given a
// Prepare, so each op generates its preprocessed randomness on demand and
// ns/op, B-sent/op and rounds/op include preprocessing. Extraction yields
// randomness in multiples of n − t, so an op may leave a little in the
// pools for the next: the figures are averages over the run.
//
// Reported: ns/op (wall time), B-sent/op (bytes sent by all parties,
// frame headers included), B-sent/value (the same per element of the
// batch) and rounds/op.

var benchPartyCounts = []int{3, 10, 50, 100}

// benchGroup is n sessions over one in-memory mesh.
type benchGroup struct {
	ctx      context.Context
	cancel   context.CancelFunc
	sessions []*ops.Session[field.M61]
}

// newBenchGroup sets up the mesh and the sessions; they are closed when
// the benchmark ends.
func newBenchGroup(b *testing.B, n int) *benchGroup {
	b.Helper()
	trs, err := cnet.NewMesh(n)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &benchGroup{ctx: ctx, cancel: cancel, sessions: make([]*ops.Session[field.M61], n)}
	b.Cleanup(func() {
		cancel()
		for _, tr := range trs {
			tr.Close()
		}
	})
	g.all(b, func(ctx context.Context, i int, _ *ops.Session[field.M61]) error {
		s, err := ops.NewSession(ctx, field.F61{}, trs[i], ops.Options{SessionID: "bench"})
		g.sessions[i] = s
		return err
	})
	return g
}

// all runs fn for every party concurrently and fails the benchmark if a
// party fails (the others are then cancelled).
func (g *benchGroup) all(b *testing.B, fn func(ctx context.Context, i int, s *ops.Session[field.M61]) error) {
	b.Helper()
	errs := make([]error, len(g.sessions))
	var wg sync.WaitGroup
	for i := range g.sessions {
		wg.Go(func() {
			if errs[i] = fn(g.ctx, i, g.sessions[i]); errs[i] != nil {
				g.cancel()
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			b.Fatalf("party %d: %v", i+1, err)
		}
	}
}

// shared has party 1 deal count values in [−500, 499] and returns every
// party's shares.
func (g *benchGroup) shared(b *testing.B, count int) []ops.Shares[field.M61] {
	b.Helper()
	out := make([]ops.Shares[field.M61], len(g.sessions))
	g.all(b, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
		var vals []field.M61
		if s.ID() == 1 {
			vals = make([]field.M61, count)
			for j := range vals {
				vals[j] = field.F61{}.FromInt64(int64(j%1000) - 500)
			}
		}
		var err error
		out[i], err = s.InputFrom(ctx, 1, vals, count)
		return err
	})
	return out
}

// loop times op on all parties and reports the traffic per op; values is
// the batch size.
func (g *benchGroup) loop(b *testing.B, values int, op func(ctx context.Context, i int, s *ops.Session[field.M61]) error) {
	b.Helper()
	sent := func() (bytes, rounds int64) {
		for _, s := range g.sessions {
			bytes += s.Stats().BytesSent
		}
		return bytes, g.sessions[0].Stats().Rounds
	}
	bytes0, rounds0 := sent()
	runs := 0
	for b.Loop() {
		g.all(b, op)
		runs++
	}
	bytes1, rounds1 := sent()
	perOp := float64(bytes1-bytes0) / float64(runs)
	b.ReportMetric(perOp, "B-sent/op")
	b.ReportMetric(perOp/float64(values), "B-sent/value")
	b.ReportMetric(float64(rounds1-rounds0)/float64(runs), "rounds/op")
}

// benchBatches runs body for every party count and batch size.
func benchBatches(b *testing.B, batches []int, body func(b *testing.B, g *benchGroup, batch int)) {
	for _, n := range benchPartyCounts {
		for _, batch := range batches {
			b.Run(fmt.Sprintf("n=%d/batch=%d", n, batch), func(b *testing.B) {
				body(b, newBenchGroup(b, n), batch)
			})
		}
	}
}

// BenchmarkMul multiplies batch pairs of shared values (DN07).
func BenchmarkMul(b *testing.B) {
	benchBatches(b, []int{1, 1000}, func(b *testing.B, g *benchGroup, batch int) {
		x := g.shared(b, batch)
		g.loop(b, batch, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
			_, err := s.Mul(ctx, x[i], x[i])
			return err
		})
	})
}

// BenchmarkRandomBits generates batch shared random bits.
func BenchmarkRandomBits(b *testing.B) {
	benchBatches(b, []int{1, 1000}, func(b *testing.B, g *benchGroup, batch int) {
		g.loop(b, batch, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
			_, err := s.RandomBits(ctx, batch)
			return err
		})
	})
}

// BenchmarkLTZ compares batch shared values with zero, k = 14.
func BenchmarkLTZ(b *testing.B) {
	benchBatches(b, []int{1, 100, 1000}, func(b *testing.B, g *benchGroup, batch int) {
		x := g.shared(b, batch)
		g.loop(b, batch, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
			_, err := s.LTZ(ctx, s.AsInt(x[i], ops.Bound{Lo: -1 << 13, Hi: 1<<13 - 1}))
			return err
		})
	})
}

// BenchmarkEQZ tests batch shared values for zero, k = 14.
func BenchmarkEQZ(b *testing.B) {
	benchBatches(b, []int{1, 1000}, func(b *testing.B, g *benchGroup, batch int) {
		x := g.shared(b, batch)
		g.loop(b, batch, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
			_, err := s.EQZ(ctx, s.AsInt(x[i], ops.Bound{Lo: -1 << 13, Hi: 1<<13 - 1}))
			return err
		})
	})
}

// BenchmarkMax finds the largest of n shared values, one dealt by each
// party, with k = 15 (the assessment's comparisons).
func BenchmarkMax(b *testing.B) {
	for _, n := range benchPartyCounts {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			g := newBenchGroup(b, n)
			x := make([]ops.Int[field.M61], n)
			g.all(b, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
				dealt, err := s.InputInt(ctx, []int64{int64(37 * i % 9901)}, 1, ops.Bound{Lo: 0, Hi: 9900})
				x[i] = ops.ColumnInt(dealt, 0)
				return err
			})
			g.loop(b, n, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
				_, err := s.Max(ctx, x[i])
				return err
			})
		})
	}
}

// BenchmarkMaxByOwners finds the largest of n private values, one owned by
// each party, 14 bits, one bit per step (the assessment's bitwise
// maximum; its random values and sharings of zero on demand).
func BenchmarkMaxByOwners(b *testing.B) {
	for _, n := range benchPartyCounts {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			g := newBenchGroup(b, n)
			g.loop(b, n, func(ctx context.Context, i int, s *ops.Session[field.M61]) error {
				_, err := s.MaxByOwners(ctx, int64(37*i%9901), 14, ops.MaxByOwnersOptions[field.M61]{})
				return err
			})
		})
	}
}

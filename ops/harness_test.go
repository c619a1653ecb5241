package ops_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
	"github.com/cohortmpc/cohort/share"
)

// seeded is a deterministic randomness source for tests.
type seeded struct{ r *rand.ChaCha8 }

func newSeeded(seed uint64, id int) *seeded {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	key[2], key[3] = byte(id), byte(id>>8)
	key[4] = byte(seed >> 16)
	return &seeded{rand.NewChaCha8(key)}
}

func (s *seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

// run executes fn for every party of an n-party in-memory session and
// returns the results by party (index id−1). It fails the test when a
// party fails.
func run[E any, R any](t testing.TB, f field.Field[E], n int, seed uint64, fn func(ctx context.Context, s *ops.Session[E]) (R, error)) []R {
	t.Helper()
	res, errs := runAll(t, f, n, seed, nil, fn)
	for i, err := range errs {
		require.NoError(t, err, "party %d", i+1)
	}
	return res
}

// runAll is run that returns every party's error; wrap, when not nil,
// replaces party i's transport (for fault injection).
func runAll[E any, R any](t testing.TB, f field.Field[E], n int, seed uint64, wrap func(id int, tr cnet.Transport) cnet.Transport,
	fn func(ctx context.Context, s *ops.Session[E]) (R, error)) ([]R, []error) {
	t.Helper()
	trs, err := cnet.NewMesh(n)
	require.NoError(t, err)
	return runOn(t, f, trs, seed, wrap, fn)
}

// runSec is run with the given security model.
func runSec[E any, R any](t testing.TB, f field.Field[E], n int, seed uint64, sec ops.Security, fn func(ctx context.Context, s *ops.Session[E]) (R, error)) []R {
	t.Helper()
	trs, err := cnet.NewMesh(n)
	require.NoError(t, err)
	res, errs := runOnWith(t, f, trs, func(id int) ops.Options {
		return ops.Options{SessionID: "test", Rand: newSeeded(seed, id), Security: sec}
	}, fn)
	for i, err := range errs {
		require.NoError(t, err, "party %d", i+1)
	}
	return res
}

// runOn is runAll over the given transports, which it closes.
func runOn[E any, R any](t testing.TB, f field.Field[E], trs []cnet.Transport, seed uint64, wrap func(id int, tr cnet.Transport) cnet.Transport,
	fn func(ctx context.Context, s *ops.Session[E]) (R, error)) ([]R, []error) {
	t.Helper()
	if wrap != nil {
		for i := range trs {
			trs[i] = wrap(i+1, trs[i])
		}
	}
	return runOnWith(t, f, trs, func(id int) ops.Options {
		return ops.Options{SessionID: "test", Rand: newSeeded(seed, id)}
	}, fn)
}

// runOnWith runs fn for every party over trs (closing them after) with the
// session options opts(id).
func runOnWith[E any, R any](t testing.TB, f field.Field[E], trs []cnet.Transport, opts func(id int) ops.Options,
	fn func(ctx context.Context, s *ops.Session[E]) (R, error)) ([]R, []error) {
	t.Helper()
	n := len(trs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res := make([]R, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := ops.NewSession(ctx, f, trs[i], opts(i+1))
			if err != nil {
				errs[i] = err
				return
			}
			res[i], errs[i] = fn(ctx, s)
		}()
	}
	wg.Wait()
	var cw sync.WaitGroup
	for _, tr := range trs {
		cw.Go(func() { tr.Close() })
	}
	cw.Wait()
	return res, errs
}

// reconstruct recombines the parties' shares (shares[party][value]) and
// checks that they lie on polynomials of degree t.
func reconstruct[E any](t testing.TB, f field.Field[E], shares [][]E) []E {
	t.Helper()
	n := len(shares)
	deg := (n - 1) / 2
	points := make([]int, n)
	for i := range points {
		points[i] = i + 1
	}
	out := make([]E, len(shares[0]))
	col := make([]E, n)
	for v := range out {
		for p := range n {
			col[p] = shares[p][v]
		}
		require.NoError(t, share.Check(f, points, col, deg), "value %d is not a degree-%d sharing", v, deg)
		x, err := share.Reconstruct(f, points, col, deg)
		require.NoError(t, err)
		out[v] = x
	}
	return out
}

// ints converts signed integers to field elements.
func ints[E any](f field.Field[E], xs []int64) []E {
	out := make([]E, len(xs))
	for i, x := range xs {
		out[i] = f.FromInt64(x)
	}
	return out
}

// signed converts field elements to signed integers.
func signed[E any](t testing.TB, f field.Field[E], xs []E) []int64 {
	t.Helper()
	out := make([]int64, len(xs))
	for i, x := range xs {
		v, err := f.Int64(x)
		require.NoError(t, err)
		out[i] = v
	}
	return out
}

// inputAll has party 1 deal all values, for tests that need shared inputs.
func inputAll[E any](ctx context.Context, s *ops.Session[E], values []E) (ops.Shares[E], error) {
	var mine []E
	if s.ID() == 1 {
		mine = values
	}
	return s.InputFrom(ctx, 1, mine, len(values))
}

// inputInts has party 1 deal integers in bound b.
func inputInts[E any](ctx context.Context, s *ops.Session[E], values []int64, b ops.Bound) (ops.Int[E], error) {
	var mine []int64
	if s.ID() == 1 {
		mine = values
	}
	return s.InputIntFrom(ctx, 1, mine, len(values), b)
}

// requireAllEqual checks that every party got want.
func requireAllEqual[R any](t testing.TB, want R, got []R) {
	t.Helper()
	for p := range got {
		require.Equal(t, want, got[p], "party %d", p+1)
	}
}

var partyCounts = []int{3, 4, 5, 7, 10, 11}

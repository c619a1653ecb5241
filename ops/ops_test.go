package ops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/ops"
)

var (
	f61  = field.F61{}
	f127 = field.F127{}
)

func genN(t *rapid.T) int { return rapid.SampledFrom(partyCounts).Draw(t, "n") }

func TestInputOpen(t *testing.T) {
	defer leaktest.Check(t)()
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		count := rapid.IntRange(0, 5).Draw(rt, "count")
		// Every party inputs count values; all are opened.
		vals := make([][]int64, n)
		for p := range vals {
			vals[p] = rapid.SliceOfN(rapid.Int64(), count, count).Draw(rt, fmt.Sprintf("values%d", p+1))
		}
		seed := rapid.Uint64().Draw(rt, "seed")
		got := run(t, f61, n, seed, func(ctx context.Context, s *ops.Session[field.M61]) ([][]field.M61, error) {
			sh, err := s.Input(ctx, ints(f61, vals[s.ID()-1]), count)
			if err != nil {
				return nil, err
			}
			var all []field.M61
			for _, v := range sh {
				all = append(all, v...)
			}
			open, err := s.Open(ctx, all)
			return [][]field.M61{all, open}, err
		})
		var want []field.M61
		for p := range n {
			want = append(want, ints(f61, vals[p])...)
		}
		shares := make([][]field.M61, n)
		for p := range n {
			shares[p] = got[p][0]
			if len(want) == 0 {
				require.Empty(t, got[p][1], "party %d opened", p+1)
			} else {
				require.Equal(t, want, got[p][1], "party %d opened", p+1)
			}
		}
		if len(want) > 0 {
			require.Equal(t, want, reconstruct(t, f61, shares))
		}
	})
}

func TestMulDot(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		size := rapid.IntRange(1, 40).Draw(rt, "size")
		x := rapid.SliceOfN(rapid.Int64Range(-1<<29, 1<<29), size, size).Draw(rt, "x")
		y := rapid.SliceOfN(rapid.Int64Range(-1<<29, 1<<29), size, size).Draw(rt, "y")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([][]field.M61, error) {
			xs, err := inputAll(ctx, s, ints(f61, x))
			if err != nil {
				return nil, err
			}
			ys, err := inputAll(ctx, s, ints(f61, y))
			if err != nil {
				return nil, err
			}
			prod, err := s.Mul(ctx, xs, ys)
			if err != nil {
				return nil, err
			}
			dot, err := s.Dot(ctx, [][]field.M61{xs, xs[:size/2]}, [][]field.M61{ys, ys[:size/2]})
			return [][]field.M61{prod, dot}, err
		})
		prods := make([][]field.M61, n)
		dots := make([][]field.M61, n)
		for p := range n {
			prods[p], dots[p] = got[p][0], got[p][1]
		}
		var dot, half int64
		for i := range x {
			dot += x[i] * y[i]
			if i < size/2 {
				half += x[i] * y[i]
			}
		}
		wantProd := make([]int64, size)
		for i := range x {
			wantProd[i] = x[i] * y[i]
		}
		require.Equal(t, wantProd, signed(t, f61, reconstruct(t, f61, prods)))
		require.Equal(t, []int64{dot, half}, signed(t, f61, reconstruct(t, f61, dots)))
	})
}

func TestMulM127(t *testing.T) {
	for _, n := range []int{3, 4, 7} {
		x := []int64{-5, 0, 1 << 40, -(1 << 50)}
		y := []int64{7, 9, 1 << 20, 3}
		got := run(t, f127, n, 1, func(ctx context.Context, s *ops.Session[field.M127]) ([]field.M127, error) {
			xs, err := inputAll(ctx, s, ints(f127, x))
			if err != nil {
				return nil, err
			}
			ys, err := inputAll(ctx, s, ints(f127, y))
			if err != nil {
				return nil, err
			}
			p, err := s.Mul(ctx, xs, ys)
			if err != nil {
				return nil, err
			}
			return s.Open(ctx, p)
		})
		for p := range n {
			require.Equal(t, []int64{-35, 0, 1 << 60, -3 * (1 << 50)}, signed(t, f127, got[p]))
		}
	}
}

func TestRandomBits(t *testing.T) {
	for _, n := range []int{3, 4, 10} {
		const count = 2000
		got := run(t, f61, n, 7, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			return s.RandomBits(ctx, count)
		})
		bits := reconstruct(t, f61, got)
		ones := 0
		for i, b := range bits {
			v := uint64(b)
			require.True(t, v <= 1, "bit %d is %d", i, v)
			ones += int(v)
		}
		// Binomial(2000, 1/2): sd ≈ 22; 6 sd is a loose bound for a fixed seed.
		require.InDelta(t, count/2, ones, 135, "n=%d: %d ones in %d bits", n, ones, count)
	}
}

// ltzOracle is the plaintext LTZ.
func ltzOracle(a []int64) []int64 {
	out := make([]int64, len(a))
	for i, v := range a {
		if v < 0 {
			out[i] = 1
		}
	}
	return out
}

func TestLTZExhaustiveK6(t *testing.T) {
	var a []int64
	for v := int64(-32); v < 32; v++ {
		a = append(a, v)
	}
	for _, n := range partyCounts {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			got := run(t, f61, n, uint64(n), func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
				x, err := inputAll(ctx, s, ints(f61, a))
				if err != nil {
					return nil, err
				}
				return s.LTZ(ctx, x, 6)
			})
			require.Equal(t, ltzOracle(a), signed(t, f61, reconstruct(t, f61, got)))
		})
	}
}

func TestLTZRandom(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		const k = 14
		a := rapid.SliceOfN(rapid.Int64Range(-(1<<(k-1)), 1<<(k-1)-1), 1, 30).Draw(rt, "a")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			x, err := inputAll(ctx, s, ints(f61, a))
			if err != nil {
				return nil, err
			}
			return s.LTZ(ctx, x, k)
		})
		require.Equal(t, ltzOracle(a), signed(t, f61, reconstruct(t, f61, got)))
	})
}

func TestLTZM127K32(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "n")
		const k = 32
		a := rapid.SliceOfN(rapid.Int64Range(-(1<<(k-1)), 1<<(k-1)-1), 1, 10).Draw(rt, "a")
		a = append(a, -(1 << (k - 1)), 1<<(k-1)-1, 0, -1)
		got := run(t, f127, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M127]) ([]field.M127, error) {
			x, err := inputAll(ctx, s, ints(f127, a))
			if err != nil {
				return nil, err
			}
			return s.LTZ(ctx, x, k)
		})
		require.Equal(t, ltzOracle(a), signed(t, f127, reconstruct(t, f127, got)))
	})
}

func TestLTZRejectsBitLength(t *testing.T) {
	got, errs := runAll(t, f61, 3, 1, nil, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
		return s.LTZ(ctx, []field.M61{1}, 20)
	})
	_ = got
	for _, err := range errs {
		require.ErrorContains(t, err, "use a larger field")
	}
}

func TestLessThanAtLeast(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		const k = 12
		size := rapid.IntRange(1, 12).Draw(rt, "size")
		gen := rapid.Int64Range(0, 1<<(k-1)-1)
		a := rapid.SliceOfN(gen, size, size).Draw(rt, "a")
		b := rapid.SliceOfN(gen, size, size).Draw(rt, "b")
		c := gen.Draw(rt, "c")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([][]field.M61, error) {
			as, err := inputAll(ctx, s, ints(f61, a))
			if err != nil {
				return nil, err
			}
			bs, err := inputAll(ctx, s, ints(f61, b))
			if err != nil {
				return nil, err
			}
			lt, err := s.LessThan(ctx, as, bs, k)
			if err != nil {
				return nil, err
			}
			ge, err := s.AtLeast(ctx, as, f61.FromInt64(c), k)
			return [][]field.M61{lt, ge}, err
		})
		lts, ges := make([][]field.M61, n), make([][]field.M61, n)
		for p := range n {
			lts[p], ges[p] = got[p][0], got[p][1]
		}
		wantLT, wantGE := make([]int64, size), make([]int64, size)
		for i := range a {
			if a[i] < b[i] {
				wantLT[i] = 1
			}
			if a[i] >= c {
				wantGE[i] = 1
			}
		}
		require.Equal(t, wantLT, signed(t, f61, reconstruct(t, f61, lts)))
		require.Equal(t, wantGE, signed(t, f61, reconstruct(t, f61, ges)))
	})
}

func TestMax(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		const k = 15
		lo := int64(rapid.IntRange(-100, 0).Draw(rt, "lo"))
		hi := lo + 1<<(k-1) - 1
		size := rapid.IntRange(1, 17).Draw(rt, "size")
		// Values near the ends of the range and ties are likely.
		gen := rapid.OneOf(rapid.Int64Range(lo, hi), rapid.SampledFrom([]int64{lo, hi, lo + 1, hi - 1}))
		x := rapid.SliceOfN(gen, size, size).Draw(rt, "x")
		extra := rapid.SliceOfN(rapid.Int64Range(-(1<<(k-1)), 1<<(k-1)-1), 0, 5).Draw(rt, "extra")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			xs, err := inputAll(ctx, s, ints(f61, append(append([]int64{}, x...), extra...)))
			if err != nil {
				return nil, err
			}
			m, lt, err := s.MaxAndLTZ(ctx, xs[:size], k, xs[size:])
			if err != nil {
				return nil, err
			}
			m2, _, err := s.MaxToOpen(ctx, xs[:size], k, nil)
			if err != nil {
				return nil, err
			}
			open, err := s.OpenDouble(ctx, []field.M61{m2})
			return append([]field.M61{m, open[0]}, lt...), err
		})
		want := x[0]
		for _, v := range x {
			want = max(want, v)
		}
		shares := make([][]field.M61, n)
		for p := range n {
			require.Equal(t, want, signed(t, f61, got[p][1:2])[0], "party %d: MaxToOpen", p+1)
			shares[p] = append(got[p][:1:1], got[p][2:]...)
		}
		require.Equal(t, append([]int64{want}, ltzOracle(extra)...), signed(t, f61, reconstruct(t, f61, shares)))
	})
}

func TestPrepareCoversOperations(t *testing.T) {
	// With Prepare called up front for exactly what LTZ and Max need, the
	// pools end empty-handed of on-demand work: the round count is the
	// online count.
	const k = 15
	for _, n := range []int{3, 10} {
		got := run(t, f61, n, 3, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			x, err := inputAll(ctx, s, ints(f61, []int64{5, 900, 13, 900, 77}))
			if err != nil {
				return nil, err
			}
			need := s.NeedsMax(len(x), k).Add(s.NeedsLTZ(2, k))
			if err := s.Prepare(ctx, need); err != nil {
				return nil, err
			}
			before := s.Stats().Rounds
			m, lt, err := s.MaxAndLTZ(ctx, x, k, x[:2])
			if err != nil {
				return nil, err
			}
			rounds := s.Stats().Rounds - before
			out, err := s.Open(ctx, append([]field.M61{m}, lt...))
			if err != nil {
				return nil, err
			}
			return append(signed(t, f61, out), rounds), nil
		})
		for p := range n {
			// max 900, 5 ≥ 0 and 900 ≥ 0; 3 levels of 10 rounds (each
			// level's selection is reduced during the next level's opening),
			// and 2 to reduce the last selection.
			require.Equal(t, []int64{900, 0, 0, 32}, got[p], "n=%d party %d", n, p+1)
		}
	}
}

func TestLTZWithMasksPreparedForFewerBits(t *testing.T) {
	// At n = 7, masks summed from t+1 = 4 contributions fit comparisons of
	// 4 bits but would wrap the field at 19: LTZ must then build its masks
	// from bits instead of taking the prepared ones.
	const k = 19
	a := []int64{-(1 << (k - 1)), -(1 << (k - 1)) + 1, -1, 0, 1, 1<<(k-1) - 2, 1<<(k-1) - 1}
	got := run(t, f61, 7, 4, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
		x, err := inputAll(ctx, s, ints(f61, a))
		if err != nil {
			return nil, err
		}
		if err := s.Prepare(ctx, ops.Needs{Masks: len(a), MaskBits: 4}); err != nil {
			return nil, err
		}
		lt, err := s.LTZ(ctx, x, k)
		if err != nil {
			return nil, err
		}
		if s.Pool().Masks != len(a) {
			return nil, fmt.Errorf("the prepared masks were used: %d left", s.Pool().Masks)
		}
		return lt, nil
	})
	require.Equal(t, ltzOracle(a), signed(t, f61, reconstruct(t, f61, got)))
}

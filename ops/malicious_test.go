package ops_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/ops"
)

// TestMaliciousOperationsMatchPlaintext runs the operations with MACs and
// verification: honest runs give the plaintext results.
func TestMaliciousOperationsMatchPlaintext(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		size := rapid.IntRange(1, 8).Draw(rt, "size")
		b := ops.Bound{Lo: -200, Hi: 2000}
		x := rapid.SliceOfN(rapid.Int64Range(b.Lo, b.Hi), size, size).Draw(rt, "x")
		y := rapid.SliceOfN(rapid.OneOf(rapid.Int64Range(b.Lo, b.Hi), rapid.SampledFrom(x)), size, size).Draw(rt, "y")
		got := runSec(t, f61, n, rapid.Uint64().Draw(rt, "seed"), ops.Malicious, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			xs, err := inputInts(ctx, s, x, b)
			if err != nil {
				return nil, err
			}
			ys, err := inputInts(ctx, s, y, b)
			if err != nil {
				return nil, err
			}
			prod, err := s.MulInt(ctx, xs, ys)
			if err != nil {
				return nil, err
			}
			lt, err := s.LessThan(ctx, xs, ys)
			if err != nil {
				return nil, err
			}
			eq, err := s.Equal(ctx, xs, ys)
			if err != nil {
				return nil, err
			}
			m, idx, err := s.ArgMax(ctx, xs)
			if err != nil {
				return nil, err
			}
			q, err := s.DivPow2(ctx, xs, 3)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, ops.ConcatInts(prod, lt, eq, m, idx, q, xs.Sum().Add(ys.Sum().Scale(3)).AddConst(7)))
		})
		var want []int64
		mx, arg := x[0], 0
		var sx, sy int64
		for i := range x {
			want = append(want, x[i]*y[i])
			if x[i] > mx {
				mx, arg = x[i], i
			}
			sx += x[i]
			sy += y[i]
		}
		for i := range x {
			want = append(want, boolInt(x[i] < y[i]))
		}
		for i := range x {
			want = append(want, boolInt(x[i] == y[i]))
		}
		want = append(want, mx, int64(arg))
		for i := range x {
			want = append(want, x[i]>>3)
		}
		want = append(want, sx+3*sy+7)
		requireAllEqual(t, want, got)
	})
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestMaliciousZeroTestAndOpenTo(t *testing.T) {
	for _, n := range []int{3, 4, 5, 8} {
		got := runSec(t, f61, n, 5, ops.Malicious, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			xs, err := inputInts(ctx, s, []int64{0, 5, 0, -3}, ops.Bound{Lo: -10, Hi: 10})
			if err != nil {
				return nil, err
			}
			z, err := s.ZeroTest(ctx, xs.Shares())
			if err != nil {
				return nil, err
			}
			priv, err := s.OpenIntTo(ctx, xs, 2)
			if err != nil {
				return nil, err
			}
			out := []int64{boolInt(z[0]), boolInt(z[1]), boolInt(z[2]), boolInt(z[3])}
			return append(out, priv...), nil
		})
		for p := range n {
			want := []int64{1, 0, 1, 0}
			if p == 1 {
				want = append(want, 0, 5, 0, -3)
			}
			require.Equal(t, want, got[p], "n=%d party %d", n, p+1)
		}
	}
}

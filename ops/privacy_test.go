package ops_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/stattest"
	"github.com/cohortmpc/cohort/ops"
)

func TestKingSeesUniformValues(t *testing.T) {
	// A king reconstructs x·y + r for a random r: whatever x and y are, the
	// values must look uniform. 16 buckets, 15 degrees of freedom: the
	// 0.1% critical value is 37.7.
	for _, n := range []int{3, 4, 7} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			const count = 4000
			views := run(t, f61, n, 11, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
				vals := make([]field.M61, count)
				for i := range vals {
					vals[i] = field.M61(i % 3) // 0, 1, 2: products 0, 1, 4
				}
				x, err := inputAll(ctx, s, vals)
				if err != nil {
					return nil, err
				}
				return s.KingView(ctx, x, x)
			})
			counts := make([]int, 16)
			seen := 0
			for _, v := range views {
				for _, e := range v {
					counts[stattest.Bucket(e, 4)]++
					seen++
				}
			}
			require.Equal(t, count, seen)
			require.Less(t, stattest.ChiSquare(counts), stattest.Critical15, "bucket counts %v", counts)
		})
	}
}

func TestFewSharesRevealNothing(t *testing.T) {
	// n = 7, t = 3. Party 1 deals many copies of a secret; the coalition of
	// parties 2 and 3, whose shares the dealer interpolates, must see the
	// same joint distribution for either secret. Homogeneity test over
	// 8×8 buckets: 63 degrees of freedom, 0.1% critical value 103.4.
	const n, count = 7, 6000
	joint := func(secret int64) []int {
		shares := run(t, f61, n, uint64(secret)+1, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			vals := make([]field.M61, count)
			for i := range vals {
				vals[i] = f61.FromInt64(secret)
			}
			x, err := inputAll(ctx, s, vals)
			return x.Raw(), err
		})
		cells := make([]int, 64)
		for i := range count {
			cells[stattest.Bucket(shares[1][i], 3)*8+stattest.Bucket(shares[2][i], 3)]++
		}
		return cells
	}
	a, b := joint(0), joint(1<<40)
	var x2 float64
	for i := range a {
		if a[i]+b[i] == 0 {
			continue
		}
		d := float64(a[i] - b[i])
		x2 += d * d / float64(a[i]+b[i])
	}
	require.Less(t, x2, stattest.Critical63, "cells %v vs %v", a, b)
	require.Less(t, stattest.ChiSquare(a), stattest.Critical63)
}

// leading returns the coefficient of X^(n−1) of the polynomial through
// (i, y[i−1]) for i = 1..n: Σ_i y_i / Π_(j≠i)(i − j).
func leading(f field.F61, y []field.M61) field.M61 {
	var acc field.M61
	for i := range y {
		den := f.One()
		for j := range y {
			if j != i {
				den = f.Mul(den, f.FromInt64(int64(i-j)))
			}
		}
		inv, _ := f.Inv(den)
		acc = f.Add(acc, f.Mul(y[i], inv))
	}
	return acc
}

func TestDoubleOpeningsAreRerandomised(t *testing.T) {
	// The shares a degree-2t opening sends must not be the raw product
	// polynomial's: two openings of the same product lie on different
	// polynomials (different top coefficients) with the same value at 0.
	for _, n := range []int{3, 5, 6} {
		const count = 20
		got := run(t, f61, n, 3, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			vals := make([]field.M61, count)
			for i := range vals {
				vals[i] = field.M61(i + 2)
			}
			x, err := inputAll(ctx, s, vals)
			if err != nil {
				return nil, err
			}
			prod := x.MulLocal(x)
			a, err := s.Rerandomise(ctx, prod)
			if err != nil {
				return nil, err
			}
			b, err := s.Rerandomise(ctx, prod)
			return append(append(prod.Raw(), a...), b...), err
		})
		for v := range count {
			col := func(off int) []field.M61 {
				y := make([]field.M61, n)
				for p := range n {
					y[p] = got[p][off*count+v]
				}
				return y
			}
			raw, a, b := col(0), col(1), col(2)
			if n%2 == 1 {
				// n = 2t+1 points determine the degree-2t polynomial.
				la, lb, lr := leading(f61, a), leading(f61, b), leading(f61, raw)
				require.NotEqual(t, la, lb, "n=%d value %d: same top coefficient twice", n, v)
				require.NotEqual(t, lr, la, "n=%d value %d: raw product polynomial sent", n, v)
			}
			require.NotEqual(t, raw, a)
			require.NotEqual(t, a, b)
			want := field.M61((v + 2) * (v + 2))
			deg := 2 * ((n - 1) / 2)
			require.Equal(t, want, interpolateAt0(a[:deg+1]), "n=%d value %d", n, v)
			require.Equal(t, want, interpolateAt0(b[:deg+1]), "n=%d value %d", n, v)
		}
	}
}

// interpolateAt0 evaluates at 0 the polynomial through (i, y[i−1]).
func interpolateAt0(y []field.M61) field.M61 {
	var acc field.M61
	for i := range y {
		num, den := f61.One(), f61.One()
		for j := range y {
			if j != i {
				num = f61.Mul(num, f61.FromInt64(int64(-(j + 1))))
				den = f61.Mul(den, f61.FromInt64(int64(i-j)))
			}
		}
		inv, _ := f61.Inv(den)
		acc = f61.Add(acc, f61.Mul(y[i], f61.Mul(num, inv)))
	}
	return acc
}

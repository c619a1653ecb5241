package ops_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/stattest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// ownersResult is what one party got from MaxByOwners in the tests: the
// maximum, the opened values and the values dealt along, opened.
type ownersResult struct {
	Max    int64
	Opened []int64
	Along  []int64
}

// maxByOwners runs MaxByOwners at every party of an n-party session: party
// i owns values[i−1] and deals along[i−1] along; the sums of the first
// value dealt along are opened with the first step.
func maxByOwners[E any](t testing.TB, f field.Field[E], n int, seed uint64, values []int64, k, top, step int, along [][]int64) []ownersResult {
	t.Helper()
	return run(t, f, n, seed, func(ctx context.Context, s *ops.Session[E]) (ownersResult, error) {
		o := ops.MaxByOwnersOptions[E]{Top: top, Step: step, Along: ints(f, along[s.ID()-1])}
		if len(along[0]) > 0 {
			o.OpenAlong = func(dealt []ops.Shares[E]) ops.Shares[E] { return ops.Column(dealt, 0).Sum() }
		}
		steps := len(ownersStepWidths(k, top, step))
		if err := s.Prepare(ctx, ops.NeedsMaxByOwners(k, top, step).Add(ops.NeedsOpen(1))); err != nil {
			return ownersResult{}, err
		}
		before := s.Stats().Rounds
		res, err := s.MaxByOwners(ctx, values[s.ID()-1], k, o)
		if err != nil {
			return ownersResult{}, err
		}
		if got := s.Stats().Rounds - before; got != int64(3*steps) {
			return ownersResult{}, fmt.Errorf("%d rounds, want 3 per step (%d steps)", got, steps)
		}
		if s.Refills() != 0 {
			return ownersResult{}, fmt.Errorf("%d refills after Prepare of the declared needs", s.Refills())
		}
		var out ownersResult
		out.Max = res.Max
		for _, v := range res.Opened {
			x, err := f.Int64(v)
			if err != nil {
				return ownersResult{}, err
			}
			out.Opened = append(out.Opened, x)
		}
		if len(res.Along) != n {
			return ownersResult{}, fmt.Errorf("%d parties' values along, want %d", len(res.Along), n)
		}
		if len(along[0]) > 0 {
			opened, err := s.Open(ctx, ops.Concat(res.Along...))
			if err != nil {
				return ownersResult{}, err
			}
			for _, v := range opened {
				x, _ := f.Int64(v)
				out.Along = append(out.Along, x)
			}
		}
		return out, nil
	})
}

// ownersStepWidths mirrors the step widths of a search over the top bits.
func ownersStepWidths(k, top, step int) []int {
	if top == 0 {
		top = k
	}
	if step == 0 {
		step = 1
	}
	steps := (top + step - 1) / step
	w := make([]int, steps)
	for i := range w {
		w[i] = step
	}
	w[0] = top - step*(steps-1)
	return w
}

// maxOracle is the top bits of the largest value.
func maxOracle(values []int64, k, top int) int64 {
	if top == 0 {
		top = k
	}
	return slices.Max(values) >> (k - top)
}

func TestMaxByOwnersMatchesPlaintext(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(3, 25).Draw(rt, "n")
		k := rapid.IntRange(1, 16).Draw(rt, "k")
		hi := int64(1)<<k - 1
		// Ties, zeros and values at the bound are likely.
		gen := rapid.OneOf(rapid.Int64Range(0, hi), rapid.SampledFrom([]int64{0, hi, hi / 2, max(0, hi-1)}))
		values := rapid.SliceOfN(gen, n, n).Draw(rt, "values")
		top := rapid.IntRange(0, k).Draw(rt, "top")
		step := rapid.IntRange(0, 3).Draw(rt, "step")
		count := rapid.IntRange(0, 2).Draw(rt, "along")
		along := make([][]int64, n)
		var sum int64
		for i := range along {
			along[i] = rapid.SliceOfN(rapid.Int64Range(-1000, 1000), count, count).Draw(rt, fmt.Sprintf("along%d", i+1))
			if count > 0 {
				sum += along[i][0]
			}
		}
		got := maxByOwners(t, f61, n, rapid.Uint64().Draw(rt, "seed"), values, k, top, step, along)
		want := ownersResult{Max: maxOracle(values, k, top)}
		if count > 0 {
			want.Opened = []int64{sum}
			want.Along = slices.Concat(along...)
		}
		requireAllEqual(t, want, got)
	})
}

func TestMaxByOwnersEdgeCases(t *testing.T) {
	cases := map[string]func(n int) []int64{
		"all zero":  func(n int) []int64 { return make([]int64, n) },
		"all equal": func(n int) []int64 { return slices.Repeat([]int64{1234}, n) },
		"all at the bound": func(n int) []int64 {
			return slices.Repeat([]int64{1<<14 - 1}, n)
		},
		"one at the bound": func(n int) []int64 {
			v := make([]int64, n)
			v[n-1] = 1<<14 - 1
			return v
		},
		"tied maxima": func(n int) []int64 {
			v := make([]int64, n)
			for i := range v {
				v[i] = int64(i % 3 * 4000)
			}
			return v
		},
		"maximum differs in the last bit": func(n int) []int64 {
			v := slices.Repeat([]int64{0b10110100110110}, n)
			v[0]++
			return v
		},
	}
	for name, gen := range cases {
		for _, n := range []int{3, 4, 7, 10} {
			for _, step := range []int{1, 2, 4} {
				t.Run(fmt.Sprintf("%s/n=%d/step=%d", name, n, step), func(t *testing.T) {
					values := gen(n)
					along := make([][]int64, n)
					got := maxByOwners(t, f61, n, 5, values, 14, 0, step, along)
					requireAllEqual(t, ownersResult{Max: maxOracle(values, 14, 0)}, got)
					got127 := maxByOwners(t, f127, n, 6, values, 14, 5, step, along)
					requireAllEqual(t, ownersResult{Max: maxOracle(values, 14, 5)}, got127)
				})
			}
		}
	}
}

func TestMaxByOwnersZeroTestsUniform(t *testing.T) {
	// The values the zero tests open are 0 for a zero sum and uniform on the
	// non-zero elements otherwise, whatever the sum: bucket the opened
	// values of sums 1 (one owner at the maximum) and n (all of them) by
	// their top 4 bits. 15 degrees of freedom: the 0.1% critical value of
	// χ² is 37.7, and of the homogeneity of two samples over 16 buckets
	// also 37.7.
	const n, k, step = 5, 16, 4
	collect := func(values []int64, runs int) (zero, nonzero []field.M61) {
		for r := range runs {
			var mu chanSlice
			run(t, f61, n, uint64(100+r), func(ctx context.Context, s *ops.Session[field.M61]) (int64, error) {
				if s.ID() == 1 {
					s.Tap(func(_ string, opened []field.M61) { mu.add(opened) })
				}
				res, err := s.MaxByOwners(ctx, values[s.ID()-1], k, ops.MaxByOwnersOptions[field.M61]{Step: step})
				return res.Max, err
			})
			for _, v := range mu.v {
				if v == 0 {
					zero = append(zero, v)
				} else {
					nonzero = append(nonzero, v)
				}
			}
		}
		return zero, nonzero
	}
	// All owners at 2^k − 1: every sum is n. One owner at 2^k − 1, the
	// others at 0: every sum is 1. All at 0: every sum is 0.
	allTop := slices.Repeat([]int64{1<<k - 1}, n)
	oneTop := make([]int64, n)
	oneTop[2] = 1<<k - 1
	zeros, sumN := collect(allTop, 70)
	require.Empty(t, zeros, "a non-zero sum opened as 0")
	zeros, sum1 := collect(oneTop, 70)
	require.Empty(t, zeros)
	require.Len(t, sum1, 70*(k/step)*15)
	_, none := collect(make([]int64, n), 2)
	require.Empty(t, none, "a zero sum opened as non-zero")
	hist := func(v []field.M61) []int {
		c := make([]int, 16)
		for _, e := range v {
			c[stattest.Bucket(e, 4)]++
		}
		return c
	}
	hn, h1 := hist(sumN), hist(sum1)
	require.Less(t, stattest.ChiSquare(hn), stattest.Critical15, "sum n: %v", hn)
	require.Less(t, stattest.ChiSquare(h1), stattest.Critical15, "sum 1: %v", h1)
	require.Less(t, homogeneity(hn, h1), stattest.Critical15, "sum n %v against sum 1 %v", hn, h1)
}

// chanSlice collects the values party 1 sees (only party 1's goroutine
// writes).
type chanSlice struct{ v []field.M61 }

func (c *chanSlice) add(v []field.M61) { c.v = append(c.v, v...) }

// homogeneity is Pearson's statistic of two samples' bucket counts against
// the hypothesis that they come from one distribution.
func homogeneity(a, b []int) float64 {
	ta, tb := 0, 0
	for i := range a {
		ta, tb = ta+a[i], tb+b[i]
	}
	var x2 float64
	for i := range a {
		col := float64(a[i] + b[i])
		for _, c := range []struct{ obs, tot int }{{a[i], ta}, {b[i], tb}} {
			exp := col * float64(c.tot) / float64(ta+tb)
			if exp > 0 {
				d := float64(c.obs) - exp
				x2 += d * d / exp
			}
		}
	}
	return x2
}

// nthOracle is the q-th largest value.
func nthOracle(values []int64, q int) int64 {
	s := slices.Clone(values)
	slices.Sort(s)
	return s[len(s)-q]
}

func TestNthLargestByOwnersMatchesPlaintext(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(3, 25).Draw(rt, "n")
		k := rapid.IntRange(1, 10).Draw(rt, "k")
		hi := int64(1)<<k - 1
		gen := rapid.OneOf(rapid.Int64Range(0, hi), rapid.SampledFrom([]int64{0, hi, hi / 2}))
		values := rapid.SliceOfN(gen, n, n).Draw(rt, "values")
		qs := rapid.SliceOfN(rapid.IntRange(1, n), 1, 3).Draw(rt, "qs")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			if err := s.Prepare(ctx, ops.NeedsNthLargestByOwners(n, k, len(qs))); err != nil {
				return nil, err
			}
			return s.NthLargestByOwners(ctx, values[s.ID()-1], k, qs)
		})
		want := make([]int64, len(qs))
		for i, q := range qs {
			want[i] = nthOracle(values, q)
		}
		requireAllEqual(t, want, got)
	})
}

func TestOwnersMisuse(t *testing.T) {
	type sess = ops.Session[field.M61]
	cases := map[string]func(ctx context.Context, s *sess) error{
		"value too large": func(ctx context.Context, s *sess) error {
			_, err := s.MaxByOwners(ctx, 1<<8, 8, ops.MaxByOwnersOptions[field.M61]{})
			return err
		},
		"negative value": func(ctx context.Context, s *sess) error {
			_, err := s.MaxByOwners(ctx, -1, 8, ops.MaxByOwnersOptions[field.M61]{})
			return err
		},
		"too many top bits": func(ctx context.Context, s *sess) error {
			_, err := s.MaxByOwners(ctx, 1, 8, ops.MaxByOwnersOptions[field.M61]{Top: 9})
			return err
		},
		"step too wide": func(ctx context.Context, s *sess) error {
			_, err := s.MaxByOwners(ctx, 1, 8, ops.MaxByOwnersOptions[field.M61]{Step: ops.MaxStepBits + 1})
			return err
		},
		"no bits": func(ctx context.Context, s *sess) error {
			_, err := s.MaxByOwners(ctx, 0, 0, ops.MaxByOwnersOptions[field.M61]{})
			return err
		},
		"rank zero": func(ctx context.Context, s *sess) error {
			_, err := s.NthLargestByOwners(ctx, 1, 8, []int{0})
			return err
		},
		"rank beyond n": func(ctx context.Context, s *sess) error {
			_, err := s.NthLargestByOwners(ctx, 1, 8, []int{5})
			return err
		},
	}
	for name, op := range cases {
		t.Run(name, func(t *testing.T) {
			_, errs := runAll(t, f61, 4, 1, nil, func(ctx context.Context, s *sess) (int, error) {
				return 0, op(ctx, s)
			})
			for i, err := range errs {
				require.ErrorIs(t, err, ops.ErrMisuse, "party %d", i+1)
			}
		})
	}
	t.Run("malicious session", func(t *testing.T) {
		trs := meshOf(t, 4)
		_, errs := runOnWith(t, f61, trs, func(id int) ops.Options {
			return ops.Options{SessionID: "test", Rand: newSeeded(1, id), Security: ops.Malicious}
		}, func(ctx context.Context, s *sess) (int64, error) {
			res, err := s.MaxByOwners(ctx, 3, 4, ops.MaxByOwnersOptions[field.M61]{})
			return res.Max, err
		})
		for i, err := range errs {
			require.ErrorIs(t, err, ops.ErrMisuse, "party %d", i+1)
			require.ErrorContains(t, err, "semi-honest")
		}
	})
	t.Run("input parties", func(t *testing.T) {
		trs := meshOf(t, 5)
		_, errs := runOnWith(t, f61, trs, func(id int) ops.Options {
			return ops.Options{SessionID: "test", Rand: newSeeded(1, id), Compute: []int{1, 2, 3, 4}}
		}, func(ctx context.Context, s *sess) (int64, error) {
			if !s.Computes() {
				return 0, nil
			}
			res, err := s.MaxByOwners(ctx, 3, 4, ops.MaxByOwnersOptions[field.M61]{})
			return res.Max, err
		})
		for i, err := range errs[:4] {
			require.ErrorIs(t, err, ops.ErrMisuse, "party %d", i+1)
			require.ErrorContains(t, err, "input parties")
		}
	})
}

// meshOf returns an n-party in-memory mesh (runOnWith closes it).
func meshOf(t testing.TB, n int) []cnet.Transport {
	trs, err := cnet.NewMesh(n)
	require.NoError(t, err)
	return trs
}

func TestMaxOfTopBitsMatchesPlaintext(t *testing.T) {
	// The bitwise maximum under MPC (MaxOfBits), whole and coarsened, from
	// bits every party deals, in both security models.
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		k := rapid.IntRange(1, 10).Draw(rt, "k")
		hi := int64(1)<<k - 1
		gen := rapid.OneOf(rapid.Int64Range(0, hi), rapid.SampledFrom([]int64{0, hi}))
		values := rapid.SliceOfN(gen, n, n).Draw(rt, "values")
		top := rapid.IntRange(1, k).Draw(rt, "top")
		sec := rapid.SampledFrom([]ops.Security{ops.SemiHonest, ops.Malicious}).Draw(rt, "security")
		got := runSec(t, f61, n, rapid.Uint64().Draw(rt, "seed"), sec, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			need := ops.NeedsMaxOfTopBits(n, k, top).Add(ops.NeedsMaxOfBits(n, k)).Add(ops.Needs{Inputs: n * k})
			if err := s.Prepare(ctx, need); err != nil {
				return nil, err
			}
			dealt, err := s.InputBits(ctx, []int64{values[s.ID()-1]}, []int{k})
			if err != nil {
				return nil, err
			}
			all := ops.ConcatInts(dealt...)
			coarse, err := s.MaxOfTopBits(ctx, all, k, top)
			if err != nil {
				return nil, err
			}
			whole, err := s.MaxOfBits(ctx, all, k)
			if err != nil {
				return nil, err
			}
			if sec == ops.SemiHonest && s.Refills() != 0 {
				return nil, fmt.Errorf("%d refills (n=%d k=%d top=%d)", s.Refills(), n, k, top)
			}
			return []int64{coarse, whole}, nil
		})
		requireAllEqual(t, []int64{maxOracle(values, k, top), slices.Max(values)}, got)
	})
}

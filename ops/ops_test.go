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
			all := ops.Concat(sh...)
			open, err := s.Open(ctx, all)
			return [][]field.M61{all.Raw(), open}, err
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

func TestColumnRegroupsInputs(t *testing.T) {
	// Every party inputs (10·id, 10·id + 1); Column(i) is value i of every
	// party, in party order.
	for _, n := range []int{3, 4} {
		got := run(t, f61, n, 2, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			id := int64(s.ID())
			in, err := s.InputInt(ctx, []int64{10 * id, 10*id + 1}, 2, ops.Bound{Lo: 0, Hi: 100})
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, ops.ConcatInts(ops.ColumnInt(in, 0), ops.ColumnInt(in, 1)))
		})
		var want []int64
		for i := range 2 {
			for p := 1; p <= n; p++ {
				want = append(want, int64(10*p+i))
			}
		}
		requireAllEqual(t, want, got)
	}
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
			dot, err := s.Dot(ctx, []ops.Shares[field.M61]{xs, xs.Slice(0, size/2)}, []ops.Shares[field.M61]{ys, ys.Slice(0, size/2)})
			return [][]field.M61{prod.Raw(), dot.Raw()}, err
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

func TestLocalProductsAndReduce(t *testing.T) {
	// A local product has degree 2T; sums of degree-T and degree-2T values
	// open correctly, and Reduce brings them back to degree T.
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		x := rapid.SliceOfN(rapid.Int64Range(-1000, 1000), 1, 8).Draw(rt, "x")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([][]int64, error) {
			xs, err := inputAll(ctx, s, ints(f61, x))
			if err != nil {
				return nil, err
			}
			sq := xs.MulLocal(xs)
			if sq.Degree() != 2*s.T() {
				return nil, fmt.Errorf("degree %d, want %d", sq.Degree(), 2*s.T())
			}
			mixed := sq.Add(xs).AddConst(f61.FromInt64(7))
			opened, err := s.Open(ctx, mixed)
			if err != nil {
				return nil, err
			}
			red, err := s.Reduce(ctx, mixed)
			if err != nil {
				return nil, err
			}
			if red.Degree() != s.T() {
				return nil, fmt.Errorf("reduced degree %d", red.Degree())
			}
			again, err := s.Open(ctx, red)
			return [][]int64{signed(t, f61, opened), signed(t, f61, again)}, err
		})
		want := make([]int64, len(x))
		for i, v := range x {
			want[i] = v*v + v + 7
		}
		requireAllEqual(t, [][]int64{want, want}, got)
	})
}

func TestRandomBits(t *testing.T) {
	for _, n := range []int{3, 4, 10} {
		const count = 2000
		got := run(t, f61, n, 7, func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			b, err := s.RandomBits(ctx, count)
			return b.Shares().Raw(), err
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
			got := run(t, f61, n, uint64(n), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
				x, err := inputInts(ctx, s, a, ops.Bound{Lo: -32, Hi: 31})
				if err != nil {
					return nil, err
				}
				lt, err := s.LTZ(ctx, x)
				if err != nil {
					return nil, err
				}
				return s.OpenInt(ctx, lt)
			})
			requireAllEqual(t, ltzOracle(a), got)
		})
	}
}

func TestLTZRandom(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		lo := rapid.Int64Range(-1<<18, 0).Draw(rt, "lo")
		hi := rapid.Int64Range(0, 1<<18-1).Draw(rt, "hi")
		clamp := func(v int64) int64 { return max(lo, min(hi, v)) }
		gen := rapid.OneOf(rapid.Int64Range(lo, hi), rapid.SampledFrom([]int64{lo, hi, clamp(0), clamp(-1), clamp(1)}))
		a := rapid.SliceOfN(gen, 1, 30).Draw(rt, "a")
		b := ops.Bound{Lo: lo, Hi: hi}
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]field.M61, error) {
			x, err := inputInts(ctx, s, a, b)
			if err != nil {
				return nil, err
			}
			lt, err := s.LTZ(ctx, x)
			return lt.Shares().Raw(), err
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
		got := run(t, f127, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M127]) ([]int64, error) {
			x, err := inputInts(ctx, s, a, ops.Bound{Lo: -(1 << (k - 1)), Hi: 1<<(k-1) - 1})
			if err != nil {
				return nil, err
			}
			lt, err := s.LTZ(ctx, x)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, lt)
		})
		requireAllEqual(t, ltzOracle(a), got)
	})
}

func TestComparisonRefusesWideBounds(t *testing.T) {
	// 20-bit differences need 62 bits: more than M61 has. The error comes
	// before any round of the comparison, at every party, and names the
	// field.
	_, errs := runAll(t, f61, 3, 1, nil, func(ctx context.Context, s *ops.Session[field.M61]) (int, error) {
		x := s.ConstInt(1, 2)
		y := s.AsInt(x.Shares(), ops.Bound{Lo: 0, Hi: 1 << 19})
		before := s.Stats().Rounds
		_, err := s.LessThan(ctx, y, x)
		if s.Stats().Rounds != before {
			return 0, fmt.Errorf("ran %d rounds before refusing", s.Stats().Rounds-before)
		}
		return 0, err
	})
	for _, err := range errs {
		require.ErrorIs(t, err, ops.ErrMisuse)
		require.ErrorContains(t, err, "use a larger field")
	}
}

func TestComparisons(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		size := rapid.IntRange(1, 12).Draw(rt, "size")
		gen := rapid.Int64Range(-50, 2000)
		a := rapid.SliceOfN(gen, size, size).Draw(rt, "a")
		b := rapid.SliceOfN(rapid.OneOf(gen, rapid.SampledFrom(a)), size, size).Draw(rt, "b")
		c := gen.Draw(rt, "c")
		bound := ops.Bound{Lo: -50, Hi: 2000}
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			as, err := inputInts(ctx, s, a, bound)
			if err != nil {
				return nil, err
			}
			bs, err := inputInts(ctx, s, b, bound)
			if err != nil {
				return nil, err
			}
			cs := s.ConstInt(c).Repeat(size)
			var outs []ops.Int[field.M61]
			for _, op := range []func(context.Context, ops.Int[field.M61], ops.Int[field.M61]) (ops.Int[field.M61], error){
				s.LessThan, s.GreaterThan, s.AtLeast, s.AtMost, s.Equal,
			} {
				r, err := op(ctx, as, bs)
				if err != nil {
					return nil, err
				}
				outs = append(outs, r)
			}
			ge, err := s.AtLeast(ctx, as, cs)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, ops.ConcatInts(append(outs, ge)...))
		})
		bit := func(c bool) int64 {
			if c {
				return 1
			}
			return 0
		}
		var lt, gt, ge, le, eq, gec []int64
		for i := range a {
			lt = append(lt, bit(a[i] < b[i]))
			gt = append(gt, bit(a[i] > b[i]))
			ge = append(ge, bit(a[i] >= b[i]))
			le = append(le, bit(a[i] <= b[i]))
			eq = append(eq, bit(a[i] == b[i]))
			gec = append(gec, bit(a[i] >= c))
		}
		var want []int64
		for _, w := range [][]int64{lt, gt, ge, le, eq, gec} {
			want = append(want, w...)
		}
		requireAllEqual(t, want, got)
	})
}

func TestEQZExhaustive(t *testing.T) {
	// Every value of a 5-bit range, for odd and even n.
	var a []int64
	for v := int64(-16); v < 16; v++ {
		a = append(a, v)
	}
	for _, n := range []int{3, 4, 7} {
		got := run(t, f61, n, 3, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			x, err := inputInts(ctx, s, a, ops.Bound{Lo: -16, Hi: 15})
			if err != nil {
				return nil, err
			}
			eq, err := s.EQZ(ctx, x)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, eq)
		})
		want := make([]int64, len(a))
		want[16] = 1
		requireAllEqual(t, want, got)
	}
}

func TestSelectNotAndOr(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		size := rapid.IntRange(1, 10).Draw(rt, "size")
		c := rapid.SliceOfN(rapid.Int64Range(0, 1), size, size).Draw(rt, "c")
		d := rapid.SliceOfN(rapid.Int64Range(0, 1), size, size).Draw(rt, "d")
		a := rapid.SliceOfN(rapid.Int64Range(-100, 100), size, size).Draw(rt, "a")
		b := rapid.SliceOfN(rapid.Int64Range(0, 1000), size, size).Draw(rt, "b")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			var in []ops.Int[field.M61]
			for _, v := range []struct {
				x []int64
				b ops.Bound
			}{{c, ops.Bound{Lo: 0, Hi: 1}}, {d, ops.Bound{Lo: 0, Hi: 1}}, {a, ops.Bound{Lo: -100, Hi: 100}}, {b, ops.Bound{Lo: 0, Hi: 1000}}} {
				x, err := inputInts(ctx, s, v.x, v.b)
				if err != nil {
					return nil, err
				}
				in = append(in, x)
			}
			sel, err := s.Select(ctx, in[0], in[2], in[3])
			if err != nil {
				return nil, err
			}
			if sel.Bound() != (ops.Bound{Lo: -100, Hi: 1000}) {
				return nil, fmt.Errorf("bound %v", sel.Bound())
			}
			or, err := s.Or(ctx, in[0], in[1])
			if err != nil {
				return nil, err
			}
			and, err := s.And(ctx, in[0].Not(), in[1])
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, ops.ConcatInts(sel, or, and))
		})
		var sel, or, and []int64
		for i := range c {
			if c[i] == 1 {
				sel = append(sel, a[i])
			} else {
				sel = append(sel, b[i])
			}
			or = append(or, c[i]|d[i])
			and = append(and, (1-c[i])&d[i])
		}
		requireAllEqual(t, append(append(sel, or...), and...), got)
	})
}

func TestMaxMinArgMax(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		lo := rapid.Int64Range(-100, 0).Draw(rt, "lo")
		hi := lo + rapid.Int64Range(1, 1<<14-1).Draw(rt, "span")
		size := rapid.IntRange(1, 17).Draw(rt, "size")
		// Values near the ends of the range and ties are likely.
		gen := rapid.OneOf(rapid.Int64Range(lo, hi), rapid.SampledFrom([]int64{lo, hi, lo + 1, hi - 1}))
		x := rapid.SliceOfN(gen, size, size).Draw(rt, "x")
		extra := rapid.SliceOfN(rapid.Int64Range(-(1<<13), 1<<13-1), 0, 5).Draw(rt, "extra")
		b := ops.Bound{Lo: lo, Hi: hi}
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			xs, err := inputInts(ctx, s, x, b)
			if err != nil {
				return nil, err
			}
			es, err := inputInts(ctx, s, extra, ops.Bound{Lo: -(1 << 13), Hi: 1<<13 - 1})
			if err != nil {
				return nil, err
			}
			m, lt, err := s.MaxAndLTZ(ctx, xs, es)
			if err != nil {
				return nil, err
			}
			mn, err := s.Min(ctx, xs)
			if err != nil {
				return nil, err
			}
			am, ai, err := s.ArgMax(ctx, xs)
			if err != nil {
				return nil, err
			}
			parts := []ops.Int[field.M61]{m, mn, am, ai}
			if len(extra) > 0 {
				parts = append(parts, lt)
			}
			return s.OpenInt(ctx, ops.ConcatInts(parts...))
		})
		mx, mn, arg := x[0], x[0], 0
		for i, v := range x {
			if v > mx {
				mx, arg = v, i
			}
			mn = min(mn, v)
		}
		want := append([]int64{mx, mn, mx, int64(arg)}, ltzOracle(extra)...)
		requireAllEqual(t, want, got)
	})
}

func TestDivPow2(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		lo := rapid.Int64Range(-5000, 5000).Draw(rt, "lo")
		hi := lo + rapid.Int64Range(0, 10000).Draw(rt, "span")
		m := rapid.IntRange(0, 15).Draw(rt, "m")
		a := rapid.SliceOfN(rapid.OneOf(rapid.Int64Range(lo, hi), rapid.SampledFrom([]int64{lo, hi})), 1, 10).Draw(rt, "a")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			x, err := inputInts(ctx, s, a, ops.Bound{Lo: lo, Hi: hi})
			if err != nil {
				return nil, err
			}
			q, err := s.DivPow2(ctx, x, m)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, q)
		})
		want := make([]int64, len(a))
		for i, v := range a {
			want[i] = v >> m // arithmetic shift: floor division
		}
		requireAllEqual(t, want, got)
	})
}

func TestSortingNetworkSortsEveryZeroOneInput(t *testing.T) {
	// The 0–1 principle: a comparator network sorts everything when it
	// sorts every vector of zeros and ones.
	for n := 1; n <= 12; n++ {
		layers := ops.SortingNetwork(n)
		for mask := range 1 << n {
			v := make([]int, n)
			for i := range v {
				v[i] = mask >> i & 1
			}
			for _, layer := range layers {
				seen := make(map[int]bool)
				for _, p := range layer {
					require.False(t, seen[p[0]] || seen[p[1]], "n=%d: a layer touches a position twice", n)
					seen[p[0]], seen[p[1]] = true, true
					if v[p[0]] > v[p[1]] {
						v[p[0]], v[p[1]] = v[p[1]], v[p[0]]
					}
				}
			}
			for i := 1; i < n; i++ {
				require.LessOrEqual(t, v[i-1], v[i], "n=%d input %b", n, mask)
			}
		}
	}
}

func TestSort(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "n")
		x := rapid.SliceOfN(rapid.Int64Range(-20, 20), 1, 9).Draw(rt, "x")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
			xs, err := inputInts(ctx, s, x, ops.Bound{Lo: -20, Hi: 20})
			if err != nil {
				return nil, err
			}
			sorted, err := s.Sort(ctx, xs)
			if err != nil {
				return nil, err
			}
			return s.OpenInt(ctx, sorted)
		})
		want := append([]int64(nil), x...)
		for i := range want {
			for j := i + 1; j < len(want); j++ {
				if want[j] < want[i] {
					want[i], want[j] = want[j], want[i]
				}
			}
		}
		requireAllEqual(t, want, got)
	})
}

func TestZeroTest(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := genN(rt)
		x := rapid.SliceOfN(rapid.OneOf(rapid.Int64(), rapid.Just(int64(0))), 1, 20).Draw(rt, "x")
		got := run(t, f61, n, rapid.Uint64().Draw(rt, "seed"), func(ctx context.Context, s *ops.Session[field.M61]) ([]bool, error) {
			xs, err := inputAll(ctx, s, ints(f61, x))
			if err != nil {
				return nil, err
			}
			return s.ZeroTest(ctx, xs)
		})
		want := make([]bool, len(x))
		for i, v := range x {
			want[i] = f61.FromInt64(v) == 0
		}
		requireAllEqual(t, want, got)
	})
}

func TestNeedsAreDeclared(t *testing.T) {
	// Each protocol's declared preprocessing is exactly what it consumes:
	// after Prepare of the declaration, it generates nothing on demand
	// (no hidden rounds), and the pools it drew from lost exactly the
	// declared counts.
	b := ops.Bound{Lo: 0, Hi: 9900}
	bits := ops.Bound{Lo: 0, Hi: 1}
	type proto struct {
		need func(s *ops.Session[field.M61]) ops.Needs
		run  func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error
	}
	cases := map[string]proto{
		"Mul": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsMul(7) }, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, err := s.Mul(ctx, x.Shares(), y.Shares())
			return err
		}},
		"Open2T": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsOpen(7) }, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, err := s.Open(ctx, x.Shares().MulLocal(y.Shares()))
			return err
		}},
		"LessThan": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsLessThan(7, b, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, err := s.LessThan(ctx, x, y)
			return err
		}},
		"Equal": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsEqual(7, b, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, err := s.Equal(ctx, x, y)
			return err
		}},
		"ZeroTest": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsZeroTest(7) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, err := s.ZeroTest(ctx, x.Shares())
			return err
		}},
		"Select": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsSelect(7) }, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, err := s.Select(ctx, s.AsInt(x.Shares(), bits), x, y) // x holds bits in this case
			return err
		}},
		"Max": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsMax(7, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, err := s.Max(ctx, x)
			return err
		}},
		"MaxAndLTZ": {func(*ops.Session[field.M61]) ops.Needs {
			return ops.NeedsMaxAndLTZ(7, b, 7, ops.Bound{Lo: -9900, Hi: 9900})
		}, func(ctx context.Context, s *ops.Session[field.M61], x, y ops.Int[field.M61]) error {
			_, _, err := s.MaxAndLTZ(ctx, x, x.Sub(y))
			return err
		}},
		"ArgMax": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsArgMax(7, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, _, err := s.ArgMax(ctx, x)
			return err
		}},
		"Min": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsMin(7, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, err := s.Min(ctx, x)
			return err
		}},
		"DivPow2": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsDivPow2(7, b, 5) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, err := s.DivPow2(ctx, x, 5)
			return err
		}},
		"Sort": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsSort(7, b) }, func(ctx context.Context, s *ops.Session[field.M61], x, _ ops.Int[field.M61]) error {
			_, err := s.Sort(ctx, x)
			return err
		}},
		"RandomBits": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsRandomBits(7) }, func(ctx context.Context, s *ops.Session[field.M61], _, _ ops.Int[field.M61]) error {
			_, err := s.RandomBits(ctx, 7)
			return err
		}},
		"MaxByOwners": {func(*ops.Session[field.M61]) ops.Needs { return ops.NeedsMaxByOwners(14, 0, 1) }, func(ctx context.Context, s *ops.Session[field.M61], _, _ ops.Int[field.M61]) error {
			_, err := s.MaxByOwners(ctx, int64(s.ID()*1000), 14, ops.MaxByOwnersOptions[field.M61]{})
			return err
		}},
		"MaxByOwners/top/step": {func(*ops.Session[field.M61]) ops.Needs {
			return ops.NeedsMaxByOwners(14, 7, 3).Add(ops.NeedsOpen(2))
		}, func(ctx context.Context, s *ops.Session[field.M61], _, _ ops.Int[field.M61]) error {
			_, err := s.MaxByOwners(ctx, int64(s.ID()*1000), 14, ops.MaxByOwnersOptions[field.M61]{
				Top: 7, Step: 3, Along: []field.M61{1, 2},
				OpenAlong: func(along []ops.Shares[field.M61]) ops.Shares[field.M61] {
					return ops.Concat(ops.Column(along, 0).Sum(), ops.Column(along, 1).Sum())
				},
			})
			return err
		}},
		"NthLargestByOwners": {func(s *ops.Session[field.M61]) ops.Needs { return ops.NeedsNthLargestByOwners(s.N(), 14, 2) }, func(ctx context.Context, s *ops.Session[field.M61], _, _ ops.Int[field.M61]) error {
			_, err := s.NthLargestByOwners(ctx, int64(s.ID()*1000), 14, []int{1, 2})
			return err
		}},
	}
	for name, c := range cases {
		for _, n := range []int{3, 4, 10} {
			t.Run(fmt.Sprintf("%s/n=%d", name, n), func(t *testing.T) {
				got := run(t, f61, n, 3, func(ctx context.Context, s *ops.Session[field.M61]) ([]ops.Needs, error) {
					vals := []int64{5, 900, 13, 900, 77, 0, 9900}
					if name == "Select" {
						vals = []int64{1, 0, 1, 1, 0, 0, 1}
					}
					x, err := inputInts(ctx, s, vals, b)
					if err != nil {
						return nil, err
					}
					y, err := inputInts(ctx, s, []int64{6, 900, 1, 9000, 77, 1, 0}, b)
					if err != nil {
						return nil, err
					}
					need := c.need(s)
					if err := s.Prepare(ctx, need); err != nil {
						return nil, err
					}
					before := s.Pool()
					if err := c.run(ctx, s, x, y); err != nil {
						return nil, err
					}
					if s.Refills() != 0 {
						return nil, fmt.Errorf("%d on-demand refills after Prepare(%+v)", s.Refills(), need)
					}
					after := s.Pool()
					used := ops.Needs{Random: before.Random - after.Random, Double: before.Double - after.Double,
						Zero: before.Zero - after.Zero, Bits: before.Bits - after.Bits, Masks: before.Masks - after.Masks}
					need.MaskBits, need.Verify = 0, 0 // this session does not verify
					return []ops.Needs{need, used}, nil
				})
				for p := range n {
					require.Equal(t, got[p][0], got[p][1], "party %d: declared vs used", p+1)
				}
			})
		}
	}
}

func TestLTZWithMasksPreparedForFewerBits(t *testing.T) {
	// At n = 7, masks summed from t+1 = 4 contributions fit comparisons of
	// 4 bits but would wrap the field at 19: LTZ must then build its masks
	// from bits instead of taking the prepared ones.
	const k = 19
	a := []int64{-(1 << (k - 1)), -(1 << (k - 1)) + 1, -1, 0, 1, 1<<(k-1) - 2, 1<<(k-1) - 1}
	got := run(t, f61, 7, 4, func(ctx context.Context, s *ops.Session[field.M61]) ([]int64, error) {
		x, err := inputInts(ctx, s, a, ops.Bound{Lo: -(1 << (k - 1)), Hi: 1<<(k-1) - 1})
		if err != nil {
			return nil, err
		}
		if err := s.Prepare(ctx, ops.Needs{Masks: len(a), MaskBits: 4}); err != nil {
			return nil, err
		}
		lt, err := s.LTZ(ctx, x)
		if err != nil {
			return nil, err
		}
		if s.Pool().Masks != len(a) {
			return nil, fmt.Errorf("the prepared masks were used: %d left", s.Pool().Masks)
		}
		return s.OpenInt(ctx, lt)
	})
	requireAllEqual(t, ltzOracle(a), got)
}

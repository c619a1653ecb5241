package share_test

import (
	"fmt"
	"io"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/share"
)

// forBoth runs a generic test over both fields.
func forBoth(t *testing.T, t61 func(*testing.T, field.Field[field.M61]), t127 func(*testing.T, field.Field[field.M127])) {
	t.Run("m61", func(t *testing.T) { t61(t, field.F61{}) })
	t.Run("m127", func(t *testing.T) { t127(t, field.F127{}) })
}

// prg returns a deterministic reader seeded from the test case.
func prg(t *rapid.T) io.Reader {
	return field.NewPRG([32]byte{}, []byte(fmt.Sprint(rapid.Uint64().Draw(t, "seed"))))
}

func elem[E any](f field.Field[E]) *rapid.Generator[E] {
	return rapid.Custom(func(t *rapid.T) E {
		b := rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "e")
		return f.FromBig(new(big.Int).SetBytes(b))
	})
}

// nd draws a party count in [1, 60] and a degree d < n.
func nd(t *rapid.T) (n, d int) {
	n = rapid.IntRange(1, 60).Draw(t, "n")
	d = rapid.IntRange(0, n-1).Draw(t, "d")
	return n, d
}

// subset draws k distinct party points in random order.
func subset(t *rapid.T, n, k int, label string) []int {
	perm := rapid.Permutation(pointsUpTo(n)).Draw(t, label)
	return perm[:k]
}

func pointsUpTo(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i + 1
	}
	return p
}

// eval evaluates the polynomial with coefficients c (constant first) at x.
func eval[E any](f field.Field[E], c []E, x int) E {
	acc := f.Zero()
	xe := f.FromUint64(uint64(x))
	for j := len(c) - 1; j >= 0; j-- {
		acc = f.Add(f.Mul(acc, xe), c[j])
	}
	return acc
}

// naiveLagrange returns the value at x of the interpolating polynomial with
// the textbook formula.
func naiveLagrange[E any](f field.Field[E], pts []int, vals []E, x int) E {
	sum := f.Zero()
	xe := f.FromUint64(uint64(x))
	for j, pj := range pts {
		num, den := f.One(), f.One()
		for m, pm := range pts {
			if m != j {
				num = f.Mul(num, f.Sub(xe, f.FromUint64(uint64(pm))))
				den = f.Mul(den, f.Sub(f.FromUint64(uint64(pj)), f.FromUint64(uint64(pm))))
			}
		}
		inv, err := f.Inv(den)
		if err != nil {
			panic(err)
		}
		sum = f.Add(sum, f.Mul(vals[j], f.Mul(num, inv)))
	}
	return sum
}

func pick[E any](shares []E, pts []int) []E {
	out := make([]E, len(pts))
	for i, p := range pts {
		out[i] = shares[p-1]
	}
	return out
}

func TestDealReconstruct(t *testing.T) {
	forBoth(t, testDealReconstruct[field.M61], testDealReconstruct[field.M127])
}

func testDealReconstruct[E comparable](t *testing.T, f field.Field[E]) {
	rapid.Check(t, func(t *rapid.T) {
		n, d := nd(t)
		x, y := elem(f).Draw(t, "x"), elem(f).Draw(t, "y")
		c := elem(f).Draw(t, "c")
		sx, err := share.Deal(f, x, d, n, prg(t))
		require.NoError(t, err)
		sy, err := share.Deal(f, y, d, n, prg(t))
		require.NoError(t, err)
		require.Len(t, sx, n)

		k := rapid.IntRange(d+1, n).Draw(t, "k")
		pts := subset(t, n, k, "points")
		got, err := share.Reconstruct(f, pts, pick(sx, pts), d)
		require.NoError(t, err)
		require.Equal(t, x, got)

		// Linearity: [x]+[y] → x+y, c·[x] → c·x.
		sum := make([]E, n)
		f.VecAdd(sum, sx, sy)
		got, err = share.Reconstruct(f, pts, pick(sum, pts), d)
		require.NoError(t, err)
		require.Equal(t, f.Add(x, y), got)
		scaled := make([]E, n)
		f.VecScale(scaled, c, sx)
		got, err = share.Reconstruct(f, pts, pick(scaled, pts), d)
		require.NoError(t, err)
		require.Equal(t, f.Mul(c, x), got)

		// All shares lie on one degree-d polynomial; a corrupted one is caught
		// when there are more than d+1 shares.
		require.NoError(t, share.Check(f, pts, pick(sx, pts), d))
		if k > d+1 {
			bad := pick(sx, pts)
			i := rapid.IntRange(0, k-1).Draw(t, "corrupt")
			bad[i] = f.Add(bad[i], f.FromUint64(rapid.Uint64Range(1, 1000).Draw(t, "delta")))
			err := share.Check(f, pts, bad, d)
			require.ErrorIs(t, err, share.ErrInconsistent)
			require.Regexp(t, "^share: ", err.Error())
		}
		// With d+1 shares there is nothing to check; d shares cannot reconstruct.
		require.NoError(t, share.Check(f, pts[:d+1], pick(sx, pts[:d+1]), d))
		_, err = share.Reconstruct(f, pts[:d], pick(sx, pts[:d]), d)
		require.Error(t, err)
	})
}

func TestDealDistribution(t *testing.T) {
	// A degree-0 sharing is the secret itself, and with the same randomness
	// the sharings of x and 0 differ by the constant x.
	var f field.F61
	s, err := share.Deal[field.M61](f, 42, 0, 5, field.NewPRG([32]byte{}))
	require.NoError(t, err)
	require.Equal(t, []field.M61{42, 42, 42, 42, 42}, s)
	// Deal(x) − Deal(0) with the same coefficients is the constant x.
	a, err := share.Deal[field.M61](f, 7, 3, 9, field.NewPRG([32]byte{1}))
	require.NoError(t, err)
	b, err := share.Deal[field.M61](f, 0, 3, 9, field.NewPRG([32]byte{1}))
	require.NoError(t, err)
	diff := make([]field.M61, 9)
	f.VecSub(diff, a, b)
	for _, v := range diff {
		require.Equal(t, field.M61(7), v)
	}
}

func TestDealVec(t *testing.T) {
	forBoth(t, testDealVec[field.M61], testDealVec[field.M127])
}

func testDealVec[E comparable](t *testing.T, f field.Field[E]) {
	rapid.Check(t, func(t *rapid.T) {
		n, d := nd(t)
		secrets := rapid.SliceOfN(elem(f), 0, 10).Draw(t, "secrets")
		out, err := share.DealVec(f, secrets, d, n, prg(t))
		require.NoError(t, err)
		require.Len(t, out, n)
		for _, v := range out {
			require.Len(t, v, len(secrets))
		}
		pts := subset(t, n, rapid.IntRange(d+1, n).Draw(t, "k"), "points")
		sub := make([][]E, len(pts))
		for i, p := range pts {
			sub[i] = out[p-1]
		}
		got, err := share.ReconstructVec(f, pts, sub, d)
		require.NoError(t, err)
		require.Equal(t, len(secrets), len(got))
		for k := range secrets {
			require.Equal(t, secrets[k], got[k])
			col := make([]E, len(pts))
			for i := range pts {
				col[i] = sub[i][k]
			}
			require.NoError(t, share.Check(f, pts, col, d))
		}
	})
}

func TestInterpolate(t *testing.T) {
	forBoth(t, testInterpolate[field.M61], testInterpolate[field.M127])
}

func testInterpolate[E comparable](t *testing.T, f field.Field[E]) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 30).Draw(t, "k")
		coef := rapid.SliceOfN(elem(f), k, k).Draw(t, "coef")
		pts := rapid.SliceOfNDistinct(rapid.IntRange(0, 200), k, k, rapid.ID[int]).Draw(t, "points")
		vals := make([]E, k)
		for i, p := range pts {
			vals[i] = eval(f, coef, p)
		}
		x := rapid.IntRange(0, 300).Draw(t, "x")
		got, err := share.Interpolate(f, pts, vals, x)
		require.NoError(t, err)
		require.Equal(t, eval(f, coef, x), got)

		lam, err := share.LagrangeCoefficients(f, pts, x)
		require.NoError(t, err)
		require.Equal(t, got, f.Dot(lam, vals))
	})
}

func TestLagrangeMatrix(t *testing.T) {
	forBoth(t, testLagrangeMatrix[field.M61], testLagrangeMatrix[field.M127])
}

func testLagrangeMatrix[E comparable](t *testing.T, f field.Field[E]) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 25).Draw(t, "k")
		from := rapid.SliceOfNDistinct(rapid.IntRange(0, 100), k, k, rapid.ID[int]).Draw(t, "from")
		// Targets may repeat and may hit source points.
		to := rapid.SliceOfN(rapid.OneOf(rapid.IntRange(0, 100), rapid.SampledFrom(from)), 0, 25).Draw(t, "to")
		m, err := share.LagrangeMatrix(f, from, to)
		require.NoError(t, err)
		require.Len(t, m, len(to)*k)
		vals := rapid.SliceOfN(elem(f), k, k).Draw(t, "vals")
		for r, x := range to {
			require.Equal(t, naiveLagrange(f, from, vals, x), f.Dot(m[r*k:(r+1)*k], vals), "row %d (x=%d)", r, x)
			for c := range from {
				unit := make([]E, k)
				for i := range unit {
					unit[i] = f.Zero()
				}
				unit[c] = f.One()
				require.Equal(t, naiveLagrange(f, from, unit, x), m[r*k+c])
			}
		}
	})
}

func TestCompressedDealing(t *testing.T) {
	forBoth(t, testCompressedDealing[field.M61], testCompressedDealing[field.M127])
}

func testCompressedDealing[E comparable](t *testing.T, f field.Field[E]) {
	rapid.Check(t, func(t *rapid.T) {
		n, d := nd(t)
		chosen := rapid.Bool().Draw(t, "chosen")
		if !chosen && d+1 >= n {
			chosen = true // a random sharing needs a party outside the d+1 fixed ones
		}
		dealer := rapid.IntRange(1, n).Draw(t, "dealer")
		dl, err := share.CompressedDealing(f, n, d, chosen, dealer)
		require.NoError(t, err)
		require.Equal(t, n, dl.N)
		require.Equal(t, d, dl.D)
		require.Equal(t, chosen, dl.Chosen)
		require.Len(t, dl.Fixed, d+1)
		require.NotContains(t, dl.Parties, dealer, "the dealer is never fixed")
		if chosen {
			require.Equal(t, 0, dl.Fixed[0])
			require.Equal(t, len(dl.Parties), len(dl.Fixed)-1)
			require.Subset(t, dl.Fixed[1:], dl.Parties)
			require.Len(t, dl.Targets, n-d) // n−d−1 sent, the dealer's own share kept
			require.Contains(t, dl.Targets, dealer)
		} else {
			require.Equal(t, dl.Parties, dl.Fixed)
			require.Equal(t, 0, dl.Targets[0])
			require.Len(t, dl.Targets, n-d)
			require.Contains(t, dl.Targets[1:], dealer)
		}
		for x := 1; x <= n; x++ {
			require.Equal(t, slices.Contains(dl.Parties, x), share.FixedByPRG(n, d, chosen, dealer, x), "party %d", x)
		}
		// Fixed ∪ Targets covers 0..n exactly once.
		seen := map[int]int{}
		for _, x := range append(append([]int{}, dl.Fixed...), dl.Targets...) {
			seen[x]++
		}
		require.Len(t, seen, n+1)
		for x := 0; x <= n; x++ {
			require.Equal(t, 1, seen[x], "point %d", x)
		}

		batch := rapid.IntRange(1, 4).Draw(t, "batch")
		vals := make([][]E, len(dl.Fixed))
		for c := range vals {
			vals[c] = rapid.SliceOfN(elem(f), batch, batch).Draw(t, "vals")
		}
		out := make([][]E, len(dl.Targets))
		for r := range out {
			out[r] = make([]E, batch)
		}
		dl.Apply(f, out, vals)

		for k := range batch {
			value := map[int]E{}
			for c, x := range dl.Fixed {
				value[x] = vals[c][k]
			}
			for r, x := range dl.Targets {
				value[x] = out[r][k]
			}
			shares := make([]E, n)
			for i := 1; i <= n; i++ {
				shares[i-1] = value[i]
			}
			all := append([]int{0}, pointsUpTo(n)...)
			require.NoError(t, share.Check(f, all, append([]E{value[0]}, shares...), d))
			secret, err := share.Reconstruct(f, pointsUpTo(n), shares, d)
			require.NoError(t, err)
			require.Equal(t, value[0], secret)
			if chosen {
				require.Equal(t, vals[0][k], secret)
			}
		}
	})
	require.Panics(t, func() {
		dl, err := share.CompressedDealing(f, 5, 2, true, 1)
		require.NoError(t, err)
		dl.Apply(f, make([][]E, 1), make([][]E, 1))
	})
}

func TestCompressedDealingPatterns(t *testing.T) {
	// Few patterns serve all dealers: at n = 1000 the degree-t matrices come
	// in two shapes, whoever deals.
	var f field.F61
	const n, d = 1000, 499
	low, err := share.CompressedDealing[field.M61](f, n, d, true, n)
	require.NoError(t, err)
	high, err := share.CompressedDealing[field.M61](f, n, d, true, 1)
	require.NoError(t, err)
	require.NotSame(t, low, high)
	for dealer := 1; dealer <= n; dealer += 37 {
		dl, err := share.CompressedDealing[field.M61](f, n, d, true, dealer)
		require.NoError(t, err)
		require.True(t, dl == low || dl == high, "dealer %d has its own matrix", dealer)
	}
	_, err = share.CompressedDealing[field.M61](f, 5, 4, false, 1)
	require.Error(t, err)
	_, err = share.CompressedDealing[field.M61](f, 5, 2, true, 6)
	require.Error(t, err)
}

func TestCompressedDealingShared(t *testing.T) {
	const goroutines = 1000
	var f field.F61
	got := make([]*share.Dealing[field.M61], goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			dl, err := share.CompressedDealing[field.M61](f, 77, 38, g%2 == 0, 77)
			if err == nil {
				got[g] = dl
			}
		})
	}
	wg.Wait()
	for g := range goroutines {
		require.NotNil(t, got[g])
		require.Same(t, got[g%2], got[g])
	}
	require.NotSame(t, got[0], got[1])
	// A different field gets its own matrix.
	other, err := share.CompressedDealing[field.M127](field.F127{}, 77, 38, true, 77)
	require.NoError(t, err)
	require.Equal(t, 77, other.N)
}

func TestVandermonde(t *testing.T) {
	var f field.F61
	v := share.Vandermonde[field.M61](f, 4, 5)
	require.Len(t, v, 20)
	for l := range 4 {
		for i := 1; i <= 5; i++ {
			want := new(big.Int).Exp(big.NewInt(int64(i)), big.NewInt(int64(l)), nil)
			require.Equal(t, f.FromBig(want), v[l*5+i-1])
		}
	}
	require.Same(t, &v[0], &share.Vandermonde[field.M61](f, 4, 5)[0])
	v127 := share.Vandermonde[field.M127](field.F127{}, 40, 3)
	want := new(big.Int).Exp(big.NewInt(3), big.NewInt(39), nil)
	require.Equal(t, field.F127{}.FromBig(want), v127[39*3+2])
	require.Empty(t, share.Vandermonde[field.M61](f, 0, 5))
	require.Panics(t, func() { share.Vandermonde[field.M61](f, -1, 5) })
}

func TestInvalidArguments(t *testing.T) {
	var f field.F61
	rnd := field.NewPRG([32]byte{})
	for _, c := range []struct{ n, d int }{{0, 0}, {3, 3}, {3, -1}, {share.MaxN + 1, 1}} {
		_, err := share.Deal[field.M61](f, 1, c.d, c.n, rnd)
		require.Error(t, err, "%+v", c)
		require.Regexp(t, "^share: ", err.Error())
		_, err = share.DealVec[field.M61](f, []field.M61{1}, c.d, c.n, rnd)
		require.Error(t, err)
		_, err = share.CompressedDealing[field.M61](f, c.n, c.d, true, 1)
		require.Error(t, err)
	}
	sh := []field.M61{1, 2, 3}
	for _, c := range []struct {
		pts []int
		sh  []field.M61
		d   int
	}{
		{[]int{1, 1, 2}, sh, 2},  // duplicate
		{[]int{1, 2}, sh, 1},     // mismatched lengths
		{[]int{1, 2, 3}, sh, 3},  // too few shares
		{[]int{0, 1, 2}, sh, 2},  // point 0 holds no share
		{[]int{1, 2, -3}, sh, 2}, // negative point
		{[]int{1, 2, share.MaxN + 1}, sh, 2},
		{[]int{1, 2, 3}, sh, -1},
	} {
		_, err := share.Reconstruct(f, c.pts, c.sh, c.d)
		require.Error(t, err, "%+v", c)
		require.Regexp(t, "^share: ", err.Error())
	}
	_, err := share.ReconstructVec(f, []int{1, 2}, [][]field.M61{{1, 2}, {1}}, 1)
	require.ErrorContains(t, err, "share: ")
	_, err = share.Interpolate(f, []int{1, 1}, []field.M61{1, 2}, 0)
	require.ErrorContains(t, err, "duplicate")
	_, err = share.Interpolate(f, []int{1, 2}, []field.M61{1}, 0)
	require.Error(t, err)
	_, err = share.LagrangeCoefficients(f, nil, 0)
	require.Error(t, err)
	_, err = share.LagrangeCoefficients(f, []int{1}, -1)
	require.Error(t, err)
	_, err = share.LagrangeMatrix(f, []int{1, 2}, []int{share.MaxN + 1})
	require.Error(t, err)
	_, err = share.LagrangeMatrix(f, []int{1, 1}, []int{0})
	require.Error(t, err)
	require.Error(t, share.Check(f, []int{1, 1, 2}, sh, 1))
	// A failed validation is not cached: the same points with a valid
	// lower bound still work, and vice versa.
	_, err = share.LagrangeCoefficients(f, []int{0, 1, 2}, 0)
	require.NoError(t, err)
	_, err = share.Reconstruct(f, []int{0, 1, 2}, sh, 2)
	require.Error(t, err)
}

func TestExtractionIsMDS(t *testing.T) {
	// Every n − t columns of [I | A] are invertible: for each set of t
	// corrupt dealers, the outputs are an invertible map of the honest ones.
	var f field.F61
	for n := 1; n <= 9; n++ {
		for tt := 0; tt < n; tt++ {
			a := share.Extraction[field.M61](f, n, tt)
			rows := n - tt
			require.Len(t, a, rows*tt)
			g := func(l, i int) field.M61 { // generator [I | A], column i (0-based)
				if i < rows {
					if i == l {
						return 1
					}
					return 0
				}
				return a[l*tt+i-rows]
			}
			forSubsets(n, rows, func(cols []int) {
				m := make([][]field.M61, rows)
				for l := range rows {
					m[l] = make([]field.M61, rows)
					for c, i := range cols {
						m[l][c] = g(l, i)
					}
				}
				require.False(t, det(f, m).IsZero(), "n=%d t=%d columns %v", n, tt, cols)
			})
		}
	}
	require.Panics(t, func() { share.Extraction[field.M61](f, 3, 3) })
}

// forSubsets calls fn with every k-subset of 0..n−1 in increasing order.
func forSubsets(n, k int, fn func([]int)) {
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			fn(cur)
			return
		}
		for i := start; i < n; i++ {
			rec(i+1, append(cur, i))
		}
	}
	rec(0, nil)
}

// det is the determinant by Gaussian elimination.
func det(f field.F61, m [][]field.M61) field.M61 {
	n := len(m)
	d := f.One()
	for c := range n {
		p := -1
		for r := c; r < n; r++ {
			if !m[r][c].IsZero() {
				p = r
				break
			}
		}
		if p < 0 {
			return 0
		}
		if p != c {
			m[p], m[c] = m[c], m[p]
			d = d.Neg()
		}
		d = d.Mul(m[c][c])
		inv, _ := m[c][c].Inv()
		for r := c + 1; r < n; r++ {
			factor := m[r][c].Mul(inv)
			for k := c; k < n; k++ {
				m[r][k] = m[r][k].Sub(factor.Mul(m[c][k]))
			}
		}
	}
	return d
}

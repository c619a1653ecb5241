package share

import (
	"fmt"

	"github.com/cohortmpc/cohort/field"
)

// points converts evaluation points to field elements.
func points[E any](f field.Field[E], pts []int) []E {
	xs := make([]E, len(pts))
	for i, p := range pts {
		xs[i] = f.FromUint64(uint64(p))
	}
	return xs
}

// checkPoints validates that pts are distinct and in [lo, MaxN].
func checkPoints(what string, pts []int, lo int) error {
	seen := make(map[int]struct{}, len(pts))
	for _, p := range pts {
		if p < lo || p > MaxN {
			return fmt.Errorf("share: %s: point %d out of range [%d, %d]", what, p, lo, MaxN)
		}
		if _, dup := seen[p]; dup {
			return fmt.Errorf("share: %s: duplicate point %d", what, p)
		}
		seen[p] = struct{}{}
	}
	return nil
}

// baryWeights returns the barycentric weights w_c = 1/Π_{m≠c}(x_c − x_m) of
// distinct xs, with O(k²) element operations in vector loops.
func baryWeights[E any](f field.Field[E], xs []E) []E {
	k := len(xs)
	prod := make([]E, k)
	tmp := make([]E, k)
	for i := range prod {
		prod[i] = f.One()
	}
	for m := range k {
		f.VecAddConst(tmp, xs, f.Neg(xs[m])) // tmp[c] = x_c − x_m
		tmp[m] = f.One()
		f.VecMul(prod, prod, tmp)
	}
	if err := f.BatchInv(prod, prod); err != nil {
		panic("share: duplicate interpolation points") // callers check distinctness
	}
	return prod
}

// LagrangeMatrix returns the row-major len(to)×len(from) matrix M with
//
//	value(to[r]) = Σ_c M[r·len(from) + c] · value(from[c])
//
// for every polynomial of degree < len(from). The from points must be
// distinct; all points must lie in [0, MaxN]. The result is freshly allocated.
//
// It uses the barycentric form M[r][c] = ℓ(x_r)·w_c/(x_r − from[c]) with
// ℓ(x_r) = 1/Σ_c w_c/(x_r − from[c]) and a single batch inversion for the whole
// matrix: O(len(from)² + len(from)·len(to)) element operations.
func LagrangeMatrix[E any](f field.Field[E], from, to []int) ([]E, error) {
	if len(from) == 0 {
		return nil, fmt.Errorf("share: Lagrange matrix: no source points")
	}
	if err := checkPoints("Lagrange matrix source", from, 0); err != nil {
		return nil, err
	}
	for _, x := range to {
		if x < 0 || x > MaxN {
			return nil, fmt.Errorf("share: Lagrange matrix: target point %d out of range [0, %d]", x, MaxN)
		}
	}
	return lagrangeMatrix(f, from, to), nil
}

// intWeights returns the barycentric weights of distinct integer points
// that fill a range [lo, hi] but for at most a few gaps, in O(k) element
// operations per gap instead of baryWeights' O(k²): the weights of the
// whole range are (−1)^(hi−x)/((x−lo)!·(hi−x)!), and leaving out a point g
// multiplies the weight of every other x by (x − g). Compressed dealing
// fixes such sets (the lowest ids but the dealer, and the secret's point
// 0), one per dealer at large n. ok is false for other sets.
func intWeights[E any](f field.Field[E], pts []int) (w []E, ok bool) {
	const maxGaps = 4
	if len(pts) == 0 {
		return nil, false
	}
	lo, hi := pts[0], pts[0]
	for _, x := range pts {
		lo, hi = min(lo, x), max(hi, x)
	}
	span := hi - lo + 1
	if span-len(pts) > maxGaps {
		return nil, false
	}
	in := make([]bool, span)
	for _, x := range pts {
		in[x-lo] = true
	}
	var gaps []int
	for i, hit := range in {
		if !hit {
			gaps = append(gaps, lo+i)
		}
	}
	// invFact[i] = 1/i! for i < span.
	fact := make([]E, span)
	fact[0] = f.One()
	for i := 1; i < span; i++ {
		fact[i] = f.Mul(fact[i-1], f.FromUint64(uint64(i)))
	}
	invFact := make([]E, span)
	if err := f.BatchInv(invFact, fact); err != nil {
		return nil, false // a factorial divisible by p: not for this field
	}
	w = make([]E, len(pts))
	for i, x := range pts {
		v := f.Mul(invFact[x-lo], invFact[hi-x])
		if (hi-x)%2 == 1 {
			v = f.Neg(v)
		}
		for _, g := range gaps {
			v = f.Mul(v, f.FromInt64(int64(x-g)))
		}
		w[i] = v
	}
	return w, true
}

// lagrangeMatrix is LagrangeMatrix on validated input.
func lagrangeMatrix[E any](f field.Field[E], from, to []int) []E {
	cols := len(from)
	xs := points(f, from)
	w, ok := intWeights(f, from)
	if !ok {
		w = baryWeights(f, xs)
	}
	negXs := make([]E, cols)
	for c := range xs {
		negXs[c] = f.Neg(xs[c])
	}
	index := make(map[int]int, cols)
	for c, x := range from {
		index[x] = c
	}

	m := make([]E, len(to)*cols)
	one := f.One()
	for r, x := range to {
		row := m[r*cols : (r+1)*cols]
		if _, hit := index[x]; hit {
			for c := range row {
				row[c] = one // placeholder, nonzero for the batch inversion
			}
			continue
		}
		f.VecAddConst(row, negXs, f.FromUint64(uint64(x))) // x − from[c] ≠ 0
	}
	if err := f.BatchInv(m, m); err != nil {
		panic("share: internal error: " + err.Error())
	}

	var general []int
	sums := make([]E, 0, len(to))
	for r, x := range to {
		if _, hit := index[x]; !hit {
			general = append(general, r)
			sums = append(sums, f.Dot(w, m[r*cols:(r+1)*cols])) // 1/ℓ(x) ≠ 0
		}
	}
	if err := f.BatchInv(sums, sums); err != nil {
		panic("share: internal error: " + err.Error())
	}
	for i, r := range general {
		row := m[r*cols : (r+1)*cols]
		f.VecMul(row, row, w)
		f.VecScale(row, sums[i], row)
	}
	zero := f.Zero()
	for r, x := range to {
		if c, hit := index[x]; hit {
			row := m[r*cols : (r+1)*cols]
			for i := range row {
				row[i] = zero
			}
			row[c] = one
		}
	}
	return m
}

// LagrangeCoefficients returns λ with value(x) = Σ_j λ[j]·value(points[j])
// for every polynomial of degree < len(points), i.e.
// λ_j = Π_{m≠j} (x − points[m])/(points[j] − points[m]). Points must be
// distinct and, like x, lie in [0, MaxN].
//
// The vectors are cached process-wide per (field, points, x); the returned
// slice is shared and must not be modified.
func LagrangeCoefficients[E any](f field.Field[E], points []int, x int) ([]E, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("share: Lagrange coefficients: no points")
	}
	if x < 0 || x > MaxN {
		return nil, fmt.Errorf("share: Lagrange coefficients: target point %d out of range [0, %d]", x, MaxN)
	}
	return lagrangeCoefficients(f, "Lagrange coefficients", points, 0, x)
}

// lagrangeCoefficients returns the cached coefficient vector for (points, x),
// validating the points (distinct, in [lo, MaxN]) on a cache miss only; x
// must be valid.
func lagrangeCoefficients[E any](f field.Field[E], what string, pts []int, lo, x int) ([]E, error) {
	compute := func() (any, error) {
		if err := checkPoints(what, pts, lo); err != nil {
			return nil, err
		}
		return lagrangeMatrix(f, pts, []int{x}), nil
	}
	k := key(f.Name(), 'L', lo, x)
	for _, p := range pts {
		k = appendVarint(k, p)
	}
	v, err := lagrangeCache.get(k, compute)
	if err != nil {
		return nil, err
	}
	if lam, ok := v.([]E); ok {
		return lam, nil
	}
	// Another element type registered the same field name: do not cache.
	v, err = compute()
	if err != nil {
		return nil, err
	}
	return v.([]E), nil
}

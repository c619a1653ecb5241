package ops

import "context"

// Comparison (DESIGN §7): Catrina–de Hoogh's Mod2m with a statistical mask,
// then a DGK-style comparison of the public c mod 2^m with the shared mask
// bits, evaluated as one masked product whose zero test is opened.

// compareBits returns the bit width k of a comparison of values in b: at
// least 2, and it must fit the field.
func (s *Session[E]) compareBits(op string, b Bound) (int, error) {
	k := max(2, b.Bits())
	if !CompareFits(s.f.BitLen(), k) {
		return 0, s.fail(misuse("%s of values in %v: %d-bit comparisons need k + %d ≤ %d bits in field %s; use a larger field",
			op, b, k, Kappa+2, s.f.BitLen(), s.f.Name()))
	}
	return k, nil
}

// LTZ returns the bits [a[i] < 0]. The bit width of the comparison comes
// from a's bound; 2 + 2⌈log2(k+1)⌉ rounds (10 for k = 14 or 15). The result
// is wrong with probability 1/p (when a random [ρ] is zero).
func (s *Session[E]) LTZ(ctx context.Context, a Int[E]) (Int[E], error) {
	if err := s.use("LTZ", a.x); err != nil {
		return Int[E]{}, err
	}
	k, err := s.compareBits("LTZ", a.b)
	if err != nil {
		return Int[E]{}, err
	}
	lt, err := s.ltz(ctx, a.x, k)
	if err != nil {
		return Int[E]{}, err
	}
	return mkInt(lt, Bound{0, 1}), nil
}

// NeedsLTZ is the preprocessing that LTZ of c values in b consumes.
func NeedsLTZ(c int, b Bound) Needs { return needsLTZ(c, max(2, b.Bits())) }

func needsLTZ(c, k int) Needs {
	n := Needs{Random: c, Double: c * treeMults(k+1), Zero: c, Bits: c * k, Masks: c, MaskBits: k}
	if c > 0 {
		n.Verify = 1 // before the zero test is opened
	}
	return n
}

// treeMults is the number of interactive multiplications of a product tree
// over w ≥ 2 factors whose last level is a local product: w − 2.
func treeMults(w int) int { return max(0, w-2) }

// LessThan returns the bits [a[i] < b[i]].
func (s *Session[E]) LessThan(ctx context.Context, a, b Int[E]) (Int[E], error) {
	if err := s.use("LessThan", a.x, b.x); err != nil {
		return Int[E]{}, err
	}
	d, err := s.result("LessThan", a.Sub(b))
	if err != nil {
		return Int[E]{}, err
	}
	return s.LTZ(ctx, d)
}

// NeedsLessThan is the preprocessing that LessThan of c pairs from a and b
// consumes.
func NeedsLessThan(c int, a, b Bound) Needs { return NeedsLTZ(c, diffBound(a, b)) }

// diffBound is the bound of a − b (saturating; compareBits refuses what
// does not fit anyway).
func diffBound(a, b Bound) Bound {
	lo, ok1 := add64(a.Lo, -b.Hi)
	hi, ok2 := add64(a.Hi, -b.Lo)
	if !ok1 || !ok2 {
		return Bound{-1 << 62, 1 << 62}
	}
	return Bound{lo, hi}
}

// GreaterThan returns the bits [a[i] > b[i]].
func (s *Session[E]) GreaterThan(ctx context.Context, a, b Int[E]) (Int[E], error) {
	return s.LessThan(ctx, b, a)
}

// AtLeast returns the bits [a[i] ≥ b[i]].
func (s *Session[E]) AtLeast(ctx context.Context, a, b Int[E]) (Int[E], error) {
	lt, err := s.LessThan(ctx, a, b)
	if err != nil {
		return Int[E]{}, err
	}
	return lt.Not(), nil
}

// AtMost returns the bits [a[i] ≤ b[i]].
func (s *Session[E]) AtMost(ctx context.Context, a, b Int[E]) (Int[E], error) {
	return s.AtLeast(ctx, b, a)
}

func (s *Session[E]) ltz(ctx context.Context, a Shares[E], k int) (Shares[E], error) {
	st, c, err := s.ltzStart(ctx, a, k)
	if err != nil || a.Len() == 0 {
		return a.Slice(0, 0), err
	}
	cOpen, err := s.eng.open(ctx, c, "LTZ: masked values", openMasked)
	if err != nil {
		return Shares[E]{}, err
	}
	return s.ltzFinish(ctx, st, cOpen)
}

// ltzState is a comparison between its masked opening and the rest: the
// preprocessed values it consumed.
type ltzState[E any] struct {
	k, m  int
	bits  Shares[E] // per value: r_0..r_(m−1), σ
	masks Shares[E] // r″
	rho   Shares[E]
	rp    Shares[E] // r' = Σ 2^i·r_i
}

// ltzStart takes the preprocessing of LTZ(a) and returns the masked values
// c = a + 2^m + r' + 2^m·r″ (step 1, m = k − 1), which the caller opens
// (they are uniformly masked). c has a's degree. Nothing after the opening
// depends on a, so a may be a local product.
func (s *Session[E]) ltzStart(ctx context.Context, a Shares[E], k int) (*ltzState[E], Shares[E], error) {
	b := a.Len()
	st := &ltzState[E]{k: k, m: k - 1}
	if b == 0 {
		return st, a, nil
	}
	m := st.m
	var err error
	if st.bits, err = s.takeBits(ctx, b*(m+1)); err != nil {
		return nil, Shares[E]{}, err
	}
	if st.masks, err = s.takeMasks(ctx, b, k); err != nil {
		return nil, Shares[E]{}, err
	}
	if st.rho, err = s.takeRandom(ctx, b); err != nil {
		return nil, Shares[E]{}, err
	}
	pow2m := s.pow2(m)
	rps := make([]Shares[E], b)
	for i := range rps {
		rps[i] = fromBits(st.bits.Slice(i*(m+1), i*(m+1)+m))
	}
	st.rp = Concat(rps...)
	c := a.AddConst(pow2m).Add(st.rp).Add(st.masks.Scale(pow2m))
	return st, c, c.check()
}

// ltzFinish completes the comparisons from the opened c (steps 2–6).
func (s *Session[E]) ltzFinish(ctx context.Context, st *ltzState[E], cOpen []E) (Shares[E], error) {
	b := len(cOpen)
	f, m := s.f, st.m
	one := f.One()
	three := f.FromUint64(3)
	invPow2m, err := f.Inv(s.pow2(m))
	if err != nil {
		return Shares[E]{}, s.fail(err)
	}

	// 2–3. The factors ρ, e_m, e_(m−1), …, e_0 of each value, and
	// c' = c mod 2^m. Every e is a public affine function of the bits.
	width := m + 2
	cmod := make([]E, b)
	for i := range b {
		cp := f.Zero()
		for j := m - 1; j >= 0; j-- {
			cp = f.Add(f.Add(cp, cp), f.FromUint64(uint64(f.Bit(cOpen[i], j))))
		}
		cmod[i] = cp
	}
	e := st.bits.affine(b*(width-1), false, func(dst, src []E, unit E) {
		for i := range b {
			r := src[i*(m+1) : i*(m+1)+m]
			sigma := src[i*(m+1)+m]
			sgn := f.Sub(unit, f.Add(sigma, sigma)) // s = 1 − 2σ
			fac := dst[i*(width-1) : (i+1)*(width-1)]
			acc := f.Zero() // Σ_(j>i) xor_j
			for j := m - 1; j >= 0; j-- {
				ej, xor := f.Add(sgn, r[j]), r[j]
				if f.Bit(cOpen[i], j) == 1 {
					ej, xor = f.Sub(ej, unit), f.Sub(unit, r[j])
				}
				fac[1+(m-1-j)] = f.Add(ej, f.Mul(three, acc))
				acc = f.Add(acc, xor)
			}
			fac[0] = f.Add(f.Sub(sgn, unit), f.Mul(three, acc))
		}
	})
	idx := make([]int, 0, b*width) // interleave ρ_i before e_i's factors
	for i := range b {
		idx = append(idx, b*(width-1)+i)
		for j := range width - 1 {
			idx = append(idx, i*(width-1)+j)
		}
	}
	factors := Concat(e, st.rho).Pick(idx...)

	// 4. Multiply the factors of each value; the last level is a local
	// product, opened after re-randomisation: w = 0 exactly when some
	// factor is.
	last, err := s.productTree(ctx, factors, b, width, "LTZ: product")
	if err != nil {
		return Shares[E]{}, err
	}
	// Checked, not masked: w = 0 has the same chance whatever the inputs
	// only when every product is right, and a party that added an error to
	// one could make it tell whether a factor is zero.
	w, err := s.eng.open(ctx, last, "LTZ: zero test", openChecked)
	if err != nil {
		return Shares[E]{}, err
	}

	// 5–6. u = [c' < r'], and with x = a + 2^m = c − r' − 2^m·r″ (no wrap)
	// and x mod 2^m = c' − r' + 2^m·u: [a < 0] = 1 − (x − x mod 2^m)/2^m
	// = 1 − (c − c')/2^m + [r″] + [u], which needs no share of a.
	sig := make([]int, b)
	for i := range sig {
		sig[i] = i*(m+1) + m
	}
	// Concatenated: σ_0..σ_(b−1), then r″_0..r″_(b−1).
	res := Concat(st.bits.Pick(sig...), st.masks).affine(b, false, func(dst, src []E, unit E) {
		for i := range b {
			u := src[i] // σ
			if !f.IsZero(w[i]) {
				u = f.Sub(unit, u)
			}
			q := f.Mul(f.Sub(cOpen[i], cmod[i]), invPow2m)
			dst[i] = f.Add(f.Add(src[b+i], u), f.Mul(f.Sub(one, q), unit))
		}
	})
	return res, res.check()
}

// productTree multiplies, for each of b groups of width consecutive values
// of x, the values of the group: interactive multiplications level by level
// while more than two remain, then a local product, so the result has
// degree 2T (one value per group).
func (s *Session[E]) productTree(ctx context.Context, x Shares[E], b, width int, name string) (Shares[E], error) {
	cur := x
	for width > 2 {
		half, odd := width/2, width%2
		left := make([]int, 0, b*half)
		right := make([]int, 0, b*half)
		for i := range b {
			for h := range half {
				left = append(left, i*width+2*h)
				right = append(right, i*width+2*h+1)
			}
		}
		prod, err := s.eng.mul(ctx, cur.Pick(left...), cur.Pick(right...), name)
		if err != nil {
			return Shares[E]{}, err
		}
		if odd == 0 {
			cur, width = prod, half
			continue
		}
		idx := make([]int, 0, b*(half+1))
		for i := range b {
			for h := range half {
				idx = append(idx, i*half+h)
			}
			idx = append(idx, b*half+i)
		}
		tails := make([]int, b)
		for i := range b {
			tails[i] = (i+1)*width - 1
		}
		cur, width = Concat(prod, cur.Pick(tails...)).Pick(idx...), half+1
	}
	if width == 1 {
		return cur, nil
	}
	evens := make([]int, b)
	odds := make([]int, b)
	for i := range b {
		evens[i], odds[i] = 2*i, 2*i+1
	}
	return cur.Pick(evens...).MulLocal(cur.Pick(odds...)), nil
}

// pow2 returns 2^e.
func (s *Session[E]) pow2(e int) E {
	v := s.f.One()
	for range e {
		v = s.f.Add(v, v)
	}
	return v
}

// DivPow2 returns ⌊a[i] / 2^m⌋ (rounding towards −∞) for a public m ≥ 0
// (Catrina–de Hoogh Trunc with a statistical mask and an exact
// correction). 2 + 2⌈log2(m+1)⌉ rounds; about m + K − m + κ random bits per
// value, where K is the bit width of a's bound.
func (s *Session[E]) DivPow2(ctx context.Context, a Int[E], m int) (Int[E], error) {
	if err := s.use("DivPow2", a.x); err != nil {
		return Int[E]{}, err
	}
	if m < 0 || m > 62 {
		return Int[E]{}, s.fail(misuse("DivPow2 by 2^%d", m))
	}
	if m == 0 {
		return a, nil
	}
	// Shift a to a' = a − lo' ≥ 0, with lo' a multiple of 2^m, so that
	// ⌊a/2^m⌋ = ⌊a'/2^m⌋ + lo'/2^m.
	lo := a.b.Lo >> m << m // floor to a multiple of 2^m
	ap, err := s.result("DivPow2", a.AddConst(-lo))
	if err != nil {
		return Int[E]{}, err
	}
	K := max(m+1, Bound{0, ap.b.Hi}.Bits())
	if !CompareFits(s.f.BitLen(), K) {
		return Int[E]{}, s.fail(misuse("DivPow2 of values in %v: %d-bit values need %d + %d ≤ %d bits in field %s; use a larger field",
			a.b, K, K, Kappa+2, s.f.BitLen(), s.f.Name()))
	}
	res := Bound{a.b.Lo >> m, a.b.Hi >> m}
	q, err := s.trunc(ctx, ap.x, K, m)
	if err != nil {
		return Int[E]{}, err
	}
	return s.result("DivPow2", mkInt(q.AddConst(s.f.FromInt64(lo>>m)), res))
}

// NeedsDivPow2 is the preprocessing that DivPow2 of c values in b by 2^m
// consumes.
func NeedsDivPow2(c int, b Bound, m int) Needs {
	if m <= 0 {
		return Needs{}
	}
	lo := b.Lo >> m << m
	K := max(m+1, Bound{0, b.Hi - lo}.Bits())
	return Needs{Random: c, Double: c * treeMults(m+2), Zero: c, Bits: c * (m + 1 + K - m + Kappa)}
}

// trunc returns ⌊a/2^m⌋ for a in [0, 2^K): it opens c = a + r' + 2^m·r″
// with r' of m random bits and r″ of K − m + κ random bits, compares
// c' = c mod 2^m with r' as LTZ does (u = [c' < r']), and returns
// (c − c')/2^m − r″ − u.
func (s *Session[E]) trunc(ctx context.Context, a Shares[E], K, m int) (Shares[E], error) {
	b := a.Len()
	if b == 0 {
		return a, nil
	}
	extra := K - m + Kappa
	bits, err := s.takeBits(ctx, b*extra)
	if err != nil {
		return Shares[E]{}, err
	}
	st := &ltzState[E]{k: m + 1, m: m}
	if st.bits, err = s.takeBits(ctx, b*(m+1)); err != nil {
		return Shares[E]{}, err
	}
	if st.rho, err = s.takeRandom(ctx, b); err != nil {
		return Shares[E]{}, err
	}
	rps := make([]Shares[E], b)
	masks := make([]Shares[E], b)
	for i := range b {
		rps[i] = fromBits(st.bits.Slice(i*(m+1), i*(m+1)+m))
		masks[i] = fromBits(bits.Slice(i*extra, (i+1)*extra))
	}
	st.rp, st.masks = Concat(rps...), Concat(masks...)
	pow2m := s.pow2(m)
	c := a.Add(st.rp).Add(st.masks.Scale(pow2m))
	cOpen, err := s.eng.open(ctx, c, "DivPow2: masked values", openMasked)
	if err != nil {
		return Shares[E]{}, err
	}
	// ltzFinish returns 1 − ((c − c')/2^m − r″ − u) = 1 − ⌊a/2^m⌋ (in LTZ
	// the opened value carries the offset 2^m, here it does not).
	v, err := s.ltzFinish(ctx, st, cOpen)
	if err != nil {
		return Shares[E]{}, err
	}
	return v.Neg().AddConst(s.f.One()), nil
}

package ops

import (
	"context"
	"fmt"
	"slices"
)

// checkBits validates a comparison bit length k for this field: the masked
// value c = a + 2^(k−1) + r' + 2^(k−1)·r″ must stay below p.
func (s *Session[E]) checkBits(k int) error {
	if k < 2 {
		return s.fail(fmt.Errorf("ops: comparison of %d-bit values: k must be at least 2", k))
	}
	if k+Kappa+2 > s.f.BitLen() {
		return s.fail(fmt.Errorf("ops: comparison of %d-bit values needs k + %d ≤ %d in field %s; use a larger field",
			k, Kappa+2, s.f.BitLen(), s.f.Name()))
	}
	return nil
}

// checkCount fails the session on a negative count.
func (s *Session[E]) checkCount(op string, c int) error {
	if c < 0 {
		return s.fail(fmt.Errorf("ops: %s: negative count %d", op, c))
	}
	return nil
}

// LTZ returns shares of the bits [a[i] < 0], for shared values in
// [−2^(k−1), 2^(k−1)) (DESIGN §7: Catrina–de Hoogh Mod2m with a statistical
// mask, then a DGK-style comparison of the public c mod 2^(k−1) with the
// shared mask bits, evaluated as one masked product whose zero test is
// opened). 10 rounds for k = 14 or 15. A value outside the range gives an
// arbitrary bit, and the masked value opened on the way may then wrap around
// the field and fail to hide it: callers must guarantee the range (package
// assess derives k from public bounds). The result is wrong with
// probability 1/p (when the random [ρ] is zero).
func (s *Session[E]) LTZ(ctx context.Context, a []E, k int) ([]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if err := s.checkBits(k); err != nil {
		return nil, err
	}
	return s.ltz(ctx, a, k)
}

// LessThan returns shares of [a[i] < b[i]] for values whose differences lie
// in [−2^(k−1), 2^(k−1)).
func (s *Session[E]) LessThan(ctx context.Context, a, b []E, k int) ([]E, error) {
	if len(a) != len(b) {
		return nil, s.fail(fmt.Errorf("ops: LessThan of %d and %d values", len(a), len(b)))
	}
	d := make([]E, len(a))
	s.f.VecSub(d, a, b)
	return s.LTZ(ctx, d, k)
}

// AtLeast returns shares of [a[i] ≥ c] for a public c, for values whose
// differences from c lie in [−2^(k−1), 2^(k−1)).
func (s *Session[E]) AtLeast(ctx context.Context, a []E, c E, k int) ([]E, error) {
	d := make([]E, len(a))
	s.f.VecAddConst(d, a, s.f.Neg(c))
	lt, err := s.LTZ(ctx, d, k)
	if err != nil {
		return nil, err
	}
	return s.oneMinus(lt), nil
}

// oneMinus returns 1 − b[i].
func (s *Session[E]) oneMinus(b []E) []E {
	out := make([]E, len(b))
	for i := range b {
		out[i] = s.f.Sub(s.f.One(), b[i])
	}
	return out
}

// NeedsLTZ is the preprocessing that LTZ of c values of k bits consumes.
func (s *Session[E]) NeedsLTZ(c, k int) Needs {
	factors := k + 1
	mults := 0
	for w := factors; w > 2; w = w/2 + w%2 {
		mults += w / 2
	}
	return Needs{Random: c, Double: c * mults, Zero: c, Bits: c * k, Masks: c, MaskBits: k}
}

// NeedsOpenDouble is the preprocessing that OpenDouble of c values consumes.
func (s *Session[E]) NeedsOpenDouble(c int) Needs { return Needs{Zero: c} }

// NeedsMax is the preprocessing that Max over c values of k bits consumes.
func (s *Session[E]) NeedsMax(c, k int) Needs {
	var n Needs
	for level := 0; c > 1; c, level = c/2+c%2, level+1 {
		n = n.Add(s.NeedsLTZ(c/2, k)).Add(Needs{Double: c / 2})
		if level > 0 {
			n.Zero += c / 2 // the masked differences are opened as degree-2T values
		}
	}
	return n
}

func (s *Session[E]) ltz(ctx context.Context, a []E, k int) ([]E, error) {
	st, c, err := s.ltzStart(ctx, a, k)
	if err != nil || len(a) == 0 {
		return nil, err
	}
	cOpen, err := s.openDeg(ctx, c, s.t, "LTZ: masked values", nil)
	if err != nil {
		return nil, err
	}
	return s.ltzFinish(ctx, st, cOpen)
}

// ltzState is a comparison between its masked opening and the rest: the
// preprocessed values it consumed.
type ltzState[E any] struct {
	k, m  int
	bits  []E // per value: r_0..r_(m−1), σ
	masks []E // r″
	rho   []E
	rp    []E // r' = Σ 2^i·r_i
}

// ltzStart takes the preprocessing of LTZ(a) and returns the shares of the
// masked values c = a + 2^m + r' + 2^m·r″ (step 1), which the caller opens:
// as degree-T or, after re-randomising, degree-2T values, like a. Nothing
// after the opening depends on a, so a may be a local product.
func (s *Session[E]) ltzStart(ctx context.Context, a []E, k int) (*ltzState[E], []E, error) {
	b := len(a)
	st := &ltzState[E]{k: k, m: k - 1}
	if b == 0 {
		return st, nil, nil
	}
	f, m := s.f, st.m
	var err error
	if st.bits, err = s.takeBits(ctx, b*(m+1)); err != nil {
		return nil, nil, err
	}
	if st.masks, err = s.takeMasks(ctx, b, k); err != nil {
		return nil, nil, err
	}
	if st.rho, err = s.takeRandom(ctx, b); err != nil {
		return nil, nil, err
	}
	pow2m := s.pow2(m)
	st.rp = make([]E, b)
	c := make([]E, b)
	for i := range a {
		st.rp[i] = s.fromBits(st.bits[i*(m+1) : i*(m+1)+m])
		c[i] = f.Add(f.Add(a[i], pow2m), f.Add(st.rp[i], f.Mul(pow2m, st.masks[i])))
	}
	return st, c, nil
}

// ltzFinish completes the comparisons from the opened c (steps 2–6).
func (s *Session[E]) ltzFinish(ctx context.Context, st *ltzState[E], cOpen []E) ([]E, error) {
	b := len(cOpen)
	f, m, bits := s.f, st.m, st.bits
	one := f.One()
	three := f.FromUint64(3)
	invPow2m, err := f.Inv(s.pow2(m))
	if err != nil {
		return nil, s.fail(err)
	}

	// 2–3. The factors ρ, e_m, e_(m−1), …, e_0 of each value, and c' = c mod 2^m.
	width := m + 2
	cur := make([]E, b*width)
	cmod := make([]E, b)
	for i := range b {
		r := bits[i*(m+1) : i*(m+1)+m]
		sigma := bits[i*(m+1)+m]
		sgn := f.Sub(one, f.Add(sigma, sigma)) // s = 1 − 2σ
		fac := cur[i*width : (i+1)*width]
		fac[0] = st.rho[i]
		acc, cp := f.Zero(), f.Zero() // Σ_(j>i) xor_j, and c' so far
		for j := m - 1; j >= 0; j-- {
			e := f.Add(sgn, r[j])
			xor := r[j]
			cp = f.Add(cp, cp)
			if f.Bit(cOpen[i], j) == 1 {
				e = f.Sub(e, one)
				xor = f.Sub(one, r[j])
				cp = f.Add(cp, one)
			}
			fac[2+(m-1-j)] = f.Add(e, f.Mul(three, acc))
			acc = f.Add(acc, xor)
		}
		cmod[i] = cp
		fac[1] = f.Add(f.Sub(sgn, one), f.Mul(three, acc))
	}

	// 4. Multiply the factors of each value with a product tree; the last
	// level is a local product opened after re-randomisation.
	for width > 2 {
		half, odd := width/2, width%2
		left, right := make([]E, b*half), make([]E, b*half)
		for i := range b {
			for h := range half {
				left[i*half+h] = cur[i*width+2*h]
				right[i*half+h] = cur[i*width+2*h+1]
			}
		}
		prod := make([]E, len(left))
		f.VecMul(prod, left, right)
		prod, err = s.reduce(ctx, prod, "LTZ: product")
		if err != nil {
			return nil, err
		}
		next := make([]E, b*(half+odd))
		for i := range b {
			copy(next[i*(half+odd):], prod[i*half:(i+1)*half])
			if odd == 1 {
				next[i*(half+odd)+half] = cur[(i+1)*width-1]
			}
		}
		cur, width = next, half+odd
	}
	last := make([]E, b)
	for i := range b {
		last[i] = f.Mul(cur[2*i], cur[2*i+1])
	}
	w, err := s.open2t(ctx, last, "LTZ: zero test", nil)
	if err != nil {
		return nil, err
	}

	// 5–6. u = [c' < r'], and with x = a + 2^m = c − r' − 2^m·r″ (no wrap)
	// and x mod 2^m = c' − r' + 2^m·u: [a < 0] = 1 − (x − x mod 2^m)/2^m
	// = 1 − (c − c')/2^m + [r″] + [u], which needs no share of a.
	out := make([]E, b)
	for i := range b {
		sigma := bits[i*(m+1)+m]
		u := sigma
		if !f.IsZero(w[i]) {
			u = f.Sub(one, sigma)
		}
		q := f.Mul(f.Sub(cOpen[i], cmod[i]), invPow2m)
		out[i] = f.Add(f.Sub(one, q), f.Add(st.masks[i], u))
	}
	return out, nil
}

// pow2 returns 2^e.
func (s *Session[E]) pow2(e int) E {
	v := s.f.One()
	for range e {
		v = s.f.Add(v, v)
	}
	return v
}

// Max returns shares of the largest of the shared values x, whose pairwise
// differences must lie in [−2^(k−1), 2^(k−1)). It plays a tournament of
// ⌈log2 len(x)⌉ levels: len(x) − 1 comparisons and multiplications.
func (s *Session[E]) Max(ctx context.Context, x []E, k int) (E, error) {
	m, _, err := s.MaxAndLTZ(ctx, x, k, nil)
	return m, err
}

// MaxAndLTZ is Max that also computes LTZ of the values extra, batched with
// the tournament's first level so that they cost no extra rounds.
func (s *Session[E]) MaxAndLTZ(ctx context.Context, x []E, k int, extra []E) (E, []E, error) {
	return s.tournament(ctx, x, k, extra, true)
}

// MaxToOpen is MaxAndLTZ for a maximum that is about to be opened: it skips
// the last re-sharing and returns the maximum as a degree-2T share, which
// only [Session.OpenDouble] may consume (it re-randomises before opening).
// This saves two rounds and a multiplication's traffic.
func (s *Session[E]) MaxToOpen(ctx context.Context, x []E, k int, extra []E) (E, []E, error) {
	return s.tournament(ctx, x, k, extra, false)
}

// tournament plays the Max tournament; with reduceLast false the final
// selection stays a local degree-2T product.
func (s *Session[E]) tournament(ctx context.Context, x []E, k int, extra []E, reduceLast bool) (E, []E, error) {
	var zero E
	if len(x) == 0 {
		return zero, nil, s.fail(fmt.Errorf("ops: Max of no values"))
	}
	if err := s.begin(); err != nil {
		return zero, nil, err
	}
	if err := s.checkBits(k); err != nil {
		return zero, nil, err
	}
	// Level values are base[i] + sel[i] for i < len(sel), base[i] beyond:
	// base is degree T, sel the previous level's selection products, local
	// degree-2T values not yet reduced. A level opens its masked
	// differences as degree-2T values in the same king round that reduces
	// sel, so a level costs 10 rounds, not 12.
	f := s.f
	base := x
	var sel, extraOut []E
	first := true
	levels := 0
	for c := len(x); c > 1; c = c/2 + c%2 {
		levels++
	}
	progress := func(done int) {
		if s.opts.Progress != nil {
			s.opts.Progress("Max", done, levels)
		}
	}
	progress(0)
	for level := 0; len(base) > 1 || (first && len(extra) > 0); level++ {
		vals := base
		if len(sel) > 0 {
			vals = slices.Clone(base)
			f.VecAdd(vals[:len(sel)], vals[:len(sel)], sel)
		}
		pairs := len(vals) / 2
		diff := make([]E, pairs, pairs+len(extra))
		for i := range pairs {
			diff[i] = f.Sub(vals[2*i], vals[2*i+1])
		}
		if first {
			diff = append(diff, extra...)
		}
		st, c, err := s.ltzStart(ctx, diff, k)
		if err != nil {
			return zero, nil, err
		}
		var cOpen, red []E
		if len(sel) == 0 {
			cOpen, err = s.openDeg(ctx, c, s.t, "Max: masked differences", nil)
		} else {
			cOpen, red, err = s.openAndReduce(ctx, c, sel, "Max: masked differences and selections")
		}
		if err != nil {
			return zero, nil, err
		}
		if len(red) > 0 {
			base = slices.Clone(base)
			f.VecAdd(base[:len(red)], base[:len(red)], red)
		}
		lt, err := s.ltzFinish(ctx, st, cOpen)
		if err != nil {
			return zero, nil, err
		}
		if first {
			extraOut = lt[pairs:]
			first = false
		}
		// max(u, v) = u + [u < v]·(v − u), the product left for later.
		sel = make([]E, pairs)
		next := make([]E, pairs, pairs+1)
		for i := range pairs {
			u, v := base[2*i], base[2*i+1]
			sel[i] = f.Mul(lt[i], f.Sub(v, u))
			next[i] = u
		}
		if len(base)%2 == 1 {
			next = append(next, base[len(base)-1])
		}
		base = next
		progress(min(level+1, levels))
	}
	if len(sel) == 0 {
		return base[0], extraOut, nil
	}
	if reduceLast {
		red, err := s.reduce(ctx, sel, "Max: last selection")
		if err != nil {
			return zero, nil, err
		}
		return f.Add(base[0], red[0]), extraOut, nil
	}
	return f.Add(base[0], sel[0]), extraOut, nil
}

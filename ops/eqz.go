package ops

import "context"

// EQZ returns the bits [a[i] = 0] as shared values (none of them is
// revealed). With k the bit width of a's bound, the parties open the masked
// value c = a + 2^(k−1) + r' + 2^k·r″ for random bits r' = Σ 2^i·r_i and a
// statistical mask r″, so that a = 0 exactly when the k low bits of c equal
// those of r' + 2^(k−1), that is, r' with its top bit flipped; the result is
// the product of the k bit equalities, each a public affine function of one
// r_i, computed with a product tree whose last level stays a local product
// (the result has degree 2T). 2 + 2(⌈log2 k⌉ − 1) rounds (8 for k = 15);
// per value k random bits, one mask and the k − 2 multiplications of the
// tree's interactive levels ([NeedsEQZ]).
//
// For a zero test whose result is public, [Session.ZeroTest] costs one
// masked product opening.
func (s *Session[E]) EQZ(ctx context.Context, a Int[E]) (Int[E], error) {
	if err := s.use("EQZ", a.x); err != nil {
		return Int[E]{}, err
	}
	k, err := s.compareBits("EQZ", a.b)
	if err != nil {
		return Int[E]{}, err
	}
	if !CompareFits(s.f.BitLen(), k+1) {
		return Int[E]{}, s.fail(misuse("EQZ of values in %v: needs %d + %d ≤ %d bits in field %s; use a larger field",
			a.b, k+1, Kappa+2, s.f.BitLen(), s.f.Name()))
	}
	b := a.Len()
	if b == 0 {
		return mkInt(a.x, Bound{0, 1}), nil
	}
	f := s.f
	bits, err := s.takeBits(ctx, b*k)
	if err != nil {
		return Int[E]{}, err
	}
	masks, err := s.takeMasks(ctx, b, k+1)
	if err != nil {
		return Int[E]{}, err
	}
	rps := make([]Shares[E], b)
	for i := range b {
		rps[i] = fromBits(bits.Slice(i*k, (i+1)*k))
	}
	c := a.x.AddConst(s.pow2(k - 1)).Add(Concat(rps...)).Add(masks.Scale(s.pow2(k)))
	cOpen, err := s.eng.open(ctx, c, "EQZ: masked values", openMasked)
	if err != nil {
		return Int[E]{}, err
	}
	one := f.One()
	factors := make([]Shares[E], 0, b*k)
	for i := range b {
		for j := range k {
			r := bits.Index(i*k + j)
			target := f.Bit(cOpen[i], j) == 1
			if j == k-1 {
				target = !target // compare with the flipped top bit
			}
			if target {
				factors = append(factors, r)
			} else {
				factors = append(factors, r.Neg().AddConst(one))
			}
		}
	}
	eq, err := s.productTree(ctx, Concat(factors...), b, k, "EQZ: product")
	if err != nil {
		return Int[E]{}, err
	}
	return s.result("EQZ", mkInt(eq, Bound{0, 1}))
}

// NeedsEQZ is the preprocessing that EQZ of c values in b consumes.
func NeedsEQZ(c int, b Bound) Needs {
	k := max(2, b.Bits())
	return Needs{Double: c * treeMults(k), Bits: c * k, Masks: c, MaskBits: k + 1}
}

// Equal returns the bits [a[i] = b[i]] (see [Session.EQZ]).
func (s *Session[E]) Equal(ctx context.Context, a, b Int[E]) (Int[E], error) {
	if err := s.use("Equal", a.x, b.x); err != nil {
		return Int[E]{}, err
	}
	d, err := s.result("Equal", a.Sub(b))
	if err != nil {
		return Int[E]{}, err
	}
	return s.EQZ(ctx, d)
}

// NeedsEqual is the preprocessing that Equal of c pairs from a and b
// consumes.
func NeedsEqual(c int, a, b Bound) Needs { return NeedsEQZ(c, diffBound(a, b)) }

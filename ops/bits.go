package ops

import (
	"context"
	"errors"
	"fmt"
)

// RandomBits returns c independent uniform secret bits.
func (s *Session[E]) RandomBits(ctx context.Context, c int) (Int[E], error) {
	if err := s.begin("RandomBits"); err != nil {
		return Int[E]{}, err
	}
	if err := s.checkCount("RandomBits", c); err != nil {
		return Int[E]{}, err
	}
	b, err := s.takeBits(ctx, c)
	if err != nil {
		return Int[E]{}, err
	}
	return mkInt(b, Bound{0, 1}), nil
}

// NeedsRandomBits is the preprocessing that RandomBits(c) consumes.
func NeedsRandomBits(c int) Needs { return Needs{Bits: c} }

// Random returns c independent uniform secret field elements.
func (s *Session[E]) Random(ctx context.Context, c int) (Shares[E], error) {
	if err := s.begin("Random"); err != nil {
		return Shares[E]{}, err
	}
	if err := s.checkCount("Random", c); err != nil {
		return Shares[E]{}, err
	}
	return s.takeRandom(ctx, c)
}

// NeedsRandom is the preprocessing that Random(c) consumes.
func NeedsRandom(c int) Needs { return Needs{Random: c} }

// makeBits appends c random bits to the pool (DESIGN §6): open a² for a
// random [a]; then [b] = (s⁻¹·[a] + 1)/2, for the canonical root s of a²,
// is 0 or 1, each with probability 1/2, since a² reveals a only up to its
// sign. a² is uniform among the squares whatever the inputs, so it may be
// opened before verification. An engine whose kings are trusted lets the
// king send back s⁻¹ instead of a², which tells no more and spares every
// party a square root and an inversion.
func (s *Session[E]) makeBits(ctx context.Context, c int) error {
	f := s.f
	inv2, err := f.Inv(f.FromUint64(2))
	if err != nil {
		return s.fail(err)
	}
	for c > 0 {
		batch := min(c, maxBitsBatch)
		a, err := s.takeRandom(ctx, batch)
		if err != nil {
			return err
		}
		var inv []E
		var bad error
		rootsInv := func(v []E) {
			if err := invRoots(f, v); err != nil {
				bad = err
			}
		}
		if kp, ok := s.eng.(kingPoster[E]); ok {
			inv, err = kp.openPost(ctx, a.MulLocal(a), "RandomBits", rootsInv)
		} else {
			var sq Shares[E]
			if sq, err = s.eng.mul(ctx, a, a, "RandomBits: square"); err == nil {
				if inv, err = s.eng.open(ctx, sq, "RandomBits", openMasked); err == nil {
					rootsInv(inv)
				}
			}
		}
		if err != nil {
			return err
		}
		if bad != nil {
			return s.fail(bad)
		}
		keep := make([]int, 0, batch)
		for i := range inv {
			if !f.IsZero(inv[i]) {
				keep = append(keep, i) // a = 0: every party drops this one
			}
		}
		keep = keep[:min(len(keep), c)]
		sel := make([]E, len(keep))
		for k, i := range keep {
			sel[k] = inv[i]
		}
		b := a.Pick(keep...).scaleEach(sel).AddConst(f.One()).Scale(inv2)
		s.pool.bits.push(b.parts())
		c -= len(keep)
	}
	return nil
}

// invRoots replaces each non-zero square v[i] by the inverse of its
// canonical square root.
func invRoots[E any](f interface {
	IsZero(E) bool
	Sqrt(E) (E, bool)
	BatchInv(dst, a []E) error
}, v []E) error {
	idx := make([]int, 0, len(v))
	nz := make([]E, 0, len(v))
	for i := range v {
		if f.IsZero(v[i]) {
			continue
		}
		root, ok := f.Sqrt(v[i])
		if !ok {
			// a² is a square: only a deviating party's share gets here.
			return fmt.Errorf("ops: RandomBits: opened a non-square: %w", ErrCheck)
		}
		idx = append(idx, i)
		nz = append(nz, root)
	}
	if err := f.BatchInv(nz, nz); err != nil {
		return errors.Join(ErrCheck, err)
	}
	for k, i := range idx {
		v[i] = nz[k]
	}
	return nil
}

// scaleEach returns c[i]·x[i] for public c.
func (x Shares[E]) scaleEach(c []E) Shares[E] {
	if err := x.check(); err != nil {
		return x
	}
	if len(c) != len(x.v) {
		return x.s.bad(misuse("scaleEach of %d values by %d constants", len(x.v), len(c)))
	}
	f := x.s.f
	return x.lin(x.deg2, func(dst, v []E) { f.VecMul(dst, c, v) })
}

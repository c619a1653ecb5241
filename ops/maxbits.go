package ops

import (
	"context"
)

// MaxOfBits reveals the largest of c values given by their bits: bits holds
// c groups of k bits, least significant first (as [Session.InputBits]
// deals them), and the result is the maximum as a public integer in
// [0, 2^k). It finds the maximum from the top bit down without comparisons
// (DESIGN-v2 §3.4): with every value active, for each bit j the parties
// compute p_i = a_i·b_ij for the active indicators a_i, test Σ p_i for zero
// (revealing only bit j of the maximum) and, when it is 1, narrow the active
// set to a_i ← p_i. k zero tests and (k − 1)·c multiplications, about 4k
// rounds; in a session that authenticates values, each test is revealed only
// after a verification of everything before it, and the last once more
// before it returns (about 10k rounds). What it reveals is the maximum, bit
// by bit.
func (s *Session[E]) MaxOfBits(ctx context.Context, bits Int[E], k int) (int64, error) {
	return s.MaxOfTopBits(ctx, bits, k, k)
}

// MaxOfTopBits is [Session.MaxOfBits] stopped after the top bits: it
// reveals only ⌊max / 2^(k−top)⌋ (a coarsened maximum, DESIGN-v2 §5), for
// top/k of the cost: top zero tests and (top − 1)·c multiplications.
func (s *Session[E]) MaxOfTopBits(ctx context.Context, bits Int[E], k, top int) (int64, error) {
	if err := s.useBits("MaxOfBits", bits); err != nil {
		return 0, err
	}
	if k < 1 || k > 62 || bits.Len() == 0 || bits.Len()%k != 0 {
		return 0, s.fail(misuse("MaxOfBits of %d bits in groups of %d", bits.Len(), k))
	}
	if top < 1 || top > k {
		return 0, s.fail(misuse("MaxOfTopBits: %d top bits of %d", top, k))
	}
	c := bits.Len() / k
	col := func(j int) Shares[E] {
		idx := make([]int, c)
		for i := range idx {
			idx[i] = i*k + j
		}
		return bits.x.Pick(idx...)
	}
	ones := make([]E, c)
	for i := range ones {
		ones[i] = s.f.One()
	}
	var a Shares[E]
	var mx int64
	for j := k - 1; j >= k-top; j-- {
		// The messages sent never depend on the bits found so far, only
		// the values do: a wrong bit (a lying king) is caught by the next
		// verification, not by a desynchronised peer.
		p := col(j)
		if j < k-1 {
			var err error
			if p, err = s.eng.mul(ctx, a, p, "MaxOfBits: active bits"); err != nil {
				return 0, err
			}
		}
		r, err := s.takeRandom(ctx, 1)
		if err != nil {
			return 0, err
		}
		y, err := s.eng.open(ctx, r.MulLocal(p.Sum()), "MaxOfBits: zero test", openChecked)
		if err != nil {
			return 0, err
		}
		switch {
		case !s.f.IsZero(y[0]):
			mx |= 1 << j
			a = p
		case j == k-1:
			a = s.Const(ones)
		}
		if s.opts.Progress != nil {
			s.opts.Progress("MaxOfBits", k-j, top)
		}
	}
	// The last zero test was opened by a king: verify it before the
	// caller may reveal what it found.
	if err := s.eng.verify(ctx); err != nil {
		return 0, err
	}
	return mx >> (k - top), nil
}

// NeedsMaxOfBits is the preprocessing that MaxOfBits of c values of k bits
// consumes.
func NeedsMaxOfBits(c, k int) Needs { return NeedsMaxOfTopBits(c, k, k) }

// NeedsMaxOfTopBits is the preprocessing that MaxOfTopBits of c values of
// k bits, stopped after top bits, consumes.
func NeedsMaxOfTopBits(c, k, top int) Needs {
	return Needs{Double: (top - 1) * c, Random: top, Zero: top, Verify: top + 1}
}

package ops

import "context"

// InputBits lets every party deal len(widths) integers of its own, value i
// in [0, 2^widths[i]), as their bits, least significant first; a compute
// party receives, for each party (index id−1), an Int of Σ widths bits,
// value i's bits after those of the values before it ([FromBits]
// recombines them). A party checks its own values before anything is sent.
// In a session that authenticates values, every dealt bit is verified to be
// 0 or 1 with the next verification, before any value that is not
// uniformly masked is opened, and a party whose bits are not bits is named
// ([InputCheckError]): each value is in its range by construction, whatever
// the dealer does. Semi-honest sessions trust the dealers. One round (plus
// the MACs' multiplication).
func (s *Session[E]) InputBits(ctx context.Context, values []int64, widths []int) ([]Int[E], error) {
	total := 0
	for _, k := range widths {
		if k < 1 || k > 62 {
			return nil, s.fail(misuse("InputBits of %d-bit values", k))
		}
		total += k
	}
	if s.me != 0 || values != nil {
		if len(values) != len(widths) {
			return nil, s.fail(misuse("InputBits: %d values for %d widths", len(values), len(widths)))
		}
	}
	bits := make([]E, 0, total)
	for i, v := range values {
		k := widths[i]
		if v < 0 || v >= int64(1)<<k {
			return nil, s.fail(misuse("InputBits: value %d of this party is %d, outside [0, 2^%d)", i, v, k))
		}
		for j := range k {
			bits = append(bits, s.f.FromInt64(v>>j&1))
		}
	}
	sh, err := s.Input(ctx, bits, total)
	if err != nil || sh == nil {
		return nil, err
	}
	out := make([]Int[E], len(sh))
	for i, x := range sh {
		out[i] = mkInt(x, Bound{0, 1})
		if x.Len() > 0 {
			s.eng.require(i+1, x, Shares[E]{})
		}
	}
	return out, nil
}

// NeedsInputBits is the preprocessing of InputBits by parties parties of
// bits bits each: their MACs, and the verification of their bits (a random
// combination per party, reduced with its MAC, and a coin). A semi-honest
// session takes none of it.
func NeedsInputBits(parties, bits int) Needs {
	return Needs{Inputs: parties * bits, Double: parties, Random: 1}
}

// FromBits returns, for each group of k bits of b (least significant
// first), the integer Σ 2^j·b_j, with the bound [0, 2^k − 1]. Local.
func FromBits[E any](b Int[E], k int) Int[E] {
	if err := b.Err(); err != nil {
		return b
	}
	s := b.x.s
	if k < 1 || k > 62 || b.Len()%k != 0 || !b.isBit() {
		return badInt(s, misuse("FromBits of %d values in %v in groups of %d", b.Len(), b.b, k))
	}
	c := b.Len() / k
	w := make([]E, k)
	p := s.f.One()
	for j := range w {
		w[j] = p
		p = s.f.Add(p, p)
	}
	parts := make([]Shares[E], c)
	for i := range parts {
		parts[i] = b.x.Slice(i*k, (i+1)*k).dot(w)
	}
	return mkInt(Concat(parts...), Bound{0, int64(1)<<k - 1})
}

// RequireZero declares that the values of x must all be zero and that the
// dealer the caller identifies as who (≥ 1: a party id, or any number the
// caller uses for the source of its inputs) is to blame when they are not —
// typically a relation between values that one dealer input, such as two
// decompositions of one number. A session that authenticates values checks
// it with the next verification, before any value that is not uniformly
// masked is opened, and fails with an [InputCheckError] naming who; a
// semi-honest session does not check it.
func (s *Session[E]) RequireZero(x Shares[E], who int) error {
	if err := s.use("RequireZero", x); err != nil {
		return err
	}
	if who < 1 {
		return s.fail(misuse("RequireZero: dealer %d is not positive", who))
	}
	s.eng.require(who, Shares[E]{}, x)
	return nil
}

// RequireBits is RequireZero for bits: every value of x must be 0 or 1.
// [Session.InputBits] declares it for what it deals; values obtained
// otherwise ([Session.ImportShares]) need it declared.
func (s *Session[E]) RequireBits(x Shares[E], who int) error {
	if err := s.use("RequireBits", x); err != nil {
		return err
	}
	if who < 1 {
		return s.fail(misuse("RequireBits: dealer %d is not positive", who))
	}
	s.eng.require(who, x, Shares[E]{})
	return nil
}

// Verify checks everything computed so far, now; a session that
// authenticates values does it anyway before any value that is not
// uniformly masked is opened. A no-op in a semi-honest session.
func (s *Session[E]) Verify(ctx context.Context) error {
	if err := s.begin("Verify"); err != nil {
		return err
	}
	return s.eng.verify(ctx)
}

package ops

import "context"

// Select returns a[i] where c[i] = 1 and b[i] where c[i] = 0, for bits c:
// b + c·(a − b), one multiplication per value. The bound of the result is
// the union of a's and b's.
func (s *Session[E]) Select(ctx context.Context, c, a, b Int[E]) (Int[E], error) {
	if err := s.useBits("Select", c); err != nil {
		return Int[E]{}, err
	}
	if err := s.use("Select", a.x, b.x); err != nil {
		return Int[E]{}, err
	}
	d := a.x.Sub(b.x)
	if err := c.x.pair(d, "Select"); err != nil {
		return Int[E]{}, s.fail(err)
	}
	p, err := s.Mul(ctx, c.x, d)
	if err != nil {
		return Int[E]{}, err
	}
	return s.result("Select", mkInt(b.x.Add(p), a.b.union(b.b)))
}

// NeedsSelect is the preprocessing that Select of c values of degree T
// consumes.
func NeedsSelect(c int) Needs { return NeedsMul(c) }

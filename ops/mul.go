package ops

import "context"

// Mul returns x[i]·y[i] (DESIGN §5: DN07 multiplication with a king per
// value who re-deals the masked product): 2 rounds, about 2.5·N elements per
// product. Degree-2T operands are reduced first, which costs 2 more rounds.
func (s *Session[E]) Mul(ctx context.Context, x, y Shares[E]) (Shares[E], error) {
	if err := s.use("Mul", x, y); err != nil {
		return Shares[E]{}, err
	}
	if err := x.pair(y, "Mul"); err != nil {
		return Shares[E]{}, s.fail(err)
	}
	xy, err := s.reduceAll(ctx, "Mul", x, y)
	if err != nil {
		return Shares[E]{}, err
	}
	return s.eng.mul(ctx, xy[0], xy[1], "Mul")
}

// NeedsMul is the preprocessing that Mul of c pairs of degree-T values
// consumes.
func NeedsMul(c int) Needs { return Needs{Double: c} }

// Dot returns, for each i, Σ_k x[i][k]·y[i][k], at the cost of one
// multiplication per i.
func (s *Session[E]) Dot(ctx context.Context, x, y []Shares[E]) (Shares[E], error) {
	if err := s.use("Dot", append(append([]Shares[E]{}, x...), y...)...); err != nil {
		return Shares[E]{}, err
	}
	if len(x) != len(y) {
		return Shares[E]{}, s.fail(misuse("Dot of %d and %d vectors", len(x), len(y)))
	}
	prods := make([]Shares[E], len(x))
	for i := range x {
		if x[i].deg2 || y[i].deg2 {
			return Shares[E]{}, s.fail(misuse("Dot of degree-2T values: reduce them first"))
		}
		p := x[i].MulLocal(y[i])
		if err := p.check(); err != nil {
			return Shares[E]{}, s.fail(err)
		}
		prods[i] = p.Sum()
	}
	if len(prods) == 0 {
		return s.shares([]E{}, s.emptyMAC(), false), nil
	}
	return s.eng.reduce(ctx, Concat(prods...), "Dot")
}

// Reduce returns degree-T sharings of the values of x: x itself when it has
// degree T, else a DN07 reduction (2 rounds, as a multiplication).
func (s *Session[E]) Reduce(ctx context.Context, x Shares[E]) (Shares[E], error) {
	if err := s.use("Reduce", x); err != nil {
		return Shares[E]{}, err
	}
	out, err := s.reduceAll(ctx, "Reduce", x)
	if err != nil {
		return Shares[E]{}, err
	}
	return out[0], nil
}

// reduceAll reduces the degree-2T values among xs, all in one round pair.
func (s *Session[E]) reduceAll(ctx context.Context, name string, xs ...Shares[E]) ([]Shares[E], error) {
	var high []Shares[E]
	for _, x := range xs {
		if x.deg2 {
			high = append(high, x)
		}
	}
	if len(high) == 0 {
		return xs, nil
	}
	red, err := s.eng.reduce(ctx, Concat(high...), name+": reduce")
	if err != nil {
		return nil, err
	}
	out := make([]Shares[E], len(xs))
	off := 0
	for i, x := range xs {
		out[i] = x
		if x.deg2 {
			out[i] = red.Slice(off, off+x.Len())
			off += x.Len()
		}
	}
	return out, nil
}

// emptyMAC is a zero-length MAC slice when values are authenticated.
func (s *Session[E]) emptyMAC() []E {
	if s.eng.authenticates() {
		return []E{}
	}
	return nil
}

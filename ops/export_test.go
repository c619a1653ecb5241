package ops

import "context"

// Internals exposed to the external tests.

// KingView runs the first round of a multiplication of x and y and returns
// what this party saw as a king: the masked products it reconstructed.
func (s *Session[E]) KingView(ctx context.Context, x, y Shares[E]) ([]E, error) {
	_, r2t, err := s.takeDouble(ctx, x.Len())
	if err != nil {
		return nil, err
	}
	masked := make([]E, x.Len())
	s.f.VecMul(masked, x.v, y.v)
	s.f.VecAdd(masked, masked, r2t)
	_, vals, err := s.toKings(ctx, masked, 2*s.t, "KingView")
	return vals, err
}

// Rerandomise returns the shares that opening the degree-2T x sends.
func (s *Session[E]) Rerandomise(ctx context.Context, x Shares[E]) ([]E, error) {
	return s.eng.(*semiHonest[E]).rerandomise(ctx, x.v)
}

// SortingNetwork is the comparator network of Sort.
var SortingNetwork = sortingNetwork

// Pool returns how many preprocessed values of each kind are not used yet.
func (s *Session[E]) Pool() Needs {
	return Needs{Random: s.pool.random.len(), Double: s.pool.dblT.len(), Zero: s.pool.zero.len(),
		Bits: s.pool.bits.len(), Masks: s.pool.masks.len()}
}

// Refills is the number of times an operation found a pool short and
// generated the rest on demand.
func (s *Session[E]) Refills() int { return s.refills }

// Tap makes fn see the values that searches answered by owners open.
func (s *Session[E]) Tap(fn func(op string, opened []E)) { s.tap = fn }

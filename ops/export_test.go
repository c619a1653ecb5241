package ops

import "context"

// Internals exposed to the external tests of privacy properties.

// KingView runs the first round of a multiplication of x and y and returns
// what this party saw as a king: the masked products it reconstructed.
func (s *Session[E]) KingView(ctx context.Context, x, y []E) ([]E, error) {
	_, r2t, err := s.takeDouble(ctx, len(x))
	if err != nil {
		return nil, err
	}
	masked := make([]E, len(x))
	s.f.VecMul(masked, x, y)
	s.f.VecAdd(masked, masked, r2t)
	_, vals, err := s.toKings(ctx, masked, 2*s.t, "KingView")
	return vals, err
}

// Rerandomise returns the shares that OpenDouble sends in place of x.
func (s *Session[E]) Rerandomise(ctx context.Context, x []E) ([]E, error) {
	return s.rerandomise(ctx, x)
}

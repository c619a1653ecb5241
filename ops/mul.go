package ops

import (
	"context"
	"fmt"
)

// Mul returns shares of x[i]·y[i] (DESIGN §5: DN07 multiplication with a
// king per value who re-deals the masked product). 2 rounds; about
// 2.5·N elements per product in total.
func (s *Session[E]) Mul(ctx context.Context, x, y []E) ([]E, error) {
	if len(x) != len(y) {
		return nil, s.fail(fmt.Errorf("ops: Mul of %d and %d values", len(x), len(y)))
	}
	if err := s.begin(); err != nil {
		return nil, err
	}
	prod := make([]E, len(x))
	s.f.VecMul(prod, x, y)
	return s.reduce(ctx, prod, "Mul")
}

// Dot returns, for each i, shares of Σ_k x[i][k]·y[i][k], at the cost of one
// multiplication per i.
func (s *Session[E]) Dot(ctx context.Context, x, y [][]E) ([]E, error) {
	if len(x) != len(y) {
		return nil, s.fail(fmt.Errorf("ops: Dot of %d and %d vectors", len(x), len(y)))
	}
	for i := range x {
		if len(x[i]) != len(y[i]) {
			return nil, s.fail(fmt.Errorf("ops: Dot: vector %d has lengths %d and %d", i, len(x[i]), len(y[i])))
		}
	}
	if err := s.begin(); err != nil {
		return nil, err
	}
	prod := make([]E, len(x))
	for i := range x {
		prod[i] = s.f.Dot(x[i], y[i])
	}
	return s.reduce(ctx, prod, "Dot")
}

// reduce turns local degree-2T values into degree-T sharings of the same
// secrets: mask with a double sharing, open the masked value to a king,
// let the king re-deal it, and unmask.
func (s *Session[E]) reduce(ctx context.Context, prod []E, name string) ([]E, error) {
	_, out, err := s.openAndReduce(ctx, nil, prod, name)
	return out, err
}

// openAndReduce opens the degree-2T values open (re-randomised first) and
// reduces the local degree-2T products prod to degree-T sharings, in the
// same two rounds.
func (s *Session[E]) openAndReduce(ctx context.Context, open, prod []E, name string) (opened, reduced []E, err error) {
	x := open
	if len(open) > 0 {
		if x, err = s.rerandomise(ctx, open); err != nil {
			return nil, nil, err
		}
	}
	rt, r2t, err := s.takeDouble(ctx, len(prod))
	if err != nil {
		return nil, nil, err
	}
	masked := make([]E, len(prod))
	s.f.VecAdd(masked, prod, r2t)
	opened, reduced, err = s.kingRound(ctx, append(x[:len(x):len(x)], masked...), 2*s.t, len(open), name, nil)
	if err != nil {
		return nil, nil, err
	}
	s.f.VecSub(reduced, reduced, rt)
	return opened, reduced, nil
}

package ops

import (
	"context"
	"fmt"

	"github.com/cohortmpc/cohort/share"
)

// Opening with rotating kings (DESIGN §3): value j of a batch has king
// K_j = (c + j) mod n + 1 for a counter c that every party advances by the
// batch size. The d successors of K_j send it their shares, K_j
// reconstructs, and then either broadcasts the value (open) or re-deals it
// (multiplication).

// kings assigns the values of a batch of size b to kings and returns, for
// each party id, the batch indices it is king of (ascending).
func (s *Session[E]) kings(b int) [][]int {
	byKing := make([][]int, s.n+1)
	base := s.king
	for j := range b {
		k := (base+j)%s.n + 1
		byKing[k] = append(byKing[k], j)
	}
	s.king = (base + b) % s.n
	return byKing
}

// successor returns the id δ places after party k, cyclically.
func (s *Session[E]) successor(k, delta int) int { return (k-1+delta)%s.n + 1 }

// toKings is the first round of opening degree-d shares: every party sends
// its share of value j to K_j when it is one of K_j's d successors. It
// returns the assignment of values to kings and, for the values this party
// is king of, the reconstructed values.
func (s *Session[E]) toKings(ctx context.Context, x []E, d int, name string) ([][]int, []E, error) {
	byKing := s.kings(len(x))
	xc := s.newExchange(name)
	for k := 1; k <= s.n; k++ {
		if k == s.id || len(byKing[k]) == 0 {
			continue
		}
		if delta := (s.id - k + s.n) % s.n; delta >= 1 && delta <= d {
			for _, j := range byKing[k] {
				xc.put(k, x[j])
			}
		}
	}
	mine := byKing[s.id]
	if len(mine) > 0 {
		for delta := 1; delta <= d; delta++ {
			xc.expect(s.successor(s.id, delta), len(mine))
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, nil, err
	}
	if len(mine) == 0 {
		return byKing, nil, nil
	}
	lam, err := s.kingCoefficients(d)
	if err != nil {
		return nil, nil, s.fail(err)
	}
	src := make([][]E, d+1)
	src[0] = make([]E, len(mine))
	for i, j := range mine {
		src[0][i] = x[j]
	}
	for delta := 1; delta <= d; delta++ {
		src[delta] = xc.take(s.successor(s.id, delta), len(mine))
	}
	vals := [][]E{make([]E, len(mine))}
	s.f.MatMul(vals, lam, src)
	return byKing, vals[0], nil
}

// kingCoefficients are the Lagrange coefficients at 0 for this party's king
// window {id, id+1, …, id+d}.
func (s *Session[E]) kingCoefficients(d int) ([]E, error) {
	if lam, ok := s.lam[d]; ok {
		return lam, nil
	}
	points := make([]int, d+1)
	for delta := range points {
		points[delta] = s.successor(s.id, delta)
	}
	lam, err := share.LagrangeCoefficients(s.f, points, 0)
	if err != nil {
		return nil, fmt.Errorf("ops: king coefficients: %w", err)
	}
	s.lam[d] = lam
	return lam, nil
}

// openDeg opens degree-d shares: 2 rounds, d + n − 1 elements per value.
// When post is not nil, each king applies it to the values it reconstructed
// before broadcasting them (semi-honest: the others trust the result).
func (s *Session[E]) openDeg(ctx context.Context, x []E, d int, name string, post func([]E)) ([]E, error) {
	byKing, vals, err := s.toKings(ctx, x, d, name+": shares to kings")
	if err != nil {
		return nil, err
	}
	if post != nil && len(vals) > 0 {
		post(vals)
	}
	xc := s.newExchange(name + ": values from kings")
	for k := 1; k <= s.n; k++ {
		switch {
		case len(byKing[k]) == 0:
		case k == s.id:
			for j := 1; j <= s.n; j++ {
				if j != s.id {
					xc.put(j, vals...)
				}
			}
		default:
			xc.expect(k, len(byKing[k]))
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	out := make([]E, len(x))
	for k := 1; k <= s.n; k++ {
		if len(byKing[k]) == 0 {
			continue
		}
		v := vals
		if k != s.id {
			v = xc.take(k, len(byKing[k]))
		}
		for i, j := range byKing[k] {
			out[j] = v[i]
		}
	}
	return out, nil
}

// Open reveals degree-T shared values to every party: 2 rounds and
// T + N − 1 elements per value.
func (s *Session[E]) Open(ctx context.Context, x []E) ([]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	return s.openDeg(ctx, x, s.t, "Open", nil)
}

// OpenDouble reveals values held as degree-2T shares (for example a local
// product of two sharings). It first adds a fresh random sharing of zero of
// degree 2T, since the raw product polynomial would leak the factors.
func (s *Session[E]) OpenDouble(ctx context.Context, x []E) ([]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	return s.open2t(ctx, x, "OpenDouble", nil)
}

func (s *Session[E]) open2t(ctx context.Context, x []E, name string, post func([]E)) ([]E, error) {
	masked, err := s.rerandomise(ctx, x)
	if err != nil {
		return nil, err
	}
	return s.openDeg(ctx, masked, 2*s.t, name, post)
}

// rerandomise adds fresh random sharings of zero of degree 2T to x.
func (s *Session[E]) rerandomise(ctx context.Context, x []E) ([]E, error) {
	z, err := s.takeZero(ctx, len(x))
	if err != nil {
		return nil, err
	}
	masked := make([]E, len(x))
	s.f.VecAdd(masked, x, z)
	return masked, nil
}

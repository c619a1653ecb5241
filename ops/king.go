package ops

import (
	"context"
	"fmt"
	"iter"

	"github.com/cohortmpc/cohort/share"
)

// Opening with rotating kings (DESIGN §3): value j of a batch has king
// K_j = (c + j) mod n + 1 for a counter c that every party advances by the
// batch size. The d successors of K_j send it their shares, K_j
// reconstructs, and then either broadcasts the value (open) or re-deals it
// (multiplication).

// kings assigns the values of a batch of size b to kings, advancing the
// rotation.
func (s *Session[E]) kings(b int) kingAssignment {
	a := kingAssignment{n: s.n, base: s.king, size: b}
	s.king = (s.king + b) % s.n
	return a
}

// kingAssignment gives value j of a batch the king (base + j) mod n + 1, so
// the values of king k are first(k), first(k) + n, … below size.
type kingAssignment struct{ n, base, size int }

// first is the index of king k's first value (≥ size when it has none).
func (a kingAssignment) first(k int) int { return ((k-1-a.base)%a.n + a.n) % a.n }

// values yields (i, j) for king k's values: its i-th value is value j of
// the batch.
func (a kingAssignment) values(k int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i, j := 0, a.first(k); j < a.size; i, j = i+1, j+a.n {
			if !yield(i, j) {
				return
			}
		}
	}
}

// count is the number of values of king k.
func (a kingAssignment) count(k int) int {
	f := a.first(k)
	if f >= a.size {
		return 0
	}
	return (a.size-1-f)/a.n + 1
}

// successor returns the id δ places after party k, cyclically.
func (s *Session[E]) successor(k, delta int) int { return (k-1+delta)%s.n + 1 }

// toKings is the first round of opening degree-d shares: every party sends
// its share of value j to K_j when it is one of K_j's d successors. It
// returns the assignment of values to kings and, for the values this party
// is king of, the reconstructed values.
func (s *Session[E]) toKings(ctx context.Context, x []E, d int, name string) (kingAssignment, []E, error) {
	a := s.kings(len(x))
	xc := s.newExchange(name)
	for k := 1; k <= s.n; k++ {
		if k == s.me || a.count(k) == 0 {
			continue
		}
		if delta := (s.me - k + s.n) % s.n; delta >= 1 && delta <= d {
			for _, j := range a.values(k) {
				xc.put(k, x[j])
			}
		}
	}
	mine := a.count(s.me)
	if mine > 0 {
		for delta := 1; delta <= d; delta++ {
			xc.expect(s.successor(s.me, delta), mine)
		}
	}
	if err := xc.run(ctx); err != nil {
		return a, nil, err
	}
	if mine == 0 {
		return a, nil, nil
	}
	lam, err := s.kingCoefficients(d)
	if err != nil {
		return a, nil, s.fail(err)
	}
	src := make([][]E, d+1)
	src[0] = make([]E, 0, mine)
	for _, j := range a.values(s.me) {
		src[0] = append(src[0], x[j])
	}
	for delta := 1; delta <= d; delta++ {
		src[delta] = xc.take(s.successor(s.me, delta), mine)
	}
	vals := [][]E{make([]E, mine)}
	s.f.MatMul(vals, lam, src)
	return a, vals[0], nil
}

// kingCoefficients are the Lagrange coefficients at 0 for this party's king
// window {id, id+1, …, id+d}.
func (s *Session[E]) kingCoefficients(d int) ([]E, error) {
	if lam, ok := s.lam[d]; ok {
		return lam, nil
	}
	points := make([]int, d+1)
	for delta := range points {
		points[delta] = s.successor(s.me, delta)
	}
	lam, err := share.LagrangeCoefficients(s.f, points, 0)
	if err != nil {
		return nil, fmt.Errorf("ops: king coefficients: %w", err)
	}
	s.lam[d] = lam
	return lam, nil
}

// kingRound opens and re-deals degree-d values with one assignment of kings,
// in 2 rounds: the first nOpen values of x are opened to every party (each
// king applies post, when not nil, to its values before sending them;
// semi-honest: the others trust the result), and the others are re-dealt by
// their kings as fresh degree-T sharings. The caller has re-randomised or
// masked x as its degree requires. Opening costs d + n − 1 elements per
// value, re-dealing d + n − T − 1.
//
// A batch of more than maxKingBatch values runs as several such king rounds
// of at most that many values each, so that no message exceeds a few MiB
// (the transport's frame limit) however large the batch.
func (s *Session[E]) kingRound(ctx context.Context, x []E, d, nOpen int, name string, post func([]E)) (opened, redealt []E, err error) {
	if len(x) <= maxKingBatch {
		return s.kingRoundOnce(ctx, x, d, nOpen, name, post)
	}
	for lo := 0; lo < len(x); lo += maxKingBatch {
		hi := min(lo+maxKingBatch, len(x))
		o, r, err := s.kingRoundOnce(ctx, x[lo:hi], d, max(0, min(hi, nOpen)-lo), name, post)
		if err != nil {
			return nil, nil, err
		}
		opened, redealt = append(opened, o...), append(redealt, r...)
	}
	return opened, redealt, nil
}

// maxKingBatch bounds the values of one king round. Each of the n ≥ 3
// kings has a third of them at most, so every message of the round holds
// at most maxMessage elements.
const maxKingBatch = 3 * maxMessage

// maxMessage bounds the elements of one message of an operation (1 MiB in
// M127), well below the TCP transport's frame limit.
const maxMessage = 1 << 16

func (s *Session[E]) kingRoundOnce(ctx context.Context, x []E, d, nOpen int, name string, post func([]E)) (opened, redealt []E, err error) {
	a, vals, err := s.toKings(ctx, x, d, name+": shares to kings")
	if err != nil {
		return nil, nil, err
	}
	open := kingAssignment{n: a.n, base: a.base, size: nOpen} // the values to open
	var mineOpen, mineDeal []E
	for i, j := range a.values(s.me) {
		if j < nOpen {
			mineOpen = append(mineOpen, vals[i])
		} else {
			mineDeal = append(mineDeal, vals[i])
		}
	}
	if post != nil && len(mineOpen) > 0 {
		post(mineOpen)
	}
	xc := s.newExchange(name + ": from kings")
	for k := 1; k <= s.n; k++ {
		switch {
		case open.count(k) == 0:
		case k == s.me:
			for j := 1; j <= s.n; j++ {
				if j != s.me {
					xc.put(j, mineOpen...)
				}
			}
		default:
			xc.expect(k, open.count(k))
		}
	}
	var job *dealJob[E]
	if len(x) > nOpen {
		job = &dealJob[E]{d: s.t, chosen: true, purpose: purposeKing, counts: make([]int, s.n+1), secrets: mineDeal}
		for k := 1; k <= s.n; k++ {
			job.counts[k] = a.count(k) - open.count(k)
		}
		if err := s.addDeal(xc, job); err != nil {
			return nil, nil, s.fail(err)
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, nil, err
	}
	// Each king's frame holds its opened values first, then its shares.
	opened = make([]E, nOpen)
	for k := 1; k <= s.n; k++ {
		v := mineOpen
		if k != s.me {
			v = xc.take(k, open.count(k))
		}
		for i, j := range open.values(k) {
			opened[j] = v[i]
		}
	}
	if job == nil {
		return opened, nil, nil
	}
	s.collectDeal(xc, job)
	redealt = make([]E, len(x)-nOpen)
	for k := 1; k <= s.n; k++ {
		i := 0
		for _, j := range a.values(k) {
			if j >= nOpen {
				redealt[j-nOpen] = job.shares[k][i]
				i++
			}
		}
	}
	return opened, redealt, nil
}

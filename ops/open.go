package ops

import (
	"context"
	"errors"
	"fmt"

	"github.com/cohortmpc/cohort/share"
)

// use starts an operation on the values xs: it refuses to run on a broken
// session, on an input party, or on invalid values or values of another
// session (failing the session, since the peers cannot go on without this
// party).
func (s *Session[E]) use(op string, xs ...Shares[E]) error {
	if err := s.begin(op); err != nil {
		return err
	}
	for _, x := range xs {
		if err := x.check(); err != nil {
			return s.fail(fmt.Errorf("ops: %s: %w", op, err))
		}
		if x.s != s {
			return s.fail(misuse("%s of values of another session", op))
		}
	}
	return nil
}

// Open reveals the values x to every compute party: 2 rounds, T + N − 1
// elements per value (2T + N − 1, plus a random sharing of zero, for a
// degree-2T value, which is re-randomised first).
func (s *Session[E]) Open(ctx context.Context, x Shares[E]) ([]E, error) {
	if err := s.use("Open", x); err != nil {
		return nil, err
	}
	return s.eng.open(ctx, x, "Open", openOutput)
}

// NeedsOpen is the preprocessing that Open of c values of degree 2T
// consumes (degree-T values need none).
func NeedsOpen(c int) Needs { return Needs{Zero: c} }

// OpenTo reveals the values x to party to only (a compute or an input
// party); the others learn nothing. Every compute party calls it; the
// values are returned to party to when it computes, and an input party
// receives them with [Session.Receive]. One round: T elements per value for
// a compute party (its T successors send their shares), T + 1 for an input
// party. A degree-2T value is re-randomised first for a compute party and
// reduced first for an input party.
func (s *Session[E]) OpenTo(ctx context.Context, x Shares[E], to int) ([]E, error) {
	if err := s.use("OpenTo", x); err != nil {
		return nil, err
	}
	if to < 1 || to > s.Parties() {
		return nil, s.fail(misuse("OpenTo: party %d outside 1..%d", to, s.Parties()))
	}
	if !s.eng.authenticates() && x.deg2 && s.cnum[to] != 0 {
		v, err := s.eng.(*semiHonest[E]).rerandomise(ctx, x.v)
		if err != nil {
			return nil, err
		}
		x = s.shares(v, nil, true)
	} else if x.deg2 {
		var err error
		if x, err = s.eng.reduce(ctx, x, "OpenTo: reduce"); err != nil {
			return nil, err
		}
	}
	if err := s.eng.verify(ctx); err != nil {
		return nil, err
	}
	target := s.cnum[to]
	senders := s.openToSenders(target, x.Degree())
	xc := s.newExchange("OpenTo")
	for _, c := range senders {
		switch {
		case c == target:
		case c == s.me && target == 0:
			xc.putIO(to, x.v...)
		case c == s.me:
			xc.put(target, x.v...)
		case target == s.me:
			xc.expect(c, x.Len())
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	if target != s.me {
		return nil, nil
	}
	cols := [][]E{x.v}
	points := []int{s.me}
	for _, c := range senders {
		if c != s.me {
			cols = append(cols, xc.take(c, x.Len()))
			points = append(points, c)
		}
	}
	if err := s.checkConsistent("OpenTo", points, cols, x.Degree()); err != nil {
		return nil, err
	}
	return s.reconstructFrom(points, cols, x.Degree()), nil
}

// openToSenders returns the compute numbers that send their shares to a
// degree-d opening for compute party target (0: an input party): target's
// d successors, or the first d+1 compute parties; all compute parties when
// values are authenticated, so that the receiver can check consistency.
func (s *Session[E]) openToSenders(target, d int) []int {
	var out []int
	switch {
	case s.eng.authenticates():
		for c := 1; c <= s.n; c++ {
			out = append(out, c)
		}
	case target == 0:
		for c := 1; c <= d+1; c++ {
			out = append(out, c)
		}
	default:
		for delta := 1; delta <= d; delta++ {
			out = append(out, s.successor(target, delta))
		}
	}
	return out
}

// reconstructFrom interpolates the values at 0 from shares cols[k] at
// points[k] (degree d).
func (s *Session[E]) reconstructFrom(points []int, cols [][]E, d int) []E {
	lam, err := share.LagrangeCoefficients(s.f, points[:d+1], 0)
	if err != nil {
		panic(err) // distinct points in 1..n: unreachable
	}
	out := [][]E{make([]E, len(cols[0]))}
	s.f.MatMul(out, lam, cols[:d+1])
	return out[0]
}

// checkConsistent fails the session when the shares cols[k] at points[k]
// of some value do not lie on one polynomial of degree d (only possible
// with more than d+1 points).
func (s *Session[E]) checkConsistent(op string, points []int, cols [][]E, d int) error {
	if len(points) <= d+1 {
		return nil
	}
	col := make([]E, len(points))
	for v := range cols[0] {
		for i := range points {
			col[i] = cols[i][v]
		}
		if err := share.Check(s.f, points, col, d); err != nil {
			return s.fail(fmt.Errorf("ops: %s: the compute parties' shares of value %d are inconsistent: some party deviated: %w", op, v, errors.Join(ErrCheck, err)))
		}
	}
	return nil
}

// Receive is the input party's side of [Session.OpenTo]: it returns the count
// values the compute parties open to this party. In a session that
// authenticates values every compute party sends its share, and a set of
// shares that does not lie on one polynomial of degree T is an error.
func (s *Session[E]) Receive(ctx context.Context, count int) ([]E, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.me != 0 {
		return nil, s.fail(misuse("Receive: party %d computes; it gets its values from OpenTo", s.id))
	}
	if err := s.checkCount("Receive", count); err != nil {
		return nil, err
	}
	senders := s.openToSenders(0, s.t)
	xc := s.newExchange("OpenTo")
	for _, c := range senders {
		xc.expect(c, count)
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	cols := make([][]E, len(senders))
	for i, c := range senders {
		cols[i] = xc.take(c, count)
	}
	if err := s.checkConsistent("Receive", senders, cols, s.t); err != nil {
		return nil, err
	}
	return s.reconstructFrom(senders, cols, s.t), nil
}

// ZeroTest reveals, for each value of x, only whether it is zero (DESIGN-v2
// §2): the parties open y = r·x for a fresh random [r] as a re-randomised
// degree-2T product, which is 0 when x is and uniform on the non-zero
// elements otherwise. 2 rounds, 2T + N − 1 elements per value plus a random
// sharing. A zero r makes a non-zero x look zero, with probability 1/p.
func (s *Session[E]) ZeroTest(ctx context.Context, x Shares[E]) ([]bool, error) {
	if err := s.use("ZeroTest", x); err != nil {
		return nil, err
	}
	if x.deg2 {
		var err error
		if x, err = s.eng.reduce(ctx, x, "ZeroTest: reduce"); err != nil {
			return nil, err
		}
	}
	r, err := s.takeRandom(ctx, x.Len())
	if err != nil {
		return nil, err
	}
	y, err := s.eng.open(ctx, r.MulLocal(x), "ZeroTest", openOutput)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(y))
	for i := range y {
		out[i] = s.f.IsZero(y[i])
	}
	return out, nil
}

// NeedsZeroTest is the preprocessing that ZeroTest of c degree-T values
// consumes.
func NeedsZeroTest(c int) Needs { return Needs{Random: c, Zero: c} }

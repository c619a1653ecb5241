package ops

import (
	"context"
	"fmt"
)

// Input lets every party secret-share count values of its own: values are
// this party's (len(values) == count) and the result holds, for each party
// id j, this party's shares of party j's values (index j−1). One round; a
// value costs N − T − 1 elements (compressed dealing).
func (s *Session[E]) Input(ctx context.Context, values []E, count int) ([][]E, error) {
	if err := s.checkCount("Input", count); err != nil {
		return nil, err
	}
	counts := make([]int, s.n+1)
	for j := 1; j <= s.n; j++ {
		counts[j] = count
	}
	return s.inputFrom(ctx, values, counts)
}

// InputFrom lets one party, owner, secret-share count values; the others
// pass nil values. Every party receives its shares of the owner's values.
func (s *Session[E]) InputFrom(ctx context.Context, owner int, values []E, count int) ([]E, error) {
	if err := s.checkCount("InputFrom", count); err != nil {
		return nil, err
	}
	if owner < 1 || owner > s.n {
		return nil, s.fail(fmt.Errorf("ops: InputFrom: owner %d outside 1..%d", owner, s.n))
	}
	counts := make([]int, s.n+1)
	counts[owner] = count
	if owner != s.id {
		values = nil
	}
	out, err := s.inputFrom(ctx, values, counts)
	if err != nil {
		return nil, err
	}
	return out[owner-1], nil
}

func (s *Session[E]) inputFrom(ctx context.Context, values []E, counts []int) ([][]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if counts[s.id] != len(values) {
		return nil, s.fail(fmt.Errorf("ops: Input: %d values, want %d", len(values), counts[s.id]))
	}
	job := &dealJob[E]{d: s.t, chosen: true, purpose: purposeInput, counts: counts, secrets: values}
	xc := s.newExchange("Input")
	if err := s.addDeal(xc, job); err != nil {
		return nil, s.fail(err)
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	s.collectDeal(xc, job)
	out := make([][]E, s.n)
	for j := 1; j <= s.n; j++ {
		out[j-1] = job.shares[j]
		if out[j-1] == nil {
			out[j-1] = []E{}
		}
	}
	return out, nil
}

// Linear operations are local: they cost no communication.

// Add returns shares of x[i] + y[i].
func (s *Session[E]) Add(x, y []E) []E {
	out := make([]E, len(x))
	s.f.VecAdd(out, x, y)
	return out
}

// Sub returns shares of x[i] − y[i].
func (s *Session[E]) Sub(x, y []E) []E {
	out := make([]E, len(x))
	s.f.VecSub(out, x, y)
	return out
}

// AddConst returns shares of x[i] + c for a public c.
func (s *Session[E]) AddConst(x []E, c E) []E {
	out := make([]E, len(x))
	s.f.VecAddConst(out, x, c)
	return out
}

// Scale returns shares of c·x[i] for a public c.
func (s *Session[E]) Scale(c E, x []E) []E {
	out := make([]E, len(x))
	s.f.VecScale(out, c, x)
	return out
}

// Sum returns shares of Σ x[i].
func (s *Session[E]) Sum(x []E) E {
	acc := s.f.Zero()
	for _, v := range x {
		acc = s.f.Add(acc, v)
	}
	return acc
}

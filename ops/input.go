package ops

import (
	"context"
	"fmt"

	"github.com/cohortmpc/cohort/share"
)

// Input lets every party of the transport, compute and input parties alike,
// secret-share count values of its own: values are this party's
// (len(values) == count). A compute party receives, for each party id j,
// its shares of party j's values (index j−1); an input party deals and
// receives nothing (nil). One round. A compute party's value costs
// N − T − 1 elements (compressed dealing); an input party's N (plain Shamir
// shares: it holds no PRG seeds).
func (s *Session[E]) Input(ctx context.Context, values []E, count int) ([]Shares[E], error) {
	if err := s.checkCount("Input", count); err != nil {
		return nil, err
	}
	counts := make([]int, s.Parties()+1)
	for j := range counts[1:] {
		counts[j+1] = count
	}
	return s.inputFrom(ctx, values, counts)
}

// InputFrom lets one party, owner (a compute or an input party), secret-share
// count values; the others pass nil values. Every compute party receives its
// shares of the owner's values; the owner, when it is an input party, gets
// invalid Shares back and may leave.
func (s *Session[E]) InputFrom(ctx context.Context, owner int, values []E, count int) (Shares[E], error) {
	if err := s.checkCount("InputFrom", count); err != nil {
		return Shares[E]{}, err
	}
	if owner < 1 || owner > s.Parties() {
		return Shares[E]{}, s.fail(misuse("InputFrom: owner %d outside 1..%d", owner, s.Parties()))
	}
	counts := make([]int, s.Parties()+1)
	counts[owner] = count
	if owner != s.id {
		values = nil
	}
	out, err := s.inputFrom(ctx, values, counts)
	if err != nil || out == nil {
		return Shares[E]{}, err
	}
	return out[owner-1], nil
}

// ImportShares wraps shares of degree-T sharings that this compute party
// received outside the session (for example stored by a server in
// committee mode, dealt by an organisation with [share.DealVec] over the
// compute parties' points 1..N) as Shares. Every compute party imports the
// same number of values, in the same order. Authenticating them costs a
// multiplication each when the session authenticates values, and the
// session then also checks at its next verification that every compute
// party's shares lie on polynomials of degree T (an inconsistent dealer
// makes it fail); a semi-honest session takes them as they are.
func (s *Session[E]) ImportShares(ctx context.Context, shares []E) (Shares[E], error) {
	if err := s.begin("ImportShares"); err != nil {
		return Shares[E]{}, err
	}
	v := append([]E(nil), shares...)
	s.eng.dealt(s.t, purposeInput, [][]E{v})
	mac, err := s.eng.authenticate(ctx, v)
	if err != nil {
		return Shares[E]{}, err
	}
	return s.shares(v, mac, false), nil
}

// inputFrom deals counts[j] values from each transport party j, in rounds
// of at most maxMessage values per dealer.
func (s *Session[E]) inputFrom(ctx context.Context, values []E, counts []int) ([]Shares[E], error) {
	if s.err != nil {
		return nil, s.err
	}
	if counts[s.id] != len(values) {
		return nil, s.fail(misuse("Input: %d values, want %d", len(values), counts[s.id]))
	}
	most := 0
	for _, c := range counts {
		most = max(most, c)
	}
	if most <= maxMessage {
		return s.inputOnce(ctx, values, counts)
	}
	var out []Shares[E]
	for lo := 0; lo < most; lo += maxMessage {
		part := make([]int, len(counts))
		for j, c := range counts {
			part[j] = max(0, min(c, lo+maxMessage)-lo)
		}
		var mine []E
		if part[s.id] > 0 {
			mine = values[lo : lo+part[s.id]]
		}
		got, err := s.inputOnce(ctx, mine, part)
		if err != nil || got == nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		if out == nil {
			out = got
			continue
		}
		for j := range out {
			out[j] = Concat(out[j], got[j])
		}
	}
	return out, nil
}

// inputOnce is one round of inputFrom.
func (s *Session[E]) inputOnce(ctx context.Context, values []E, counts []int) ([]Shares[E], error) {
	xc := s.newExchange("Input")
	if s.me == 0 {
		// An input party deals plain Shamir shares to the compute parties.
		if len(values) > 0 {
			sh, err := share.DealVec(s.f, values, s.t, s.n, s.local)
			if err != nil {
				return nil, s.fail(fmt.Errorf("ops: Input: %w", err))
			}
			for c := 1; c <= s.n; c++ {
				xc.put(c, sh[c-1]...)
			}
		}
		return nil, xc.run(ctx)
	}
	ccounts := make([]int, s.n+1)
	for c := 1; c <= s.n; c++ {
		ccounts[c] = counts[s.cids[c-1]]
	}
	job := &dealJob[E]{d: s.t, chosen: true, purpose: purposeInput, counts: ccounts, secrets: values}
	if err := s.addDeal(xc, job); err != nil {
		return nil, s.fail(err)
	}
	for j := 1; j < len(counts); j++ {
		if s.cnum[j] == 0 {
			xc.expectIO(j, counts[j])
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	s.collectDeal(xc, job)
	var ext [][]E // input parties' plain sharings, for the engine's checks
	raw := make([][]E, len(counts)-1)
	var all []E
	auth := s.eng.authenticates()
	for j := 1; j < len(counts); j++ {
		switch c := s.cnum[j]; {
		case counts[j] == 0:
		case c == 0:
			raw[j-1] = xc.takeIO(j, counts[j])
			if ext == nil {
				ext = make([][]E, s.n+1)
			}
			ext[0] = append(ext[0], raw[j-1]...)
		default:
			raw[j-1] = job.shares[c]
		}
		if auth {
			all = append(all, raw[j-1]...)
		}
	}
	if ext != nil {
		s.eng.dealt(s.t, purposeInput, ext)
	}
	mac, err := s.eng.authenticate(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]Shares[E], len(raw))
	off := 0
	for j, v := range raw {
		var m []E
		if mac != nil {
			m = mac[off : off+len(v) : off+len(v)]
		}
		if v == nil {
			v = []E{}
		}
		out[j] = s.shares(v, m, false)
		off += len(v)
	}
	return out, nil
}

// checkCount fails the session on a negative count.
func (s *Session[E]) checkCount(op string, c int) error {
	if c < 0 {
		return s.fail(misuse("%s: negative count %d", op, c))
	}
	return nil
}

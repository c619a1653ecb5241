package ops

import (
	"errors"
	"fmt"
	"math"

	"github.com/cohortmpc/cohort/share"
)

// Compressed dealing (DESIGN §3, [share.CompressedDealing]): a dealer fixes
// the shares of d parties (d+1 for a random secret) with PRG outputs it
// shares with each of them, interpolates the other parties' shares and
// sends only those: n − d − 1 elements per chosen sharing.

// plan returns the dealing matrix for a sharing of degree d by this party.
func (s *Session[E]) plan(d int, chosen bool) (*share.Dealing[E], error) {
	k := planKey{d: d, chosen: chosen}
	if p, ok := s.plans[k]; ok {
		return p, nil
	}
	p, err := share.CompressedDealing(s.f, s.n, d, chosen, s.me)
	if err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	s.plans[k] = p
	return p, nil
}

type planKey struct {
	d      int
	chosen bool
}

// A dealJob is a batch of compressed dealings of one kind in one exchange:
// party D deals counts[D] sharings of degree d. The dealer's side queues
// shares in add; every party collects its shares in collect.
type dealJob[E any] struct {
	d       int
	chosen  bool
	purpose uint32
	counts  []int // by dealer id
	secrets []E   // chosen: this party's secrets (len counts[id])
	op      uint32

	mySecrets []E   // random: the secrets of this party's own sharings
	shares    [][]E // by dealer id: this party's shares of that dealer's sharings
	own       []E   // this party's share of its own sharings, kept by add
}

// add does the dealer's work for this party's sharings and declares what
// this party expects from the other dealers.
func (s *Session[E]) addDeal(x *exchange[E], j *dealJob[E]) error {
	if s.op == math.MaxUint32 {
		return errors.New("ops: too many dealings in one session")
	}
	s.op++
	j.op = s.op
	j.shares = make([][]E, s.n+1)
	for dealer := 1; dealer <= s.n; dealer++ {
		c := j.counts[dealer]
		if c == 0 || dealer == s.me {
			continue
		}
		if !share.FixedByPRG(s.n, j.d, j.chosen, dealer, s.me) {
			x.expect(dealer, c)
		}
	}
	c := j.counts[s.me]
	if c == 0 {
		return nil
	}
	if j.chosen && len(j.secrets) != c {
		return fmt.Errorf("ops: %d secrets for %d sharings", len(j.secrets), c)
	}
	p, err := s.plan(j.d, j.chosen)
	if err != nil {
		return err
	}
	src := make([][]E, 0, len(p.Parties)+1)
	if j.chosen {
		src = append(src, j.secrets)
	}
	flat := make([]E, c*(len(p.Parties)+len(p.Targets)))
	for _, peer := range p.Parties {
		v := flat[:c:c]
		flat = flat[c:]
		s.prg(peer, s.me, j.purpose, j.op, v)
		src = append(src, v)
	}
	dst := make([][]E, len(p.Targets))
	for r := range dst {
		dst[r] = flat[:c:c]
		flat = flat[c:]
	}
	p.Apply(s.f, dst, src)
	targets := p.Targets
	if !j.chosen {
		j.mySecrets, dst, targets = dst[0], dst[1:], targets[1:]
	}
	for r, peer := range targets {
		if peer == s.me {
			j.own = dst[r]
		} else {
			x.put(peer, dst[r]...)
		}
	}
	return nil
}

// collectDeal gathers this party's shares after the exchange has run.
func (s *Session[E]) collectDeal(x *exchange[E], j *dealJob[E]) {
	for dealer := 1; dealer <= s.n; dealer++ {
		c := j.counts[dealer]
		switch {
		case c == 0:
		case dealer == s.me:
			j.shares[dealer] = j.own
		case share.FixedByPRG(s.n, j.d, j.chosen, dealer, s.me):
			v := make([]E, c)
			s.prg(dealer, dealer, j.purpose, j.op, v)
			j.shares[dealer] = v
		default:
			j.shares[dealer] = x.take(dealer, c)
		}
	}
	s.eng.dealt(j.d, j.purpose, j.shares)
}

package ops

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/cohortmpc/cohort/field"
)

// Agree checks that every compute party holds the same data (typically the
// outputs it is about to report): each sends every other a digest of data,
// bound to the session, and compares the digests it receives with its own.
// A party whose digest differs is named ([ErrCheck]), and the session
// fails; a party that gave up tells the others, which fail too. One round.
//
// Without a broadcast channel a deviating party can still make some honest
// parties fail while others succeed; those that succeed agree with each
// other.
func (s *Session[E]) Agree(ctx context.Context, data []byte) error {
	if err := s.begin("Agree"); err != nil {
		return err
	}
	d := s.digest(data)
	xc := s.newExchange("Agree")
	for c := 1; c <= s.n; c++ {
		if c != s.me {
			xc.put(c, d...)
			xc.expect(c, len(d))
		}
	}
	if err := xc.run(ctx); err != nil {
		return err
	}
	for c := 1; c <= s.n; c++ {
		if c == s.me {
			continue
		}
		got := xc.take(c, len(d))
		for i := range d {
			if !s.f.Equal(got[i], d[i]) {
				return s.fail(peerErr(s.cids[c-1], "Agree", fmt.Errorf("its results differ from this party's: %w", ErrCheck)))
			}
		}
	}
	return nil
}

// digest maps data to 4 field elements (at least 240 bits) bound to the
// session id and the step.
func (s *Session[E]) digest(data []byte) []E {
	h := sha256.New()
	h.Write([]byte("cohort/ops/agree"))
	h.Write([]byte(s.opts.SessionID))
	h.Write(data)
	var key [field.KeySize]byte
	h.Sum(key[:0])
	d := make([]E, 4)
	if err := s.f.RandomVec(field.NewPRG(key), d); err != nil {
		panic(err) // a keystream reader never fails
	}
	return d
}

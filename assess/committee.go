package assess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/canon"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
	"github.com/cohortmpc/cohort/share"
)

// Committee mode (DESIGN §14): organisations do not compute. Each makes
// shares of its input locally ([Config.Submission]) and sends every server
// only its own; the m servers, run by independent operators, compute on
// what they received ([RunCommittee]). Privacy holds against any ⌊(m−1)/2⌋
// colluding servers together with any number of organisations.
//
// What an organisation submits is its shifted score in the bit layout of
// the malicious mode: c = [s ≥ T] and z = s − c·T as bits, and the bits of
// z' that bound z from above when some bound is not a power of two less
// one. The servers find the maximum from those bits without comparisons
// and, in malicious mode, verify that every organisation's bits are bits
// and its decompositions agree, before anything is opened.

// SubmissionSize is the number of field elements an organisation submits
// to each server under c.
func (c Config) SubmissionSize() (int, error) {
	r, err := c.campaign()
	if err != nil {
		return 0, err
	}
	return r.layout().bits(), nil
}

// campaign resolves c as far as it can be without knowing how many
// organisations will take part: everything but the alert level's default
// and the checks that depend on the group's size.
func (c Config) campaign() (Resolved, error) {
	r, err := c.Resolve(max(c.MinParties, DefaultMinParties, MinPercentileParties, 3))
	if err != nil {
		return Resolved{}, err
	}
	return r, r.checkCommittee()
}

// checkCommittee refuses what committee mode cannot do: the options that
// need organisations answering for their own scores.
func (r Resolved) checkCommittee() error {
	if len(r.Percentiles) > 0 || r.StepBits > 1 {
		return configErrorf("percentiles and StepBits need organisations that answer for their own scores during the computation, which committee mode does not have")
	}
	return nil
}

// Submission makes organisation in's submission to m servers: for each
// server j (1..m), the encoding of that server's shares of the input's
// bits, with a fresh random polynomial of degree ⌊(m−1)/2⌋ for every bit,
// drawn from rnd (crypto/rand in deployments). The input is checked
// against the bounds first (an [*InputError] with Org 0). A server learns
// nothing from its part alone, nor do ⌊(m−1)/2⌋ servers from theirs.
func (c Config) Submission(in Input, m int, rnd io.Reader) ([][]byte, error) {
	if m < 3 {
		return nil, configErrorf("%d servers: committee mode needs at least 3 (an honest majority)", m)
	}
	r, err := c.campaign()
	if err != nil {
		return nil, err
	}
	if err := r.CheckInput(0, in); err != nil {
		return nil, err
	}
	if r.Field == FieldM127 {
		return submission(field.F127{}, r, in, m, rnd)
	}
	return submission(field.F61{}, r, in, m, rnd)
}

func submission[E any](f field.Field[E], r Resolved, in Input, m int, rnd io.Reader) ([][]byte, error) {
	bits := toField(f, r.layout().bitsOf(r.Score(in)-r.ScoreMin))
	sh, err := share.DealVec(f, bits, (m-1)/2, m, rnd)
	if err != nil {
		return nil, fmt.Errorf("assess: %w", err)
	}
	out := make([][]byte, m)
	for j := range out {
		out[j] = f.AppendEncode(nil, sh[j])
	}
	return out, nil
}

// Server is one server of a committee: its id among the servers (1..m, its
// Shamir point) and its transport to the other servers.
type Server struct {
	ID        int
	Transport cnet.Transport
	// Noise is the source of this server's shares of the noise on sum and
	// count (Config.Epsilon); nil means crypto/rand. A server that may run
	// the computation again over the same organisations (after a failure
	// late in it) must draw the same noise each time, or the outputs of two
	// runs would average it away: committee servers pass a stream keyed by
	// a secret they keep and the agreed set.
	Noise io.Reader
}

// Submitted is what one server holds of one organisation: the encoding of
// its shares, as [Config.Submission] made them for this server.
type Submitted struct {
	// Org names the organisation in errors.
	Org    string
	Shares []byte
}

// CommitteeError reports an organisation whose submission failed its
// verification (malicious mode) or cannot be decoded.
type CommitteeError struct {
	Org string
	Err error
}

func (e *CommitteeError) Error() string {
	return fmt.Sprintf("assess: organisation %s: %v", e.Org, e.Err)
}

func (e *CommitteeError) Unwrap() error { return e.Err }

// RunCommittee runs one server's side of the committee computation on the
// submissions orgs (every server passes the same organisations in the same
// order; setHash binds that list, and servers whose lists differ refuse to
// proceed). cfg is the campaign's configuration, resolved for len(orgs)
// organisations. The Result's Organisations is len(orgs) and its
// ComputeParties the number of servers.
func RunCommittee(ctx context.Context, srv Server, orgs []Submitted, setHash [32]byte, cfg Config) (Result, error) {
	if srv.Transport == nil {
		return Result{}, fmt.Errorf("%w: server %d has no transport", ErrConfig, srv.ID)
	}
	if srv.Transport.ID() != srv.ID {
		return Result{}, fmt.Errorf("%w: server %d has the transport of server %d", ErrConfig, srv.ID, srv.Transport.ID())
	}
	rc, err := cfg.Resolve(len(orgs))
	if err != nil {
		return Result{}, err
	}
	if err := rc.checkCommittee(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, rc.Timeout)
	defer cancel()
	start := time.Now()
	var res Result
	if srv.Noise != nil {
		rc.noise = srv.Noise
	}
	if rc.Field == FieldM127 {
		res, err = runCommittee(ctx, field.F127{}, srv, orgs, setHash, rc)
	} else {
		res, err = runCommittee(ctx, field.F61{}, srv, orgs, setHash, rc)
	}
	if err != nil {
		return Result{}, err
	}
	res.Cost.Elapsed = time.Since(start)
	st := res.Cost.PerParty[0]
	res.Cost.BytesSent, res.Cost.Messages, res.Cost.BytesPerPartyMax, res.Cost.Rounds = st.BytesSent, st.MsgsSent, st.BytesSent, st.Rounds
	return res, nil
}

func runCommittee[E any](ctx context.Context, f field.Field[E], srv Server, orgs []Submitted, setHash [32]byte, cfg Resolved) (Result, error) {
	progress := cfg.report
	l := cfg.layout()
	size := l.bits()
	shares := make([]E, 0, len(orgs)*size)
	for _, o := range orgs {
		v := make([]E, size)
		if err := f.Decode(v, o.Shares); err != nil {
			return Result{}, &CommitteeError{Org: o.Org, Err: fmt.Errorf("submission of %d bytes is not %d field elements of %s: %w", len(o.Shares), size, cfg.Field, err)}
		}
		shares = append(shares, v...)
	}
	h := cfg.Hash()
	s, err := ops.NewSession(ctx, f, srv.Transport, cfg.sessionOptions(committeeHash(h, setHash), cfg.Security))
	if err != nil {
		return Result{}, fmt.Errorf("assess: server %d: setup: %w", srv.ID, err)
	}
	fail := func(err error) (Result, error) {
		var ice *ops.InputCheckError
		if errors.As(err, &ice) && ice.Party >= 1 && ice.Party <= len(orgs) {
			return Result{}, &CommitteeError{Org: orgs[ice.Party-1].Org, Err: err}
		}
		return Result{}, fmt.Errorf("assess: server %d: %w", srv.ID, err)
	}
	progress("preprocessing", 0, 1)
	if err := s.Prepare(ctx, needsFromBits(cfg, l, len(orgs)).Add(ops.NeedsInputBits(len(orgs), size))); err != nil {
		return fail(fmt.Errorf("preprocessing: %w", err))
	}
	progress("inputs", 0, 1)
	all, err := s.ImportShares(ctx, shares)
	if err != nil {
		return fail(fmt.Errorf("inputs: %w", err))
	}
	orgBits := make([]ops.Int[E], len(orgs))
	for i := range orgs {
		b := all.Slice(i*size, (i+1)*size)
		if err := s.RequireBits(b, i+1); err != nil {
			return fail(fmt.Errorf("inputs: %w", err))
		}
		orgBits[i] = s.AsInt(b, ops.Bound{Lo: 0, Hi: 1})
	}
	sum, cnt, mx, err := fromBits(ctx, s, cfg, l, orgBits, func(i int) int { return i + 1 }, progress)
	if err != nil {
		return fail(err)
	}
	return cfg.result(s.N(), s.T(), sum, cnt, mx, s.Stats()), nil
}

// committeeHash binds the campaign's configuration hash and the agreed set
// of organisations.
func committeeHash(cfg, set [32]byte) [32]byte {
	h := canon.New("cohort/assess/committee/v1")
	h.Bytes(cfg[:])
	h.Bytes(set[:])
	return h.Sum()
}

package ops

import (
	"context"
)

// engine is the seam between the protocols and the exchange of messages.
// Every protocol of the package (comparison, random bits, maximum, equality,
// …) is written against it, the pools ([Session.take…]) and the linear
// operations of [Shares]; only the engines touch king openings and
// re-dealing. The semi-honest engine is below; an engine that authenticates
// values with MACs implements the same methods.
type engine[E any] interface {
	// init runs once, after the session is set up, on compute parties.
	init(ctx context.Context) error
	// authenticates reports whether values carry MAC shares.
	authenticates() bool
	// macKey is this party's share of the MAC key (zero when the engine
	// does not authenticate).
	macKey() E
	// authenticate returns the MAC shares of fresh degree-T sharings x
	// (inputs, random values), or nil when the engine does not authenticate.
	authenticate(ctx context.Context, x []E) ([]E, error)
	// trustsContributions reports whether values that single parties
	// contribute may be trusted to be what they should (semi-honest): then
	// comparison masks may be summed from contributions.
	trustsContributions() bool

	// mul returns degree-T sharings of x[i]·y[i] for degree-T x and y.
	mul(ctx context.Context, x, y Shares[E], name string) (Shares[E], error)
	// reduce returns degree-T sharings of the values of degree-2T x.
	reduce(ctx context.Context, x Shares[E], name string) (Shares[E], error)
	// open reveals x (degree T or 2T) to every compute party, in the way
	// kind says (see openKind).
	open(ctx context.Context, x Shares[E], name string, kind openKind) ([]E, error)
	// verify checks everything computed so far (a no-op when the engine
	// does not authenticate).
	verify(ctx context.Context) error
	// dealt records the sharings this party received in a dealing of
	// degree d (shares[dealer], by compute number; purpose as in prg), for
	// the engine's consistency checks.
	dealt(d int, purpose uint32, shares [][]E)
	// require records what party's dealings must satisfy: bits that must
	// be bits and values that must be zero (a no-op when the engine does
	// not authenticate: semi-honest dealers are trusted).
	require(party int, bits, zero Shares[E])
	// poolNeeds turns what the protocols declare (multiplications,
	// degree-2T openings, …) into what the pools must hold for this engine.
	poolNeeds(n Needs) Needs
}

// openKind says what an opened value may reveal, and so how an engine
// that verifies must open it.
type openKind int

const (
	// openMasked: every value is uniformly distributed whatever the inputs
	// (a masked value), so it may be revealed before the computation that
	// led to it is verified; a king may open it, verified later.
	openMasked openKind = iota
	// openChecked: the values reveal something about the inputs (a zero
	// test), so everything before them is verified first; a king may open
	// them, provided the computation verifies again before anything else
	// is revealed, and its control flow does not depend on them.
	openChecked
	// openOutput: the values are results: verify everything first, then
	// open so that no party can change what another receives.
	openOutput
)

// kingPoster is a capability of the semi-honest engine: kings apply post to
// the values they reconstruct before sending them (for example a square
// root), and the other parties trust the result.
type kingPoster[E any] interface {
	openPost(ctx context.Context, x Shares[E], name string, post func([]E)) ([]E, error)
}

// overlapper is a capability of the semi-honest engine: open degree-2T
// values and reduce degree-2T products in the same king round.
type overlapper[E any] interface {
	openAndReduce(ctx context.Context, open, prod Shares[E], name string) ([]E, Shares[E], error)
}

// semiHonest is the engine of DESIGN §3–§5: king openings whose kings are
// trusted, DN07 multiplication.
type semiHonest[E any] struct{ s *Session[E] }

func (e *semiHonest[E]) init(context.Context) error        { return nil }
func (e *semiHonest[E]) dealt(int, uint32, [][]E)          {}
func (e *semiHonest[E]) require(int, Shares[E], Shares[E]) {}
func (e *semiHonest[E]) poolNeeds(n Needs) Needs           { return n }
func (e *semiHonest[E]) authenticates() bool               { return false }
func (e *semiHonest[E]) macKey() E                         { return e.s.f.Zero() }
func (e *semiHonest[E]) trustsContributions() bool         { return true }
func (e *semiHonest[E]) verify(context.Context) error {
	return nil
}

func (e *semiHonest[E]) authenticate(context.Context, []E) ([]E, error) {
	return nil, nil
}

func (e *semiHonest[E]) mul(ctx context.Context, x, y Shares[E], name string) (Shares[E], error) {
	return e.reduce(ctx, x.MulLocal(y), name)
}

func (e *semiHonest[E]) reduce(ctx context.Context, x Shares[E], name string) (Shares[E], error) {
	_, out, err := e.openAndReduce(ctx, e.s.shares(nil, nil, true), x, name)
	return out, err
}

func (e *semiHonest[E]) open(ctx context.Context, x Shares[E], name string, _ openKind) ([]E, error) {
	return e.openPost(ctx, x, name, nil)
}

// openPost opens x: a degree-2T value after adding a random sharing of zero
// (DESIGN §3: the raw product polynomial would leak its factors).
func (e *semiHonest[E]) openPost(ctx context.Context, x Shares[E], name string, post func([]E)) ([]E, error) {
	s := e.s
	v, d := x.v, s.t
	if x.deg2 {
		var err error
		if v, err = e.rerandomise(ctx, v); err != nil {
			return nil, err
		}
		d = 2 * s.t
	}
	opened, _, err := s.kingRound(ctx, v, d, len(v), name, post)
	return opened, err
}

// openAndReduce opens the degree-2T values open (re-randomised first) and
// reduces the degree-2T values prod to degree-T sharings (DN07: mask with a
// double sharing, open the masked value to a king, let the king re-deal it,
// unmask), in the same two rounds.
func (e *semiHonest[E]) openAndReduce(ctx context.Context, open, prod Shares[E], name string) ([]E, Shares[E], error) {
	s := e.s
	x := open.v
	if len(x) > 0 {
		var err error
		if x, err = e.rerandomise(ctx, x); err != nil {
			return nil, Shares[E]{}, err
		}
	}
	rt, r2t, err := s.takeDouble(ctx, len(prod.v))
	if err != nil {
		return nil, Shares[E]{}, err
	}
	masked := make([]E, len(prod.v))
	s.f.VecAdd(masked, prod.v, r2t)
	opened, reduced, err := s.kingRound(ctx, append(x[:len(x):len(x)], masked...), 2*s.t, len(x), name, nil)
	if err != nil {
		return nil, Shares[E]{}, err
	}
	s.f.VecSub(reduced, reduced, rt)
	return opened, s.shares(reduced, nil, false), nil
}

// rerandomise adds fresh random sharings of zero of degree 2T to x.
func (e *semiHonest[E]) rerandomise(ctx context.Context, x []E) ([]E, error) {
	z, err := e.s.takeZero(ctx, len(x))
	if err != nil {
		return nil, err
	}
	masked := make([]E, len(x))
	e.s.f.VecAdd(masked, x, z)
	return masked, nil
}

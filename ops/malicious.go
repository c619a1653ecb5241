package ops

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/canon"
	"github.com/cohortmpc/cohort/share"
)

// The malicious engine (Chida, Genkin, Hamada, Ikarashi, Kikuchi, Lindell,
// Nof, CRYPTO 2018; DESIGN §13). A secret key [α] is drawn at the start;
// every value travels with its MAC [αx]: inputs and random values get it
// by a multiplication, linear operations act on both, and a product takes
// two DN07 multiplications (xy and αx·y). DN07 is secure up to additive
// attacks, so what a deviating party can do to a product or a king's
// opening is to add an error it knows; the MAC makes any such error show.
//
// Nothing is checked as it happens. The engine records every authenticated
// value (x, αx), every value opened by a king (the opened c with [c] and
// [αc]) and every sharing it received in a dealing; verify checks them all
// at once with public random coefficients ρ drawn after they are fixed:
//
//	T = Σ ρ_j([αz_j] − [α][z_j]) + Σ ρ'_o([αc_o] − c_o[α])
//	  = [u] − Mul([α], [w]) − C·[α]
//
// is zero unless someone deviated, and the parties open T·r for a fresh
// random [r] (so that a non-zero T reveals nothing about α), together with
// random combinations of every degree-T dealing (whose n shares must lie on
// one polynomial of degree T: a dealer or a king that sent inconsistent
// shares is caught, for odd and even n alike) and of every double sharing
// and sharing of zero (whose combination must be zero). Each party sends
// those to every other and checks what it receives itself; an error
// survives with probability about 2/p.
//
// Openings of uniformly masked values (comparison masks, a² of random
// bits) go through kings and are verified later. A zero test's result first
// verifies everything computed so far, and is then opened by kings too: a
// lying king is caught by the verification that comes before anything else
// is revealed, and the protocols' control flow never depends on a zero
// test's result (a lie changes values, never the messages sent). Outputs
// first verify everything and then open all-to-all, each party checking
// that the n shares it received lie on one polynomial of degree T: t+1
// honest shares fix it, so a deviating party can make the opening fail but
// not change its value.
type malicious[E any] struct {
	s     *Session[E]
	alpha E // this party's share of the MAC key
	ready bool

	wires  []wire[E]   // authenticated values since the last verification
	opens  []opened[E] // values opened by kings since the last verification
	dealtT [][]E       // degree-T sharings received in dealings
	dblT   [][]E       // degree-T halves of double sharings, and
	dbl2t  [][]E       // their degree-2T halves, dealing by dealing
	zeros  [][]E       // sharings of zero of degree 2T
	reqs   []requirement[E]

	check    map[int][]E // consistency-check matrices by degree
	rho      []E         // buffer of coefficients
	verifies int         // verifications so far, bound into their commitments
	digest   [32]byte    // the session's, bound into the commitments

	// ignoreMACCheck, set by tests only, lets this party go on after its
	// MAC check failed, as a corrupt party would.
	ignoreMACCheck bool
}

// commitmentSize is the number of elements of a commitment: 2 × 60 bits of
// SHA-256. A party that wants to change its shares after seeing the others'
// must open its commitment to a value those shares fix, unknown when it
// committed: a second preimage, not a collision, so 120 bits hold.
const commitmentSize = 2

// commitment is compute party c's commitment to its shares v of the
// verifies-th verification's check values: a hash bound to the session's
// configuration, the verification and the party, packed into elements.
func (e *malicious[E]) commitment(c int, v []E) []E {
	s := e.s
	h := canon.New("cohort/ops/verify-commitment/v1")
	h.Bytes(e.digest[:])
	h.Int(int64(e.verifies))
	h.Int(int64(c))
	h.Bytes(s.f.AppendEncode(nil, v))
	sum := h.Sum()
	out := make([]E, commitmentSize)
	for i := range out {
		out[i] = s.f.FromUint64(binary.LittleEndian.Uint64(sum[8*i:]) >> 4)
	}
	return out
}

// A requirement is what one party's dealings must satisfy: bits that must
// be 0 or 1 and values that must be zero (relations between its inputs).
type requirement[E any] struct {
	party      int // transport id, blamed when the requirement fails
	bits, zero Shares[E]
}

type wire[E any] struct{ z, az []E }

type opened[E any] struct{ c, x, ax []E }

func (e *malicious[E]) authenticates() bool       { return true }
func (e *malicious[E]) trustsContributions() bool { return false }
func (e *malicious[E]) macKey() E                 { return e.alpha }

// init draws the MAC key: one dealing of random sharings, of which the
// first extracted value becomes [α]; the others are dropped.
func (e *malicious[E]) init(ctx context.Context) error {
	s := e.s
	if err := s.deal(ctx, 1, 0, 0, 0); err != nil {
		return err
	}
	v, _ := s.pool.random.pop(s.pool.random.len())
	e.alpha, e.ready = v[0], true
	e.digest = s.helloDigest()
	return nil
}

func (e *malicious[E]) poolNeeds(n Needs) Needs {
	verify := n.Verify
	if n.Bits > 0 || n.Masks > 0 {
		verify++ // Prepare verifies the bits it made before they are used
	}
	return Needs{
		Random: n.Random + 4*verify,
		Double: 2*n.Double + 2*n.Zero + n.Inputs + verify,
		Zero:   verify,
		Bits:   n.Bits,
		Masks:  n.Masks, // built from bits: contributions are not trusted
	}
}

func (e *malicious[E]) require(party int, bits, zero Shares[E]) {
	e.reqs = append(e.reqs, requirement[E]{party: party, bits: bits, zero: zero})
}

func (e *malicious[E]) dealt(d int, purpose uint32, shares [][]E) {
	for _, v := range shares {
		if len(v) == 0 {
			continue
		}
		switch {
		case purpose == purposeDouble2t:
			e.dbl2t = append(e.dbl2t, v)
		case purpose == purposeZero:
			e.zeros = append(e.zeros, v)
		case d == e.s.t:
			e.dealtT = append(e.dealtT, v)
			if purpose == purposeDoubleT {
				e.dblT = append(e.dblT, v)
			}
		}
	}
}

// authenticate computes [αx] for fresh sharings x by a DN07 multiplication
// and records the pair. Before the key exists (its own dealing) it returns
// nil.
func (e *malicious[E]) authenticate(ctx context.Context, x []E) ([]E, error) {
	if !e.ready {
		return nil, nil
	}
	if len(x) == 0 {
		return []E{}, nil
	}
	s := e.s
	prod := make([]E, len(x))
	s.f.VecScale(prod, e.alpha, x)
	ax, err := e.reduceRaw(ctx, prod, "authenticate")
	if err != nil {
		return nil, err
	}
	e.wires = append(e.wires, wire[E]{z: x, az: ax})
	return ax, nil
}

// reduceRaw reduces degree-2T values to degree T (DN07).
func (e *malicious[E]) reduceRaw(ctx context.Context, x []E, name string) ([]E, error) {
	s := e.s
	rt, r2t, err := s.takeDouble(ctx, len(x))
	if err != nil {
		return nil, err
	}
	masked := make([]E, len(x))
	s.f.VecAdd(masked, x, r2t)
	_, red, err := s.kingRound(ctx, masked, 2*s.t, 0, name, nil)
	if err != nil {
		return nil, err
	}
	s.f.VecSub(red, red, rt)
	return red, nil
}

func (e *malicious[E]) mul(ctx context.Context, x, y Shares[E], name string) (Shares[E], error) {
	return e.reduce(ctx, x.MulLocal(y), name)
}

// reduce reduces a degree-2T value and its degree-2T MAC in one king round
// and records the pair.
func (e *malicious[E]) reduce(ctx context.Context, x Shares[E], name string) (Shares[E], error) {
	if err := x.check(); err != nil {
		return Shares[E]{}, e.s.fail(err)
	}
	n := x.Len()
	both, err := e.reduceRaw(ctx, append(append(make([]E, 0, 2*n), x.v...), x.mac...), name)
	if err != nil {
		return Shares[E]{}, err
	}
	z, az := both[:n:n], both[n:]
	e.wires = append(e.wires, wire[E]{z: z, az: az})
	return e.s.shares(z, az, false), nil
}

func (e *malicious[E]) open(ctx context.Context, x Shares[E], name string, kind openKind) ([]E, error) {
	s := e.s
	if x.deg2 {
		var err error
		if x, err = e.reduce(ctx, x, name+": reduce"); err != nil {
			return nil, err
		}
	}
	if kind != openMasked {
		if err := e.verify(ctx); err != nil {
			return nil, err
		}
	}
	if kind == openOutput {
		return e.openAll(ctx, x.v, s.t, name)
	}
	c, _, err := s.kingRound(ctx, x.v, s.t, x.Len(), name, nil)
	if err != nil {
		return nil, err
	}
	// The record keeps its own copy: callers may change what they get.
	e.opens = append(e.opens, opened[E]{c: append([]E(nil), c...), x: x.v, ax: x.mac})
	return c, nil
}

// openAll opens degree-d values all-to-all: every compute party sends its
// shares to every other, and each checks that the n shares of every value
// lie on one polynomial of degree d before it reconstructs.
func (e *malicious[E]) openAll(ctx context.Context, v []E, d int, name string) ([]E, error) {
	cols, err := e.exchangeAll(ctx, v, name)
	if err != nil {
		return nil, err
	}
	return e.reconstruct(cols, d, name)
}

// exchangeAll sends v to every compute party and returns, by compute
// number, what each sent (this party's own v included).
func (e *malicious[E]) exchangeAll(ctx context.Context, v []E, name string) ([][]E, error) {
	s := e.s
	xc := s.newExchange(name + ": all-to-all")
	for c := 1; c <= s.n; c++ {
		if c != s.me {
			xc.put(c, v...)
			xc.expect(c, len(v))
		}
	}
	if err := xc.run(ctx); err != nil {
		return nil, err
	}
	cols := make([][]E, s.n)
	for c := 1; c <= s.n; c++ {
		if c == s.me {
			cols[c-1] = v
		} else {
			cols[c-1] = xc.take(c, len(v))
		}
	}
	return cols, nil
}

// reconstruct checks that the shares cols[party][value] of each value lie
// on one polynomial of degree d and returns the values.
func (e *malicious[E]) reconstruct(cols [][]E, d int, name string) ([]E, error) {
	s := e.s
	f := s.f
	if d < s.n-1 {
		// The shares of parties d+2..n predicted from those of 1..d+1.
		m, err := e.checkMatrix(d)
		if err != nil {
			return nil, s.fail(err)
		}
		rest := s.n - d - 1
		want := make([][]E, rest)
		for r := range want {
			want[r] = make([]E, len(cols[0]))
		}
		f.MatMul(want, m, cols[:d+1])
		for r := range want {
			for v, x := range want[r] {
				if !f.Equal(x, cols[d+1+r][v]) {
					return nil, s.fail(fmt.Errorf("ops: %s: the parties' shares of value %d are not consistent; some party deviated, and this check cannot tell which: %w", name, v, ErrCheck))
				}
			}
		}
	}
	lam, err := s.kingLagrange(d)
	if err != nil {
		return nil, s.fail(err)
	}
	out := [][]E{make([]E, len(cols[0]))}
	f.MatMul(out, lam, cols[:d+1])
	return out[0], nil
}

// checkMatrix is the Lagrange matrix from points 1..d+1 to d+2..n.
func (e *malicious[E]) checkMatrix(d int) ([]E, error) {
	if m, ok := e.check[d]; ok {
		return m, nil
	}
	s := e.s
	from, to := make([]int, d+1), make([]int, s.n-d-1)
	for i := range from {
		from[i] = i + 1
	}
	for i := range to {
		to[i] = d + 2 + i
	}
	m, err := share.LagrangeMatrix(s.f, from, to)
	if err != nil {
		return nil, err
	}
	if e.check == nil {
		e.check = make(map[int][]E)
	}
	e.check[d] = m
	return m, nil
}

// verify checks everything recorded since the last verification (see the
// type's comment). 5 rounds: the coin, the multiplication α·w (2), and the
// all-to-all commitments to the checks and their opening.
func (e *malicious[E]) verify(ctx context.Context) error {
	s := e.s
	if s.err != nil {
		return s.err
	}
	if len(e.wires) == 0 && len(e.opens) == 0 && len(e.reqs) == 0 {
		// Nothing computed or opened since the last verification: what
		// was dealt since (the last check's own α·w, pool refills) has
		// entered no value, and is checked with the first that it enters.
		return nil
	}
	// Requirements first: for each party, a random combination of its
	// b(b − 1) and of its values that must be zero. It depends on that
	// party's inputs only (it is zero for an honest party), so revealing it
	// tells the others nothing they may not know: it is reduced and opened
	// by kings now, and the MAC check below covers both before anyone
	// reads it.
	// Refill the pools first, if they are short of what the check takes,
	// so that any dealing this causes is covered by this check and nothing
	// dealt goes unchecked.
	need := Needs{Random: 3, Zero: 1, Double: 1}
	if len(e.reqs) > 0 {
		dealers := map[int]bool{}
		for _, r := range e.reqs {
			dealers[r.party] = true
		}
		need.Random++
		need.Double += 2 * len(dealers) // the requirements' reduction, with MACs
	}
	if err := s.reserve(ctx, need); err != nil {
		return err
	}
	var reqVals []E
	var reqParties []int
	if len(e.reqs) > 0 {
		reqs := e.reqs
		e.reqs = nil
		coin, err := s.takeRandom(ctx, 1)
		if err != nil {
			return err
		}
		seed, err := e.openAll(ctx, coin.v, s.t, "verify: requirements coin")
		if err != nil {
			return err
		}
		rho := e.coefficients(seed[0])
		// One value per dealer, whatever it declared.
		var parts []Shares[E]
		index := map[int]int{}
		for _, r := range reqs {
			d := s.Const([]E{s.f.Zero()})
			if r.bits.Len() > 0 {
				w := rho(r.bits.Len())
				sq := r.bits.scaleEach(w).MulLocal(r.bits).Sum()
				d = sq.Sub(r.bits.dot(w))
			}
			if r.zero.Len() > 0 {
				d = d.Add(r.zero.dot(rho(r.zero.Len())))
			}
			if i, ok := index[r.party]; ok {
				parts[i] = parts[i].Add(d)
				continue
			}
			index[r.party] = len(parts)
			parts = append(parts, d)
			reqParties = append(reqParties, r.party)
		}
		if reqVals, err = e.open(ctx, Concat(parts...), "verify: requirements", openMasked); err != nil {
			return err
		}
	}
	// What this verification covers; what its own steps record (the
	// re-dealing of α·w, dealings of refills) is left for the next one.
	wires, opens := e.wires, e.opens
	dealtT, dblT, dbl2t, zeros := e.dealtT, e.dblT, e.dbl2t, e.zeros
	e.wires, e.opens, e.dealtT, e.dblT, e.dbl2t, e.zeros = nil, nil, nil, nil, nil, nil

	coin, err := s.takeRandom(ctx, 3)
	if err != nil {
		return err
	}
	zero, err := s.takeZero(ctx, 1)
	if err != nil {
		return err
	}
	seed, err := e.openAll(ctx, coin.v[:1], s.t, "verify: coin")
	if err != nil {
		return err
	}
	rho := e.coefficients(seed[0])
	f := s.f

	// u = Σ ρ·[αz] + Σ ρ'·[αc], w = Σ ρ·[z], C = Σ ρ'·c.
	u, w, C := f.Zero(), f.Zero(), f.Zero()
	for _, x := range wires {
		r := rho(len(x.z))
		w = f.Add(w, f.Dot(r, x.z))
		u = f.Add(u, f.Dot(r, x.az))
	}
	for _, o := range opens {
		r := rho(len(o.c))
		u = f.Add(u, f.Dot(r, o.ax))
		C = f.Add(C, f.Dot(r, o.c))
	}
	aw, err := e.reduceRaw(ctx, []E{f.Mul(e.alpha, w)}, "verify: α·w")
	if err != nil {
		return err
	}
	t := f.Sub(f.Sub(u, aw[0]), f.Mul(C, e.alpha))

	// Degree 2T: T·r, re-randomised, plus Σρ([r]_t − [r]_2t) and Σρ[0]_2t.
	v2 := f.Add(f.Mul(t, coin.v[1]), zero[0])
	for i, h := range dblT {
		d := make([]E, len(h))
		f.VecSub(d, h, dbl2t[i])
		v2 = f.Add(v2, f.Dot(rho(len(d)), d))
	}
	for _, z := range zeros {
		v2 = f.Add(v2, f.Dot(rho(len(z)), z))
	}
	// Degree T: a masked random combination of every dealt sharing.
	dt := coin.v[2]
	for _, x := range dealtT {
		dt = f.Add(dt, f.Dot(rho(len(x)), x))
	}

	// Commit, then open. The shares of the check values are opened
	// all-to-all, and at degree 2T for odd n (2T = n − 1) any n shares lie
	// on one polynomial: a party that saw the others' shares before
	// sending its own could choose it to make the value zero. Each party
	// therefore first sends a hash of its shares, and its shares only once
	// it holds everyone's hash.
	e.verifies++
	mine := []E{v2, dt}
	commits, err := e.exchangeAll(ctx, e.commitment(s.me, mine), "verify: commitments")
	if err != nil {
		return err
	}
	cols, err := e.exchangeAll(ctx, mine, "verify: checks")
	if err != nil {
		return err
	}
	for c := 1; c <= s.n; c++ {
		if c == s.me {
			continue
		}
		want := e.commitment(c, cols[c-1])
		for i := range want {
			if !f.Equal(want[i], commits[c-1][i]) {
				return s.fail(peerErr(s.cids[c-1], "verify: checks", fmt.Errorf("opened check values other than those it committed to: %w", ErrCheck)))
			}
		}
	}
	cols2 := make([][]E, len(cols))
	colsT := make([][]E, len(cols))
	for i, c := range cols {
		cols2[i], colsT[i] = c[:1], c[1:]
	}
	if _, err := e.reconstruct(colsT, s.t, "verify: dealings"); err != nil {
		return fmt.Errorf("ops: verify: a dealt sharing is inconsistent: %w", err)
	}
	got, err := e.reconstruct(cols2, 2*s.t, "verify: MACs")
	if err != nil {
		return err
	}
	if !f.IsZero(got[0]) && !e.ignoreMACCheck {
		return s.fail(fmt.Errorf("ops: verify: the MAC check failed: some party changed a share, a product or an opened value, and this check cannot tell which: %w", ErrCheck))
	}
	// The requirements' values are now known to be right.
	for i, v := range reqVals {
		if !f.IsZero(v) {
			return s.fail(&InputCheckError{Party: reqParties[i]})
		}
	}
	return nil
}

// InputCheckError reports that a dealer's inputs failed their
// verification: dealt bits that are not bits, or values that break a
// relation they must satisfy (such as a value outside its declared bound).
// Party is the dealer as the requirement named it ([Session.InputBits]: the
// party id). It matches [ErrCheck].
type InputCheckError struct {
	Party int
}

func (e *InputCheckError) Error() string {
	return fmt.Sprintf("ops: dealer %d dealt inputs that fail their verification (bits that are not bits, or a value outside its bound)", e.Party)
}

// Unwrap returns ErrCheck.
func (e *InputCheckError) Unwrap() error { return ErrCheck }

// coefficients returns a source of public random coefficients expanded
// from the opened coin. Each call returns n coefficients in a buffer that
// the next call reuses.
func (e *malicious[E]) coefficients(coin E) func(n int) []E {
	f := e.s.f
	var key [field.KeySize]byte
	copy(key[:], f.AppendEncode(nil, []E{coin}))
	g := field.NewPRGKey(key, []byte("cohort/ops/verify"), []byte(e.s.opts.SessionID)).Stream(uint64(e.s.step))
	return func(n int) []E {
		if cap(e.rho) < n {
			e.rho = make([]E, n)
		}
		r := e.rho[:n]
		if err := f.RandomVec(g, r); err != nil {
			panic(errors.Join(errors.New("ops: unreachable"), err))
		}
		return r
	}
}

// kingLagrange is the Lagrange coefficients at 0 for points 1..d+1.
func (s *Session[E]) kingLagrange(d int) ([]E, error) {
	pts := make([]int, d+1)
	for i := range pts {
		pts[i] = i + 1
	}
	return share.LagrangeCoefficients(s.f, pts, 0)
}

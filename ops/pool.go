package ops

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/cohortmpc/cohort/share"
)

// Randomness (DESIGN §4): every party deals a batch of sharings, and each
// party maps the n sharings of a batch position to n − t outputs with the
// systematic MDS matrix [I | Cauchy], any n − t columns of which are
// invertible, so the outputs are uniform whatever the t corrupt dealers
// dealt (DN07, with t multiplications per output instead of a transposed
// Vandermonde matrix's n). No pseudo-random secret sharing (its keys grow as
// C(n, t)).

// A pool holds preprocessed sharings: this party's shares and, when the
// engine authenticates values, their MAC shares.
type pool[E any] struct {
	v, mac []E
}

func (p *pool[E]) len() int { return len(p.v) }

func (p *pool[E]) push(v, mac []E) {
	p.v = append(p.v, v...)
	if mac != nil {
		p.mac = append(p.mac, mac...)
	}
}

// pop removes the first c values; the caller has checked there are enough.
func (p *pool[E]) pop(c int) (v, mac []E) {
	v, p.v = p.v[:c:c], p.v[c:]
	if p.mac != nil {
		mac, p.mac = p.mac[:c:c], p.mac[c:]
	}
	return v, mac
}

type pools[E any] struct {
	random pool[E] // [r]_t
	dblT   pool[E] // [r]_t of double sharings
	dbl2t  pool[E] // [r]_2t, same secrets as dblT
	zero   pool[E] // [0]_2t
	bits   pool[E] // [b]_t, b ∈ {0, 1}
	masks  pool[E] // [r″] for comparisons
	// masksSummed: the masks in the pool are sums of t+1 contributions,
	// bounded by (t+1)·2^(κ+1); otherwise they are built from κ+1 bits.
	masksSummed bool
}

// Needs counts preprocessed values. [Session.Prepare] generates them in
// about three rounds; operations that find a pool short generate the rest on
// demand, at the price of extra rounds. Each protocol declares what it
// consumes next to itself (NeedsMul, NeedsLessThan, NeedsMax, …); the
// declarations add up with [Needs.Add].
type Needs struct {
	Random int // random sharings
	Double int // double sharings (one per multiplication)
	Zero   int // random sharings of zero of degree 2T (one per degree-2T opening)
	Bits   int // random bits
	Masks  int // statistical masks of comparisons
	// MaskBits is the bit length k of the comparisons the masks serve; it
	// decides how masks are built (0: from bits, valid for every k).
	MaskBits int
	// Inputs counts values that parties input, and Verify the
	// verifications the computation runs: a session that authenticates
	// values spends a multiplication on the MAC of each input and a few
	// preprocessed values on each verification. Semi-honest sessions
	// ignore both.
	Inputs, Verify int
}

// Add returns the sum of two Needs (MaskBits is the larger).
func (a Needs) Add(b Needs) Needs {
	return Needs{
		Random: a.Random + b.Random, Double: a.Double + b.Double, Zero: a.Zero + b.Zero,
		Bits: a.Bits + b.Bits, Masks: a.Masks + b.Masks, MaskBits: max(a.MaskBits, b.MaskBits),
		Inputs: a.Inputs + b.Inputs, Verify: a.Verify + b.Verify,
	}
}

// Times returns the Needs of c repetitions.
func (a Needs) Times(c int) Needs {
	return Needs{Random: c * a.Random, Double: c * a.Double, Zero: c * a.Zero,
		Bits: c * a.Bits, Masks: c * a.Masks, MaskBits: a.MaskBits, Inputs: c * a.Inputs, Verify: c * a.Verify}
}

// Prepare generates preprocessed randomness ahead of the computation, in
// one dealing round plus two rounds when random bits are needed.
func (s *Session[E]) Prepare(ctx context.Context, need Needs) error {
	if err := s.begin("Prepare"); err != nil {
		return err
	}
	for _, c := range []int{need.Random, need.Double, need.Zero, need.Bits, need.Masks, need.Inputs, need.Verify} {
		if err := s.checkCount("Prepare", c); err != nil {
			return err
		}
	}
	return s.prepare(ctx, s.eng.poolNeeds(need))
}

func (s *Session[E]) prepare(ctx context.Context, need Needs) error {
	summed := need.Masks > 0 && s.summedMasksOK(need.MaskBits) && s.pool.masks.len() == 0
	masks := max(0, need.Masks-s.pool.masks.len())
	bits := max(0, need.Bits-s.pool.bits.len())
	if masks > 0 && !summed {
		bits += masks * (Kappa + 1)
	}
	random := max(0, need.Random-s.pool.random.len()) + bits
	zero := max(0, need.Zero-s.pool.zero.len())
	double := max(0, need.Double-s.pool.dblT.len())
	if s.eng.authenticates() {
		double += 2 * bits // a bit costs a multiplication (a²), with its MAC
	} else {
		zero += bits // a² is opened as a degree-2T value
	}
	// Deal in chunks so that no party receives more than maxDealElements
	// elements in one round: memory stays bounded at large n.
	perDealer := func(total int) int { return (total + s.n - s.t - 1) / (s.n - s.t) }
	// An authenticating engine gives every random value it extracts (a
	// multiple of n − t per dealing) its MAC by a multiplication, with
	// double sharings of the same dealing.
	auth := func(r int) int {
		if !s.eng.authenticates() {
			return 0
		}
		return perDealer(r) * (s.n - s.t)
	}
	load := s.n * (perDealer(random) + perDealer(zero) + 2*perDealer(double+auth(random)))
	chunks := max(1, (load+maxDealElements-1)/maxDealElements)
	part := func(total, i int) int { return total*(i+1)/chunks - total*i/chunks }
	for i := range chunks {
		r, z := part(random, i), part(zero, i)
		d := part(double, i) + auth(r)
		m := 0
		if i == 0 && summed {
			m = masks
		}
		if r+d+z+m == 0 {
			continue
		}
		if err := s.deal(ctx, r, d, z, m); err != nil {
			return err
		}
	}
	if bits > 0 {
		if err := s.makeBits(ctx, bits); err != nil {
			return err
		}
		// Bits (and the masks made of them) are used only once verified.
		if err := s.eng.verify(ctx); err != nil {
			return err
		}
	}
	if masks > 0 && !summed {
		v, mac := s.pool.bits.pop(masks * (Kappa + 1))
		b := s.shares(v, mac, false)
		s.pool.masks.push(s.masksFromBits(b).parts())
		if s.pool.masks.len() == masks {
			s.pool.masksSummed = false // no summed masks left in the pool
		}
	}
	return nil
}

// maxDealElements bounds the elements one party receives in one dealing
// round of Prepare (512 KiB of M61 elements), and maxBitsBatch the random
// bits made in one opening, so that memory stays bounded at large n.
const (
	maxDealElements = 1 << 16
	maxBitsBatch    = 1 << 14
)

// summedMasksOK reports whether masks summed from t+1 contributions are
// allowed (the engine trusts contributions to be in range), valid for k-bit
// comparisons (no wrap-around: 2^k + (t+1)·2^(k+κ) < p), and cheaper than
// masks built from κ+1 random bits.
func (s *Session[E]) summedMasksOK(k int) bool {
	if k <= 0 || !s.eng.trustsContributions() || !s.summedMasksValid(k) {
		return false
	}
	n, t := float64(s.n), float64(s.t)
	summed := (t + 1) * (n - t - 1)
	random := n * (n - t - 2) / (n - t)
	zero := n * (n - 2*t - 1) / (n - t)
	fromBits := (Kappa + 1) * (random + zero + 2*t + n - 1)
	return summed < fromBits
}

// summedMasksValid reports whether summed masks do not wrap for k bits.
func (s *Session[E]) summedMasksValid(k int) bool {
	bound := new(big.Int).Lsh(big.NewInt(int64(s.t+1)), uint(k+Kappa))
	bound.Add(bound, new(big.Int).Lsh(big.NewInt(1), uint(k)))
	return bound.Cmp(s.f.Modulus()) < 0
}

// deal runs one round in which every party deals random sharings, double
// sharings and zero sharings (and, when masks > 0, t+1 parties deal
// statistical masks), then extracts the pools' new values.
func (s *Session[E]) deal(ctx context.Context, random, double, zero, masks int) error {
	per := func(total int) []int {
		counts := make([]int, s.n+1)
		b := (total + s.n - s.t - 1) / (s.n - s.t)
		for d := 1; d <= s.n; d++ {
			counts[d] = b
		}
		return counts
	}
	jobs := []*dealJob[E]{
		{d: s.t, purpose: purposeRandom, counts: per(random)},
		{d: s.t, purpose: purposeDoubleT, counts: per(double)},
		nil, // degree-2t half of the double sharings, chosen: filled in below
		{d: 2 * s.t, chosen: true, purpose: purposeZero, counts: per(zero)},
	}
	var contrib []int
	if masks > 0 {
		counts := make([]int, s.n+1)
		base := s.king
		for i := 0; i <= s.t; i++ {
			d := (base+i)%s.n + 1
			counts[d] = masks
			contrib = append(contrib, d)
		}
		s.king = (base + s.t + 1) % s.n
		mj := &dealJob[E]{d: s.t, chosen: true, purpose: purposeMask, counts: counts}
		if counts[s.me] > 0 {
			mj.secrets = make([]E, masks)
			if err := s.localMasks(mj.secrets); err != nil {
				return s.fail(err)
			}
		}
		jobs = append(jobs, mj)
	}
	jz := jobs[3]
	jz.secrets = make([]E, jz.counts[s.me])
	xc := s.newExchange("Prepare: dealing")
	for i, j := range jobs {
		if i == 2 {
			// The degree-2t half of double sharings shares the secrets
			// that the degree-t half just fixed.
			j = &dealJob[E]{d: 2 * s.t, chosen: true, purpose: purposeDouble2t, counts: jobs[1].counts, secrets: jobs[1].mySecrets}
			jobs[2] = j
		}
		if err := s.addDeal(xc, j); err != nil {
			return s.fail(err)
		}
	}
	if err := xc.run(ctx); err != nil {
		return err
	}
	for _, j := range jobs {
		s.collectDeal(xc, j)
	}
	s.pool.dblT.push(s.extract(jobs[1]), nil)
	s.pool.dbl2t.push(s.extract(jobs[2]), nil)
	s.pool.zero.push(s.extract(jobs[3]), nil)
	random0 := s.extract(jobs[0])
	mac, err := s.eng.authenticate(ctx, random0) // may take doubles just dealt
	if err != nil {
		return err
	}
	s.pool.random.push(random0, mac)
	if masks > 0 {
		mj := jobs[4]
		sums := make([]E, masks)
		for i := range masks {
			sum := s.f.Zero()
			for _, d := range contrib {
				sum = s.f.Add(sum, mj.shares[d][i])
			}
			sums[i] = sum
		}
		s.pool.masks.push(sums, nil)
		s.pool.masksSummed = true
	}
	return nil
}

// extract maps the n dealt batches of job j to (n − t)·batch outputs with
// the systematic MDS matrix [I | A] of [share.Extraction]: output ℓ is
// dealer ℓ+1's sharing plus a combination of the last t dealers' sharings.
func (s *Session[E]) extract(j *dealJob[E]) []E {
	b := j.counts[1]
	if b == 0 {
		return nil
	}
	if s.ext == nil {
		s.ext = share.Extraction(s.f, s.n, s.t)
	}
	rows := s.n - s.t
	dst := make([][]E, rows)
	flat := make([]E, rows*b)
	for l := range dst {
		dst[l] = flat[l*b : (l+1)*b]
	}
	if s.t > 0 {
		s.f.MatMul(dst, s.ext, j.shares[rows+1:])
	}
	for l := range dst {
		s.f.VecAdd(dst[l], dst[l], j.shares[l+1])
	}
	return flat
}

// localMasks fills dst with private values uniform in [0, 2^(κ+1)).
func (s *Session[E]) localMasks(dst []E) error {
	var buf [8]byte
	for i := range dst {
		if _, err := s.local.Read(buf[:]); err != nil {
			return fmt.Errorf("ops: reading randomness: %w", err)
		}
		dst[i] = s.f.FromUint64(binary.LittleEndian.Uint64(buf[:]) & (1<<(Kappa+1) - 1))
	}
	return nil
}

// masksFromBits combines each κ+1 consecutive bits into one mask.
func (s *Session[E]) masksFromBits(b Shares[E]) Shares[E] {
	c := b.Len() / (Kappa + 1)
	parts := make([]Shares[E], c)
	for i := range parts {
		parts[i] = fromBits(b.Slice(i*(Kappa+1), (i+1)*(Kappa+1)))
	}
	return Concat(parts...)
}

// fromBits returns the single value Σ 2^i·b[i].
func fromBits[E any](b Shares[E]) Shares[E] {
	f := b.s.f
	w := make([]E, b.Len())
	p := f.One()
	for i := range w {
		w[i] = p
		p = f.Add(p, p)
	}
	return b.dot(w)
}

// take pops c values from a pool, generating the shortfall first (short
// describes it as Needs).
func (s *Session[E]) take(ctx context.Context, p *pool[E], c int, short func(int) Needs) (Shares[E], error) {
	if p.len() < c {
		s.refills++
		if err := s.prepare(ctx, short(c-p.len())); err != nil {
			return Shares[E]{}, err
		}
	}
	v, mac := p.pop(c)
	return s.shares(v, mac, false), nil
}

// reserve refills the pools that hold less than need, without taking
// anything.
func (s *Session[E]) reserve(ctx context.Context, need Needs) error {
	short := Needs{
		Random: max(0, need.Random-s.pool.random.len()),
		Double: max(0, need.Double-s.pool.dblT.len()),
		Zero:   max(0, need.Zero-s.pool.zero.len()),
	}
	if short == (Needs{}) {
		return nil
	}
	s.refills++
	return s.prepare(ctx, Needs{Random: s.pool.random.len() + short.Random,
		Double: s.pool.dblT.len() + short.Double, Zero: s.pool.zero.len() + short.Zero})
}

func (s *Session[E]) takeRandom(ctx context.Context, c int) (Shares[E], error) {
	return s.take(ctx, &s.pool.random, c, func(k int) Needs { return Needs{Random: s.pool.random.len() + k} })
}

func (s *Session[E]) takeZero(ctx context.Context, c int) ([]E, error) {
	z, err := s.take(ctx, &s.pool.zero, c, func(k int) Needs { return Needs{Zero: s.pool.zero.len() + k} })
	return z.v, err
}

func (s *Session[E]) takeBits(ctx context.Context, c int) (Shares[E], error) {
	return s.take(ctx, &s.pool.bits, c, func(k int) Needs { return Needs{Bits: s.pool.bits.len() + k} })
}

// takeDouble pops c double sharings: the degree-t and degree-2t halves.
func (s *Session[E]) takeDouble(ctx context.Context, c int) (rt, r2t []E, err error) {
	d, err := s.take(ctx, &s.pool.dblT, c, func(k int) Needs { return Needs{Double: s.pool.dblT.len() + k} })
	if err != nil {
		return nil, nil, err
	}
	r2t, _ = s.pool.dbl2t.pop(c)
	return d.v, r2t, nil
}

// takeMasks returns c masks valid for k-bit comparisons.
func (s *Session[E]) takeMasks(ctx context.Context, c, k int) (Shares[E], error) {
	if s.pool.masksSummed && s.pool.masks.len() > 0 && !s.summedMasksValid(k) {
		// Summed masks too large for k: build these from bits instead.
		bits, err := s.takeBits(ctx, c*(Kappa+1))
		if err != nil {
			return Shares[E]{}, err
		}
		return s.masksFromBits(bits), nil
	}
	return s.take(ctx, &s.pool.masks, c, func(m int) Needs { return Needs{Masks: s.pool.masks.len() + m, MaskBits: k} })
}

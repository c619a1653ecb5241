package ops

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/cohortmpc/cohort/share"
)

// Randomness (DESIGN §4): every party deals a batch of sharings, and each
// party maps the n sharings of a batch position to n − t outputs with a
// matrix any n − t columns of which are invertible, so the outputs are
// uniform whatever the t corrupt dealers dealt. DESIGN uses a transposed
// Vandermonde matrix (n multiplications per output); the systematic MDS
// matrix [I | Cauchy] does the same with t (half the work, measured: the
// extraction was half of all CPU time at n = 500). No pseudo-random secret
// sharing (its keys grow as C(n, t)).

type pools[E any] struct {
	random []E // [r]_t
	dblT   []E // [r]_t of double sharings
	dbl2t  []E // [r]_2t, same secrets as dblT
	zero   []E // [0]_2t
	bits   []E // [b]_t, b ∈ {0, 1}
	masks  []E // [r″] for comparisons
	// masksSummed: the masks in the pool are sums of t+1 contributions,
	// bounded by (t+1)·2^(κ+1); otherwise they are built from κ+1 bits.
	masksSummed bool
}

// Needs counts preprocessed values. [Session.Prepare] generates them in
// about three rounds; operations that find a pool short generate the rest on
// demand, at the price of extra rounds.
type Needs struct {
	Random int // random sharings
	Double int // double sharings (one per multiplication)
	Zero   int // random sharings of zero of degree 2T (one per degree-2T opening)
	Bits   int // random bits
	Masks  int // statistical masks of comparisons
	// MaskBits is the bit length k of the comparisons the masks serve; it
	// decides how masks are built (0: from bits, valid for every k).
	MaskBits int
}

// Add returns the sum of two Needs (MaskBits is the larger).
func (a Needs) Add(b Needs) Needs {
	return Needs{
		Random: a.Random + b.Random, Double: a.Double + b.Double, Zero: a.Zero + b.Zero,
		Bits: a.Bits + b.Bits, Masks: a.Masks + b.Masks, MaskBits: max(a.MaskBits, b.MaskBits),
	}
}

// Prepare generates preprocessed randomness ahead of the computation, in
// one dealing round plus two rounds when random bits are needed.
func (s *Session[E]) Prepare(ctx context.Context, need Needs) error {
	if err := s.begin(); err != nil {
		return err
	}
	for _, c := range []int{need.Random, need.Double, need.Zero, need.Bits, need.Masks} {
		if err := s.checkCount("Prepare", c); err != nil {
			return err
		}
	}
	return s.prepare(ctx, need)
}

// Pool returns how many preprocessed values of each kind are not used yet.
func (s *Session[E]) Pool() Needs {
	return Needs{Random: len(s.pool.random), Double: len(s.pool.dblT), Zero: len(s.pool.zero),
		Bits: len(s.pool.bits), Masks: len(s.pool.masks)}
}

func (s *Session[E]) prepare(ctx context.Context, need Needs) error {
	summed := need.Masks > 0 && s.summedMasksOK(need.MaskBits) && len(s.pool.masks) == 0
	masks := max(0, need.Masks-len(s.pool.masks))
	bits := max(0, need.Bits-len(s.pool.bits))
	if masks > 0 && !summed {
		bits += masks * (Kappa + 1)
	}
	random := max(0, need.Random-len(s.pool.random)) + bits
	zero := max(0, need.Zero-len(s.pool.zero)) + bits
	double := max(0, need.Double-len(s.pool.dblT))
	// Deal in chunks so that no party receives more than maxDealElements
	// elements in one round: memory stays bounded at large n.
	perDealer := func(total int) int { return (total + s.n - s.t - 1) / (s.n - s.t) }
	load := s.n * (perDealer(random) + perDealer(zero) + 2*perDealer(double))
	chunks := max(1, (load+maxDealElements-1)/maxDealElements)
	part := func(total, i int) int { return total*(i+1)/chunks - total*i/chunks }
	for i := range chunks {
		r, d, z := part(random, i), part(double, i), part(zero, i)
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
	}
	if masks > 0 && !summed {
		b := s.pool.bits[:masks*(Kappa+1)]
		s.pool.bits = s.pool.bits[masks*(Kappa+1):]
		s.pool.masks = append(s.pool.masks, s.masksFromBits(b)...)
		if len(s.pool.masks) == masks {
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

// summedMasksOK reports whether masks summed from t+1 contributions are both
// valid for k-bit comparisons (no wrap-around: 2^k + (t+1)·2^(k+κ) < p)
// and cheaper than masks built from κ+1 random bits.
func (s *Session[E]) summedMasksOK(k int) bool {
	if k <= 0 || !s.summedMasksValid(k) {
		return false
	}
	n, t := float64(s.n), float64(s.t)
	summed := (t + 1) * (n - t - 1)
	random := n * (n - t - 2) / (n - t)
	zero := n * (n - 2*t - 1) / (n - t)
	fromBits := (Kappa + 1) * (random + zero + 2*t + n - 1)
	return summed < fromBits
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
		if counts[s.id] > 0 {
			mj.secrets = make([]E, masks)
			if err := s.localMasks(mj.secrets); err != nil {
				return s.fail(err)
			}
		}
		jobs = append(jobs, mj)
	}
	jz := jobs[3]
	jz.secrets = make([]E, jz.counts[s.id])
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
	s.pool.random = append(s.pool.random, s.extract(jobs[0])...)
	s.pool.dblT = append(s.pool.dblT, s.extract(jobs[1])...)
	s.pool.dbl2t = append(s.pool.dbl2t, s.extract(jobs[2])...)
	s.pool.zero = append(s.pool.zero, s.extract(jobs[3])...)
	if masks > 0 {
		mj := jobs[4]
		for i := range masks {
			sum := s.f.Zero()
			for _, d := range contrib {
				sum = s.f.Add(sum, mj.shares[d][i])
			}
			s.pool.masks = append(s.pool.masks, sum)
		}
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
		v := uint64(buf[0]) | uint64(buf[1])<<8 | uint64(buf[2])<<16 | uint64(buf[3])<<24 |
			uint64(buf[4])<<32 | uint64(buf[5])<<40 | uint64(buf[6])<<48 | uint64(buf[7])<<56
		dst[i] = s.f.FromUint64(v & (1<<(Kappa+1) - 1))
	}
	return nil
}

// masksFromBits combines each κ+1 consecutive bits into one mask.
func (s *Session[E]) masksFromBits(b []E) []E {
	masks := make([]E, len(b)/(Kappa+1))
	for i := range masks {
		masks[i] = s.fromBits(b[i*(Kappa+1) : (i+1)*(Kappa+1)])
	}
	return masks
}

// fromBits returns Σ 2^i·b[i].
func (s *Session[E]) fromBits(b []E) E {
	acc := s.f.Zero()
	for i := len(b) - 1; i >= 0; i-- {
		acc = s.f.Add(s.f.Add(acc, acc), b[i])
	}
	return acc
}

// makeBits appends c random bits to the pool (DESIGN §6): open a² for a
// random [a] (a degree-2T opening, re-randomised); the king sends back
// s⁻¹ for the canonical root s of a² instead of a², which tells no more;
// then [b] = (s⁻¹·[a] + 1)/2 is 0 or 1, each with probability 1/2.
func (s *Session[E]) makeBits(ctx context.Context, c int) error {
	inv2, err := s.f.Inv(s.f.FromUint64(2))
	if err != nil {
		return s.fail(err)
	}
	for c > 0 {
		batch := min(c, maxBitsBatch)
		a, err := s.takeRandom(ctx, batch)
		if err != nil {
			return err
		}
		sq := make([]E, batch)
		s.f.VecMul(sq, a, a)
		var bad error
		inv, err := s.open2t(ctx, sq, "RandomBits", func(v []E) {
			for i := range v {
				if s.f.IsZero(v[i]) {
					continue // a = 0: everyone drops this one
				}
				root, ok := s.f.Sqrt(v[i])
				if !ok {
					// a² is a square: only a faulty peer's share gets here,
					// which semi-honest security does not identify.
					bad = errors.New("ops: RandomBits: opened a non-square")
				}
				v[i] = root
			}
			if err := batchInvNonzero(s, v); err != nil {
				bad = err
			}
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return s.fail(bad)
		}
		for i := range inv {
			if s.f.IsZero(inv[i]) {
				continue
			}
			b := s.f.Mul(s.f.Add(s.f.Mul(inv[i], a[i]), s.f.One()), inv2)
			s.pool.bits = append(s.pool.bits, b)
			c--
		}
	}
	return nil
}

// batchInvNonzero inverts the non-zero entries of v in place.
func batchInvNonzero[E any](s *Session[E], v []E) error {
	idx := make([]int, 0, len(v))
	nz := make([]E, 0, len(v))
	for i := range v {
		if !s.f.IsZero(v[i]) {
			idx = append(idx, i)
			nz = append(nz, v[i])
		}
	}
	if err := s.f.BatchInv(nz, nz); err != nil {
		return err
	}
	for k, i := range idx {
		v[i] = nz[k]
	}
	return nil
}

// take pops c values from a pool, generating the shortfall first (short
// describes it as Needs).
func (s *Session[E]) take(ctx context.Context, pool *[]E, c int, short func(int) Needs) ([]E, error) {
	if len(*pool) < c {
		if err := s.prepare(ctx, short(c-len(*pool))); err != nil {
			return nil, err
		}
	}
	v := (*pool)[:c:c]
	*pool = (*pool)[c:]
	return v, nil
}

func (s *Session[E]) takeRandom(ctx context.Context, c int) ([]E, error) {
	return s.take(ctx, &s.pool.random, c, func(k int) Needs { return Needs{Random: len(s.pool.random) + k} })
}

func (s *Session[E]) takeZero(ctx context.Context, c int) ([]E, error) {
	return s.take(ctx, &s.pool.zero, c, func(k int) Needs { return Needs{Zero: len(s.pool.zero) + k} })
}

func (s *Session[E]) takeBits(ctx context.Context, c int) ([]E, error) {
	return s.take(ctx, &s.pool.bits, c, func(k int) Needs { return Needs{Bits: len(s.pool.bits) + k} })
}

// takeDouble pops c double sharings: the degree-t and degree-2t halves.
func (s *Session[E]) takeDouble(ctx context.Context, c int) (rt, r2t []E, err error) {
	rt, err = s.take(ctx, &s.pool.dblT, c, func(k int) Needs { return Needs{Double: len(s.pool.dblT) + k} })
	if err != nil {
		return nil, nil, err
	}
	r2t = s.pool.dbl2t[:c:c]
	s.pool.dbl2t = s.pool.dbl2t[c:]
	return rt, r2t, nil
}

// takeMasks returns c masks valid for k-bit comparisons.
func (s *Session[E]) takeMasks(ctx context.Context, c, k int) ([]E, error) {
	if s.pool.masksSummed && len(s.pool.masks) > 0 && !s.summedMasksValid(k) {
		// Summed masks too large for k: build these from bits instead.
		bits, err := s.takeBits(ctx, c*(Kappa+1))
		if err != nil {
			return nil, err
		}
		return s.masksFromBits(bits), nil
	}
	return s.take(ctx, &s.pool.masks, c, func(m int) Needs { return Needs{Masks: len(s.pool.masks) + m, MaskBits: k} })
}

// summedMasksValid reports whether summed masks do not wrap for k bits.
func (s *Session[E]) summedMasksValid(k int) bool {
	bound := new(big.Int).Lsh(big.NewInt(int64(s.t+1)), uint(k+Kappa))
	bound.Add(bound, new(big.Int).Lsh(big.NewInt(1), uint(k)))
	return bound.Cmp(s.f.Modulus()) < 0
}

// RandomBits returns shares of c independent uniform bits.
func (s *Session[E]) RandomBits(ctx context.Context, c int) ([]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if err := s.checkCount("RandomBits", c); err != nil {
		return nil, err
	}
	return s.takeBits(ctx, c)
}

// Random returns shares of c independent uniform field elements.
func (s *Session[E]) Random(ctx context.Context, c int) ([]E, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if err := s.checkCount("Random", c); err != nil {
		return nil, err
	}
	return s.takeRandom(ctx, c)
}

package ops

import "context"

// Searches answered by the owners of the values (DESIGN-v2 §2). When every
// compute party owns one private value and follows the protocol, an order
// statistic that is revealed anyway can be found from the top bit down
// without comparing shared values: at each step every owner deals the
// answer, for its own value, to a public question about the candidate, the
// parties combine the answers and reveal only whether the candidate stands.
// Semi-honest, all-party sessions only: an owner that lies changes the
// result, and an input party could not learn the steps' outcomes.

// MaxByOwnersOptions configure [Session.MaxByOwners]. The zero value reveals
// the whole maximum one bit per step and deals nothing along.
type MaxByOwnersOptions[E any] struct {
	// Top is the number of bits of the maximum revealed, from the most
	// significant: the result is ⌊max / 2^(k−Top)⌋, and the search stops
	// after them (a coarsened maximum costs Top/k of the whole). 0 means k.
	Top int
	// Step is the number of bits revealed per step, 1 to [MaxStepBits]
	// (0 means 1): ⌈Top/Step⌉ steps of 3 rounds, each with 2^Step − 1 zero
	// tests and as many values dealt per owner. Larger steps trade traffic
	// for rounds on high-latency links.
	Step int
	// Along holds this party's values to deal in the first step's round,
	// with its first answers; every compute party passes the same number.
	// They come back, by party, in [MaxByOwnersResult.Along].
	Along []E
	// OpenAlong, when not nil, is called with the values dealt along (by
	// party, as [Session.Input] returns them) and returns values to open in
	// the first step's king round, with its zero tests: outputs known after
	// the first dealing cost no rounds of their own. They are opened as
	// degree-2T values, re-randomised: declare [NeedsOpen] of their number.
	OpenAlong func(along []Shares[E]) Shares[E]
}

// MaxStepBits is the largest number of bits [Session.MaxByOwners] reveals
// per step: 2^MaxStepBits − 1 zero tests per step.
const MaxStepBits = 4

// MaxByOwnersResult is what [Session.MaxByOwners] returns.
type MaxByOwnersResult[E any] struct {
	// Max is the maximum, or its top bits ⌊max / 2^(k−Top)⌋.
	Max int64
	// Along holds the values dealt along, by party (index id−1).
	Along []Shares[E]
	// Opened holds the values that OpenAlong returned, opened.
	Opened []E
}

// MaxByOwners reveals the largest of the compute parties' private values:
// every compute party passes its own value, in [0, 2^k), and the same k and
// options. Owners answer for their own values (DESIGN-v2 §2): each keeps a
// private flag active (initially 1); for each bit j from the top, owner i
// deals c_i = active_i·bit_j(v_i), the parties open y = r·Σ c_i for a fresh
// random [r] as a re-randomised degree-2T product, which is 0 when the sum
// is and uniform on the non-zero elements otherwise, so that it reveals
// only bit j of the maximum, m_j = [y ≠ 0]; owners with m_j = 1 and
// bit_j(v_i) = 0 clear their flag. With Step = b > 1, owner i deals, for
// each d = 1..2^b − 1, active_i·[digit_i ≥ d], and the digit of the
// maximum is the largest d whose sum is non-zero; owners whose digit is
// not that one clear their flag.
//
// Cost per step of b bits: 3 rounds (a dealing, a king opening), and
// 2^b − 1 values dealt by every party (N − T − 1 elements each) and zero
// tests (a random sharing, 2T + N − 1 elements and a sharing of zero each;
// [NeedsMaxByOwners]). What it reveals is the (top bits of the) maximum
// and nothing else, up to a false "zero" with probability 1/p per test
// (a zero r).
//
// It needs a semi-honest session in which every party computes; a session
// that authenticates values should use [Session.MaxOfBits] on verified
// bits instead.
func (s *Session[E]) MaxByOwners(ctx context.Context, value int64, k int, o MaxByOwnersOptions[E]) (MaxByOwnersResult[E], error) {
	top, step, err := s.ownersCheck("MaxByOwners", value, k, o.Top, o.Step)
	if err != nil {
		return MaxByOwnersResult[E]{}, err
	}
	f := s.f
	steps := (top + step - 1) / step
	active := true
	pos := k
	var res MaxByOwnersResult[E]
	for st := range steps {
		w := step
		if st == 0 {
			w = top - step*(steps-1)
		}
		pos -= w
		digit := value >> pos & (1<<w - 1)
		tests := 1<<w - 1
		mine := make([]E, tests, tests+len(o.Along))
		for d := 1; d <= tests; d++ {
			if active && digit >= int64(d) {
				mine[d-1] = f.One()
			}
		}
		if st == 0 {
			mine = append(mine, o.Along...)
		}
		dealt, err := s.Input(ctx, mine, len(mine))
		if err != nil {
			return MaxByOwnersResult[E]{}, err
		}
		sums := make([]Shares[E], tests)
		for d := range sums {
			sums[d] = Column(dealt, d).Sum()
		}
		r, err := s.takeRandom(ctx, tests)
		if err != nil {
			return MaxByOwnersResult[E]{}, err
		}
		y := r.MulLocal(Concat(sums...))
		if st == 0 {
			res.Along = make([]Shares[E], len(dealt))
			for p, x := range dealt {
				res.Along[p] = x.Slice(tests, x.Len())
			}
			if o.OpenAlong != nil {
				extra := o.OpenAlong(res.Along)
				if err := s.use("MaxByOwners: OpenAlong", extra); err != nil {
					return MaxByOwnersResult[E]{}, err
				}
				y = Concat(y, extra)
			}
		}
		opened, err := s.eng.open(ctx, y, "MaxByOwners: zero tests", openOutput)
		if err != nil {
			return MaxByOwnersResult[E]{}, err
		}
		if s.tap != nil {
			s.tap("MaxByOwners", opened[:tests])
		}
		if st == 0 && o.OpenAlong != nil {
			res.Opened = opened[tests:]
		}
		// The digit of the maximum is the largest d whose sum is non-zero.
		best := 0
		for d := tests; d >= 1; d-- {
			if !f.IsZero(opened[d-1]) {
				best = d
				break
			}
		}
		active = active && digit == int64(best)
		res.Max = res.Max<<w | int64(best)
		if s.opts.Progress != nil {
			s.opts.Progress("MaxByOwners", st+1, steps)
		}
	}
	return res, nil
}

// NeedsMaxByOwners is the preprocessing that MaxByOwners of k-bit values
// with the given Top and Step consumes (the values opened along are
// declared apart, with [NeedsOpen]).
func NeedsMaxByOwners(k, top, step int) Needs {
	tests := 0
	for _, w := range ownersSteps(k, top, step) {
		tests += 1<<w - 1
	}
	return NeedsZeroTest(tests)
}

// ownersSteps returns the widths of the steps of a search over the top
// bits of k-bit values, w bits per step (the first step takes the
// remainder).
func ownersSteps(k, top, step int) []int {
	if top <= 0 || top > k {
		top = k
	}
	if step <= 0 {
		step = 1
	}
	steps := (top + step - 1) / step
	out := make([]int, steps)
	for i := range out {
		out[i] = step
	}
	if steps > 0 {
		out[0] = top - step*(steps-1)
	}
	return out
}

// ownersCheck validates the arguments of a search answered by owners and
// returns the number of top bits and the step width.
func (s *Session[E]) ownersCheck(op string, value int64, k, top, step int) (int, int, error) {
	if err := s.begin(op); err != nil {
		return 0, 0, err
	}
	switch {
	case s.eng.authenticates() || !s.eng.trustsContributions():
		return 0, 0, s.fail(misuse("%s trusts every owner's answers: it runs in semi-honest sessions only (use MaxOfBits on verified bits)", op))
	case s.Parties() != s.n:
		return 0, 0, s.fail(misuse("%s needs every party to compute: %d of the %d parties are input parties", op, s.Parties()-s.n, s.Parties()))
	case k < 1 || k > 62:
		return 0, 0, s.fail(misuse("%s of %d-bit values: want 1 to 62 bits", op, k))
	case value < 0 || value >= 1<<k:
		return 0, 0, s.fail(misuse("%s: this party's value %d is outside [0, 2^%d)", op, value, k))
	case top < 0 || top > k:
		return 0, 0, s.fail(misuse("%s: %d top bits of %d-bit values", op, top, k))
	case step < 0 || step > MaxStepBits:
		return 0, 0, s.fail(misuse("%s: %d bits per step: want 1 to %d", op, step, MaxStepBits))
	}
	if top == 0 {
		top = k
	}
	if step == 0 {
		step = 1
	}
	return top, step, nil
}

// NthLargestByOwners reveals, for each q of qs (1 ≤ q ≤ N), the q-th
// largest of the compute parties' private values (q = 1 is the maximum):
// the largest v such that at least q values are at or above v. Every
// compute party passes its own value, in [0, 2^k), and the same k and qs.
// It searches the k bits from the top: for each q and bit j, with the bits
// found so far and bit j set as the candidate v, every owner deals
// [value ≥ v]; the parties compare the sum with q under MPC (LTZ) and open
// only the resulting bit, so no count is ever revealed, only whether at
// least q values reach the candidate, which the result implies. All qs are
// searched together: k steps of 1 + LTZ + 2 rounds (11 for N < 64),
// len(qs) dealings per owner per step and len(qs) comparisons of
// ⌈log2(N+1)⌉+1 bits ([NeedsNthLargestByOwners]).
//
// Like [Session.MaxByOwners], it needs a semi-honest session in which
// every party computes.
func (s *Session[E]) NthLargestByOwners(ctx context.Context, value int64, k int, qs []int) ([]int64, error) {
	if _, _, err := s.ownersCheck("NthLargestByOwners", value, k, 0, 0); err != nil {
		return nil, err
	}
	for _, q := range qs {
		if q < 1 || q > s.n {
			return nil, s.fail(misuse("NthLargestByOwners: rank %d outside 1..%d", q, s.n))
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	f := s.f
	c := len(qs)
	found := make([]int64, c)
	for j := k - 1; j >= 0; j-- {
		mine := make([]E, c)
		for i := range qs {
			if value >= found[i]|1<<j {
				mine[i] = f.One()
			}
		}
		dealt, err := s.Input(ctx, mine, c)
		if err != nil {
			return nil, err
		}
		counts := make([]Shares[E], c)
		rank := make([]E, c)
		for i, q := range qs {
			counts[i] = Column(dealt, i).Sum()
			rank[i] = f.FromInt64(int64(-q))
		}
		// count − q < 0 exactly when fewer than q values reach the candidate.
		diff := s.AsInt(Concat(counts...).AddConsts(rank), nthBound(s.n))
		lt, err := s.LTZ(ctx, diff)
		if err != nil {
			return nil, err
		}
		bits, err := s.OpenInt(ctx, lt)
		if err != nil {
			return nil, err
		}
		for i, b := range bits {
			if b == 0 {
				found[i] |= 1 << j
			}
		}
		if s.opts.Progress != nil {
			s.opts.Progress("NthLargestByOwners", k-j, k)
		}
	}
	return found, nil
}

// nthBound is the bound of count − q for n values: both lie in 0..n.
func nthBound(n int) Bound { return Bound{Lo: int64(-n), Hi: int64(n)} }

// NeedsNthLargestByOwners is the preprocessing that NthLargestByOwners of
// c ranks among n parties' k-bit values consumes.
func NeedsNthLargestByOwners(n, k, c int) Needs {
	return NeedsLTZ(c, nthBound(n)).Times(k)
}

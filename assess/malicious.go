package assess

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/dp"
	"github.com/cohortmpc/cohort/ops"
)

// runMalicious is one party's side of the assessment with security against
// malicious organisations (DESIGN §13). With the shifted score s in
// [0, span] and the shifted threshold T, every organisation deals, as bits:
// c = [s ≥ T] (1 bit), z = s − c·T (k bits) and z' = z + 2^k − 1 − hi(c)
// (k bits), where hi(0) = T − 1 and hi(1) = span − T are the largest z can
// be and k is the width of the larger. z, z' ≥ 0 and below 2^k by
// construction, so z ≤ hi(c), which puts s = z + c·T in [0, T − 1] when
// c = 0 and in [T, span] when c = 1: the score is in range and c is its
// threshold bit. The session verifies that every dealt bit is a bit and
// that z' agrees with z and c (naming the organisation otherwise) before
// anything that is not uniformly masked is opened. Since every score with
// c = 1 exceeds every score with c = 0, the largest score is that of the
// largest (k+1)-bit number c·2^k + z, which [ops.Session.MaxOfBits] finds
// from the bits already dealt (DESIGN-v2 §3.4). The generic path runs the
// v1 tournament on the authenticated scores instead. Before reporting, the
// parties check that they all hold the same outputs.
func runMalicious[E any](ctx context.Context, f field.Field[E], p Party, cfg Resolved) (Result, error) {
	progress := cfg.report
	fail := func(step string, err error) (Result, error) {
		return Result{}, fmt.Errorf("assess: party %d: %s: %w", p.ID, step, err)
	}
	progress("setup", 0, 1)
	s, err := ops.NewSession(ctx, f, p.Transport, cfg.sessionOptions(cfg.Hash(), ops.Malicious))
	if err != nil {
		return fail("setup", err)
	}
	n := cfg.N
	l := cfg.layout()

	progress("preprocessing", 0, 1)
	need := needsFromBits(cfg, l, n).Add(ops.NeedsInputBits(n, l.bits()))
	if err := s.Prepare(ctx, need); err != nil {
		return fail("preprocessing", err)
	}

	progress("inputs", 0, 1)
	var dealt []ops.Int[E]
	if p.forge == nil {
		dealt, err = s.InputBits(ctx, l.values(cfg.Score(p.Input)-cfg.ScoreMin), l.widths())
	} else {
		dealt, err = forgedBits(ctx, s, p.forge(l.bitsOf(cfg.Score(p.Input)-cfg.ScoreMin)))
	}
	if err != nil {
		return fail("inputs", err)
	}
	sum, cnt, mx, err := fromBits(ctx, s, cfg, l, dealt, func(i int) int { return i + 1 }, progress)
	if err != nil {
		return Result{}, fmt.Errorf("assess: party %d: %w", p.ID, err)
	}
	return cfg.result(s.N(), s.T(), sum, cnt, mx, s.Stats()), nil
}

// fromBits computes the outputs from every organisation's bits in layout l
// (orgBits[i] holds organisation i's), dealt or imported: it declares the
// relations between each organisation's decompositions (blaming dealer
// blame(i) when they fail), finds the maximum, opens sum and count, checks
// that the outputs are plausible and that every compute party holds the
// same ones. Scores are shifted by cfg.ScoreMin in the bits and unshifted
// in the results.
func fromBits[E any](ctx context.Context, s *ops.Session[E], cfg Resolved, l layout, orgBits []ops.Int[E],
	blame func(i int) int, progress func(string, int, int)) (sum, cnt, mx int64, err error) {
	n := len(orgBits)
	if len(cfg.Percentiles) > 0 || cfg.StepBits > 1 {
		return 0, 0, 0, configErrorf("percentiles and StepBits need organisations that answer for their own scores: semi-honest all-party mode only")
	}
	scores := make([]ops.Int[E], n)
	counted := make([]ops.Int[E], n)
	for i, b := range orgBits {
		z := ops.FromBits(b.Slice(0, l.k), l.k)
		c := b.Index(l.k)
		scores[i] = z.Add(c.Scale(l.thr))
		counted[i] = c
		if l.upper {
			// z' = z + 2^k − 1 − hi(0) − c·(hi(1) − hi(0))
			zp := ops.FromBits(b.Slice(l.k+1, 2*l.k+1), l.k)
			rel := zp.Sub(z).AddConst(l.lowHi - (int64(1)<<l.k - 1)).Add(c.Scale(l.highHi - l.lowHi))
			if err := s.RequireZero(rel.Shares(), blame(i)); err != nil {
				return 0, 0, 0, fmt.Errorf("inputs: %w", err)
			}
		}
	}
	all := ops.ConcatInts(scores...)
	count := ops.ConcatInts(counted...).Sum()

	sumAll := all.Sum()
	if cfg.Epsilon > 0 {
		// Semi-honest committee mode: every server adds its share of the
		// noise (Resolve refuses noise in malicious mode).
		if sumAll, count, err = addNoise(ctx, s, cfg, sumAll, count); err != nil {
			return 0, 0, 0, fmt.Errorf("noise: %w", err)
		}
	}
	if cfg.tournament() {
		m, err := s.Max(ctx, all)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("maximum: %w", err)
		}
		out, err := s.OpenInt(ctx, ops.ConcatInts(sumAll, count, m))
		if err != nil {
			return 0, 0, 0, fmt.Errorf("output: %w", err)
		}
		sum, cnt, mx = out[0], out[1], out[2]
	} else {
		vbits := make([]ops.Int[E], n)
		for i, b := range orgBits {
			vbits[i] = b.Slice(0, l.k+1) // z, then c: the number c·2^k + z
		}
		// With MaxBits set, only the top MaxBits + 1 bits of c·2^k + z
		// (DESIGN-v2 §5): mx is then the lowest score they allow.
		top := l.k + 1
		if cfg.MaxBits > 0 {
			top = cfg.MaxBits + 1
		}
		v, err := s.MaxOfTopBits(ctx, ops.ConcatInts(vbits...), l.k+1, top)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("maximum: %w", err)
		}
		mx = l.lowest(v << (l.k + 1 - top))
		progress("output", 0, 1)
		out, err := s.OpenInt(ctx, ops.ConcatInts(sumAll, count))
		if err != nil {
			return 0, 0, 0, fmt.Errorf("output: %w", err)
		}
		sum, cnt = out[0], out[1]
	}
	sum, cnt = cfg.unshift(sum, cnt)
	mx += cfg.ScoreMin
	if err := checkOutputs(cfg, sum, cnt, mx); err != nil {
		return 0, 0, 0, fmt.Errorf("output: %w", err)
	}
	if err := s.Agree(ctx, binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil,
		uint64(sum)), uint64(cnt)), uint64(mx))); err != nil {
		return 0, 0, 0, fmt.Errorf("agreement: %w", err)
	}
	progress("output", 1, 1)
	return sum, cnt, mx, nil
}

// needsFromBits is the preprocessing of fromBits for n organisations,
// beyond the inputs' own.
func needsFromBits(cfg Resolved, l layout, n int) ops.Needs {
	need := ops.Needs{Verify: 1} // the output's verification; the search declares its own
	if cfg.tournament() {
		return need.Add(ops.NeedsMax(n, cfg.scoreBound()))
	}
	top := l.k + 1
	if cfg.MaxBits > 0 {
		top = cfg.MaxBits + 1
	}
	return need.Add(ops.NeedsMaxOfTopBits(n, l.k+1, top))
}

// addNoise adds every compute party's shares of the noise to the shifted
// sum and the count (semi-honest sessions only): one dealing round.
func addNoise[E any](ctx context.Context, s *ops.Session[E], cfg Resolved, sum, count ops.Int[E]) (ops.Int[E], ops.Int[E], error) {
	z, err := cfg.noiseShares(s.N() - s.T())
	if err != nil {
		return sum, count, err
	}
	dealt, err := s.InputInt(ctx, z, 2, ops.Bound{Lo: -dp.MaxShare, Hi: dp.MaxShare})
	if err != nil {
		return sum, count, err
	}
	return sum.Add(ops.ColumnInt(dealt, 0).Sum()), count.Add(ops.ColumnInt(dealt, 1).Sum()), nil
}

// forgedBits deals bits as [ops.Session.InputBits] does, but takes them as
// they are (a deviating organisation, in tests), and declares for every
// dealer that its values must be bits, as InputBits does.
func forgedBits[E any](ctx context.Context, s *ops.Session[E], bits []int64) ([]ops.Int[E], error) {
	sh, err := s.Input(ctx, toField(s.Field(), bits), len(bits))
	if err != nil {
		return nil, err
	}
	out := make([]ops.Int[E], len(sh))
	for i, x := range sh {
		if err := s.RequireBits(x, i+1); err != nil {
			return nil, err
		}
		out[i] = s.AsInt(x, ops.Bound{Lo: 0, Hi: 1})
	}
	return out, nil
}

// bitsOf is the bits of the values of shifted score s, as dealt.
func (l layout) bitsOf(s int64) []int64 {
	var bits []int64
	for i, v := range l.values(s) {
		for j := range l.widths()[i] {
			bits = append(bits, v>>j&1)
		}
	}
	return bits
}

// layout is how an organisation encodes its shifted score as bits in
// malicious mode (see runMalicious).
type layout struct {
	thr           int64 // shifted threshold T, in 1..span
	lowHi, highHi int64 // the largest z for c = 0 and c = 1
	k             int   // width of z and z'
	upper         bool  // z' is needed (some bound is below 2^k − 1)
}

func (cfg Resolved) layout() layout {
	span := cfg.ScoreMax - cfg.ScoreMin
	l := layout{thr: int64(cfg.Threshold) - cfg.ScoreMin}
	l.lowHi, l.highHi = l.thr-1, span-l.thr
	l.k = max(1, bits.Len64(uint64(max(l.lowHi, l.highHi))))
	full := int64(1)<<l.k - 1
	l.upper = l.lowHi != full || l.highHi != full
	return l
}

func (l layout) widths() []int {
	if l.upper {
		return []int{l.k, 1, l.k}
	}
	return []int{l.k, 1}
}

func (l layout) bits() int {
	b := 0
	for _, w := range l.widths() {
		b += w
	}
	return b
}

// lowest returns the shifted score of the (k+1)-bit number c·2^k + z.
func (l layout) lowest(v int64) int64 { return v&(int64(1)<<l.k-1) + (v>>l.k)*l.thr }

// highest returns the highest shifted score of the interval that the top
// b + 1 bits of c·2^k + z allow, given its lowest, low.
func (l layout) highest(low int64, b int) int64 {
	base, hi := int64(0), l.lowHi
	if low >= l.thr {
		base, hi = l.thr, l.highHi
	}
	return base + min(low-base+int64(1)<<(l.k-b)-1, hi)
}

// values encodes shifted score s: z, c and, when needed, z'.
func (l layout) values(s int64) []int64 {
	var c int64
	if s >= l.thr {
		c = 1
	}
	z := s - c*l.thr
	v := []int64{z, c}
	if l.upper {
		v = append(v, z+int64(1)<<l.k-1-l.lowHi-c*(l.highHi-l.lowHi))
	}
	return v
}

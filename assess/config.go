package assess

import (
	"io"
	"math"
	"math/big"
	"math/bits"
	"time"

	"github.com/cohortmpc/cohort/internal/canon"
	"github.com/cohortmpc/cohort/internal/dp"
	"github.com/cohortmpc/cohort/ops"
)

// Defaults of the public parameters.
const (
	DefaultThreshold  = 500
	DefaultMinParties = 5
	DefaultSessionID  = "cohort-assess-v1"
	DefaultTimeout    = 10 * time.Minute
)

// Limits of the percentiles (see [Config.Percentiles]).
const (
	// MinPercentileParties is the smallest group that may ask for
	// percentiles: each one reveals an organisation's exact score, and in a
	// small group a few of them, the maximum and the sum pin down almost
	// every score.
	MinPercentileParties = 10
	// MaxPercentiles is the largest number of quantiles a run may ask for.
	MaxPercentiles = 9
)

// percentileScale is the resolution of the quantiles: 1/10000.
const percentileScale = 10000

// DefaultAlertLevel is the alert level used when Config.AlertLevel is zero:
// max(2, ⌊0.3n + 0.5⌋), which is 2, 2, 3, 8 and 15 for n = 3, 5, 10, 25 and 50.
func DefaultAlertLevel(n int) int {
	return max(2, (3*n+5)/10)
}

// Resolved is a [Config] for a given number of organisations with every
// default applied and everything validated that does not depend on private
// inputs, together with what follows from it: the range of possible scores
// and the hash the parties compare. Every step of a run reads it; nothing
// applies a default twice.
type Resolved struct {
	Config
	// N is the number of organisations.
	N int
	// ScoreMin and ScoreMax are the lowest and highest possible scores.
	ScoreMin, ScoreMax int64
	// noise is the source of this party's noise shares (nil: crypto/rand).
	noise io.Reader
	// ScoreBits is the bit width of the scores the bitwise maximum
	// searches, score − ScoreMin: 14 for the default parameters (scores up
	// to 9900).
	ScoreBits int
	// MaxWidth is the bit width w of the maximum's distance from the lower
	// end of its side of the threshold, which [Config.MaxBits] coarsens:
	// 14 for the default parameters.
	MaxWidth int
	// Ranks holds, for each of Config.Percentiles, the rank q of its score
	// from the top (the q-th largest score).
	Ranks []int
	hash  [32]byte
}

// withDefaults fills in every zero value with its default, without
// validating anything. It is idempotent.
func (c Config) withDefaults(n int) Config {
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.AlertLevel == 0 {
		c.AlertLevel = DefaultAlertLevel(n)
	}
	if c.Weights == (Weights{}) {
		c.Weights = defaultWeights
	}
	c.Bounds = c.Bounds.withDefaults()
	if c.MinParties == 0 {
		c.MinParties = DefaultMinParties
	}
	if c.SessionID == "" {
		c.SessionID = DefaultSessionID
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.StepBits == 0 {
		c.StepBits = 1
	}
	return c
}

func (b Bounds) withDefaults() Bounds {
	r := b.Ranges()
	for i, f := range InputFields {
		if r[i] == (Range{}) {
			r[i] = f.Default
		}
	}
	return BoundsOf(r)
}

// Resolve returns the configuration for n organisations with every default
// filled in (threshold, alert level, weights, bounds, minimum group, field,
// session id, timeout), after validating everything that does not depend on
// private inputs. Run calls it first; a deployment tool can call it to check
// a configuration before any party connects.
func (c Config) Resolve(n int) (Resolved, error) {
	if n < 3 {
		return Resolved{}, tooFewErrorf("%d parties: at least 3 are needed (an honest majority with Shamir threshold t = ⌊(n−1)/2⌋ ≥ 1)", n)
	}
	if c.MinParties != 0 && c.MinParties < 3 {
		return Resolved{}, configErrorf("MinParties %d is below 3: with fewer than 3 parties there is no honest majority, and at 3 the outputs already reveal every score", c.MinParties)
	}
	for i, w := range c.Weights.Values() {
		if w < 0 {
			return Resolved{}, configErrorf("weight of %s is %d: weights must not be negative", InputFields[i].Name, w)
		}
	}
	r := Resolved{Config: c.withDefaults(n), N: n}
	if n < r.MinParties {
		return Resolved{}, tooFewErrorf("%d parties: groups smaller than %d (MinParties) are refused because the outputs themselves reveal too much: "+
			"the sum tells every party the sum of the others' scores and the maximum is one organisation's exact score, so at 3 parties each learns all scores", n, r.MinParties)
	}
	for i, b := range r.Bounds.Ranges() {
		name := InputFields[i].Name
		if b.Min < 0 {
			return Resolved{}, configErrorf("bounds of %s: min %d is negative", name, b.Min)
		}
		if b.Min > b.Max {
			return Resolved{}, configErrorf("bounds of %s: min %d is greater than max %d", name, b.Min, b.Max)
		}
	}
	lo, hi := scoreRangeBig(r.Bounds, r.Weights)
	// The sum of n scores must fit an int64. The computation shares scores
	// shifted by the lowest possible score, so what it adds up is at most
	// n·(hi − lo), far below the field's p/2 once the comparisons fit.
	if limit := new(big.Int).Div(big.NewInt(math.MaxInt64), big.NewInt(int64(n))); hi.Cmp(limit) > 0 {
		return Resolved{}, configErrorf("scores up to %s for %d organisations overflow a 64-bit sum: lower the bounds or weights", hi, n)
	}
	r.ScoreMin, r.ScoreMax = lo.Int64(), hi.Int64()
	if int64(r.Threshold) <= r.ScoreMin || int64(r.Threshold) > r.ScoreMax {
		if c.Threshold == 0 {
			return Resolved{}, configErrorf("the default threshold %d is outside %d..%d, the thresholds that can separate the possible scores %d..%d of these bounds and weights: set Config.Threshold",
				DefaultThreshold, r.ScoreMin+1, r.ScoreMax, r.ScoreMin, r.ScoreMax)
		}
		return Resolved{}, configErrorf("threshold %d is outside %d..%d, the thresholds that can separate the possible scores %d..%d", r.Threshold, r.ScoreMin+1, r.ScoreMax, r.ScoreMin, r.ScoreMax)
	}
	if r.AlertLevel < 1 || r.AlertLevel > n {
		return Resolved{}, configErrorf("alert level %d is outside 1..%d (the number of organisations)", r.AlertLevel, n)
	}
	k := r.compareBits()
	switch r.Field {
	case FieldAuto:
		r.Field = FieldM127
		if ops.CompareFits(61, k) {
			r.Field = FieldM61
		}
		if !ops.CompareFits(127, k) {
			return Resolved{}, configErrorf("comparing %d-bit score differences needs %d + %d + 2 bits, more than m127's 127: lower the bounds or weights", k, k, ops.Kappa)
		}
	case FieldM61:
		if !ops.CompareFits(61, k) {
			return Resolved{}, configErrorf("field m61 is too small: comparing %d-bit score differences needs %d + %d + 2 ≤ 61 bits; use m127 or the automatic choice", k, k, ops.Kappa)
		}
	case FieldM127:
		if !ops.CompareFits(127, k) {
			return Resolved{}, configErrorf("comparing %d-bit score differences needs %d + %d + 2 bits, more than m127's 127: lower the bounds or weights", k, k, ops.Kappa)
		}
	default:
		return Resolved{}, configErrorf("unknown field %q (want %q, %q or empty for automatic)", string(r.Field), FieldM61, FieldM127)
	}
	if r.Timeout < 0 {
		return Resolved{}, configErrorf("timeout %v is negative", r.Timeout)
	}
	if r.Security != SemiHonest && r.Security != Malicious {
		return Resolved{}, configErrorf("unknown security %v (want semi-honest or malicious)", r.Security)
	}
	r.ScoreBits = max(1, bits.Len64(uint64(r.ScoreMax-r.ScoreMin)))
	r.MaxWidth = r.layout().k
	if err := r.resolveOptions(); err != nil {
		return Resolved{}, err
	}
	r.hash = r.computeHash()
	return r, nil
}

// resolveOptions validates the choice of protocol and the output-privacy
// options, and works out the percentiles' ranks.
func (r *Resolved) resolveOptions() error {
	tournament := r.tournament()
	switch {
	case r.MaxBits < 0:
		return configErrorf("MaxBits %d is negative", r.MaxBits)
	case r.MaxBits > 0 && tournament:
		return configErrorf("a coarsened maximum (MaxBits %d) needs the bitwise maximum, not the tournament", r.MaxBits)
	case r.MaxBits > 0 && r.MaxBits >= r.MaxWidth:
		return configErrorf("MaxBits %d does not coarsen: the maximum's distance from its side of the threshold has only %d bits (want 1..%d, or 0 for the exact maximum)",
			r.MaxBits, r.MaxWidth, r.MaxWidth-1)
	case r.StepBits < 1 || r.StepBits > ops.MaxStepBits:
		return configErrorf("StepBits %d: want 1 to %d bits of the maximum per step", r.StepBits, ops.MaxStepBits)
	case r.StepBits > 1 && (tournament || r.Security == Malicious):
		return configErrorf("StepBits %d applies to the semi-honest bitwise maximum only", r.StepBits)
	case math.IsNaN(r.Epsilon) || math.IsInf(r.Epsilon, 0) || r.Epsilon < 0:
		return configErrorf("Epsilon %v: want a positive number, or 0 for no noise", r.Epsilon)
	case r.Epsilon > 0 && r.Security == Malicious:
		return configErrorf("noise on sum and count (Epsilon %v) is not available in malicious mode: a party could bias its share of the noise", r.Epsilon)
	case r.Epsilon > 0 && !(dp.Q(r.Epsilon, 1) > 0):
		return configErrorf("Epsilon %v is too large to add any noise", r.Epsilon)
	case r.Epsilon > 0 && !(dp.Q(r.Epsilon, float64(max(1, r.ScoreMax-r.ScoreMin))) < 1):
		return configErrorf("Epsilon %v is too small: the noise would not fit", r.Epsilon)
	}
	if len(r.Percentiles) == 0 {
		return nil
	}
	switch {
	case r.Security == Malicious:
		return configErrorf("percentiles are not available in malicious mode: organisations answer for their own scores")
	case len(r.Percentiles) > MaxPercentiles:
		return configErrorf("%d percentiles: at most %d, since each reveals an organisation's exact score", len(r.Percentiles), MaxPercentiles)
	case r.N < max(r.MinParties, MinPercentileParties):
		return tooFewErrorf("%d parties: percentiles need at least %d organisations, since each one reveals an organisation's exact score", r.N, max(r.MinParties, MinPercentileParties))
	}
	r.Ranks = make([]int, len(r.Percentiles))
	for i, p := range r.Percentiles {
		scaled := math.Round(p * percentileScale)
		if !(p > 0 && p < 1) || math.Abs(p*percentileScale-scaled) > 1e-6 {
			return configErrorf("percentile %v: want a quantile strictly between 0 and 1 with at most four decimals (0.5 for the median)", p)
		}
		// The nearest-rank p-quantile is the score at rank ⌈p·n⌉ from the
		// bottom: the (n − ⌈p·n⌉ + 1)-th largest.
		up := (int(scaled)*r.N + percentileScale - 1) / percentileScale
		r.Ranks[i] = r.N - up + 1
	}
	return nil
}

// tournament reports whether the maximum is found by the tournament.
func (r Resolved) tournament() bool { return r.Tournament || r.ThresholdUnderMPC }

// CheckInput validates organisation org's input against the public bounds.
// The error is an [*InputError].
func (r Resolved) CheckInput(org int, in Input) error {
	v := in.Values()
	for i, b := range r.Bounds.Ranges() {
		if v[i] < b.Min || v[i] > b.Max {
			return &InputError{Org: org, Field: InputFields[i].Name, Value: v[i], Min: b.Min, Max: b.Max}
		}
	}
	return nil
}

// Score is the weighted risk score of in. The caller has checked in with
// CheckInput, so the result does not overflow.
func (r Resolved) Score(in Input) int64 { return score(in, r.Weights) }

func score(in Input, w Weights) int64 {
	v, wv := in.Values(), w.Values()
	var s int64
	for i := range v {
		s += int64(wv[i]) * int64(v[i])
	}
	return s
}

// scoreRangeBig is [minScore, maxScore] computed exactly from the bounds and
// weights.
func scoreRangeBig(b Bounds, w Weights) (lo, hi *big.Int) {
	lo, hi = new(big.Int), new(big.Int)
	var x big.Int
	wv := w.Values()
	for i, r := range b.Ranges() {
		wt := big.NewInt(int64(wv[i]))
		lo.Add(lo, x.Mul(wt, big.NewInt(int64(r.Min))))
		hi.Add(hi, x.Mul(wt, big.NewInt(int64(r.Max))))
	}
	return lo, hi
}

// scoreBound is the bound of the shifted scores score − ScoreMin that the
// computation shares.
func (r Resolved) scoreBound() ops.Bound { return ops.Bound{Lo: 0, Hi: r.ScoreMax - r.ScoreMin} }

// thresholdBound is the bound of the shifted score minus the shifted
// threshold, whose sign the generic path compares.
func (r Resolved) thresholdBound() ops.Bound {
	t := int64(r.Threshold) - r.ScoreMin
	return ops.Bound{Lo: -t, Hi: r.ScoreMax - r.ScoreMin - t}
}

// compareBits is the k of the secure comparisons: the smallest k such that
// every difference the computation compares (score_i − score_j and
// score_i − T) lies in [−2^(k−1), 2^(k−1)). With default bounds the largest
// score is 9900, so k = 15. Bounds beyond what the computation can ever hold
// give 127.
func (r Resolved) compareBits() int {
	lo, hi := scoreRangeBig(r.Bounds, r.Weights)
	span := new(big.Int).Sub(hi, lo)
	t := big.NewInt(int64(r.Threshold))
	pos := maxBig(span, new(big.Int).Sub(hi, t))
	neg := maxBig(span, new(big.Int).Sub(t, lo))
	// Need pos < 2^(k−1) and neg ≤ 2^(k−1).
	k := pos.BitLen()
	if neg.Sign() > 0 {
		k = max(k, new(big.Int).Sub(neg, big.NewInt(1)).BitLen())
	}
	return min(k+1, 127)
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// hashDomain separates the configuration hash from any other SHA-256 use;
// bump the version when the encoding changes.
const hashDomain = "cohort/assess/config/v3"

// Hash is a SHA-256 over a canonical encoding of every public parameter
// that all parties must agree on: n, threshold, alert level, weights,
// bounds, min parties, field, session id, ThresholdUnderMPC, Security,
// InputsProfile, Tournament and the output-privacy options (MaxBits,
// StepBits, Epsilon, Percentiles), after defaults (so a zero value and its
// explicit default hash the same).
// Timeout and Progress are local and not included. It is computed once, by
// Resolve.
func (r Resolved) Hash() [32]byte { return r.hash }

func (r Resolved) computeHash() [32]byte {
	h := canon.New(hashDomain)
	h.Int(int64(r.N))
	h.Int(int64(r.Threshold))
	h.Int(int64(r.AlertLevel))
	w := r.Weights.Values()
	for i, b := range r.Bounds.Ranges() {
		h.Int(int64(w[i]))
		h.Int(int64(b.Min))
		h.Int(int64(b.Max))
	}
	h.Int(int64(r.MinParties))
	h.String(string(r.Field))
	h.String(r.SessionID)
	h.Bool(r.ThresholdUnderMPC)
	h.Int(int64(r.Security))
	h.String(r.InputsProfile)
	h.Bool(r.Tournament)
	h.Int(int64(r.MaxBits))
	h.Int(int64(r.StepBits))
	h.Int(int64(math.Float64bits(r.Epsilon)))
	h.Int(int64(len(r.Percentiles)))
	for _, p := range r.Percentiles {
		h.Int(int64(math.Round(p * percentileScale)))
	}
	return h.Sum()
}

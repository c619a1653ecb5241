package assess

import (
	"math"
	"math/big"
	"time"

	"github.com/cohortmpc/cohort/internal/canon"
)

// Defaults of the public parameters.
const (
	DefaultThreshold  = 500
	DefaultMinParties = 5
	DefaultSessionID  = "cohort-assess-v1"
	DefaultTimeout    = 10 * time.Minute
)

// statSec is the statistical security parameter κ of the secure comparisons;
// a comparison of k-bit values needs k + κ + 2 bits of field.
const statSec = 40

// Input field names, as used in errors and in input files.
const (
	nameCVSS       = "cvss_score"
	nameCritical   = "critical_vulnerabilities"
	namePatchDelay = "patch_delay"
	nameExposure   = "asset_exposure"
)

var (
	defaultWeights = Weights{CVSS: 4, Critical: 2, PatchDelay: 2, Exposure: 2}
	defaultBounds  = Bounds{
		CVSS:       Range{0, 100},
		Critical:   Range{0, 1000},
		PatchDelay: Range{0, 3650},
		Exposure:   Range{0, 100},
	}
)

// DefaultAlertLevel is the alert level used when Config.AlertLevel is zero:
// max(2, ⌊0.3n + 0.5⌋), which is 2, 2, 3, 8 and 15 for n = 3, 5, 10, 25 and 50.
func DefaultAlertLevel(n int) int {
	return max(2, (3*n+5)/10)
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
	if c.Field == FieldAuto {
		if c.compareBits()+statSec+2 <= 61 {
			c.Field = FieldM61
		} else {
			c.Field = FieldM127
		}
	}
	return c
}

func (b Bounds) withDefaults() Bounds {
	def := func(r, d Range) Range {
		if r == (Range{}) {
			return d
		}
		return r
	}
	return Bounds{
		CVSS:       def(b.CVSS, defaultBounds.CVSS),
		Critical:   def(b.Critical, defaultBounds.Critical),
		PatchDelay: def(b.PatchDelay, defaultBounds.PatchDelay),
		Exposure:   def(b.Exposure, defaultBounds.Exposure),
	}
}

// term pairs an input's name, bound and weight.
type term struct {
	name   string
	bound  Range
	weight int
}

func terms(b Bounds, w Weights) [4]term {
	return [4]term{
		{nameCVSS, b.CVSS, w.CVSS},
		{nameCritical, b.Critical, w.Critical},
		{namePatchDelay, b.PatchDelay, w.PatchDelay},
		{nameExposure, b.Exposure, w.Exposure},
	}
}

// Resolve returns the configuration for n parties with every default filled
// in (threshold, alert level, weights, bounds, minimum group, field, session
// id, timeout), after validating everything that does not depend on private
// inputs. Run calls it first; a deployment tool can call it to check a
// configuration before any party connects.
func (c Config) Resolve(n int) (Config, error) {
	if n < 3 {
		return Config{}, tooFewErrorf("%d parties: at least 3 are needed (an honest majority with Shamir threshold t = ⌊(n−1)/2⌋ ≥ 1)", n)
	}
	if c.MinParties != 0 && c.MinParties < 3 {
		return Config{}, configErrorf("MinParties %d is below 3: with fewer than 3 parties there is no honest majority, and at 3 the outputs already reveal every score", c.MinParties)
	}
	for _, t := range terms(c.Bounds, c.Weights) {
		if t.weight < 0 {
			return Config{}, configErrorf("weight of %s is %d: weights must not be negative", t.name, t.weight)
		}
	}
	r := c.withDefaults(n)
	if n < r.MinParties {
		return Config{}, tooFewErrorf("%d parties: groups smaller than %d (MinParties) are refused because the outputs themselves reveal too much: "+
			"the sum tells every party the sum of the others' scores and the maximum is one organisation's exact score, so at 3 parties each learns all scores", n, r.MinParties)
	}
	if r.Weights == (Weights{}) {
		return Config{}, configErrorf("all weights are zero: the score would not depend on the inputs")
	}
	for _, t := range terms(r.Bounds, r.Weights) {
		if t.bound.Min < 0 {
			return Config{}, configErrorf("bounds of %s: min %d is negative", t.name, t.bound.Min)
		}
		if t.bound.Min > t.bound.Max {
			return Config{}, configErrorf("bounds of %s: min %d is greater than max %d", t.name, t.bound.Min, t.bound.Max)
		}
	}
	lo, hi := r.scoreRangeBig()
	// The sum of n scores must fit an int64. The computation shares scores
	// shifted by the lowest possible score, so what it adds up is at most
	// n·(hi − lo), far below the field's p/2 once the comparisons fit.
	if limit := new(big.Int).Div(big.NewInt(math.MaxInt64), big.NewInt(int64(n))); hi.Cmp(limit) > 0 {
		return Config{}, configErrorf("scores up to %s for %d organisations overflow a 64-bit sum: lower the bounds or weights", hi, n)
	}
	loI, hiI := lo.Int64(), hi.Int64()
	if int64(r.Threshold) <= loI || int64(r.Threshold) > hiI {
		if c.Threshold == 0 {
			return Config{}, configErrorf("the default threshold %d is outside %d..%d, the thresholds that can separate the possible scores %d..%d of these bounds and weights: set Config.Threshold",
				DefaultThreshold, loI+1, hiI, loI, hiI)
		}
		return Config{}, configErrorf("threshold %d is outside %d..%d, the thresholds that can separate the possible scores %d..%d", r.Threshold, loI+1, hiI, loI, hiI)
	}
	if r.AlertLevel < 1 || r.AlertLevel > n {
		return Config{}, configErrorf("alert level %d is outside 1..%d (the number of organisations)", r.AlertLevel, n)
	}
	k := r.compareBits()
	switch r.Field {
	case FieldM61:
		if k+statSec+2 > 61 {
			return Config{}, configErrorf("field m61 is too small: comparing %d-bit score differences needs %d + %d + 2 ≤ 61 bits; use m127 or the automatic choice", k, k, statSec)
		}
	case FieldM127:
		if k+statSec+2 > 127 {
			return Config{}, configErrorf("comparing %d-bit score differences needs %d + %d + 2 bits, more than m127's 127: lower the bounds or weights", k, k, statSec)
		}
	default:
		return Config{}, configErrorf("unknown field %q (want %q, %q or empty for automatic)", string(r.Field), FieldM61, FieldM127)
	}
	if r.Timeout < 0 {
		return Config{}, configErrorf("timeout %v is negative", r.Timeout)
	}
	return r, nil
}

// CheckInput validates organisation org's input against the public bounds
// (the defaults where c leaves them zero). The error is an [*InputError].
func (c Config) CheckInput(org int, in Input) error {
	b := c.Bounds.withDefaults()
	values := [4]int{in.CVSS, in.Critical, in.PatchDelay, in.Exposure}
	for i, t := range terms(b, Weights{}) {
		if v := values[i]; v < t.bound.Min || v > t.bound.Max {
			return &InputError{Org: org, Field: t.name, Value: v, Min: t.bound.Min, Max: t.bound.Max}
		}
	}
	return nil
}

// score is the weighted risk score. Zero weights mean the defaults. The
// caller has checked the input against bounds for which resolve succeeded,
// so the result does not overflow.
func score(in Input, w Weights) int64 {
	if w == (Weights{}) {
		w = defaultWeights
	}
	return int64(w.CVSS)*int64(in.CVSS) +
		int64(w.Critical)*int64(in.Critical) +
		int64(w.PatchDelay)*int64(in.PatchDelay) +
		int64(w.Exposure)*int64(in.Exposure)
}

// scoreRangeBig is [minScore, maxScore] computed exactly from the bounds and
// weights (after defaults).
func (c Config) scoreRangeBig() (lo, hi *big.Int) {
	w := c.Weights
	if w == (Weights{}) {
		w = defaultWeights
	}
	lo, hi = new(big.Int), new(big.Int)
	var x big.Int
	for _, t := range terms(c.Bounds.withDefaults(), w) {
		wt := big.NewInt(int64(t.weight))
		lo.Add(lo, x.Mul(wt, big.NewInt(int64(t.bound.Min))))
		hi.Add(hi, x.Mul(wt, big.NewInt(int64(t.bound.Max))))
	}
	return lo, hi
}

// scoreRange is [minScore, maxScore] given bounds and weights. Values beyond
// int64 (which Resolve refuses) are clamped.
func (c Config) scoreRange() (lo, hi int64) {
	l, h := c.scoreRangeBig()
	return clamp64(l), clamp64(h)
}

func clamp64(x *big.Int) int64 {
	switch {
	case x.IsInt64():
		return x.Int64()
	case x.Sign() > 0:
		return math.MaxInt64
	default:
		return math.MinInt64
	}
}

// compareBits is the k of the secure comparisons: the smallest k such that
// every difference the computation compares (score_i − score_j and
// score_i − T) lies in [−2^(k−1), 2^(k−1)). With default bounds the largest
// score is 9900, so k = 15.
func (c Config) compareBits() int {
	lo, hi := c.scoreRangeBig()
	t := big.NewInt(int64(c.Threshold))
	if c.Threshold == 0 {
		t.SetInt64(DefaultThreshold)
	}
	span := new(big.Int).Sub(hi, lo)
	// Largest positive difference and largest magnitude of a negative one.
	pos := maxBig(span, new(big.Int).Sub(hi, t))
	neg := maxBig(span, new(big.Int).Sub(t, lo))
	// Need pos < 2^(k−1) and neg ≤ 2^(k−1).
	k := pos.BitLen()
	if neg.Sign() > 0 {
		k = max(k, new(big.Int).Sub(neg, big.NewInt(1)).BitLen())
	}
	return k + 1
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// hashDomain separates the configuration hash from any other SHA-256 use;
// bump the version when the encoding changes.
const hashDomain = "cohort/assess/config/v1"

// Hash is a SHA-256 over a canonical encoding of every public parameter that
// all parties must agree on: n, threshold, alert level, weights, bounds, min
// parties, field, session id and ThresholdUnderMPC. Defaults are applied
// first, so a zero value and its explicit default hash the same. Timeout and
// Progress are local and not included.
func (c Config) Hash(n int) [32]byte {
	r := c.withDefaults(n)
	h := canon.New(hashDomain)
	h.Int(int64(n))
	h.Int(int64(r.Threshold))
	h.Int(int64(r.AlertLevel))
	for _, t := range terms(r.Bounds, r.Weights) {
		h.Int(int64(t.weight))
		h.Int(int64(t.bound.Min))
		h.Int(int64(t.bound.Max))
	}
	h.Int(int64(r.MinParties))
	h.String(string(r.Field))
	h.String(r.SessionID)
	h.Bool(r.ThresholdUnderMPC)
	return h.Sum()
}

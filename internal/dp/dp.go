// Package dp draws the noise of Cohort's differentially private outputs
// (DESIGN-v2 §5): every party adds a share of noise to an output as an
// extra secret input, so that no party knows the total noise, and any h
// honest parties' shares already add up to the whole of it.
//
// The noise is discrete Laplace (the two-sided geometric mechanism of
// Ghosh, Roughgarden and Sundararajan, 2009): P(Z = z) ∝ q^|z| with
// q = e^(−ε/Δ) for sensitivity Δ, which makes a count or a sum with
// sensitivity Δ ε-differentially private. A party's share is the
// difference of two Pólya (negative binomial) variables with r = 1/h:
// h independent NegBin(1/h, q) add up to a NegBin(1, q), a geometric
// variable, and the difference of two of those is discrete Laplace
// (the distributed form of Goryczka and Xiong, IEEE TDSC 2017).
//
// Sampling uses float64 arithmetic (a Gamma–Poisson mixture for the Pólya
// variables) on the bits of an io.Reader: crypto/rand in deployments.
package dp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// Q is the parameter q = e^(−ε/Δ) of the discrete Laplace noise that makes
// an output of sensitivity Δ ε-differentially private.
func Q(epsilon, sensitivity float64) float64 { return math.Exp(-epsilon / sensitivity) }

// Variance is the variance 2q/(1−q)² of discrete Laplace noise with
// parameter q, and so of the sum of h parties' shares.
func Variance(q float64) float64 { return 2 * q / ((1 - q) * (1 - q)) }

// ShareVariance is the variance of one party's share when h shares make
// the noise: 1/h of [Variance].
func ShareVariance(q float64, h int) float64 { return Variance(q) / float64(h) }

// MaxShare bounds the magnitude of a share: a draw beyond it (probability
// far below 2^−100 for any q the assessment uses) is clamped, so that sums
// of shares stay far inside the field.
const MaxShare = 1 << 40

// Share draws one party's share of discrete Laplace noise with parameter
// q (0 < q < 1) among h ≥ 1 parties whose shares are trusted to be honest:
// Z = G₁ − G₂ with G₁, G₂ independent NegBin(1/h, q).
func Share(rnd io.Reader, q float64, h int) (int64, error) {
	if !(q > 0 && q < 1) {
		return 0, fmt.Errorf("dp: q = %v: want 0 < q < 1", q)
	}
	if h < 1 {
		return 0, fmt.Errorf("dp: %d honest parties: want at least 1", h)
	}
	src := &source{r: rnd}
	rng := rand.New(src)
	r := 1 / float64(h)
	g1 := polya(rng, r, q)
	g2 := polya(rng, r, q)
	if src.err != nil {
		return 0, fmt.Errorf("dp: reading randomness: %w", src.err)
	}
	return max(-MaxShare, min(MaxShare, g1-g2)), nil
}

// NegBin draws a negative binomial (Pólya) variable with real r > 0 and
// success parameter q: P(k) = Γ(k+r)/(k!·Γ(r))·q^k·(1−q)^r, mean rq/(1−q).
func NegBin(rnd io.Reader, r, q float64) (int64, error) {
	if !(q > 0 && q < 1) || !(r > 0) {
		return 0, errors.New("dp: NegBin needs r > 0 and 0 < q < 1")
	}
	src := &source{r: rnd}
	v := polya(rand.New(src), r, q)
	if src.err != nil {
		return 0, fmt.Errorf("dp: reading randomness: %w", src.err)
	}
	return v, nil
}

// polya draws NegBin(r, q) as a Poisson variable whose mean is a Gamma
// variable with shape r and scale q/(1−q).
func polya(rng *rand.Rand, r, q float64) int64 {
	logLambda := logGamma(rng, r) + math.Log(q) - math.Log1p(-q)
	if logLambda < -745 { // exp underflows: the Poisson variable is 0
		return 0
	}
	return poisson(rng, math.Exp(logLambda))
}

// uniform returns a uniform float64 in (0, 1].
func uniform(rng *rand.Rand) float64 { return 1 - rng.Float64() }

// logGamma returns the logarithm of a Gamma(a, 1) variable (Marsaglia and
// Tsang, 2000; for a < 1, Gamma(a+1)·U^(1/a)), kept as a logarithm because
// for small a the variable itself underflows.
func logGamma(rng *rand.Rand, a float64) float64 {
	if a < 1 {
		return logGamma(rng, a+1) + math.Log(uniform(rng))/a
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if math.Log(uniform(rng)) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return math.Log(d) + math.Log(v)
		}
	}
}

// poisson draws a Poisson variable with mean lambda: by multiplying
// uniforms below 10, by Hörmann's transformed rejection with squeeze
// (PTRS, 1993) above.
func poisson(rng *rand.Rand, lambda float64) int64 {
	if lambda <= 0 {
		return 0
	}
	if lambda < 10 {
		limit := math.Exp(-lambda)
		var k int64
		for p := uniform(rng); p > limit; p *= uniform(rng) {
			k++
		}
		return k
	}
	if lambda > 1<<52 {
		return int64(lambda) // beyond float64 integers; unreachable for the assessment's q
	}
	slam, loglam := math.Sqrt(lambda), math.Log(lambda)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lambda + 0.43)
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invAlpha)-math.Log(a/(us*us)+b) <= -lambda+k*loglam-lg {
			return int64(k)
		}
	}
}

// source turns an io.Reader into a rand.Source. It remembers the first
// read error and then continues with a fixed generator, so that the
// rejection loops still end; the caller discards what they return.
type source struct {
	r        io.Reader
	err      error
	buf      [8]byte
	fallback *rand.PCG
}

func (s *source) Uint64() uint64 {
	if s.err == nil {
		_, s.err = io.ReadFull(s.r, s.buf[:])
		if s.err == nil {
			return binary.LittleEndian.Uint64(s.buf[:])
		}
		s.fallback = rand.NewPCG(1, 2)
	}
	return s.fallback.Uint64()
}

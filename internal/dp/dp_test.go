package dp

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// seeded is a deterministic reader for tests.
func seeded(seed byte) *rand.ChaCha8 {
	var key [32]byte
	key[0] = seed
	return rand.NewChaCha8(key)
}

// moments returns the mean and variance of xs, and the counts of positive
// and negative values.
func moments(xs []int64) (mean, variance float64, pos, neg int) {
	for _, x := range xs {
		mean += float64(x)
		switch {
		case x > 0:
			pos++
		case x < 0:
			neg++
		}
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		d := float64(x) - mean
		variance += d * d
	}
	return mean, variance / float64(len(xs)-1), pos, neg
}

// Tolerances over 10 000 draws: the mean within 5 standard errors, the
// variance within 5 standard errors of a sample variance, whose relative
// size is about √((κ + 2)/N) for excess kurtosis κ (3 for discrete
// Laplace noise; about 3h for a share of it among h parties, whose Pólya
// parts have r = 1/h), positive and negative values within 5 standard
// deviations of a fair split.
const draws = 10000

func checkSymmetric(t *testing.T, xs []int64, variance, kurtosis float64) {
	t.Helper()
	mean, v, pos, neg := moments(xs)
	n := float64(len(xs))
	require.InDelta(t, 0, mean, 5*math.Sqrt(variance/n), "mean")
	require.InEpsilon(t, variance, v, 5*math.Sqrt((kurtosis+2)/n), "variance")
	require.InDelta(t, 0, float64(pos-neg), 5*math.Sqrt(float64(pos+neg)), "positive %d, negative %d", pos, neg)
}

func TestSharesAddUpToDiscreteLaplace(t *testing.T) {
	// h honest shares add up to discrete Laplace noise: mean 0, variance
	// 2q/(1−q)², symmetric, P(0) = (1−q)/(1+q). Small scales (the count,
	// Δ = 1) use the product method for the Poisson variables, large ones
	// (the sum, Δ = 9900) the rejection method.
	for _, c := range []struct {
		name     string
		eps, sen float64
		h        int
	}{
		{"count ε=1 h=3", 1, 1, 3},
		{"count ε=0.5 h=13", 0.5, 1, 13},
		{"sum ε=1 h=26", 1, 9900, 26},
		{"sum ε=0.1 h=2", 0.1, 9900, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := Q(c.eps, c.sen)
			rnd := seeded(byte(c.h))
			sums := make([]int64, draws)
			var share []int64
			zeros := 0
			for i := range sums {
				for range c.h {
					z, err := Share(rnd, q, c.h)
					require.NoError(t, err)
					sums[i] += z
					if len(share) < draws {
						share = append(share, z)
					}
				}
				if sums[i] == 0 {
					zeros++
				}
			}
			checkSymmetric(t, sums, Variance(q), 3)
			checkSymmetric(t, share, ShareVariance(q, c.h), 3.5*float64(c.h))
			p0 := (1 - q) / (1 + q)
			require.InDelta(t, p0, float64(zeros)/draws, 5*math.Sqrt(p0*(1-p0)/draws)+1e-9, "P(0)")
		})
	}
}

func TestNegBinMoments(t *testing.T) {
	// NegBin(r, q): mean rq/(1−q), variance rq/(1−q)².
	for _, c := range []struct{ r, q float64 }{{1.0 / 3, 0.5}, {1, 0.9}, {0.02, 0.9999}, {2.5, 0.3}} {
		rnd := seeded(7)
		xs := make([]int64, draws)
		for i := range xs {
			v, err := NegBin(rnd, c.r, c.q)
			require.NoError(t, err)
			require.GreaterOrEqual(t, v, int64(0))
			xs[i] = v
		}
		mean, v, _, _ := moments(xs)
		wantMean := c.r * c.q / (1 - c.q)
		wantVar := wantMean / (1 - c.q)
		require.InDelta(t, wantMean, mean, 5*math.Sqrt(wantVar/draws), "r=%v q=%v mean", c.r, c.q)
		require.InEpsilon(t, wantVar, v, 0.15, "r=%v q=%v variance", c.r, c.q)
	}
}

func TestPoissonBothMethods(t *testing.T) {
	rng := rand.New(&source{r: seeded(3)})
	for _, lambda := range []float64{0.3, 4, 9.9, 10, 55, 3e6} {
		xs := make([]int64, draws)
		for i := range xs {
			xs[i] = poisson(rng, lambda)
		}
		mean, v, _, _ := moments(xs)
		require.InDelta(t, lambda, mean, 5*math.Sqrt(lambda/draws), "λ=%v mean", lambda)
		require.InEpsilon(t, lambda, v, 0.1, "λ=%v variance", lambda)
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestErrors(t *testing.T) {
	_, err := Share(failing{}, 0.5, 3)
	require.ErrorContains(t, err, "no entropy")
	for _, q := range []float64{0, 1, -1, math.NaN()} {
		_, err := Share(seeded(1), q, 3)
		require.Error(t, err, "q=%v", q)
	}
	_, err = Share(seeded(1), 0.5, 0)
	require.Error(t, err)
	_, err = NegBin(seeded(1), 0, 0.5)
	require.Error(t, err)
}

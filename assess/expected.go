package assess

import (
	"slices"

	cnet "github.com/cohortmpc/cohort/net"
)

// Expected computes the outputs in plaintext from all inputs at once. It is
// the oracle the secure computation is tested against, and lets a
// simulation check its result. It validates like [Run]: the configuration
// for len(inputs) organisations, and every input against the bounds
// (inputs[i] is organisation i+1). It computes what an all-party run
// reveals: the coarsened maximum's interval with MaxBits, the percentiles,
// but sum and count without noise (a noisy run differs from them by its
// noise). The returned Cost is zero.
func Expected(inputs []Input, cfg Config) (Result, error) {
	n := len(inputs)
	c, err := cfg.Resolve(n)
	if err != nil {
		return Result{}, err
	}
	scores := make([]int64, n)
	var sum, count int64
	for i, in := range inputs {
		if err := c.CheckInput(i+1, in); err != nil {
			return Result{}, err
		}
		scores[i] = c.Score(in)
		sum += scores[i]
		if scores[i] >= int64(c.Threshold) {
			count++
		}
	}
	mx := slices.Max(scores)
	if c.MaxBits > 0 {
		// The lowest score that the top MaxBits + 1 bits of c·2^w + z allow.
		l := c.layout()
		v := l.values(mx - c.ScoreMin)
		drop := l.k - c.MaxBits
		mx = c.ScoreMin + l.lowest((v[1]<<l.k|v[0])>>drop<<drop)
	}
	res := c.result(n, (n-1)/2, sum, count, mx, cnet.Stats{})
	res.Cost = Cost{}
	if c.StepBits > 1 {
		res.StepBits = c.StepBits
	}
	sorted := slices.Sorted(slices.Values(scores))
	for i, q := range c.Ranks {
		res.Percentiles = append(res.Percentiles, Percentile{Quantile: c.Percentiles[i], Rank: q, Score: sorted[n-q]})
	}
	return res, nil
}

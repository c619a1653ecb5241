package assess

// Expected computes the four metrics in plaintext from all inputs at once.
// It is the oracle the secure computation is tested against, and lets a
// simulation check its result. It validates like [Run]: the configuration for
// len(inputs) organisations, and every input against the bounds (inputs[i]
// is organisation i+1). The returned Cost is zero.
func Expected(inputs []Input, cfg Config) (Result, error) {
	n := len(inputs)
	c, err := cfg.Resolve(n)
	if err != nil {
		return Result{}, err
	}
	for i, in := range inputs {
		if err := c.CheckInput(i+1, in); err != nil {
			return Result{}, err
		}
	}
	res := Result{
		Organisations:  n,
		ComputeParties: n,
		Corruptible:    (n - 1) / 2,
		Threshold:      c.Threshold,
		AlertLevel:     c.AlertLevel,
		Field:          c.Field,
	}
	for i, in := range inputs {
		s := c.Score(in)
		res.Sum += s
		if s >= int64(c.Threshold) {
			res.AtOrAbove++
		}
		if i == 0 || s > res.Max {
			res.Max = s
		}
	}
	res.Average = float64(res.Sum) / float64(n)
	res.Alert = res.AtOrAbove >= c.AlertLevel
	return res, nil
}

package inputs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/inputs"
)

func within(in assess.Input, cvss, critical, patch, exposure assess.Range) bool {
	in2 := func(v int, r assess.Range) bool { return r.Min <= v && v <= r.Max }
	return in2(in.CVSS, cvss) && in2(in.Critical, critical) && in2(in.PatchDelay, patch) && in2(in.Exposure, exposure)
}

func isLow(in assess.Input) bool {
	return within(in, assess.Range{Max: 40}, assess.Range{Max: 3}, assess.Range{Max: 14}, assess.Range{Max: 40})
}

func isHigh(in assess.Input) bool {
	return within(in, assess.Range{Min: 70, Max: 100}, assess.Range{Min: 5, Max: 20}, assess.Range{Min: 30, Max: 120}, assess.Range{Min: 60, Max: 100})
}

func TestGenerate(t *testing.T) {
	const n = 400
	low, err := inputs.Generate(n, "low", 1)
	require.NoError(t, err)
	high, err := inputs.Generate(n, "high", 1)
	require.NoError(t, err)
	mixed, err := inputs.Generate(n, "mixed", 1)
	require.NoError(t, err)
	require.Len(t, low, n)
	require.Len(t, high, n)
	require.Len(t, mixed, n)

	nLow := 0
	for i := range n {
		assert.True(t, isLow(low[i]), "low %+v", low[i])
		assert.True(t, isHigh(high[i]), "high %+v", high[i])
		assert.True(t, isLow(mixed[i]) || isHigh(mixed[i]), "mixed %+v", mixed[i])
		if isLow(mixed[i]) {
			nLow++
		}
	}
	assert.InDelta(t, n/2, nLow, 60, "low organisations in the mixed scenario")

	// The ranges' ends are reached.
	maxCVSS, minCVSS := 0, 100
	for _, in := range high {
		maxCVSS, minCVSS = max(maxCVSS, in.CVSS), min(minCVSS, in.CVSS)
	}
	assert.Equal(t, 100, maxCVSS)
	assert.Equal(t, 70, minCVSS)

	// All generated data is valid under the default configuration.
	_, err = assess.Expected(mixed, assess.Config{})
	require.NoError(t, err)
}

func TestGenerateDeterministic(t *testing.T) {
	a, err := inputs.Generate(50, "mixed", 42)
	require.NoError(t, err)
	b, err := inputs.Generate(50, "mixed", 42)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := inputs.Generate(50, "mixed", 43)
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	// A longer data set starts with the shorter one.
	d, err := inputs.Generate(60, "mixed", 42)
	require.NoError(t, err)
	assert.Equal(t, a, d[:50])
}

func TestGenerateErrors(t *testing.T) {
	_, err := inputs.Generate(5, "medium", 1)
	assert.EqualError(t, err, `inputs: unknown scenario "medium" (valid: low, mixed, high)`)
	_, err = inputs.Generate(0, "low", 1)
	assert.Error(t, err)
	assert.Equal(t, []string{"low", "mixed", "high"}, inputs.Scenarios())
}

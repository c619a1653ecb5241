package scaling_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
)

func TestModelMatchesDesignTable(t *testing.T) {
	// DESIGN §8: elements per multiplication and per LTZ (k = 14), and the
	// whole generic job in bytes.
	for _, c := range []struct {
		n        int
		mul, ltz float64
		total    float64
		rounds   int
	}{
		{3, 3, 104, 4.3e3, 29},
		{10, 21, 695, 108e3, 53},
		{50, 121, 4448, 3.6e6, 77},
		{100, 246, 10272, 16.6e6, 89},
		{1000, 2496, 201666, 3.25e9, 125},
	} {
		t.Run(fmt.Sprintf("n=%d", c.n), func(t *testing.T) {
			m := scaling.NewModel(c.n)
			require.InDelta(t, c.mul, m.Mul(), 1)
			require.InEpsilon(t, c.ltz, m.LTZ(14), 0.002)
			require.InEpsilon(t, c.total, m.Assessment(14, true)*scaling.ElementSize, 0.02)
			require.LessOrEqual(t, m.Rounds(14), c.rounds)
		})
	}
}

func TestSummedMaskLimit(t *testing.T) {
	// DESIGN §7: summed masks are valid up to n = 253 for k = 14; for k = 15
	// the limit halves.
	require.True(t, scaling.NewModel(253).SummedMask(14))
	require.False(t, scaling.NewModel(255).SummedMask(14))
	require.True(t, scaling.NewModel(125).SummedMask(15))
	require.False(t, scaling.NewModel(250).SummedMask(15))
}

func TestFitPower(t *testing.T) {
	ns := []int{3, 10, 50, 100}
	ys := make([]float64, len(ns))
	for i, n := range ns {
		ys[i] = 7 * math.Pow(float64(n), 2.5)
	}
	f, err := scaling.FitPower(ns, ys)
	require.NoError(t, err)
	require.InDelta(t, 2.5, f.B, 1e-9)
	require.InDelta(t, 7, f.A, 1e-9)
	require.InDelta(t, 1, f.R2, 1e-9)
	require.Equal(t, 3, f.From)
	require.Equal(t, 100, f.To)

	_, err = scaling.FitPower([]int{5}, []float64{1})
	require.Error(t, err)
}

func TestBitwiseModelMatchesDesignV2(t *testing.T) {
	// DESIGN-v2 §2's table (k = 14, M61): total traffic 9 KB, 0.18 MB,
	// 0.68 MB, 4.1 MB and 64 MB at n = 10, 50, 100, 250, 1000, and 45
	// rounds (3k + 3; the first dealing carries score and threshold bit, and
	// sum and count are opened with the first zero test here: 3k + 2).
	for _, c := range []struct {
		n     int
		total float64
	}{{10, 9e3}, {50, 0.18e6}, {100, 0.68e6}, {250, 4.1e6}, {1000, 64e6}} {
		m := scaling.NewModel(c.n)
		require.InEpsilon(t, c.total, m.Bitwise(14)*scaling.ElementSize, 0.1, "n=%d", c.n)
		require.Equal(t, 44, m.BitwiseRounds(14))
	}
	require.InDelta(t, 45*0.025+1e6/12.5e6, scaling.LinkSeconds(45, 1e6, 0.025, 12.5e6), 1e-12)
}

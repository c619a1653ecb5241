package share

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
)

func TestIntWeightsMatchBaryWeights(t *testing.T) {
	// The closed form for ranges with a few gaps equals the general
	// computation, in both fields; sets with more gaps are left to it.
	rapid.Check(t, func(rt *rapid.T) {
		lo := rapid.IntRange(0, 50).Draw(rt, "lo")
		span := rapid.IntRange(1, 120).Draw(rt, "span")
		pts := make([]int, span)
		for i := range pts {
			pts[i] = lo + i
		}
		gaps := rapid.IntRange(0, min(6, span-1)).Draw(rt, "gaps")
		for range gaps {
			i := rapid.IntRange(0, len(pts)-1).Draw(rt, "gap")
			pts = slices.Delete(pts, i, i+1)
		}
		pts = rapid.Permutation(pts).Draw(rt, "order")
		f61 := field.F61{}
		w, ok := intWeights(f61, pts)
		require.Equal(t, slices.Max(pts)-slices.Min(pts)+1-len(pts) <= 4, ok)
		if ok {
			require.Equal(t, baryWeights(f61, points(f61, pts)), w)
			f127 := field.F127{}
			w127, ok := intWeights(f127, pts)
			require.True(t, ok)
			require.Equal(t, baryWeights(f127, points(f127, pts)), w127)
		}
	})
}

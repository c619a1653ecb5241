package stattest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/field"
)

func TestChiSquare(t *testing.T) {
	require.Zero(t, ChiSquare([]int{5, 5, 5, 5}))
	// Expectation 5: 15²/5 + 3·5²/5 = 45 + 15.
	require.InDelta(t, 60.0, ChiSquare([]int{20, 0, 0, 0}), 1e-9)
}

func TestBucket(t *testing.T) {
	require.Equal(t, 0, Bucket(0, 4))
	require.Equal(t, 15, Bucket(field.M61(1<<61-2), 4))
	require.Equal(t, 8, Bucket(field.M61(1<<60), 4))
}

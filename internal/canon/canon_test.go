package canon_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/canon"
)

func TestEncodingIsUnambiguous(t *testing.T) {
	sum := func(f func(h *canon.Hash)) [32]byte {
		h := canon.New("test")
		f(h)
		return h.Sum()
	}
	// Length prefixes keep string boundaries apart.
	require.NotEqual(t, sum(func(h *canon.Hash) { h.String("ab"); h.String("c") }),
		sum(func(h *canon.Hash) { h.String("a"); h.String("bc") }))
	require.NotEqual(t, sum(func(h *canon.Hash) { h.Int(1) }), sum(func(h *canon.Hash) { h.Int(2) }))
	require.NotEqual(t, sum(func(h *canon.Hash) { h.Bool(true) }), sum(func(h *canon.Hash) { h.Bool(false) }))
	require.Equal(t, sum(func(h *canon.Hash) { h.Bool(true) }), sum(func(h *canon.Hash) { h.Int(1) }))
	require.NotEqual(t, canon.New("a").Sum(), canon.New("b").Sum())
}

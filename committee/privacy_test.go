package committee_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/internal/stattest"
)

// storedElements decodes every share server j stores.
func storedElements(t *testing.T, h *harness, j int) [][]field.M61 {
	t.Helper()
	subs, err := h.nodes[j-1].store.Submissions()
	require.NoError(t, err)
	out := make([][]field.M61, len(subs))
	for i, s := range subs {
		out[i] = make([]field.M61, len(s.Shares)/8)
		require.NoError(t, field.F61{}.Decode(out[i], s.Shares))
	}
	return out
}

func TestStoredSharesAreUniform(t *testing.T) {
	// Every organisation submits the same input, so every bit it shares is
	// the same; what t_s servers store must still look uniform. Buckets by
	// the top bits of each element.
	for _, c := range []struct {
		m, orgs int
		input   assess.Input
	}{
		{3, 160, assess.Input{CVSS: 100, Critical: 1000, PatchDelay: 3650, Exposure: 100}},
		{5, 120, assess.Input{CVSS: 55, Critical: 3, PatchDelay: 30, Exposure: 40}},
	} {
		t.Run(fmt.Sprintf("m=%d/%v", c.m, c.input), func(t *testing.T) {
			h := newHarness(t, c.m, c.orgs, nil)
			h.startAll()
			in := make([]assess.Input, c.orgs)
			for i := range in {
				in[i] = c.input
			}
			h.submitAll(in)
			ts := (c.m - 1) / 2
			if ts == 1 {
				// One server: 16 buckets, 15 degrees of freedom, 0.1%
				// critical value 37.7.
				counts := make([]int, 16)
				for _, sub := range storedElements(t, h, 1) {
					for _, v := range sub {
						counts[uint64(v)>>57]++
					}
				}
				require.Less(t, stattest.ChiSquare(counts), stattest.Critical15, "bucket counts %v", counts)
				return
			}
			// Servers 1 and 2 together: their shares of each bit, jointly,
			// in 8×8 buckets: 63 degrees of freedom, 0.1% critical value
			// 103.4.
			a, b := storedElements(t, h, 1), storedElements(t, h, 2)
			cells := make([]int, 64)
			for i := range a {
				for k := range a[i] {
					cells[(uint64(a[i][k])>>58)*8+uint64(b[i][k])>>58]++
				}
			}
			require.Less(t, stattest.ChiSquare(cells), stattest.Critical63, "cell counts %v", cells)
		})
	}
}

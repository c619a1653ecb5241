package assess_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/field"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
	"github.com/cohortmpc/cohort/share"
)

// submitAll makes the submissions of inputs (organisation i+1 as
// "org<i+1>") and returns what each of m servers receives.
func submitAll(t testing.TB, inputs []assess.Input, m int, cfg assess.Config) [][]assess.Submitted {
	t.Helper()
	per := make([][]assess.Submitted, m)
	for i, in := range inputs {
		sub, err := cfg.Submission(in, m, rand.Reader)
		require.NoError(t, err)
		for j := range m {
			per[j] = append(per[j], assess.Submitted{Org: fmt.Sprintf("org%d", i+1), Shares: sub[j]})
		}
	}
	return per
}

// runCommittee submits inputs to m in-memory servers and runs them.
func runCommittee(t testing.TB, inputs []assess.Input, m int, cfg assess.Config) ([]assess.Result, []error) {
	t.Helper()
	per := submitAll(t, inputs, m, cfg)
	trs, err := cnet.NewMesh(m)
	require.NoError(t, err)
	res := make([]assess.Result, m)
	errs := make([]error, m)
	var wg sync.WaitGroup
	for j := range m {
		wg.Go(func() {
			defer trs[j].Close()
			res[j], errs[j] = assess.RunCommittee(context.Background(), assess.Server{ID: j + 1, Transport: trs[j]}, per[j], [32]byte{1}, cfg)
		})
	}
	wg.Wait()
	return res, errs
}

func TestCommitteeMatchesPlaintext(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(5, 30).Draw(rt, "orgs")
		m := rapid.SampledFrom([]int{3, 4, 5, 7}).Draw(rt, "servers")
		cfg := assess.Config{
			Security:          rapid.SampledFrom([]assess.Security{assess.SemiHonest, assess.Malicious}).Draw(rt, "security"),
			ThresholdUnderMPC: rapid.Bool().Draw(rt, "generic"),
			Threshold:         rapid.IntRange(1, 9900).Draw(rt, "threshold"),
		}
		inputs := rapid.SliceOfN(genInput(assess.Bounds{
			CVSS: assess.Range{Min: 0, Max: 100}, Critical: assess.Range{Min: 0, Max: 1000},
			PatchDelay: assess.Range{Min: 0, Max: 3650}, Exposure: assess.Range{Min: 0, Max: 100},
		}), n, n).Draw(rt, "inputs")
		want, err := assess.Expected(inputs, cfg)
		require.NoError(t, err)
		res, errs := runCommittee(t, inputs, m, cfg)
		for j := range m {
			require.NoError(t, errs[j], "server %d", j+1)
			require.Equal(t, [3]int64{want.Sum, int64(want.AtOrAbove), want.Max}, [3]int64{res[j].Sum, int64(res[j].AtOrAbove), res[j].Max}, "server %d", j+1)
			require.Equal(t, n, res[j].Organisations)
			require.Equal(t, m, res[j].ComputeParties)
		}
	})
}

func TestCommitteeRejectsBadSubmissions(t *testing.T) {
	inputs := make([]assess.Input, 6)
	for i := range inputs {
		inputs[i] = assess.Input{CVSS: 10 * i, Critical: i, PatchDelay: 3 * i, Exposure: 50}
	}
	cfg := assess.Config{Security: assess.Malicious}
	const m = 3
	size, err := cfg.SubmissionSize()
	require.NoError(t, err)
	f := field.F61{}
	cases := map[string]struct {
		forge func(honest [][]byte) [][]byte
		blame bool // the error names org3
	}{
		// A consistent sharing of a "bit" that is 2: the bit check names it.
		"non-bit": {func([][]byte) [][]byte {
			vals := make([]field.M61, size)
			vals[0] = 2
			sh, err := share.DealVec(f, vals, 1, m, rand.Reader)
			require.NoError(t, err)
			out := make([][]byte, m)
			for j := range out {
				out[j] = f.AppendEncode(nil, sh[j])
			}
			return out
		}, true},
		// Shares that lie on no polynomial of degree 1: the dealing check
		// catches them, without telling whose they are.
		"inconsistent": {func(h [][]byte) [][]byte {
			h[1][0] ^= 4
			return h
		}, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			per := make([][]assess.Submitted, m)
			for i, in := range inputs {
				sub, err := cfg.Submission(in, m, rand.Reader)
				require.NoError(t, err)
				if i == 2 {
					sub = c.forge(sub)
				}
				for j := range m {
					per[j] = append(per[j], assess.Submitted{Org: fmt.Sprintf("org%d", i+1), Shares: sub[j]})
				}
			}
			trs, err := cnet.NewMesh(m)
			require.NoError(t, err)
			errs := make([]error, m)
			var wg sync.WaitGroup
			for j := range m {
				wg.Go(func() {
					defer trs[j].Close()
					_, errs[j] = assess.RunCommittee(context.Background(), assess.Server{ID: j + 1, Transport: trs[j]}, per[j], [32]byte{}, cfg)
				})
			}
			wg.Wait()
			for j, err := range errs {
				require.ErrorIs(t, err, ops.ErrCheck, "server %d", j+1)
				var ce *assess.CommitteeError
				if c.blame {
					require.True(t, errors.As(err, &ce), "server %d: %v", j+1, err)
					require.Equal(t, "org3", ce.Org)
				}
			}
		})
	}
}

func TestCommitteeNoiseRepeatsWithItsSource(t *testing.T) {
	// Servers that run the computation again over the same organisations
	// draw their noise from the same source, and so open the same noisy
	// outputs: two runs cannot be averaged. Another source, other noise.
	inputs := make([]assess.Input, 12)
	for i := range inputs {
		inputs[i] = assess.Input{CVSS: 7 * i, Critical: i, PatchDelay: 11 * i, Exposure: 40}
	}
	cfg := assess.Config{Epsilon: 0.5}
	const m = 3
	per := submitAll(t, inputs, m, cfg)
	run := func(seed byte) [2]int64 {
		trs, err := cnet.NewMesh(m)
		require.NoError(t, err)
		res := make([]assess.Result, m)
		errs := make([]error, m)
		var wg sync.WaitGroup
		for j := range m {
			wg.Go(func() {
				defer trs[j].Close()
				noise := field.NewPRG([32]byte{seed, byte(j)}, []byte("test"))
				res[j], errs[j] = assess.RunCommittee(context.Background(), assess.Server{ID: j + 1, Transport: trs[j], Noise: noise}, per[j], [32]byte{}, cfg)
			})
		}
		wg.Wait()
		for j := range m {
			require.NoError(t, errs[j])
			require.Equal(t, res[0].Sum, res[j].Sum)
		}
		return [2]int64{res[0].Sum, int64(res[0].AtOrAbove)}
	}
	first := run(1)
	require.Equal(t, first, run(1), "the same source gave other noise")
	differ := false
	for seed := byte(2); seed < 6 && !differ; seed++ {
		differ = run(seed) != first
	}
	require.True(t, differ, "four other sources all gave the same noisy outputs")
}

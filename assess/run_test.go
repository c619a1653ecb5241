package assess_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/internal/tcptest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// metrics is the part of a Result that the parties learn.
type metrics struct {
	Orgs, Compute, Corruptible int
	Threshold, AlertLevel      int
	Field                      assess.Field
	Sum                        int64
	Average                    float64
	AtOrAbove                  int
	Alert                      bool
	Max                        int64
}

func metricsOf(r assess.Result) metrics {
	return metrics{r.Organisations, r.ComputeParties, r.Corruptible, r.Threshold, r.AlertLevel, r.Field, r.Sum, r.Average, r.AtOrAbove, r.Alert, r.Max}
}

func genInput(b assess.Bounds) *rapid.Generator[assess.Input] {
	return rapid.Custom(func(t *rapid.T) assess.Input {
		return assess.Input{
			CVSS:       rapid.IntRange(b.CVSS.Min, b.CVSS.Max).Draw(t, "cvss"),
			Critical:   rapid.IntRange(b.Critical.Min, b.Critical.Max).Draw(t, "critical"),
			PatchDelay: rapid.IntRange(b.PatchDelay.Min, b.PatchDelay.Max).Draw(t, "patch"),
			Exposure:   rapid.IntRange(b.Exposure.Min, b.Exposure.Max).Draw(t, "exposure"),
		}
	})
}

func TestSimulateMatchesPlaintext(t *testing.T) {
	defer leaktest.Check(t)()
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(3, 25).Draw(rt, "n")
		cfg := assess.Config{
			MinParties:        3,
			ThresholdUnderMPC: rapid.Bool().Draw(rt, "generic"),
			Field:             rapid.SampledFrom([]assess.Field{assess.FieldAuto, assess.FieldM61, assess.FieldM127}).Draw(rt, "field"),
			Security:          rapid.SampledFrom([]assess.Security{assess.SemiHonest, assess.Malicious}).Draw(rt, "security"),
			Bounds: assess.Bounds{
				CVSS: assess.Range{Min: 0, Max: 100}, Critical: assess.Range{Min: 0, Max: 50},
				PatchDelay: assess.Range{Min: 0, Max: 365}, Exposure: assess.Range{Min: 0, Max: 100},
			},
		}
		if rapid.Bool().Draw(rt, "custom weights") {
			cfg.Weights = assess.Weights{
				CVSS: rapid.IntRange(0, 9).Draw(rt, "wc"), Critical: rapid.IntRange(0, 9).Draw(rt, "wk"),
				PatchDelay: rapid.IntRange(0, 9).Draw(rt, "wp"), Exposure: rapid.IntRange(1, 9).Draw(rt, "we"),
			}
		}
		inputs := rapid.SliceOfN(genInput(cfg.Bounds), n, n).Draw(rt, "inputs")
		w := cfg.Weights
		if w == (assess.Weights{}) {
			w = assess.Weights{CVSS: 4, Critical: 2, PatchDelay: 2, Exposure: 2}
		}
		top := w.CVSS*100 + w.Critical*50 + w.PatchDelay*365 + w.Exposure*100
		// A threshold near the scores, often equal to one, tests "at or above".
		score := func(in assess.Input) int {
			return w.CVSS*in.CVSS + w.Critical*in.Critical + w.PatchDelay*in.PatchDelay + w.Exposure*in.Exposure
		}
		cfg.Threshold = max(1, score(inputs[rapid.IntRange(0, n-1).Draw(rt, "at")])-rapid.IntRange(-1, 1).Draw(rt, "off"))
		cfg.Threshold = min(cfg.Threshold, top)
		if rapid.Bool().Draw(rt, "custom alert level") {
			cfg.AlertLevel = rapid.IntRange(1, n).Draw(rt, "k")
		}
		want, err := assess.Expected(inputs, cfg)
		require.NoError(t, err)
		got, err := assess.Simulate(context.Background(), inputs, cfg)
		require.NoError(t, err)
		require.Equal(t, metricsOf(want), metricsOf(got))
		require.Len(t, got.Cost.PerParty, n)
		require.Positive(t, got.Cost.BytesSent)
		require.Positive(t, got.Cost.Rounds)
	})
}

func TestSimulateEdgeCases(t *testing.T) {
	maxIn := assess.Input{CVSS: 100, Critical: 1000, PatchDelay: 3650, Exposure: 100}
	cases := map[string][]assess.Input{
		"all equal":          repeat(assess.Input{CVSS: 70, Critical: 3, PatchDelay: 20, Exposure: 50}, 6),
		"all below T":        repeat(assess.Input{CVSS: 10, PatchDelay: 1}, 5),
		"all exactly T":      repeat(assess.Input{CVSS: 100, Critical: 25, PatchDelay: 25}, 7), // 400+50+50 = 500
		"tied maxima":        {{CVSS: 1}, {CVSS: 90}, {CVSS: 90}, {CVSS: 5}, {CVSS: 90}},
		"all bounds maximal": repeat(maxIn, 8),
		"zeros and maximum":  append(repeat(assess.Input{}, 5), maxIn),
	}
	protocols := map[string]assess.Config{
		"bitwise":    {},
		"digits":     {StepBits: 3},
		"coarse":     {MaxBits: 5},
		"tournament": {Tournament: true},
		"generic":    {ThresholdUnderMPC: true},
		"malicious":  {Security: assess.Malicious},
	}
	for name, inputs := range cases {
		for pname, cfg := range protocols {
			t.Run(name+"/"+pname, func(t *testing.T) {
				want, err := assess.Expected(inputs, cfg)
				require.NoError(t, err)
				got, err := assess.Simulate(context.Background(), inputs, cfg)
				require.NoError(t, err)
				require.Equal(t, metricsOf(want), metricsOf(got))
				require.Equal(t, want.MaxHigh, got.MaxHigh)
			})
		}
	}
}

func TestSimulateLargeScores(t *testing.T) {
	// Scores near 4·10^17 with a small span: the comparisons fit M61, and the
	// sum (beyond p/2 of M61) must still come out right.
	cfg := assess.Config{
		Bounds:    assess.Bounds{CVSS: assess.Range{Min: 1e17, Max: 1e17 + 100}},
		Threshold: 4e17 + 250,
	}
	inputs := []assess.Input{
		{CVSS: 1e17 + 100, Critical: 3}, {CVSS: 1e17, PatchDelay: 9}, {CVSS: 1e17 + 50},
		{CVSS: 1e17 + 99, Exposure: 100}, {CVSS: 1e17 + 1},
	}
	for _, generic := range []bool{false, true} {
		cfg.ThresholdUnderMPC = generic
		want, err := assess.Expected(inputs, cfg)
		require.NoError(t, err)
		require.Equal(t, assess.FieldM61, want.Field)
		got, err := assess.Simulate(context.Background(), inputs, cfg)
		require.NoError(t, err)
		require.Equal(t, metricsOf(want), metricsOf(got))
		require.Greater(t, got.Sum, int64(2e18))
	}
}

func TestRunOverTCP(t *testing.T) {
	defer leaktest.Check(t)()
	const n = 5
	inputs := []assess.Input{
		{CVSS: 98, Critical: 12, PatchDelay: 90, Exposure: 85},
		{CVSS: 75, Critical: 4, PatchDelay: 30, Exposure: 60},
		{CVSS: 50, Critical: 1, PatchDelay: 14, Exposure: 40},
		{CVSS: 88, Critical: 9, PatchDelay: 120, Exposure: 95},
		{CVSS: 30, Critical: 0, PatchDelay: 7, Exposure: 20},
	}
	cfg := assess.Config{SessionID: "tcp-test", Timeout: time.Minute}
	want, err := assess.Expected(inputs, cfg)
	require.NoError(t, err)
	trs, err := tcptest.Mesh(context.Background(), n, 10*time.Second)
	require.NoError(t, err)
	defer tcptest.Close(trs)
	// Each party runs on its own, as it would in its own process.
	results := make([]assess.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = assess.Run(context.Background(),
				[]assess.Party{{ID: i + 1, Input: inputs[i], Transport: trs[i]}}, cfg)
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "party %d", i+1)
		require.Equal(t, metricsOf(want), metricsOf(results[i]), "party %d", i+1)
		require.Len(t, results[i].Cost.PerParty, 1)
	}
}

func TestRunRejectsBadPartiesBeforeSending(t *testing.T) {
	in := assess.Input{CVSS: 50}
	mesh := func(n int) []cnet.Transport {
		trs, err := cnet.NewMesh(n)
		require.NoError(t, err)
		t.Cleanup(func() {
			for _, tr := range trs {
				tr.Close()
			}
		})
		return trs
	}
	parties := func(trs []cnet.Transport) []assess.Party {
		ps := make([]assess.Party, len(trs))
		for i, tr := range trs {
			ps[i] = assess.Party{ID: i + 1, Input: in, Transport: tr}
		}
		return ps
	}
	five := mesh(5)
	other := mesh(6)
	cases := map[string]struct {
		parties []assess.Party
		cfg     assess.Config
		is      error
		msg     string
	}{
		"no parties":       {nil, assess.Config{}, assess.ErrConfig, "no parties"},
		"two parties":      {parties(mesh(2)), assess.Config{MinParties: 3}, assess.ErrTooFewParties, "at least 3"},
		"below minimum":    {parties(mesh(4)), assess.Config{}, assess.ErrTooFewParties, "4 parties"},
		"duplicate id":     {[]assess.Party{{ID: 1, Transport: five[0]}, {ID: 1, Transport: five[0]}}, assess.Config{}, assess.ErrConfig, "twice"},
		"id out of range":  {[]assess.Party{{ID: 6, Transport: five[0]}}, assess.Config{}, assess.ErrConfig, "outside"},
		"wrong transport":  {[]assess.Party{{ID: 2, Transport: five[0]}}, assess.Config{}, assess.ErrConfig, "transport of party 1"},
		"mixed meshes":     {[]assess.Party{{ID: 1, Transport: five[0]}, {ID: 2, Transport: other[1]}}, assess.Config{}, assess.ErrConfig, "connects"},
		"missing input":    {[]assess.Party{{ID: 3, Input: assess.Input{CVSS: 101}, Transport: five[2]}}, assess.Config{}, assess.ErrInputOutOfRange, "organisation 3"},
		"negative input":   {[]assess.Party{{ID: 4, Input: assess.Input{PatchDelay: -1}, Transport: five[3]}}, assess.Config{}, assess.ErrInputOutOfRange, "patch_delay"},
		"threshold > max":  {parties(five), assess.Config{Threshold: 100000}, assess.ErrConfig, "threshold"},
		"alert level > n":  {parties(five), assess.Config{AlertLevel: 6}, assess.ErrConfig, "alert"},
		"negative weight":  {parties(five), assess.Config{Weights: assess.Weights{CVSS: -1, Exposure: 1}}, assess.ErrConfig, "weight"},
		"m61 too small":    {parties(five), assess.Config{Field: assess.FieldM61, Bounds: assess.Bounds{PatchDelay: assess.Range{Max: 1 << 40}}}, assess.ErrConfig, ""},
		"field name":       {parties(five), assess.Config{Field: "m89"}, assess.ErrConfig, "m89"},
		"zero transport":   {[]assess.Party{{ID: 1}}, assess.Config{}, assess.ErrConfig, "no transport"},
		"min parties of 2": {parties(five), assess.Config{MinParties: 2}, assess.ErrConfig, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := assess.Run(context.Background(), c.parties, c.cfg)
			require.Error(t, err)
			require.ErrorIs(t, err, c.is)
			require.ErrorContains(t, err, c.msg)
		})
	}
	// Nothing was sent: every party of the five-party mesh finds its
	// queues empty.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	for i, tr := range five {
		for j := 1; j <= 5; j++ {
			if j != i+1 {
				_, err := tr.Recv(ctx, j)
				require.ErrorIs(t, err, context.DeadlineExceeded, "party %d has a message from %d", i+1, j)
			}
		}
	}
}

func TestRunRefusesDifferentConfigs(t *testing.T) {
	defer leaktest.Check(t)()
	const n = 5
	trs, err := cnet.NewMesh(n)
	require.NoError(t, err)
	defer func() {
		for _, tr := range trs {
			tr.Close()
		}
	}()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		cfg := assess.Config{Timeout: 10 * time.Second}
		if i == 3 {
			cfg.Threshold = 600
		}
		wg.Go(func() {
			_, errs[i] = assess.Run(context.Background(), []assess.Party{{ID: i + 1, Input: assess.Input{CVSS: 10}, Transport: trs[i]}}, cfg)
		})
	}
	wg.Wait()
	// Party 4 and its neighbours (3 and 5) find the mismatch; the others
	// stop on a report of it.
	for i, err := range errs {
		require.Error(t, err, "party %d", i+1)
		require.True(t, errors.Is(err, ops.ErrConfigMismatch) || errors.Is(err, ops.ErrPeerAborted), "party %d: %v", i+1, err)
		if i != 3 {
			var pe *cnet.PeerError
			var ae *ops.AbortError
			if errors.As(err, &ae) {
				require.Contains(t, ae.Reason, "different configuration", "party %d: %v", i+1, err)
			} else {
				require.ErrorAs(t, err, &pe)
				require.Equal(t, 4, pe.Party, "party %d: %v", i+1, err)
			}
		}
	}
}

func TestRunStopsWhenAPeerDies(t *testing.T) {
	defer leaktest.Check(t)()
	const n = 5
	trs, err := tcptest.Mesh(context.Background(), n, 2*time.Second)
	require.NoError(t, err)
	defer tcptest.Close(trs)
	trs[4].Close() // party 5 is gone before the run starts
	start := time.Now()
	errs := make([]error, n-1)
	var wg sync.WaitGroup
	for i := range n - 1 {
		wg.Go(func() {
			_, errs[i] = assess.Run(context.Background(), []assess.Party{{ID: i + 1, Input: assess.Input{CVSS: 10}, Transport: trs[i]}},
				assess.Config{Timeout: 30 * time.Second})
		})
	}
	wg.Wait()
	require.Less(t, time.Since(start), 30*time.Second)
	for i, err := range errs {
		require.Error(t, err, "party %d", i+1)
		var pe *cnet.PeerError
		require.ErrorAs(t, err, &pe, "party %d: %v", i+1, err)
	}
}

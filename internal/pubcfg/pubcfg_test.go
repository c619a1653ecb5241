package pubcfg_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/pubcfg"
)

func TestAssessmentOfAndApplyRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var a assess.Config
		a.Threshold = rapid.IntRange(0, 9000).Draw(rt, "threshold")
		a.AlertLevel = rapid.IntRange(0, 50).Draw(rt, "alert")
		if rapid.Bool().Draw(rt, "weights") {
			a.Weights = assess.WeightsOf([4]int{rapid.IntRange(1, 9).Draw(rt, "w0"), rapid.IntRange(0, 9).Draw(rt, "w1"), rapid.IntRange(0, 9).Draw(rt, "w2"), rapid.IntRange(0, 9).Draw(rt, "w3")})
		}
		if rapid.Bool().Draw(rt, "bounds") {
			a.Bounds.PatchDelay = assess.Range{Min: 1, Max: rapid.IntRange(2, 400).Draw(rt, "pmax")}
		}
		a.Field = rapid.SampledFrom([]assess.Field{assess.FieldAuto, assess.FieldM61, assess.FieldM127}).Draw(rt, "field")
		a.Security = rapid.SampledFrom([]assess.Security{assess.SemiHonest, assess.Malicious}).Draw(rt, "security")
		a.Tournament = rapid.Bool().Draw(rt, "tournament")
		a.MaxBits = rapid.IntRange(0, 6).Draw(rt, "maxbits")
		a.StepBits = rapid.IntRange(0, 4).Draw(rt, "stepbits")
		if rapid.Bool().Draw(rt, "noise") {
			a.Epsilon = 0.25 * float64(rapid.IntRange(1, 8).Draw(rt, "eps"))
		}
		if rapid.Bool().Draw(rt, "percentiles") {
			a.Percentiles = []float64{0.5, 0.9}
		}
		if rapid.Bool().Draw(rt, "profile") {
			a.InputsProfile = "cohort-inputs/v1"
		}
		e := pubcfg.AssessmentOf(a)
		var b assess.Config
		require.NoError(t, e.Apply(&b))
		require.Equal(t, a, b)
	})
}

func TestCanonicalAddr(t *testing.T) {
	for in, want := range map[string]string{
		"Host.Example.:7000":   "host.example:7000",
		"[::ffff:10.0.0.1]:80": "10.0.0.1:80",
		"[0:0::1]:9":           "[::1]:9",
		"127.0.0.1:00443":      "127.0.0.1:443",
	} {
		got, err := pubcfg.CanonicalAddr(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "host", "0.0.0.0:1", "[::]:1", "h:0", "h:70000", ":80", "h\u202e:1"} {
		_, err := pubcfg.CanonicalAddr(bad)
		require.Error(t, err, bad)
	}
	a, _ := pubcfg.CanonicalAddr("localhost:5")
	b, _ := pubcfg.CanonicalAddr("[::1]:5")
	require.Equal(t, pubcfg.SameEndpoint(a), pubcfg.SameEndpoint(b))
}

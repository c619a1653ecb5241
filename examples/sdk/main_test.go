package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/cli"
)

func TestQueryMatchesPlaintext(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.SampledFrom([]int{3, 4, 5, 7}).Draw(rt, "n")
		data := make([]assess.Input, n)
		for i := range data {
			// Values around the questions' limits (10 and 30) and ties.
			data[i] = assess.Input{
				CVSS:       rapid.SampledFrom([]int{0, 50, 100}).Draw(rt, "cvss"),
				Critical:   rapid.IntRange(8, 12).Draw(rt, "critical"),
				PatchDelay: rapid.IntRange(28, 32).Draw(rt, "delay"),
				Exposure:   rapid.SampledFrom([]int{0, 100}).Draw(rt, "exposure"),
			}
		}
		cfg, err := assess.Config{MinParties: 3}.Resolve(n)
		require.NoError(t, err)
		got, _, err := simulate(context.Background(), data, cfg)
		require.NoError(t, err)
		require.Equal(t, plaintext(data, cfg), got)
	})
}

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, cli.ExitOK, run([]string{"-n", "6", "-seed", "3"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "Check: both answers match the plaintext computation")

	csv := filepath.Join(t.TempDir(), "in.csv")
	require.NoError(t, os.WriteFile(csv, []byte("org,cvss_score,critical_vulnerabilities,patch_delay,asset_exposure\n"+
		"a,80,11,31,50\nb,90,12,40,60\nc,10,1,5,0\nd,90,12,40,60\n"), 0o600))
	out.Reset()
	require.Equal(t, cli.ExitOK, run([]string{"-inputs", csv}, &out, &errb), errb.String())
	// Scores 320+22+62+100 = 504, 360+24+80+120 = 584 (twice), 40+2+10 = 52.
	require.Contains(t, out.String(), "patch delay above 30 days: 3\n")
	require.Contains(t, out.String(), "Second-largest risk score: 584\n")

	for _, args := range [][]string{{"-n", "2"}, {"-inputs", filepath.Join(t.TempDir(), "missing.csv")}, {"-bogus"}} {
		errb.Reset()
		require.Equal(t, cli.ExitUsage, run(args, &out, &errb), strings.Join(args, " "))
		require.NotEmpty(t, errb.String())
	}
}

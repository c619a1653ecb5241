package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/bench/internal/scaling"
)

func TestOpsTable(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkMul/n=3/batch=1000-2   	  100	  447600 ns/op	  24036 B-sent/op	  24.04 B-sent/value	  3.000 rounds/op
BenchmarkMax/n=10-2             	   66	 3816714 ns/op	  66291 B-sent/op	   6629 B-sent/value	  74.53 rounds/op
PASS
`)
	tb := opsTable(out)
	require.Equal(t, [][]string{
		{"Mul", "3", "1000", "447.6 µs", "24036", "24", "3.0"},
		{"Max", "10", "10 values", "3.82 ms", "66291", "6629", "74.5"},
	}, tb.rows)
}

func TestUpdateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	require.NoError(t, os.WriteFile(path, []byte("# B\n<!-- begin x -->\nold\n<!-- end x -->\ntail\n"), 0o644))
	s := section{name: "x", tables: []table{{head: []string{"n", "v"}, rows: [][]string{{"3", "1"}}}}}
	require.NoError(t, updateFile(path, []section{s}))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "# B\n<!-- begin x -->\n| n | v |\n|---|---:|\n| 3 | 1 |\n<!-- end x -->\ntail\n", string(got))

	require.Error(t, updateFile(path, []section{{name: "missing"}}))
}

func TestMergeRowsKeepsOldRowsNotRemeasured(t *testing.T) {
	old := []scaling.Row{{N: 3, Protocol: scaling.Bitwise}, {N: 3, Protocol: scaling.Generic}, {N: 1000, Protocol: scaling.Bitwise, Seconds: 1}}
	fresh := []scaling.Row{{N: 1000, Protocol: scaling.Bitwise, Seconds: 2}}
	got := mergeRows(old, fresh)
	sortRows(got)
	require.Len(t, got, 3)
	require.Equal(t, 3, got[0].N)
	require.Equal(t, 1000, got[1].N)
	require.Equal(t, 2.0, got[1].Seconds)
	require.Equal(t, scaling.Generic, got[2].Protocol)
}

func TestRenderMarksMissingLargeRow(t *testing.T) {
	res := scaling.Results{Rows: []scaling.Row{{N: 3, T: 1, Protocol: scaling.Bitwise, Seconds: 0.001, BytesTotal: 2704, Messages: 100, Rounds: 29}}}
	var b strings.Builder
	for _, s := range render(res) {
		s.write(&b, true)
	}
	require.Contains(t, b.String(), "| 1000 | 499 | *pending*")
	require.Contains(t, b.String(), "has not been measured yet")
}

func TestRenderBothProtocolsAndLatency(t *testing.T) {
	res := scaling.Results{
		Rows: []scaling.Row{
			{N: 50, T: 24, Protocol: scaling.Bitwise, Seconds: 0.02, BytesTotal: 400_000, BytesPartyMax: 9000, Messages: 20000, Rounds: 44, ModelBytes: 180_000, ModelRounds: 44},
			{N: 50, T: 24, Protocol: scaling.Tournament, Seconds: 0.07, BytesTotal: 2_300_000, BytesPartyMax: 51000, Messages: 54000, Rounds: 67},
			{N: 50, T: 24, Protocol: scaling.Malicious, Seconds: 0.5, BytesTotal: 5_000_000, Rounds: 200},
		},
		Latency: []scaling.LatencyRow{{N: 50, Protocol: scaling.Bitwise, RTTSeconds: 0.05, BandwidthMbps: 100, Seconds: 1.2, Rounds: 44, BytesPartyMax: 9000, ModelSeconds: 1.1}},
	}
	var b strings.Builder
	for _, s := range render(res) {
		s.write(&b, true)
	}
	out := b.String()
	require.Contains(t, out, "| 50 | 0.400 | 2.30 | 5.75× | 9.00 | 51.0 | 0.020 | 0.070 | 3.50× | 44 / 67 | – | 5.00 | 0.500 |")
	require.Contains(t, out, "| 50 | bitwise | 50 ms | 100 Mbit/s | 44 | 9.00 | 1.10 | 1.20 | 1.09× |")
	require.Contains(t, out, "DESIGN-v2 §2 cost model of the bitwise maximum")
}

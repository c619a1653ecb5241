package report_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/assess"
	"github.com/cohortmpc/cohort/internal/report"
)

var sample = assess.Result{
	Organisations: 5, ComputeParties: 5, Corruptible: 2, Threshold: 500, AlertLevel: 2, Field: assess.FieldM61,
	Sum: 2538, Average: 507.6, AtOrAbove: 2, Alert: true, Max: 800,
	Cost: assess.Cost{Elapsed: 1234 * time.Millisecond, BytesSent: 12_112, BytesPerPartyMax: 2488, Messages: 392, Rounds: 41},
}

func TestCompare(t *testing.T) {
	want := sample
	assert.Empty(t, report.Compare(want, want))
	got := want
	got.Sum, got.Average, got.AtOrAbove = 2539, 507.8, 3
	assert.Equal(t, []string{"sum 2539 (expected 2538)", "average 507.80 (expected 507.60)", "at or above 3 (expected 2)"}, report.Compare(got, want))
}

func TestFormatBytes(t *testing.T) {
	for b, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1.0 KB", 1450: "1.4 KB", 72_100: "72.1 KB", 3_600_000: "3.6 MB",
		3_250_000_000: "3.2 GB", 5_000_000_000_000_000: "5000.0 TB",
	} {
		assert.Equal(t, want, report.FormatBytes(b), "%d", b)
	}
	assert.Equal(t, "1.234 s", report.FormatDuration(1234*time.Millisecond))
	assert.Equal(t, "2m5s", report.FormatDuration(125*time.Second+300*time.Millisecond))
	assert.Equal(t, "0.500 ms", report.FormatDuration(500*time.Microsecond))
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := report.NewProgress(&buf)
	for i := 0; i <= 1000; i++ {
		p.Report("comparisons", i, 1000)
	}
	p.Report("opening", 0, 0)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 12)
	assert.Equal(t, "progress: comparisons 0%", lines[0])
	assert.Equal(t, "progress: comparisons 50%", lines[5])
	assert.Equal(t, "progress: comparisons 100%", lines[10])
	assert.Equal(t, "progress: opening 100%", lines[11])
}

func TestWriteTextSimulated(t *testing.T) {
	want := sample
	r := &report.Report{Mode: "all parties simulated in one process", Source: "orgs.csv (CSV, 5 rows)", WrittenTo: "out",
		Got: sample, Want: &want}
	var buf bytes.Buffer
	r.WriteText(&buf)
	assert.Equal(t, `Cohort joint vulnerability assessment (all parties simulated in one process)

What was computed
  organisations       5; up to 2 of them may collude without learning more than the results
  threshold T = 500   organisations with a risk score of 500 or more are counted
  alert level K = 2   the alert is raised when at least 2 organisations score T or more
  security            semi-honest: parties follow the protocol; those who collude learn nothing more
  field               M61 (2^61 − 1)
  data                orgs.csv (CSV, 5 rows)
  data written to     out

Results
  average score       507.60 (sum 2538)
  at or above T       2 of 5
  alert               yes (2 ≥ K = 2)
  maximum score       800

Plaintext check
  verified            average, count, alert, maximum match the plaintext computation

Cost
  time                1.234 s
  bytes sent          12.1 KB in total, at most 2.5 KB by one party
  messages            392
  rounds              41
`, buf.String())

	want.Max = 801
	r.Mismatches = report.Compare(r.Got, want)
	buf.Reset()
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), "  MISMATCH\n    max 800 (expected 801)\n  expected            average 507.60 (sum 2538), 2 at or above T, alert yes, maximum 801\n")
}

func TestWriteTextOneParty(t *testing.T) {
	got := sample
	got.Alert = false
	got.AlertLevel = 3
	r := &report.Report{Mode: "party 2 of 5, over TCP", Source: "in.csv", Session: "march", Got: got, OneParty: true}
	var buf bytes.Buffer
	r.WriteText(&buf)
	out := buf.String()
	assert.Contains(t, out, "  session             march\n  data                in.csv\n")
	assert.Contains(t, out, "  alert               no (2 < K = 3)\n")
	assert.NotContains(t, out, "Plaintext check")
	assert.Contains(t, out, "  bytes sent          12.1 KB by this party\n  messages            392 sent by this party\n")
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func TestWriteJSON(t *testing.T) {
	want := sample
	var buf bytes.Buffer
	require.NoError(t, (&report.Report{Got: sample, Want: &want}).WriteJSON(&buf))
	var got map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, []string{"alert", "alert_level", "at_or_above", "average", "bytes_per_party_max", "bytes_total", "compute_parties",
		"corruptible", "expected", "field", "max", "messages", "n", "rounds", "seconds", "security", "sum", "threshold", "verified"}, keys(got))
	assert.Equal(t, true, got["verified"])

	buf.Reset()
	require.NoError(t, (&report.Report{Got: sample, OneParty: true}).WriteJSON(&buf))
	got = nil
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.NotContains(t, got, "expected")
	assert.NotContains(t, got, "verified")
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
}

func TestJSONCarriesEveryParameter(t *testing.T) {
	c, err := assess.Config{Percentiles: []float64{0.5, 0.9}, Epsilon: 1, MaxBits: 4, SessionID: "q3"}.Resolve(12)
	require.NoError(t, err)
	got := sample
	got.Organisations, got.ComputeParties, got.MaxBits, got.MaxHigh, got.Epsilon = 12, 12, 4, 1023, 1
	got.Percentiles = []assess.Percentile{{Quantile: 0.5, Rank: 7, Score: 430}, {Quantile: 0.9, Rank: 2, Score: 790}}
	var buf bytes.Buffer
	require.NoError(t, (&report.Report{Mode: "simulated", Config: &c, Got: got}).WriteJSON(&buf))
	s := buf.String()
	for _, want := range []string{`"threshold":500`, `"alert_level":2`, `"weights":{"cvss":4,"critical":2,"patch_delay":2,"exposure":2}`,
		`"bounds":{"cvss":{"min":0,"max":100},`, `"score_min":0,"score_max":9900`, `"field":"m61"`, `"security":"semi-honest"`,
		`"protocol":"bitwise"`, `"options":{"max_bits":4,"step_bits":1,"epsilon":1,"percentiles":[0.5,0.9]}`, `"mode":"simulated"`,
		`"session":"q3"`, `"max_high":1023`, `"noisy":true`, `"percentiles":[{"quantile":0.5,"rank":7,"score":430},`} {
		assert.Contains(t, s, want)
	}
}

func TestWriteTextOptions(t *testing.T) {
	c, err := assess.Config{Percentiles: []float64{0.5, 0.9}, Epsilon: 1, MaxBits: 4}.Resolve(12)
	require.NoError(t, err)
	got := sample
	got.Organisations, got.ComputeParties, got.MaxBits, got.MaxHigh, got.Epsilon = 12, 12, 4, 1023, 1
	got.Percentiles = []assess.Percentile{{Quantile: 0.5, Rank: 7, Score: 430}, {Quantile: 0.9, Rank: 2, Score: 790}}
	own := int64(600)
	want := got
	var buf bytes.Buffer
	(&report.Report{Mode: "simulated", Source: "generated", Config: &c, Got: got, Want: &want, OwnScore: &own}).WriteText(&buf)
	out := buf.String()
	for _, line := range []string{
		"  risk score          4·cvss_score + 2·critical_vulnerabilities + 2·patch_delay + 2·asset_exposure, from 0 to 9900\n",
		"                      cvss_score 0..100: CVSS base score × 10, an integer (CVSS 7.8 → 78)\n",
		"  threshold T = 500   organisations with a risk score of 500 or more are counted\n",
		"  alert level K = 2   the alert is raised when at least 2 organisations score T or more\n",
		"  maximum             bitwise, organisations answer for their own scores\n",
		"  coarsened maximum   only an interval of scores that holds it is revealed (max bits 4)\n",
		"  average score       507.60 (sum 2538), noisy, ε = 1\n",
		"  maximum score       between 800 and 1023\n",
		"  median              430 (the score at rank 6 of 12 from the bottom)\n",
		"  90th percentile     790 (the score at rank 11 of 12 from the bottom)\n",
		"  your score          600; at or above T; above the median (430); below the 90th percentile (790)\n",
		"  verified            the maximum and percentiles match the plaintext computation, which without noise gives average 507.60 (sum 2538), 2 at or above T\n",
	} {
		assert.Contains(t, out, line)
	}
	// The cost comes last, apart from the results.
	assert.Greater(t, strings.Index(out, "\nCost\n"), strings.Index(out, "\nPlaintext check\n"))
}

func TestOrdinalAndFormula(t *testing.T) {
	for q, want := range map[float64]string{0.5: "median", 0.9: "90th percentile", 0.75: "75th percentile", 0.01: "1st percentile",
		0.02: "2nd percentile", 0.03: "3rd percentile", 0.11: "11th percentile", 0.125: "p = 0.125"} {
		assert.Equal(t, want, report.Ordinal(q))
	}
	assert.Equal(t, "cvss_score + 3·patch_delay", report.ScoreFormula(assess.Weights{CVSS: 1, PatchDelay: 3}))
	assert.Equal(t, "0", report.ScoreFormula(assess.Weights{}))
}

func TestCompareNoisy(t *testing.T) {
	want := sample
	got := sample
	got.Epsilon, got.Sum, got.AtOrAbove = 1, 3000, 4
	assert.Empty(t, report.Compare(got, want), "noisy sum and count are not compared")
	got.Max = 7
	assert.Equal(t, []string{"max 7 (expected 800)"}, report.Compare(got, want))
}

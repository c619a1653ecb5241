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

Parameters
  organisations     n = 5, Shamir threshold t = 2
  field             M61 (2^61 − 1)
  score threshold   T = 500
  alert level       K = 2
  data              orgs.csv (CSV, 5 rows)
  data written to   out

Results
  average score     507.60 (sum 2538)
  at or above T     2 of 5
  alert             yes (2 ≥ K = 2)
  maximum score     800

Plaintext check
  verified          average, count, alert and maximum match the plaintext computation

Cost
  time              1.234 s
  bytes sent        12.1 KB in total, at most 2.5 KB by one party
  messages          392
  rounds            41
`, buf.String())

	want.Max = 801
	r.Mismatches = report.Compare(r.Got, want)
	buf.Reset()
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), "  MISMATCH\n    max 800 (expected 801)\n  expected          average 507.60 (sum 2538), 2 at or above T, alert yes, maximum 801\n")
}

func TestWriteTextOneParty(t *testing.T) {
	got := sample
	got.Alert = false
	got.AlertLevel = 3
	r := &report.Report{Mode: "party 2 of 5, over TCP", Source: "in.csv", Session: "march", Got: got, OneParty: true}
	var buf bytes.Buffer
	r.WriteText(&buf)
	out := buf.String()
	assert.Contains(t, out, "  session           march\n  data              in.csv\n")
	assert.Contains(t, out, "  alert             no (2 < K = 3)\n")
	assert.NotContains(t, out, "Plaintext check")
	assert.Contains(t, out, "  bytes sent        12.1 KB by this party\n  messages          392 sent by this party\n")
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
	assert.Equal(t, []string{"alert", "at_or_above", "average", "bytes_per_party_max", "bytes_total", "expected", "max", "messages",
		"n", "rounds", "seconds", "sum", "t", "verified"}, keys(got))
	assert.Equal(t, true, got["verified"])

	buf.Reset()
	require.NoError(t, (&report.Report{Got: sample, OneParty: true}).WriteJSON(&buf))
	got = nil
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, []string{"alert", "at_or_above", "average", "bytes_per_party_max", "bytes_total", "max", "messages",
		"n", "rounds", "seconds", "sum", "t"}, keys(got))
	assert.Equal(t, 1, strings.Count(buf.String(), "\n"))
}

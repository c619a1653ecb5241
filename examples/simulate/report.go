package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"github.com/cohortmpc/cohort/assess"
)

// compare lists every way the computed result differs from the expected one.
func compare(got, want assess.Result) []string {
	var diffs []string
	check := func(name string, g, w any) {
		if g != w {
			diffs = append(diffs, fmt.Sprintf("%s %v (expected %v)", name, g, w))
		}
	}
	check("n", got.N, want.N)
	check("t", got.T, want.T)
	check("threshold", got.Threshold, want.Threshold)
	check("alert level", got.AlertLevel, want.AlertLevel)
	check("sum", got.Sum, want.Sum)
	if math.Abs(got.Average-want.Average) > 1e-9*math.Max(1, math.Abs(want.Average)) {
		diffs = append(diffs, fmt.Sprintf("average %.2f (expected %.2f)", got.Average, want.Average))
	}
	check("at or above", got.AtOrAbove, want.AtOrAbove)
	check("alert", got.Alert, want.Alert)
	check("max", got.Max, want.Max)
	return diffs
}

func fieldName(f assess.Field) string {
	switch f {
	case assess.FieldM61:
		return "M61 (2^61 − 1)"
	case assess.FieldM127:
		return "M127 (2^127 − 1)"
	}
	return string(f)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// formatBytes prints a byte count with a decimal unit (1 KB = 1000 bytes).
func formatBytes(b int64) string {
	const unit = 1000
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	v := float64(b)
	for _, u := range []string{"KB", "MB", "GB", "TB"} {
		v /= unit
		if v < unit || u == "TB" {
			return fmt.Sprintf("%.1f %s", v, u)
		}
	}
	panic("unreachable")
}

func formatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.String()
	case d < time.Minute:
		return fmt.Sprintf("%.3f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// writeReport prints the human-readable report.
func writeReport(w io.Writer, source, writeDir string, got, want assess.Result, mismatches []string) {
	field := got.Field
	if field == "" {
		field = want.Field
	}
	fmt.Fprintf(w, "Cohort joint vulnerability assessment (all parties simulated in one process)\n\n")
	fmt.Fprintf(w, "Parameters\n")
	fmt.Fprintf(w, "  organisations     n = %d, Shamir threshold t = %d\n", got.N, got.T)
	fmt.Fprintf(w, "  field             %s\n", fieldName(field))
	fmt.Fprintf(w, "  score threshold   T = %d\n", got.Threshold)
	fmt.Fprintf(w, "  alert level       K = %d\n", got.AlertLevel)
	fmt.Fprintf(w, "  data              %s\n", source)
	if writeDir != "" {
		fmt.Fprintf(w, "  data written to   %s\n", writeDir)
	}

	fmt.Fprintf(w, "\nResults\n")
	fmt.Fprintf(w, "  average score     %.2f (sum %d)\n", got.Average, got.Sum)
	fmt.Fprintf(w, "  at or above T     %d of %d\n", got.AtOrAbove, got.N)
	rel := "<"
	if got.Alert {
		rel = "≥"
	}
	fmt.Fprintf(w, "  alert             %s (%d %s K = %d)\n", yesNo(got.Alert), got.AtOrAbove, rel, got.AlertLevel)
	fmt.Fprintf(w, "  maximum score     %d\n", got.Max)

	fmt.Fprintf(w, "\nPlaintext check\n")
	if len(mismatches) == 0 {
		fmt.Fprintf(w, "  verified          average, count, alert and maximum match the plaintext computation\n")
	} else {
		fmt.Fprintf(w, "  MISMATCH\n")
		for _, m := range mismatches {
			fmt.Fprintf(w, "    %s\n", m)
		}
		fmt.Fprintf(w, "  expected          average %.2f (sum %d), %d at or above T, alert %s, maximum %d\n",
			want.Average, want.Sum, want.AtOrAbove, yesNo(want.Alert), want.Max)
	}

	c := got.Cost
	fmt.Fprintf(w, "\nCost\n")
	fmt.Fprintf(w, "  time              %s\n", formatDuration(c.Elapsed))
	fmt.Fprintf(w, "  bytes sent        %s in total, at most %s by one party\n", formatBytes(c.BytesSent), formatBytes(c.BytesPerPartyMax))
	fmt.Fprintf(w, "  messages          %d\n", c.Messages)
	fmt.Fprintf(w, "  rounds            %d\n", c.Rounds)
}

type jsonMetrics struct {
	Sum       int64   `json:"sum"`
	Average   float64 `json:"average"`
	AtOrAbove int     `json:"at_or_above"`
	Alert     bool    `json:"alert"`
	Max       int64   `json:"max"`
}

type jsonReport struct {
	N int `json:"n"`
	T int `json:"t"`
	jsonMetrics
	Expected         jsonMetrics `json:"expected"`
	Verified         bool        `json:"verified"`
	Seconds          float64     `json:"seconds"`
	BytesTotal       int64       `json:"bytes_total"`
	BytesPerPartyMax int64       `json:"bytes_per_party_max"`
	Messages         int64       `json:"messages"`
	Rounds           int64       `json:"rounds"`
}

func metrics(r assess.Result) jsonMetrics {
	return jsonMetrics{Sum: r.Sum, Average: r.Average, AtOrAbove: r.AtOrAbove, Alert: r.Alert, Max: r.Max}
}

// writeJSON prints the result as one JSON object on one line.
func writeJSON(w io.Writer, got, want assess.Result, mismatches []string) error {
	return json.NewEncoder(w).Encode(jsonReport{
		N:                got.N,
		T:                got.T,
		jsonMetrics:      metrics(got),
		Expected:         metrics(want),
		Verified:         len(mismatches) == 0,
		Seconds:          got.Cost.Elapsed.Seconds(),
		BytesTotal:       got.Cost.BytesSent,
		BytesPerPartyMax: got.Cost.BytesPerPartyMax,
		Messages:         got.Cost.Messages,
		Rounds:           got.Cost.Rounds,
	})
}

// progress prints the computation's progress on stderr, one line per phase
// and per 10 percent.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	phase string
	step  int
}

func newProgress(w io.Writer) *progress { return &progress{w: w, step: -1} }

func (p *progress) report(phase string, done, total int) {
	pct := 100
	if total > 0 {
		pct = min(100, max(0, done*100/total))
	}
	step := pct / 10 * 10
	p.mu.Lock()
	defer p.mu.Unlock()
	if phase == p.phase && step <= p.step {
		return
	}
	p.phase, p.step = phase, step
	fmt.Fprintf(p.w, "progress: %s %d%%\n", phase, step)
}

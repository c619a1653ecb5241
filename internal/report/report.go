// Package report prints the outcome of an assessment for the programs in
// examples/: a human-readable report and a one-line JSON object with the
// same fields for every program.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/cohortmpc/cohort/assess"
)

// Report is one assessment as a program prints it.
type Report struct {
	// Mode says how the parties ran; it is shown in the title, as in
	// "all parties simulated in one process".
	Mode string
	// Source says where the data came from.
	Source string
	// WrittenTo is where the data was also written, or empty.
	WrittenTo string
	// Session is the session id of a deployment, or empty.
	Session string
	// Got is the computed result.
	Got assess.Result
	// Want is the plaintext result, or nil when the program cannot know it
	// (one party of a deployment knows only its own input). Mismatches is
	// Compare(Got, *Want).
	Want       *assess.Result
	Mismatches []string
	// OneParty means Got.Cost counts the traffic of one party only, not of
	// the whole group.
	OneParty bool
}

// Compare lists every way the computed result differs from the expected one.
func Compare(got, want assess.Result) []string {
	var diffs []string
	check := func(name string, g, w any) {
		if g != w {
			diffs = append(diffs, fmt.Sprintf("%s %v (expected %v)", name, g, w))
		}
	}
	check("organisations", got.Organisations, want.Organisations)
	check("compute parties", got.ComputeParties, want.ComputeParties)
	check("t", got.Corruptible, want.Corruptible)
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

// FieldName is the name of a field as the report shows it.
func FieldName(f assess.Field) string {
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

// FormatBytes prints a byte count with a decimal unit (1 KB = 1000 bytes).
func FormatBytes(b int64) string {
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

// FormatDuration prints a duration in milliseconds below a millisecond, in
// seconds with millisecond precision below a minute, and rounded to the
// second above.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
	case d < time.Minute:
		return fmt.Sprintf("%.3f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// WriteText prints the human-readable report.
func (r *Report) WriteText(w io.Writer) {
	got := r.Got
	field := got.Field
	if field == "" && r.Want != nil {
		field = r.Want.Field
	}
	fmt.Fprintf(w, "Cohort joint vulnerability assessment (%s)\n\n", r.Mode)
	fmt.Fprintf(w, "Parameters\n")
	fmt.Fprintf(w, "  organisations     n = %d, Shamir threshold t = %d\n", got.Organisations, got.Corruptible)
	fmt.Fprintf(w, "  field             %s\n", FieldName(field))
	fmt.Fprintf(w, "  score threshold   T = %d\n", got.Threshold)
	fmt.Fprintf(w, "  alert level       K = %d\n", got.AlertLevel)
	if r.Session != "" {
		fmt.Fprintf(w, "  session           %s\n", r.Session)
	}
	fmt.Fprintf(w, "  data              %s\n", r.Source)
	if r.WrittenTo != "" {
		fmt.Fprintf(w, "  data written to   %s\n", r.WrittenTo)
	}

	fmt.Fprintf(w, "\nResults\n")
	fmt.Fprintf(w, "  average score     %.2f (sum %d)\n", got.Average, got.Sum)
	fmt.Fprintf(w, "  at or above T     %d of %d\n", got.AtOrAbove, got.Organisations)
	rel := "<"
	if got.Alert {
		rel = "≥"
	}
	fmt.Fprintf(w, "  alert             %s (%d %s K = %d)\n", yesNo(got.Alert), got.AtOrAbove, rel, got.AlertLevel)
	fmt.Fprintf(w, "  maximum score     %d\n", got.Max)

	if want := r.Want; want != nil {
		fmt.Fprintf(w, "\nPlaintext check\n")
		if len(r.Mismatches) == 0 {
			fmt.Fprintf(w, "  verified          average, count, alert and maximum match the plaintext computation\n")
		} else {
			fmt.Fprintf(w, "  MISMATCH\n")
			for _, m := range r.Mismatches {
				fmt.Fprintf(w, "    %s\n", m)
			}
			fmt.Fprintf(w, "  expected          average %.2f (sum %d), %d at or above T, alert %s, maximum %d\n",
				want.Average, want.Sum, want.AtOrAbove, yesNo(want.Alert), want.Max)
		}
	}

	c := got.Cost
	fmt.Fprintf(w, "\nCost\n")
	fmt.Fprintf(w, "  time              %s\n", FormatDuration(c.Elapsed))
	if r.OneParty {
		fmt.Fprintf(w, "  bytes sent        %s by this party\n", FormatBytes(c.BytesSent))
		fmt.Fprintf(w, "  messages          %d sent by this party\n", c.Messages)
	} else {
		fmt.Fprintf(w, "  bytes sent        %s in total, at most %s by one party\n", FormatBytes(c.BytesSent), FormatBytes(c.BytesPerPartyMax))
		fmt.Fprintf(w, "  messages          %d\n", c.Messages)
	}
	fmt.Fprintf(w, "  rounds            %d\n", c.Rounds)
}

// Metrics are the four outputs in the JSON object.
type Metrics struct {
	Sum       int64   `json:"sum"`
	Average   float64 `json:"average"`
	AtOrAbove int     `json:"at_or_above"`
	Alert     bool    `json:"alert"`
	Max       int64   `json:"max"`
}

// JSON is the JSON object a program prints. Expected and Verified are
// omitted when the plaintext result is unknown. For one party of a
// deployment, BytesTotal, BytesPerPartyMax and Messages are that party's.
type JSON struct {
	N int `json:"n"`
	T int `json:"t"`
	Metrics
	Expected         *Metrics `json:"expected,omitempty"`
	Verified         *bool    `json:"verified,omitempty"`
	Seconds          float64  `json:"seconds"`
	BytesTotal       int64    `json:"bytes_total"`
	BytesPerPartyMax int64    `json:"bytes_per_party_max"`
	Messages         int64    `json:"messages"`
	Rounds           int64    `json:"rounds"`
}

// MetricsOf returns the four outputs of r.
func MetricsOf(r assess.Result) Metrics {
	return Metrics{Sum: r.Sum, Average: r.Average, AtOrAbove: r.AtOrAbove, Alert: r.Alert, Max: r.Max}
}

// JSON returns the report's JSON object.
func (r *Report) JSON() JSON {
	got := r.Got
	j := JSON{
		N:                got.Organisations,
		T:                got.Corruptible,
		Metrics:          MetricsOf(got),
		Seconds:          got.Cost.Elapsed.Seconds(),
		BytesTotal:       got.Cost.BytesSent,
		BytesPerPartyMax: got.Cost.BytesPerPartyMax,
		Messages:         got.Cost.Messages,
		Rounds:           got.Cost.Rounds,
	}
	if r.Want != nil {
		want := MetricsOf(*r.Want)
		verified := len(r.Mismatches) == 0
		j.Expected, j.Verified = &want, &verified
	}
	return j
}

// WriteJSON prints the report as one JSON object on one line.
func (r *Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r.JSON())
}

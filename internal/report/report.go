// Package report prints the outcome of an assessment for the programs in
// examples/: a human-readable report and a one-line JSON object with the
// same fields for every program.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
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
	// Config is the run's public configuration, defaults applied; nil when
	// the program does not know it (then the report shows what Got says).
	Config *assess.Resolved
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
	// OwnScore is this organisation's own score, when the report is one
	// party's: the report then says where it stands.
	OwnScore *int64
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
	if got.Epsilon == 0 {
		// Noisy sums and counts differ from the plaintext by their noise.
		check("sum", got.Sum, want.Sum)
		if math.Abs(got.Average-want.Average) > 1e-9*math.Max(1, math.Abs(want.Average)) {
			diffs = append(diffs, fmt.Sprintf("average %.2f (expected %.2f)", got.Average, want.Average))
		}
		check("at or above", got.AtOrAbove, want.AtOrAbove)
		check("alert", got.Alert, want.Alert)
	}
	check("max", got.Max, want.Max)
	check("max high", got.MaxHigh, want.MaxHigh)
	if len(got.Percentiles) != len(want.Percentiles) {
		diffs = append(diffs, fmt.Sprintf("%d percentiles (expected %d)", len(got.Percentiles), len(want.Percentiles)))
	} else {
		for i, p := range got.Percentiles {
			check(fmt.Sprintf("percentile %v", p.Quantile), p.Score, want.Percentiles[i].Score)
		}
	}
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

// ScoreFormula is the score formula of the weights w, as the report shows
// it: "4·cvss_score + 2·critical_vulnerabilities + …" (terms of weight 0
// left out).
func ScoreFormula(w assess.Weights) string {
	var terms []string
	for i, v := range w.Values() {
		switch v {
		case 0:
		case 1:
			terms = append(terms, assess.InputFields[i].Name)
		default:
			terms = append(terms, fmt.Sprintf("%d·%s", v, assess.InputFields[i].Name))
		}
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, " + ")
}

// Protocol names how the maximum is found under c.
func Protocol(c assess.Resolved) string {
	switch {
	case c.ThresholdUnderMPC:
		return "generic"
	case c.Tournament:
		return "tournament"
	}
	return "bitwise"
}

// protocolText explains Protocol(c) in words.
func protocolText(c assess.Resolved) string {
	switch {
	case c.ThresholdUnderMPC:
		return "generic: tournament of secure comparisons, threshold bits compared under MPC"
	case c.Tournament:
		return "tournament of secure comparisons"
	case c.Security == assess.Malicious:
		return "bitwise, from verified bits under MPC"
	}
	if c.StepBits > 1 {
		return fmt.Sprintf("bitwise, organisations answer for their own scores, %d bits per step", c.StepBits)
	}
	return "bitwise, organisations answer for their own scores"
}

// noiseText describes the noise on sum and count.
func noiseText(eps float64) string {
	return fmt.Sprintf("noisy, ε = %g", eps)
}

// Ordinal names a quantile as the report shows it: "median" for 0.5,
// "90th percentile" for 0.9, "p = 0.125" for quantiles that are not whole
// percents.
func Ordinal(q float64) string {
	if q == 0.5 {
		return "median"
	}
	pct := q * 100
	if pct != math.Round(pct) {
		return fmt.Sprintf("p = %g", q)
	}
	suffix := "th"
	switch n := int(pct); {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s percentile", int(pct), suffix)
}

// WriteText prints the human-readable report: what was computed (the score
// formula and its range, what T and K mean, the protocol and options), the
// results, the plaintext check when known, and the cost apart.
func (r *Report) WriteText(w io.Writer) {
	got := r.Got
	field := got.Field
	if field == "" && r.Want != nil {
		field = r.Want.Field
	}
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-20s%s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(w, "Cohort joint vulnerability assessment (%s)\n\n", r.Mode)

	fmt.Fprintf(w, "What was computed\n")
	if got.ComputeParties != 0 && got.ComputeParties != got.Organisations {
		line("organisations", "%d, computed by %d servers, of which up to %d may collude without learning more than the results",
			got.Organisations, got.ComputeParties, got.Corruptible)
	} else {
		line("organisations", "%d; up to %d of them may collude without learning more than the results", got.Organisations, got.Corruptible)
	}
	if c := r.Config; c != nil {
		line("risk score", "%s, from %d to %d", ScoreFormula(c.Weights), c.ScoreMin, c.ScoreMax)
		for i, b := range c.Bounds.Ranges() {
			f := assess.InputFields[i]
			line("", "%s %d..%d: %s", f.Name, b.Min, b.Max, f.Unit)
		}
	}
	line(fmt.Sprintf("threshold T = %d", got.Threshold), "organisations with a risk score of %d or more are counted", got.Threshold)
	line(fmt.Sprintf("alert level K = %d", got.AlertLevel), "the alert is raised when at least %d organisations score T or more", got.AlertLevel)
	if c := r.Config; c != nil {
		line("security", "%s", securityText(c.Security))
		line("maximum", "%s", protocolText(*c))
	} else {
		line("security", "%s", securityText(got.Security))
	}
	if got.MaxBits > 0 {
		line("coarsened maximum", "only an interval of scores that holds it is revealed (max bits %d)", got.MaxBits)
	}
	if got.Epsilon > 0 {
		line("noise", "discrete Laplace noise on sum and count, ε = %g each: sum, average, count and alert are noisy", got.Epsilon)
	}
	line("field", "%s", FieldName(field))
	if r.Session != "" {
		line("session", "%s", r.Session)
	}
	line("data", "%s", r.Source)
	if r.WrittenTo != "" {
		line("data written to", "%s", r.WrittenTo)
	}

	fmt.Fprintf(w, "\nResults\n")
	noisy := ""
	if got.Epsilon > 0 {
		noisy = ", " + noiseText(got.Epsilon)
	}
	line("average score", "%.2f (sum %d)%s", got.Average, got.Sum, noisy)
	line("at or above T", "%d of %d%s", got.AtOrAbove, got.Organisations, noisy)
	rel := "<"
	if got.Alert {
		rel = "≥"
	}
	line("alert", "%s (%d %s K = %d)%s", yesNo(got.Alert), got.AtOrAbove, rel, got.AlertLevel, noisy)
	if got.MaxBits > 0 {
		line("maximum score", "between %d and %d", got.Max, got.MaxHigh)
	} else {
		line("maximum score", "%d", got.Max)
	}
	for _, p := range got.Percentiles {
		line(Ordinal(p.Quantile), "%d (the score at rank %d of %d from the bottom)", p.Score, got.Organisations-p.Rank+1, got.Organisations)
	}
	if r.OwnScore != nil {
		line("your score", "%s", Standing(got, *r.OwnScore))
	}

	if want := r.Want; want != nil {
		fmt.Fprintf(w, "\nPlaintext check\n")
		switch {
		case len(r.Mismatches) > 0:
			fmt.Fprintf(w, "  MISMATCH\n")
			for _, m := range r.Mismatches {
				fmt.Fprintf(w, "    %s\n", m)
			}
			line("expected", "average %.2f (sum %d), %d at or above T, alert %s, maximum %d",
				want.Average, want.Sum, want.AtOrAbove, yesNo(want.Alert), want.Max)
		case got.Epsilon > 0:
			line("verified", "the maximum%s match%s the plaintext computation, which without noise gives average %.2f (sum %d), %d at or above T",
				percentilesToo(got), map[bool]string{true: "", false: "es"}[len(got.Percentiles) > 0], want.Average, want.Sum, want.AtOrAbove)
		default:
			line("verified", "average, count, alert, maximum%s match the plaintext computation", percentilesToo(got))
		}
	}

	c := got.Cost
	fmt.Fprintf(w, "\nCost\n")
	line("time", "%s", FormatDuration(c.Elapsed))
	if r.OneParty {
		line("bytes sent", "%s by this party", FormatBytes(c.BytesSent))
		line("messages", "%d sent by this party", c.Messages)
	} else {
		line("bytes sent", "%s in total, at most %s by one party", FormatBytes(c.BytesSent), FormatBytes(c.BytesPerPartyMax))
		line("messages", "%d", c.Messages)
	}
	line("rounds", "%d", c.Rounds)
}

func percentilesToo(r assess.Result) string {
	if len(r.Percentiles) > 0 {
		return " and percentiles"
	}
	return ""
}

func securityText(s assess.Security) string {
	if s == assess.Malicious {
		return "malicious: a party that deviates makes the run fail instead of changing the results"
	}
	return "semi-honest: parties follow the protocol; those who collude learn nothing more"
}

// Standing says where an organisation with the given score stands among
// the results: against T, the maximum and the percentiles.
func Standing(r assess.Result, score int64) string {
	parts := []string{fmt.Sprint(score)}
	if score >= int64(r.Threshold) {
		parts = append(parts, "at or above T")
	} else {
		parts = append(parts, "below T")
	}
	switch {
	case r.MaxBits == 0 && score == r.Max:
		parts = append(parts, "the highest score (possibly tied)")
	case r.MaxBits > 0 && score >= r.Max:
		parts = append(parts, "within the interval of the maximum")
	}
	for _, p := range r.Percentiles {
		rel := "below"
		switch {
		case score > p.Score:
			rel = "above"
		case score == p.Score:
			rel = "at"
		}
		parts = append(parts, fmt.Sprintf("%s the %s (%d)", rel, Ordinal(p.Quantile), p.Score))
	}
	return strings.Join(parts, "; ")
}

// Metrics are the four outputs in the JSON object.
type Metrics struct {
	Sum       int64   `json:"sum"`
	Average   float64 `json:"average"`
	AtOrAbove int     `json:"at_or_above"`
	Alert     bool    `json:"alert"`
	Max       int64   `json:"max"`
}

// Options are the output-privacy options in the JSON object.
type Options struct {
	MaxBits     int       `json:"max_bits"`
	StepBits    int       `json:"step_bits"`
	Epsilon     float64   `json:"epsilon"`
	Percentiles []float64 `json:"percentiles"`
}

// JSON is the JSON object a program prints: every public parameter, the
// outputs, the plaintext check and the cost. Expected and Verified are
// omitted when the plaintext result is unknown. For one party of a
// deployment, BytesTotal, BytesPerPartyMax and Messages are that party's.
// "corruptible" is the Shamir degree t, the largest coalition of compute
// parties tolerated; "threshold" is the score threshold T.
type JSON struct {
	N              int             `json:"n"`
	Corruptible    int             `json:"corruptible"`
	ComputeParties int             `json:"compute_parties"`
	Threshold      int             `json:"threshold"`
	AlertLevel     int             `json:"alert_level"`
	Weights        *assess.Weights `json:"weights,omitempty"`
	Bounds         *assess.Bounds  `json:"bounds,omitempty"`
	ScoreMin       *int64          `json:"score_min,omitempty"`
	ScoreMax       *int64          `json:"score_max,omitempty"`
	Field          assess.Field    `json:"field"`
	Security       assess.Security `json:"security"`
	Protocol       string          `json:"protocol,omitempty"`
	Options        *Options        `json:"options,omitempty"`
	Mode           string          `json:"mode,omitempty"`
	Session        string          `json:"session,omitempty"`
	Metrics
	MaxHigh          int64               `json:"max_high,omitempty"`
	Noisy            bool                `json:"noisy,omitempty"`
	Percentiles      []assess.Percentile `json:"percentiles,omitempty"`
	OwnScore         *int64              `json:"own_score,omitempty"`
	Expected         *Metrics            `json:"expected,omitempty"`
	Verified         *bool               `json:"verified,omitempty"`
	Seconds          float64             `json:"seconds"`
	BytesTotal       int64               `json:"bytes_total"`
	BytesPerPartyMax int64               `json:"bytes_per_party_max"`
	Messages         int64               `json:"messages"`
	Rounds           int64               `json:"rounds"`
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
		Corruptible:      got.Corruptible,
		ComputeParties:   got.ComputeParties,
		Threshold:        got.Threshold,
		AlertLevel:       got.AlertLevel,
		Field:            got.Field,
		Security:         got.Security,
		Mode:             r.Mode,
		Session:          r.Session,
		Metrics:          MetricsOf(got),
		MaxHigh:          got.MaxHigh,
		Noisy:            got.Epsilon > 0,
		Percentiles:      got.Percentiles,
		OwnScore:         r.OwnScore,
		Seconds:          got.Cost.Elapsed.Seconds(),
		BytesTotal:       got.Cost.BytesSent,
		BytesPerPartyMax: got.Cost.BytesPerPartyMax,
		Messages:         got.Cost.Messages,
		Rounds:           got.Cost.Rounds,
	}
	if c := r.Config; c != nil {
		w, b, lo, hi := c.Weights, c.Bounds, c.ScoreMin, c.ScoreMax
		j.Weights, j.Bounds, j.ScoreMin, j.ScoreMax = &w, &b, &lo, &hi
		j.Protocol = Protocol(*c)
		j.Options = &Options{MaxBits: c.MaxBits, StepBits: c.StepBits, Epsilon: c.Epsilon, Percentiles: c.Percentiles}
		if j.Session == "" {
			j.Session = c.SessionID
		}
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

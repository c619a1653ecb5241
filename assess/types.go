package assess

import (
	"encoding/json"
	"math"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/ops"
)

// Input is one organisation's private data.
type Input struct {
	CVSS       int // CVSS base score × 10, 0..100 by default
	Critical   int // number of critical vulnerabilities
	PatchDelay int // patch delay in days
	Exposure   int // asset exposure, 0..100
}

// Weights of the risk score w_c·cvss + w_k·critical + w_p·patch_delay + w_e·exposure.
// The zero value means the defaults 4, 2, 2, 2.
type Weights struct {
	CVSS       int `json:"cvss"`
	Critical   int `json:"critical"`
	PatchDelay int `json:"patch_delay"`
	Exposure   int `json:"exposure"`
}

// Range is a closed interval of integers.
type Range struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Bounds are the public bounds of the four inputs. A zero Range means the
// default for that input: cvss 0..100, critical 0..1000, patch delay
// 0..3650, exposure 0..100.
type Bounds struct {
	CVSS       Range `json:"cvss"`
	Critical   Range `json:"critical"`
	PatchDelay Range `json:"patch_delay"`
	Exposure   Range `json:"exposure"`
}

// Field names the prime field the computation runs in.
type Field string

const (
	FieldAuto Field = ""     // M61 when the comparisons fit, M127 otherwise
	FieldM61  Field = "m61"  // 2^61 − 1
	FieldM127 Field = "m127" // 2^127 − 1
)

// Config holds the public parameters of an assessment. Every party must use
// the same Config; Run refuses to proceed when they differ. Zero values mean
// the documented defaults.
type Config struct {
	// Threshold T: organisations with score ≥ T are counted. Default 500.
	Threshold int
	// AlertLevel K: the alert is raised when at least K organisations score
	// ≥ T. Default max(2, ⌊0.3n + 0.5⌋).
	AlertLevel int
	Weights    Weights
	Bounds     Bounds
	// MinParties is the smallest group that may run (default 5, never below 3):
	// in small groups the outputs themselves reveal too much (see package doc).
	MinParties int
	Field      Field
	// SessionID separates the randomness of different runs among the same
	// parties. Empty means a fixed default; deployments should set it.
	SessionID string
	// Timeout bounds the whole run (default 10 minutes); every network wait
	// fails within it.
	Timeout time.Duration
	// ThresholdUnderMPC computes the threshold bits and the maximum with
	// secure comparisons (the generic path, the v1 tournament; slower, same
	// outputs) instead of letting each organisation compute its own bit, or
	// deriving it from the bits of its score under MPC in malicious mode.
	ThresholdUnderMPC bool
	// InputsProfile names the rules by which organisations derived their
	// inputs from their scanner reports (package derive's Profile, such as
	// "cohort-inputs/v1"), or is empty when the campaign does not record
	// one. It is part of the public parameters: parties that derived by
	// different rules refuse each other.
	InputsProfile string
	// Tournament finds the maximum with the tournament of n − 1 secure
	// comparisons of version 1 instead of bit by bit (DESIGN-v2 §2);
	// organisations still deal their own threshold bits. Same outputs, about
	// ten times the traffic; kept for comparison and as a cross-check.
	// ThresholdUnderMPC implies it.
	Tournament bool
	// MaxBits, when positive, coarsens the maximum (DESIGN-v2 §5): instead
	// of the exact score, the parties learn an interval of at most
	// 2^(w − MaxBits) scores that holds it, where w is [Resolved.MaxWidth]
	// (14 for the default parameters). The interval lies entirely at or
	// above the threshold T or entirely below it (which the count tells
	// anyway) and is given by the top MaxBits bits of the maximum's
	// distance from the lower end of its side (T, or the lowest possible
	// score). It takes MaxBits + 1 steps of the bitwise search instead of about w. Every mode
	// supports it except the tournament. 0 (the default) reveals the exact
	// maximum.
	MaxBits int
	// StepBits is the number of bits of the maximum revealed per step by
	// the semi-honest bitwise maximum, 1 to 4 (0 means 1): ⌈w/b⌉ steps of
	// 3 rounds and 2^b − 1 dealings each, fewer rounds for more traffic
	// (for links with a long round trip; see BENCHMARKS.md). Semi-honest
	// all-party mode only.
	StepBits int
	// Epsilon, when positive, adds distributed discrete-Laplace noise to
	// the sum and the count (DESIGN-v2 §5), so that each of them is
	// ε-differentially private on its own (sensitivity: the score range for
	// the sum, 1 for the count); together, and with the alert that follows
	// from the noisy count, they are 2ε-differentially private. Every
	// organisation (in committee mode, every server) adds a secret share
	// of the noise: any n − t of them already make the whole noise, so
	// that t colluding parties who subtract their own shares still face
	// the full noise; the noise actually added is about n/(n − t) ≈ 2
	// times that variance. The maximum and the percentiles are not
	// protected by it. Not in malicious mode (noise would have to be
	// built inside MPC from verified bits). 0 (the default) adds none.
	Epsilon float64
	// Percentiles lists quantiles p in (0, 1), at most [MaxPercentiles] and
	// with at most four decimals (0.5 for the median, 0.9, …): for each,
	// the parties learn the score of the organisation at rank ⌈p·n⌉ from
	// the bottom (the nearest-rank p-quantile), found bit by bit with the
	// organisations answering whether they are at or above a candidate and
	// the count compared with the rank under MPC, so that no count is
	// revealed. Each is one organisation's exact score, like the maximum;
	// each organisation can then place itself. They need at least
	// [MinPercentileParties] organisations. Semi-honest all-party mode
	// only.
	Percentiles []float64
	// Security is the adversary the run withstands: SemiHonest (default) or
	// Malicious (with abort: a deviating organisation makes the run fail
	// instead of changing the result; see the package doc).
	Security Security
	// Progress, when set, is called from the computation's goroutine with the
	// current phase and how far it is; it must be fast. It is local to each
	// party and not part of the public parameters the parties agree on.
	Progress func(phase string, done, total int)
}

// Security is the adversary model of a run; see [ops.Security].
type Security = ops.Security

// The adversary models.
const (
	SemiHonest = ops.SemiHonest
	Malicious  = ops.Malicious
)

// Party is one organisation taking part in a Run: its id (1..n), its private
// input and its transport to the others.
type Party struct {
	ID        int
	Input     Input
	Transport cnet.Transport

	// forge, in tests only, replaces the values this party deals (the
	// semi-honest path's shifted score and threshold bit, or the malicious
	// path's bits), to play an organisation that deviates.
	forge func([]int64) []int64
}

// Result is what every party learns, the public parameters it was
// computed with, and the cost of the run. It encodes to JSON with
// snake_case names; durations in seconds.
type Result struct {
	// Organisations is the number of organisations whose inputs count.
	Organisations int `json:"organisations"`
	// ComputeParties is the number of parties that ran the computation
	// (equal to Organisations when every organisation computes).
	ComputeParties int `json:"compute_parties"`
	// Corruptible is the Shamir degree ⌊(ComputeParties−1)/2⌋: the largest
	// number of compute parties that may collude (or, in the malicious
	// model, deviate) without breaking the guarantees. It is not the score
	// threshold (Threshold).
	Corruptible int `json:"corruptible"`
	// Threshold is the public score threshold T: organisations scoring at
	// or above it are counted.
	Threshold int `json:"threshold"`
	// AlertLevel is the public alert level K: the alert is raised when at
	// least K organisations score at or above T.
	AlertLevel int `json:"alert_level"`
	// Field is the field the computation ran in (FieldM61 or FieldM127).
	Field    Field    `json:"field"`
	Security Security `json:"security"`
	// The output-privacy options in force (see [Config]): zero when off.
	MaxBits  int     `json:"max_bits,omitempty"`
	StepBits int     `json:"step_bits,omitempty"`
	Epsilon  float64 `json:"epsilon,omitempty"`

	// Sum of all scores, and Average = Sum / Organisations; with Epsilon
	// set, both carry the noise (and are clamped to the possible range).
	Sum     int64   `json:"sum"`
	Average float64 `json:"average"`
	// AtOrAbove is the number of organisations with score ≥ Threshold
	// (noisy, and clamped to 0..Organisations, with Epsilon set), and
	// Alert whether it reaches AlertLevel.
	AtOrAbove int  `json:"at_or_above"`
	Alert     bool `json:"alert"`
	// Max is the largest score. With MaxBits set it is the lowest score of
	// the interval known to hold the maximum, and MaxHigh the highest
	// (MaxHigh is 0 when the maximum is exact).
	Max     int64 `json:"max"`
	MaxHigh int64 `json:"max_high,omitempty"`
	// Percentiles are the requested quantiles of the scores, in the order
	// of Config.Percentiles.
	Percentiles []Percentile `json:"percentiles,omitempty"`
	Cost        Cost         `json:"cost"`
}

// Percentile is one quantile of the scores: the score of the organisation
// at rank ⌈Quantile·n⌉ from the bottom, which is the Rank-th largest.
type Percentile struct {
	Quantile float64 `json:"quantile"`
	Rank     int     `json:"rank"` // Score is the Rank-th largest score (1: the maximum)
	Score    int64   `json:"score"`
}

// Cost is what a run spent, for the parties run in this process. In JSON,
// Elapsed is "seconds", a number of seconds.
type Cost struct {
	Elapsed          time.Duration `json:"-"`
	BytesSent        int64         `json:"bytes_sent"`          // summed over the local parties
	BytesPerPartyMax int64         `json:"bytes_per_party_max"` // largest single party's bytes sent
	Messages         int64         `json:"messages"`            // messages sent, summed over the local parties
	Rounds           int64         `json:"rounds"`              // communication rounds (same for every party)
	PerParty         []cnet.Stats  `json:"per_party,omitempty"`
}

// costJSON is Cost with the duration in seconds.
type costJSON struct {
	Seconds float64 `json:"seconds"`
	costFields
}

type costFields Cost // Cost without its methods

// MarshalJSON encodes c with Elapsed as "seconds".
func (c Cost) MarshalJSON() ([]byte, error) {
	return json.Marshal(costJSON{Seconds: c.Elapsed.Seconds(), costFields: costFields(c)})
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (c *Cost) UnmarshalJSON(data []byte) error {
	var j costJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = Cost(j.costFields)
	c.Elapsed = time.Duration(math.Round(j.Seconds * float64(time.Second)))
	return nil
}

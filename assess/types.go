package assess

import (
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
	CVSS, Critical, PatchDelay, Exposure int
}

// Range is a closed interval of integers.
type Range struct{ Min, Max int }

// Bounds are the public bounds of the four inputs. A zero Range means the
// default for that input: cvss 0..100, critical 0..1000, patch delay
// 0..3650, exposure 0..100.
type Bounds struct {
	CVSS, Critical, PatchDelay, Exposure Range
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

// Result is what every party learns, plus the cost of the run.
type Result struct {
	// Organisations is the number of organisations whose inputs count.
	Organisations int
	// ComputeParties is the number of parties that ran the computation
	// (equal to Organisations when every organisation computes).
	ComputeParties int
	// Corruptible is the Shamir degree ⌊(ComputeParties−1)/2⌋: the largest
	// number of compute parties that may collude (or, in the malicious
	// model, deviate) without breaking the guarantees.
	Corruptible int
	Threshold   int   // public threshold T on the score
	AlertLevel  int   // public alert level K
	Field       Field // the field the computation ran in (FieldM61 or FieldM127)
	Security    Security
	Sum         int64   // sum of all scores
	Average     float64 // Sum / Organisations
	AtOrAbove   int     // organisations with score ≥ Threshold
	Alert       bool    // AtOrAbove ≥ AlertLevel
	Max         int64   // the largest score
	Cost        Cost
}

// Cost is what a run spent, for the parties run in this process.
type Cost struct {
	Elapsed          time.Duration
	BytesSent        int64 // summed over the local parties
	BytesPerPartyMax int64 // largest single party's bytes sent
	Messages         int64 // messages sent, summed over the local parties
	Rounds           int64 // communication rounds (same for every party)
	PerParty         []cnet.Stats
}

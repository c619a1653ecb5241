// Package scaling holds what Cohort's scalability benchmarks share: the
// cost models of DESIGN §3–§8 (the tournament) and DESIGN-v2 §2 (the
// bitwise maximum), the thesis's reference measurements, the format of a
// measurement file, least-squares growth fits and the process resource
// counters.
package scaling

import (
	"math"
	"math/big"
)

// Kappa is the statistical security parameter of the comparisons (as
// ops.Kappa).
const Kappa = 40

// ElementSize is the size of an M61 element on the wire, in bytes.
const ElementSize = 8

// Model is the cost model of DESIGN §3–§8 for n parties in M61: field
// elements sent per operation, summed over all parties, preprocessing
// included. It leaves out the one-byte step tag of every message and the
// session setup (see [Model.SetupBytes]).
type Model struct{ N, T int }

// NewModel returns the model for n parties, t = ⌊(n−1)/2⌋.
func NewModel(n int) Model { return Model{N: n, T: (n - 1) / 2} }

func (m Model) nt() (n, t float64) { return float64(m.N), float64(m.T) }

// Random is the cost of one random sharing: n(n−t−2)/(n−t).
func (m Model) Random() float64 {
	n, t := m.nt()
	return n * max(n-t-2, 0) / (n - t)
}

// Zero is the cost of one random sharing of zero of degree 2t.
func (m Model) Zero() float64 {
	n, t := m.nt()
	return n * max(n-2*t-1, 0) / (n - t)
}

// Input is the cost of dealing one chosen value (compressed dealing).
func (m Model) Input() float64 {
	n, t := m.nt()
	return n - t - 1
}

// Open is the cost of a king opening of a degree-t value.
func (m Model) Open() float64 {
	n, t := m.nt()
	return t + n - 1
}

// Open2t is the cost of opening a degree-2t value after adding a fresh [0]_2t.
func (m Model) Open2t() float64 {
	n, t := m.nt()
	return m.Zero() + 2*t + n - 1
}

// Mul is the cost of one DN07 multiplication with a double sharing.
func (m Model) Mul() float64 {
	n, t := m.nt()
	return m.Random() + m.Zero() + 2*t + n - t - 1
}

// Bit is the cost of one random bit (square-root trick).
func (m Model) Bit() float64 { return m.Random() + m.Open2t() }

// LTZMults is the number of multiplications of LTZ's product tree over
// k + 1 factors (the last level is opened, not multiplied).
func LTZMults(k int) int {
	mults := 0
	for w := k + 1; w > 2; w = w/2 + w%2 {
		mults += w / 2
	}
	return mults
}

// SummedMask reports whether the comparison mask r″ of k-bit comparisons
// is summed from t+1 contributions: valid when 2^k + (t+1)·2^(k+κ) < 2^61 − 1
// and cheaper than building it from κ+1 random bits.
func (m Model) SummedMask(k int) bool {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 61), big.NewInt(1))
	bound := new(big.Int).Lsh(big.NewInt(int64(m.T+1)), uint(k+Kappa))
	bound.Add(bound, new(big.Int).Lsh(big.NewInt(1), uint(k)))
	if bound.Cmp(p) >= 0 {
		return false
	}
	n, t := m.nt()
	return (t+1)*(n-t-1) < (Kappa+1)*m.Bit()
}

// Mask is the cost of one comparison mask r″.
func (m Model) Mask(k int) float64 {
	if m.SummedMask(k) {
		n, t := m.nt()
		return (t + 1) * (n - t - 1)
	}
	return (Kappa + 1) * m.Bit()
}

// LTZ is the cost of one k-bit comparison: k random bits (k−1 mask bits and
// σ), the mask r″, a random nonzero ρ, the opening of c, the product tree
// and the opening of the zero test.
func (m Model) LTZ(k int) float64 {
	return float64(k)*m.Bit() + m.Mask(k) + m.Random() + m.Open() + float64(LTZMults(k))*m.Mul() + m.Open2t()
}

// Assessment is the cost in elements of the whole assessment (DESIGN §8)
// with k-bit comparisons. On the default path every organisation deals its
// score and its own threshold bit, and the maximum takes n − 1 comparisons;
// on the generic path the n threshold comparisons run under MPC too. The
// tournament's last selection is opened as a degree-2t product, so it
// takes n − 2 multiplications; the comparisons after the first level open
// their masked differences as degree-2t values (during the king round that
// reduces the previous selections); sum, count and maximum are opened
// together.
func (m Model) Assessment(k int, generic bool) float64 {
	n := float64(m.N)
	inputs, comparisons := 2*n, n-1
	if generic {
		inputs, comparisons = n, 2*n-1
	}
	later := n - 1 - float64(m.N/2) // comparisons after the first level
	return inputs*m.Input() + comparisons*m.LTZ(k) + later*(m.Open2t()-m.Open()) +
		max(n-2, 0)*m.Mul() + 3*m.Open2t()
}

// SetupBytes is the payload of the session setup: a 16-byte configuration
// digest from every party to its successor around a ring, and a 16-byte
// seed for each pair, drawn by one of the two (ops.Session's setup).
func (m Model) SetupBytes() float64 {
	n := float64(m.N)
	const digest, seed = 16, 16
	return n*digest + n*(n-1)/2*seed
}

// Rounds is the number of communication rounds of the assessment: setup,
// preprocessing (3), inputs, ⌈log2 n⌉ tournament levels of one comparison
// (2 + 2⌈log2(k+1)⌉ rounds; a level's selection is reduced in the same
// rounds as the next level's masked opening, and the last one is opened
// unreduced), and the final opening (2).
func (m Model) Rounds(k int) int {
	levels := 0
	for c := m.N; c > 1; c = c/2 + c%2 {
		levels++
	}
	ltz := 2 + 2*int(math.Ceil(math.Log2(float64(k+1))))
	return 1 + 3 + 1 + levels*ltz + 2
}

// Bitwise is the cost in elements of the assessment with the bitwise
// maximum answered by owners (DESIGN-v2 §2) for k-bit scores, one bit per
// step: every organisation deals its score, its threshold bit and its k
// answers (k + 2 dealings of n − t − 1 elements), and k zero tests each
// take a random sharing and open a re-randomised degree-2t product; sum and
// count are opened with the first test (two more degree-2t openings).
func (m Model) Bitwise(k int) float64 {
	n := float64(m.N)
	return n*float64(k+2)*m.Input() + float64(k)*(m.Random()+m.Open2t()) + 2*m.Open2t()
}

// BitwiseRounds is the number of rounds of the bitwise assessment: setup,
// one dealing round of preprocessing, and per step a dealing and a king
// opening (3 rounds).
func (m Model) BitwiseRounds(k int) int { return 1 + 1 + 3*k }

// LinkSeconds is the time model of a run over links with one-way delay d
// (seconds) and uplink bandwidth bw (bytes per second): every round costs
// the delay, and the busiest party's bytes cross its uplink once.
func LinkSeconds(rounds int64, partyBytes int64, d, bw float64) float64 {
	return float64(rounds)*d + float64(partyBytes)/bw
}

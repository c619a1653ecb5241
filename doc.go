// Package cohort is the root of Cohort, a Go SDK for secret-shared
// arithmetic: honest-majority Shamir multi-party computation (MPC) in which
// n parties compute on private inputs and learn only the outputs.
//
// Its first application is collaborative vulnerability assessment: n
// organisations learn the average of their risk scores, how many score at
// or above a public threshold, whether that count reaches an alert level,
// and the maximum score (optionally coarsened, and percentiles; sum and
// count optionally with differentially private noise) — and nothing else.
// See package
// [github.com/cohortmpc/cohort/assess]:
//
//	res, err := assess.Run(ctx, parties, cfg)
//
// # Layers
//
// Each package has one job; lower layers never import upper ones.
//
//   - [github.com/cohortmpc/cohort/field]: the prime fields M61 = 2^61−1
//     (default) and M127 = 2^127−1, vectors, encoding, sampling.
//   - [github.com/cohortmpc/cohort/share]: Shamir sharing and reconstruction,
//     Lagrange interpolation, extraction matrices.
//   - [github.com/cohortmpc/cohort/net]: the Transport interface, an in-memory
//     mesh and traffic counters; [github.com/cohortmpc/cohort/net/tcp] is TCP
//     with mutual TLS 1.3 and pinned keys.
//   - [github.com/cohortmpc/cohort/ops]: one party's side of the secure
//     operations: input, opening, multiplication, random bits, comparison,
//     maximum (by secure comparisons, or bit by bit with the owners
//     answering for their own values) — batched, with O(n) traffic per
//     operation.
//   - [github.com/cohortmpc/cohort/assess]: the four assessment metrics.
//
// DESIGN.md at the root of the repository describes the protocols, their
// costs and security conditions; the package docs refer to its sections.
//
// # Threat model
//
// Cohort v1 is secure against a semi-honest (honest-but-curious) adversary
// that corrupts up to t = ⌊(n−1)/2⌋ of the n parties, n ≥ 3: corrupt parties
// follow the protocol but pool everything they see. Such a coalition learns
// nothing beyond the outputs and its own inputs. It assumes authenticated,
// confidential point-to-point channels (TLS 1.3 with mutually pinned keys in
// net/tcp; trivially true in memory). Randomness comes from crypto/rand,
// expanded with AES-CTR; security is computational, and comparisons hide
// their inputs statistically up to 2^−40.
//
// Cohort does not protect against parties that deviate from the protocol: a
// malicious party can make the outputs wrong (though it cannot learn more
// than a semi-honest one). Malicious security with abort is planned. Nor
// does it hide who takes part, or the timing and sizes of messages.
//
// # What the outputs reveal
//
// The outputs are not leakage of the protocol, but they are real:
//
//   - the sum (equivalently the average) tells each party the sum of the
//     others' scores;
//   - the count tells each party how many others score at or above T;
//   - the maximum is the exact score of some organisation, and so is each
//     percentile;
//   - with n = 3, a party learns all scores (unordered) from the sum and
//     the maximum.
//
// So the assessment refuses groups smaller than a minimum (5 by default,
// never below 3; 10 with percentiles), and the threshold T should stay
// fixed across runs of a campaign: varying T reveals the histogram of
// scores. Options coarsen the maximum and add noise to sum and count (see
// package assess).
package cohort

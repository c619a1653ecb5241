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
//     operations on typed secret values: input, opening, multiplication,
//     comparison, equality, selection, maximum (by secure comparisons, bit
//     by bit under MPC, or with the owners answering for their own values),
//     arg-max, sorting — batched, with O(n) traffic per operation,
//     semi-honest or malicious.
//   - [github.com/cohortmpc/cohort/assess]: the four assessment metrics, in
//     all-party or committee mode; [github.com/cohortmpc/cohort/assess/derive]
//     derives an organisation's inputs from its scanner reports.
//
// DESIGN.md at the root of the repository describes the protocols, their
// costs and security conditions; the package docs refer to its sections.
//
// # Threat model
//
// Cohort withstands an adversary that corrupts up to t = ⌊(n−1)/2⌋ of the n
// compute parties, n ≥ 3, in one of two models, chosen per run:
//
//   - Semi-honest (the default): corrupt parties follow the protocol but
//     pool everything they see. Such a coalition learns nothing beyond the
//     outputs and its own inputs. A party that deviates can make the
//     outputs wrong; the assessment's free sanity checks (a count within
//     0..n, a maximum within the bounds, …) catch only gross deviations.
//   - Malicious with abort: corrupt parties may deviate arbitrarily. Every
//     value carries a MAC under a secret key, every product and opening is
//     verified before any value that is not uniformly masked is revealed,
//     inputs are dealt as verified bits so that they lie in their bounds,
//     and the parties check that they hold the same outputs. Every honest
//     party either outputs the correct result or stops with an error, and
//     cheating reveals nothing. Output is not guaranteed (a corrupt party
//     can always make the run fail), and without a broadcast channel a
//     corrupt party can make some honest parties stop while the others
//     output the correct result.
//
// Both assume authenticated, confidential point-to-point channels (TLS 1.3
// with mutually pinned keys in net/tcp; trivially true in memory).
// Randomness comes from crypto/rand, expanded with AES-CTR; security is
// computational, comparisons hide their inputs statistically up to 2^−40,
// and a check of the malicious mode misses a deviation with probability
// about 2^−60. Cohort does not hide who takes part, or the timing and sizes
// of messages. A malicious organisation can still choose its own input
// within the bounds: no protocol can stop that.
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

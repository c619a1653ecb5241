// Package assess runs Cohort's joint vulnerability assessment: n
// organisations each hold four private integers and learn together a few
// aggregate risk figures, and nothing else about each other's data.
//
// # What is computed
//
// Each organisation's [Input] is its CVSS base score × 10 (0..100), its number
// of critical vulnerabilities, its patch delay in days and its asset exposure
// (0..100), all within public [Bounds]. Its risk score is
//
//	score = 4·cvss + 2·critical + 2·patch_delay + 2·exposure
//
// with configurable [Weights]. The organisations learn
//
//   - the sum of all scores, and so the average;
//   - how many organisations score at or above a public threshold T (default 500);
//   - an alert when that count reaches a public level K (default
//     max(2, ⌊0.3n + 0.5⌋), see [DefaultAlertLevel]);
//   - the maximum score.
//
// The computation is honest-majority Shamir secret sharing over a prime
// field (see the root package for the threat model): every organisation
// range-checks its own input, computes its score and its own bit
// [score ≥ T] (T is public), and secret-shares both; sum and count are
// added locally. The maximum is found bit by bit from the top (DESIGN-v2
// §2): at each step every organisation deals, for its own score, whether
// it is still a candidate and has that bit set, and the parties reveal only
// whether any organisation does, by opening the sum of the answers times a
// secret random value; that bit of the maximum is public, so no comparison
// of secret values is needed. It takes 3 rounds per bit whatever n (44 in
// all for the default scores of 14 bits) and about a tenth of the traffic
// of version 1's tournament of n − 1 secure comparisons, which remains
// available ([Config.Tournament]). With [Config.ThresholdUnderMPC] the
// threshold bits are computed by n more secure comparisons as well (the
// generic path, batched with the tournament's first level): same outputs,
// about 1.8 times the tournament's traffic. In malicious mode
// ([Config.Security]) organisations deal the bits of their scores, which
// the parties verify, and compute the same bitwise maximum from them under
// MPC.
//
// # Options
//
// Off by default, each part of the public configuration that every party
// must share (and that the configuration hash covers):
//
//   - [Config.Percentiles]: quantiles of the scores (0.5 for the median),
//     found by the same bit-by-bit search, where each step reveals only
//     whether at least q organisations are at or above the candidate (each
//     organisation deals whether it is; the count is compared with q under
//     MPC and never opened). Each quantile is one organisation's exact
//     score, like the maximum; each organisation can then place itself.
//     Refused below [MinPercentileParties] organisations.
//   - [Config.MaxBits]: a coarsened maximum, only the top bits of it: an
//     interval of scores that holds it.
//   - [Config.Epsilon]: distributed discrete-Laplace noise on sum and
//     count, each ε-differentially private; every organisation adds a
//     secret share of the noise, and any n − t of them make the whole
//     noise. The alert follows the noisy count.
//   - [Config.StepBits]: several bits of the maximum per step, fewer rounds
//     for more traffic (for links with a long round trip).
//
// Which mode supports what (anything else is refused with [ErrConfig]):
//
//	option        semi-honest, all parties   malicious   committee (RunCommittee)
//	bitwise max   default                    default     default
//	tournament    Tournament                 Tournament  Tournament
//	MaxBits       bitwise only               yes         yes
//	StepBits      bitwise only               no          no
//	Epsilon       yes                        no          semi-honest: the servers add it
//	Percentiles   yes                        no          no
//
// # API
//
// [Run] takes one or many [Party] values, each with its id, private input and
// [github.com/cohortmpc/cohort/net.Transport] to the others, and runs them
// with ctx and a [Config]:
//
//	res, err := assess.Run(ctx, []assess.Party{{ID: 3, Input: in, Transport: tr}}, cfg)
//
// Every party must use the same Config; parties compare a hash of the public
// parameters first and refuse to proceed when they differ. [Simulate] runs
// all parties in one process over in-memory transports, for tests, demos and
// measurements; [Expected] computes the same [Result] in plaintext from all
// inputs, as an oracle.
//
// # What the outputs reveal
//
// The protocol reveals nothing beyond its outputs, but the outputs themselves
// say something about individual organisations, to every participant:
//
//	output          what every party learns from it
//	sum / average   the sum of the other organisations' scores
//	count ≥ T       how many of the others score at or above T
//	alert           whether that count reaches K (implied by the count)
//	maximum         the exact score of one organisation (unnamed)
//	percentile      the exact score of one more organisation (unnamed), each
//	coarse maximum  an interval of scores that holds the maximum
//	noisy sum/count the sum or count plus discrete Laplace noise of scale
//	                Δ/ε (Δ: the score range for the sum, 1 for the count)
//
// In a group of 3, a party that subtracts its own score from the sum and
// knows the maximum learns every score (though not whose it is). Small groups
// are therefore refused: Run returns [ErrTooFewParties] below
// [Config.MinParties], which defaults to 5 and cannot be set below 3, and
// below [MinPercentileParties] when percentiles are asked for. Noise
// protects sum and count only: the maximum and the percentiles are exact
// scores (coarsen the maximum with MaxBits), and a noisy count can still
// raise or miss the alert by its noise.
//
// Keep T fixed for a campaign. Running the same data with different
// thresholds reveals how many organisations fall between them, and enough
// thresholds reveal the whole histogram of scores. The same holds for
// percentiles asked for in different runs.
//
// # Errors
//
// Invalid configuration is reported as [ErrConfig], too small a group as
// [ErrTooFewParties], and an input outside the bounds as an [*InputError]
// wrapping [ErrInputOutOfRange]; all can be matched with errors.Is and
// errors.As.
package assess

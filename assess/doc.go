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
// added locally, and the maximum is found by a tournament of n − 1 secure
// comparisons. Sum, count and maximum are opened together at the end. With
// [Config.ThresholdUnderMPC] the threshold bits are computed by n more
// secure comparisons instead (the generic path, batched with the
// tournament's first level): same outputs, about 1.8 times the traffic.
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
//
// In a group of 3, a party that subtracts its own score from the sum and
// knows the maximum learns every score (though not whose it is). Small groups
// are therefore refused: Run returns [ErrTooFewParties] below
// [Config.MinParties], which defaults to 5 and cannot be set below 3.
//
// Keep T fixed for a campaign. Running the same data with different
// thresholds reveals how many organisations fall between them, and enough
// thresholds reveal the whole histogram of scores.
//
// # Errors
//
// Invalid configuration is reported as [ErrConfig], too small a group as
// [ErrTooFewParties], and an input outside the bounds as an [*InputError]
// wrapping [ErrInputOutOfRange]; all can be matched with errors.Is and
// errors.As.
package assess

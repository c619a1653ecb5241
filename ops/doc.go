// Package ops runs one party's side of Cohort's secure operations over a
// [github.com/cohortmpc/cohort/net.Transport]: secret-shared input,
// opening, multiplication, random bits, comparison and maximum, for n ≥ 3
// parties of whom at most t = ⌊(n−1)/2⌋ are corrupt (semi-honest).
//
// A [Session] holds the party's pairwise PRG keys, its pools of
// preprocessed randomness and the counters that keep the parties in step.
// Every party calls the same operations in the same order with inputs of
// the same lengths; shared values are plain slices of field elements (this
// party's shares, degree t). Every operation is batched: a call on a slice
// sends at most one message to each peer per round, whatever its length.
//
// # Protocols and costs
//
// Costs are field elements sent, summed over all parties, per value; kings
// and dealers rotate so each party carries about 1/n of it. R = n(n−t−2)/(n−t)
// is the cost of one random sharing. Rounds are those of the operation
// itself; preprocessing adds its own (see below).
//
//	operation         rounds            elements                        protocol
//	Input             1                 n − t − 1                       compressed dealing
//	Open              2                 t + n − 1                       king opening
//	OpenDouble        2                 2t + n − 1                      re-randomise, king opening
//	Mul, Dot          2                 R + 2t + n − t − 1 ≈ 2.5n       DN07, the king re-deals
//	RandomBits        2                 R + 2t + n − 1 ≈ 3n             square root of a²
//	LTZ, k bits       2 + 2⌈log2(k+1)⌉  ≈ 3n·k + 2.5n·(k−1) + mask      Catrina–de Hoogh, DGK-style
//	Max of m values   10⌈log2 m⌉ + 2    (m − 1)·(LTZ + Mul)             tournament
//
// The mask of a comparison costs (t+1)(n−t−1) elements when it is summed
// from t+1 parties' contributions, or 41 random bits (≈ 123n) otherwise.
// Max reduces each level's selections in the same king round that opens the
// next level's masked differences (as degree-2t values, re-randomised), so
// a level costs the 10 rounds of its comparisons; MaxToOpen also skips the
// last reduction.
//
// Randomness is dealt with compressed dealing and extracted with a
// systematic MDS matrix (n − t outputs per n dealings; DN07), in
// batches ([Session.Prepare] generates what a computation needs in about
// three rounds; operations generate what is missing on demand). There is no
// pseudo-random secret sharing: its key count grows as C(n, t).
//
// The comparison mask r″ is the sum of t+1 parties' contributions when that
// cannot wrap around the field and costs less, and is built from κ+1 = 41
// random bits otherwise (large n). At large n, Prepare deals in chunks and
// makes bits in batches so that memory stays bounded, at the price of a few
// more rounds.
//
// # Security
//
// Degree-2t values are opened only after adding a fresh random sharing of
// zero ([Session.OpenDouble]). Pairwise seeds are drawn from crypto/rand
// (or Options.Rand in tests) and expanded with AES-256-CTR, domain-separated
// by session id, dealer, purpose and a dealing counter. Comparisons are
// statistically hiding with κ = 40.
//
// A peer whose message has the wrong step or size makes the receiving
// party fail with a [github.com/cohortmpc/cohort/net.PeerError] that names
// the peer and the step; the failing party tells the others, which fail too
// (ErrPeerAborted). Semi-honest security does not detect a peer that sends
// well-formed wrong values.
package ops

// Package ops runs one party's side of Cohort's secure operations over a
// [github.com/cohortmpc/cohort/net.Transport]: secret-shared input, opening
// (to all or to one party), multiplication, comparison, equality,
// selection, maximum, minimum, arg-max, sorting and division by a power of
// two, among n ≥ 3 compute parties of whom at most t = ⌊(n−1)/2⌋ are
// corrupt: semi-honest by default, malicious with abort when
// Options.Security is [Malicious].
//
// It is the layer for writing new secure computations; package assess is
// one. Who only wants the vulnerability assessment should use assess.
//
// # Values
//
// A [Session] holds the party's pairwise PRG keys, its pools of
// preprocessed randomness and the counters that keep the parties in step.
// Secret values are vectors, and every operation is batched: a call on a
// vector sends at most one message to each peer per round, whatever its
// length.
//
//   - [Shares] is a vector of field elements as this party holds them: its
//     Shamir shares and their degree (T for fresh values, 2T for local
//     products, which the type re-randomises before opening and reduces
//     before multiplying), with room for MAC shares.
//   - [Int] is a vector of integers with one public [Bound]. Arithmetic
//     carries the bound along (the bound of a sum is the sum of the bounds,
//     and so on); comparisons derive their bit width from it, and a width
//     the field cannot hold is an error before anything is sent.
//
// Linear operations are methods and cost nothing (Add, Sub, AddConst,
// Scale, Sum, Slice, Pick, Not); the others are methods of the Session.
// Misuse — values of different lengths or sessions, a product of degree-2T
// values, a bound beyond the field — yields values that carry an error
// ([ErrMisuse]), never a panic; the operation that receives them fails the
// session, since the peers cannot go on without this party.
//
// # Roles
//
// By default every party of the transport computes. [Options.Compute] names
// the compute parties instead; the others are input parties, which only
// deal their inputs ([Session.Input], plain Shamir shares) and may receive
// values opened to them ([Session.OpenTo], [Session.Receive]), and then may
// leave. [Session.ImportShares] takes shares dealt outside the session (a
// server of committee mode reads them from its store).
//
// # Protocols and costs
//
// Costs are field elements sent, summed over all parties, per value; kings
// and dealers rotate so each party carries about 1/n of it. R = n(n−t−2)/(n−t)
// is the cost of one random sharing, Z = n(n−2t−1)/(n−t) that of a sharing
// of zero of degree 2T (0 for odd n), B = R + Z + 2t + n − 1 ≈ 3n that of a
// random bit, M ≈ 2.5n that of a multiplication. Rounds are those of the
// operation itself; preprocessing adds its own (see below). k is the bit
// width derived from the bounds.
//
//	operation          rounds              elements per value                    protocol
//	Input              1                   n − t − 1 (input party: n)            compressed dealing
//	Open               2                   t + n − 1 (degree 2T: 2t + n − 1 + Z) king opening
//	OpenTo             1                   t (to an input party: t + 1)          shares to one party
//	Mul, Dot, Select   2                   R + 2t + n − t − 1 ≈ 2.5n             DN07, the king re-deals
//	RandomBits         2                   R + Z + 2t + n − 1 ≈ 3n               square root of a²
//	ZeroTest           2                   R + Z + 2t + n − 1                    open r·x (public result)
//	LTZ, LessThan, …   2 + 2⌈log2(k+1)⌉    k·B + mask + R + t+n−1 + (k−1)·M + 2t+n−1+Z   Catrina–de Hoogh, DGK-style
//	EQZ, Equal         2⌈log2 k⌉           k·B + mask + (k−2)·M + t + n − 1      bits of a masked value, product
//	DivPow2 by 2^m     2 + 2⌈log2(m+2)⌉    (K+κ+1)·B + R + (t+n−1) + m·M + …     Trunc with exact correction
//	Max, Min of c      10⌈log2 c⌉ (k ≤ 15) (c−1)·LTZ + (c−2)·M + …              tournament
//	MaxOfBits of c     ≈ 4k (k bits)       (k−1)·c·M + k·ZeroTest                bitwise, under MPC
//	MaxByOwners        3 per step          per step of b bits: (2^b−1)·(n·(n−t−1) + ZeroTest)   owners answer (semi-honest)
//	NthLargestByOwners k·(3 + LTZ)         per step and rank: n·(n−t−1) + LTZ + t+n−1           owners answer, count compared
//	ArgMax of c        as Max              Max + (c−2)·M                         tournament with indices
//	Sort of c          12 per layer        per comparator LTZ + M                Batcher's odd–even merge
//
// MaxByOwners and NthLargestByOwners are searches from the top bit down in
// which every compute party answers, for its own private value, a public
// question about the candidate (DESIGN-v2 §2): no comparison of shared
// values for the maximum, 3 rounds per step whatever n, about 1/10 of a
// tournament's traffic at n = 50. They trust the owners (semi-honest) and
// need every party to compute; MaxOfBits finds the maximum from verified
// bits under MPC instead.
//
// The mask of a comparison costs (t+1)(n−t−1) elements when it is summed
// from t+1 parties' contributions, or 41 random bits (≈ 123n) otherwise.
// Max leaves its last selection as a local product (a degree-2T result) and
// reduces each level's selections in the same king round that opens the
// next level's masked differences (as degree-2T values, re-randomised), so a
// level costs the 10 rounds of its comparisons. The package's traffic test
// checks every row against the measured bytes.
//
// Randomness is dealt with compressed dealing and extracted with a
// systematic MDS matrix (n − t outputs per n dealings; DN07), in batches.
// Each protocol declares the preprocessing it consumes next to itself
// (NeedsMax, NeedsLessThan, …; a test checks each declaration against what
// the protocol takes), and [Session.Prepare] generates it ahead of the
// online phase in about three rounds; an operation that finds a pool short
// generates the rest on demand, at the price of extra rounds. There is no
// pseudo-random secret sharing: its key count grows as C(n, t). At large n,
// Prepare deals in chunks and makes bits in batches so that memory stays
// bounded, at the price of a few more rounds.
//
// # The engine
//
// The protocols are written against one internal seam (engine.go): open
// (optionally with the promise that the values are uniformly masked),
// multiply, reduce, authenticate fresh values, verify. The semi-honest
// engine implements it with king openings and DN07 re-dealing, and has two
// capabilities the protocols use when present: a trusted king may
// post-process what it opens (the square root of random bits), and a king
// round may open some values while it reduces others (the overlapped
// tournament levels).
//
// # Security
//
// Degree-2T values are opened only after adding a fresh random sharing of
// zero. Pairwise seeds are drawn from crypto/rand (or Options.Rand in tests)
// and expanded with [github.com/cohortmpc/cohort/field.PRGKey]
// (AES-256-CTR), domain-separated by session id, dealer, purpose and a
// dealing counter. Comparisons and equality tests are statistically hiding
// with κ = [Kappa] = 40.
//
// A peer whose message has the wrong step or size makes the receiving
// party fail with a [github.com/cohortmpc/cohort/net.PeerError] that names
// the peer and the step; the failing party tells the others why, and they
// stop with an [*AbortError] that says who reported what (it matches
// [ErrPeerAborted]). A cancelled context or a passed deadline is reported
// as such and matches context.Canceled or context.DeadlineExceeded.
// Semi-honest security does not detect a peer that sends well-formed wrong
// values; the malicious mode does.
//
// # Malicious security with abort
//
// With Options.Security = [Malicious] up to t compute parties may deviate in
// any way, and every honest party either gets the correct result of every
// operation or fails with an error (a check that fails matches
// [ErrCheck]); deviating reveals nothing. The same protocols run on another engine (Chida et al.,
// CRYPTO 2018): every value carries shares of its product with a secret MAC
// key α; products, openings by kings and dealt sharings are recorded and
// verified in a batch (a random linear combination, opened all-to-all
// after every party has committed to its shares, 5 rounds) before anything
// that is not uniformly masked is revealed, and
// a verification misses a deviation with probability about 2/p. Outputs
// are opened all-to-all. What the engine cannot know is whether an input
// is what its dealer claims: [Session.InputBits] deals integers as bits,
// and [Session.RequireBits] and [Session.RequireZero] declare relations a
// dealer's values must satisfy; the next verification checks them and
// names a dealer that breaks one ([*InputCheckError]). [Session.Agree]
// lets the parties compare their outputs before reporting them.
//
// Output is not guaranteed: a corrupt party can make the run fail, or
// make some honest parties fail while the others finish (there is no
// broadcast). A failed batched check names no one, since the parties
// cannot tell who deviated. Against the table above, a product costs two
// reductions instead of one, every input and random value one more
// multiplication for its MAC, and each verification 5 rounds (each
// comparison runs one, before its zero test is opened). MaxByOwners and NthLargestByOwners trust
// the owners' answers and refuse to run; MaxOfBits finds the maximum from
// verified bits instead.
package ops

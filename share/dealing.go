package share

import (
	"fmt"

	"github.com/cohortmpc/cohort/field"
)

// Dealing is the interpolation matrix of compressed dealing (DESIGN §3) of
// degree-D sharings among N parties by one dealer. The dealer fixes the
// values at the points Fixed — the secret at 0 when it is chosen, and the
// shares of the parties Parties, which the dealer and each of them draw from
// the PRG they share — and computes the values at Targets, of which it sends
// only the other parties' shares:
//
//   - Chosen (the dealer fixes the secret): Fixed = [0, Parties...] with
//     len(Parties) = D, and Targets = the other party ids.
//   - Random (the secret is implicit): Fixed = Parties with
//     len(Parties) = D+1, and Targets = [0, other party ids...]; Targets[0]
//     is 0, so Apply also yields the dealer's secret.
//
// Parties is chosen so that few patterns exist and one matrix serves many
// dealers (and all simulated parties of a process): the lowest ids when the
// dealer is not among them, else the highest ids, else (only when those two
// sets both contain the dealer) the lowest ids but the dealer. The dealer is
// never in Parties: it computes its own share and sends N − D − 1 elements
// per chosen sharing, N − D − 2 per random one.
//
// M is the row-major len(Targets)×len(Fixed) matrix with
// value(Targets[r]) = Σ_c M[r·len(Fixed) + c]·value(Fixed[c]) for every
// polynomial of degree ≤ D. A Dealing obtained from [CompressedDealing] is
// shared and must not be modified.
type Dealing[E any] struct {
	N, D    int
	Chosen  bool
	Parties []int // party ids whose shares come from pairwise PRGs, ascending
	Fixed   []int
	Targets []int
	M       []E
}

// dealingSet identifies the PRG-fixed parties of a dealing: a kind and, for
// the last kind, the dealer it excludes.
type dealingSet struct {
	kind   int // 0: lowest ids, 1: highest ids, 2: lowest ids but the dealer
	dealer int
}

func fixedCount(d int, chosen bool) int {
	if chosen {
		return d
	}
	return d + 1
}

func setFor(n, d int, chosen bool, dealer int) dealingSet {
	k := fixedCount(d, chosen)
	switch {
	case dealer > k:
		return dealingSet{kind: 0}
	case dealer <= n-k:
		return dealingSet{kind: 1}
	default:
		return dealingSet{kind: 2, dealer: dealer}
	}
}

func (s dealingSet) has(n, k, party int) bool {
	switch s.kind {
	case 0:
		return party <= k
	case 1:
		return party > n-k
	default:
		return party <= k+1 && party != s.dealer
	}
}

// FixedByPRG reports whether, in a compressed dealing of a degree-d sharing
// among n parties by dealer, party's share comes from the PRG it shares
// with the dealer (true) or is sent by the dealer (false). It is what a
// receiver needs to know, without the matrix.
func FixedByPRG(n, d int, chosen bool, dealer, party int) bool {
	return setFor(n, d, chosen, dealer).has(n, fixedCount(d, chosen), party)
}

// CompressedDealing returns the compressed-dealing matrix for degree-d
// sharings among n parties by dealer (1..n). It needs d < n−1 for a random
// secret and d < n for a chosen one, so that the dealer is not fixed.
// Results are cached process-wide: concurrent calls with the same pattern
// compute the matrix once and all return the same read-only value.
func CompressedDealing[E any](f field.Field[E], n, d int, chosen bool, dealer int) (*Dealing[E], error) {
	if err := checkDegree(n, d); err != nil {
		return nil, err
	}
	if dealer < 1 || dealer > n {
		return nil, fmt.Errorf("share: dealer %d outside 1..%d", dealer, n)
	}
	if !chosen && d+1 >= n {
		return nil, fmt.Errorf("share: no compressed dealing of a random degree-%d sharing among %d parties", d, n)
	}
	set := setFor(n, d, chosen, dealer)
	kind := 0
	if chosen {
		kind = 1
	}
	compute := func() (any, error) { return newDealing(f, n, d, chosen, set), nil }
	v, err := dealingCache.get(key(f.Name(), 'D', n, d, kind, set.kind, set.dealer), compute)
	if err != nil {
		return nil, err
	}
	if dl, ok := v.(*Dealing[E]); ok {
		return dl, nil
	}
	return newDealing(f, n, d, chosen, set), nil // same field name, other element type
}

func newDealing[E any](f field.Field[E], n, d int, chosen bool, set dealingSet) *Dealing[E] {
	dl := &Dealing[E]{N: n, D: d, Chosen: chosen}
	k := fixedCount(d, chosen)
	var others []int
	for x := 1; x <= n; x++ {
		if set.has(n, k, x) {
			dl.Parties = append(dl.Parties, x)
		} else {
			others = append(others, x)
		}
	}
	if chosen {
		dl.Fixed = append([]int{0}, dl.Parties...)
		dl.Targets = others
	} else {
		dl.Fixed = dl.Parties
		dl.Targets = append([]int{0}, others...)
	}
	dl.M = lagrangeMatrix(f, dl.Fixed, dl.Targets)
	return dl
}

// Apply sets out[r] to the values at Targets[r], given vals[c], the values at
// Fixed[c]. Each vals[c] and out[r] is a vector over a batch of sharings (all
// of one length); out must not share memory with vals. Apply panics when
// len(vals) ≠ len(Fixed), len(out) ≠ len(Targets) or the vector lengths
// differ.
func (dl *Dealing[E]) Apply(f field.Field[E], out [][]E, vals [][]E) {
	if len(vals) != len(dl.Fixed) || len(out) != len(dl.Targets) {
		panic(fmt.Sprintf("share: Dealing.Apply: %d values and %d outputs, want %d and %d",
			len(vals), len(out), len(dl.Fixed), len(dl.Targets)))
	}
	f.MatMul(out, dl.M, vals)
}

// Vandermonde returns the row-major rows×n matrix V with V[ℓ·n + (i−1)] = i^ℓ
// for ℓ = 0..rows−1 and i = 1..n: the transpose of the matrix that evaluates
// a polynomial of degree < rows at the points 1..n ([DealVec] uses it; it
// is also a valid, if slower, extraction matrix than [Extraction]). It is cached
// process-wide and must not be modified. It panics when rows < 0 or n is not
// in [0, MaxN].
func Vandermonde[E any](f field.Field[E], rows, n int) []E {
	if rows < 0 || n < 0 || n > MaxN {
		panic(fmt.Sprintf("share: Vandermonde: invalid dimensions %d×%d", rows, n))
	}
	compute := func() (any, error) { return vandermonde(f, rows, n), nil }
	v, _ := matrixCache.get(key(f.Name(), 'V', rows, n), compute)
	if m, ok := v.([]E); ok {
		return m
	}
	return vandermonde(f, rows, n)
}

func vandermonde[E any](f field.Field[E], rows, n int) []E {
	v := make([]E, rows*n)
	if rows == 0 {
		return v
	}
	one := f.One()
	for i := range n {
		v[i] = one
	}
	xs := points(f, partyPoints(n))
	for l := 1; l < rows; l++ {
		f.VecMul(v[l*n:(l+1)*n], v[(l-1)*n:l*n], xs)
	}
	return v
}

// Extraction returns the matrix that turns n dealt random sharings, of which
// at most t were dealt by corrupt parties, into n − t uniformly random ones
// (randomness extraction, DN07). It is the redundant part A of a systematic
// MDS generator [I | A]: output ℓ (0 ≤ ℓ < n−t) is
//
//	r_ℓ = s_(ℓ+1) + Σ_j A[ℓ·t + j]·s_(n−t+1+j)
//
// where s_i is the sharing dealt by party i. A is the (n−t)×t Cauchy matrix
// A[ℓ][j] = 1/(x_ℓ − y_j) with x_ℓ = ℓ and y_j = n−t+j, every square
// submatrix of which is invertible; so every n − t columns of [I | A] are
// invertible, and the outputs are uniform given any t inputs. Each output
// costs t multiplications, against n for a transposed Vandermonde matrix.
// The matrix is cached process-wide and must not be modified. It panics
// unless 0 ≤ t < n ≤ MaxN.
func Extraction[E any](f field.Field[E], n, t int) []E {
	if t < 0 || t >= n || n > MaxN {
		panic(fmt.Sprintf("share: Extraction: invalid dimensions n=%d t=%d", n, t))
	}
	compute := func() (any, error) { return cauchy(f, n, t), nil }
	v, _ := matrixCache.get(key(f.Name(), 'X', n, t), compute)
	if m, ok := v.([]E); ok {
		return m
	}
	return cauchy(f, n, t)
}

func cauchy[E any](f field.Field[E], n, t int) []E {
	rows := n - t
	m := make([]E, rows*t)
	for l := range rows {
		for j := range t {
			m[l*t+j] = f.FromInt64(int64(l - (rows + j)))
		}
	}
	if len(m) > 0 {
		if err := f.BatchInv(m, m); err != nil {
			panic(err) // x_ℓ < y_j: no difference is zero
		}
	}
	return m
}

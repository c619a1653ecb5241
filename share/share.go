// Package share implements Shamir secret sharing over the fields of package
// [github.com/cohortmpc/cohort/field]: dealing, reconstruction, interpolation
// and consistency checks, Lagrange coefficients and matrices, and the fixed
// interpolation matrices of compressed dealing.
//
// Party i (1 ≤ i ≤ n) holds the value at point i of a polynomial whose value
// at 0 is the secret. A degree-d sharing is private against any d parties and
// reconstructs from any d+1 shares.
//
// # Caches
//
// Lagrange coefficient vectors, compressed-dealing matrices, Vandermonde and
// extraction matrices are computed once per process and shared (keyed by the field's
// name and the points), so that many simulated parties in one process hold
// one copy. Values returned from a cache are read-only. All functions are
// safe for concurrent use.
//
// Functions return errors for invalid arguments (duplicate or out-of-range
// points, too few shares, mismatched lengths); they panic only where noted,
// for programmer errors such as mismatched slice shapes passed to
// [Dealing.Apply].
package share

import (
	"errors"
	"fmt"
	"io"

	"github.com/cohortmpc/cohort/field"
)

// MaxN is the largest number of parties and the largest evaluation point.
const MaxN = 1 << 20

// ErrInconsistent is returned (wrapped) by [Check] when the shares do not lie
// on one polynomial of the given degree.
var ErrInconsistent = errors.New("share: inconsistent shares")

func checkDegree(n, d int) error {
	if n < 1 || n > MaxN {
		return fmt.Errorf("share: number of parties %d out of range [1, %d]", n, MaxN)
	}
	if d < 0 || d >= n {
		return fmt.Errorf("share: degree %d out of range [0, %d) for %d parties", d, n, n)
	}
	return nil
}

// Deal shares secret among n parties with a uniformly random polynomial f of
// degree d (d < n) with f(0) = secret, drawing the d coefficients from rnd.
// It returns shares[i−1] = f(i) for i = 1..n.
func Deal[E any](f field.Field[E], secret E, d, n int, rnd io.Reader) ([]E, error) {
	if err := checkDegree(n, d); err != nil {
		return nil, err
	}
	coef := make([]E, d)
	if err := f.RandomVec(rnd, coef); err != nil {
		return nil, fmt.Errorf("share: dealing: %w", err)
	}
	// Horner's rule, vectorised over the n points.
	xs := points(f, partyPoints(n))
	out := make([]E, n)
	acc := secret
	if d > 0 {
		acc = coef[d-1]
	}
	for i := range out {
		out[i] = acc
	}
	for j := d - 1; j >= 0; j-- {
		c := secret
		if j > 0 {
			c = coef[j-1]
		}
		f.VecMul(out, out, xs)
		f.VecAddConst(out, out, c)
	}
	return out, nil
}

// partyPoints returns [1, 2, ..., n].
func partyPoints(n int) []int {
	pts := make([]int, n)
	for i := range pts {
		pts[i] = i + 1
	}
	return pts
}

// DealVec shares every secrets[k] with an independent random polynomial of
// degree d among n parties. It returns out[i−1][k], party i's share of
// secrets[k] (one vector per party, ready to be sent).
func DealVec[E any](f field.Field[E], secrets []E, d, n int, rnd io.Reader) ([][]E, error) {
	if err := checkDegree(n, d); err != nil {
		return nil, err
	}
	b := len(secrets)
	// coef[0] = secrets, coef[j] = the j-th coefficients of all polynomials.
	flat := make([]E, d*b)
	if err := f.RandomVec(rnd, flat); err != nil {
		return nil, fmt.Errorf("share: dealing: %w", err)
	}
	coef := make([][]E, d+1)
	coef[0] = secrets
	for j := 1; j <= d; j++ {
		coef[j] = flat[(j-1)*b : j*b]
	}
	// eval[i−1][j] = i^j, the transpose of the Vandermonde matrix.
	v := Vandermonde(f, d+1, n)
	eval := make([]E, n*(d+1))
	for j := 0; j <= d; j++ {
		for i := range n {
			eval[i*(d+1)+j] = v[j*n+i]
		}
	}
	out := make([][]E, n)
	backing := make([]E, n*b)
	for i := range out {
		out[i] = backing[i*b : (i+1)*b : (i+1)*b]
	}
	f.MatMul(out, eval, coef)
	return out, nil
}

// checkShares validates the arguments common to Reconstruct and
// ReconstructVec.
func checkShares(np, ns, d int) error {
	if d < 0 {
		return fmt.Errorf("share: negative degree %d", d)
	}
	if np != ns {
		return fmt.Errorf("share: %d points for %d shares", np, ns)
	}
	if ns < d+1 {
		return fmt.Errorf("share: %d shares are too few for degree %d (need %d)", ns, d, d+1)
	}
	return nil
}

// Reconstruct returns the secret (the value at 0) of a degree-d sharing from
// the shares at the given points (distinct, in [1, MaxN]). It needs at least
// d+1 shares and uses the first d+1; use [Check] to verify the others.
func Reconstruct[E any](f field.Field[E], points []int, shares []E, d int) (E, error) {
	if err := checkShares(len(points), len(shares), d); err != nil {
		return f.Zero(), err
	}
	lam, err := lagrangeCoefficients(f, "reconstruct", points[:d+1], 1, 0)
	if err != nil {
		return f.Zero(), err
	}
	return f.Dot(lam, shares[:d+1]), nil
}

// ReconstructVec reconstructs a batch of degree-d sharings: shares[j] is the
// vector of shares held by the party at points[j], and the result is the
// vector of secrets. It uses the first d+1 parties.
func ReconstructVec[E any](f field.Field[E], points []int, shares [][]E, d int) ([]E, error) {
	if err := checkShares(len(points), len(shares), d); err != nil {
		return nil, err
	}
	b := len(shares[0])
	for j, s := range shares[:d+1] {
		if len(s) != b {
			return nil, fmt.Errorf("share: party at point %d has %d shares, want %d", points[j], len(s), b)
		}
	}
	lam, err := lagrangeCoefficients(f, "reconstruct", points[:d+1], 1, 0)
	if err != nil {
		return nil, err
	}
	out := make([]E, b)
	f.MatMul([][]E{out}, lam, shares[:d+1])
	return out, nil
}

// Interpolate returns the value at x of the polynomial of degree
// < len(points) through (points[j], values[j]). Points must be distinct and,
// like x, lie in [0, MaxN].
func Interpolate[E any](f field.Field[E], points []int, values []E, x int) (E, error) {
	if len(points) != len(values) {
		return f.Zero(), fmt.Errorf("share: interpolate: %d points for %d values", len(points), len(values))
	}
	lam, err := LagrangeCoefficients(f, points, x)
	if err != nil {
		return f.Zero(), err
	}
	return f.Dot(lam, values), nil
}

// Check returns nil when the shares at the given points (distinct, in
// [0, MaxN]) lie on one polynomial of degree ≤ d, and an error wrapping
// [ErrInconsistent] naming the first share off the polynomial through the
// first d+1 shares otherwise. Up to d+1 shares are always consistent.
func Check[E any](f field.Field[E], points []int, shares []E, d int) error {
	if d < 0 {
		return fmt.Errorf("share: negative degree %d", d)
	}
	if len(points) != len(shares) {
		return fmt.Errorf("share: %d points for %d shares", len(points), len(shares))
	}
	if err := checkPoints("check", points, 0); err != nil {
		return err
	}
	if len(shares) <= d+1 {
		return nil
	}
	base, rest := points[:d+1], points[d+1:]
	m := lagrangeMatrix(f, base, rest)
	for r, x := range rest {
		if got := f.Dot(m[r*(d+1):(r+1)*(d+1)], shares[:d+1]); !f.Equal(got, shares[d+1+r]) {
			return fmt.Errorf("%w: the share at point %d is not on the degree-%d polynomial through the first %d shares",
				ErrInconsistent, x, d, d+1)
		}
	}
	return nil
}

// Package field implements the prime fields Cohort computes in: M61 = 2^61−1
// (the default) and M127 = 2^127−1.
//
// Elements are small value types (M61 is a uint64, M127 two uint64 limbs)
// whose zero value is the field's zero. Every value produced by this package
// is canonical (in [0, p)). Arithmetic on a single element is available as
// methods on the element type; vector arithmetic on slices, encoding and
// sampling are methods of the field descriptors [F61] and [F127], which both
// implement [Field]. Upper layers are written once against [Field] and run
// over either field; the per-element hot loops stay inside this package, so
// the M61 path makes no interface or function-value call per element.
package field

import (
	"io"
	"math/big"
)

// Field describes a prime field with element type E. Implementations are
// stateless and safe for concurrent use. Vector methods take a destination
// first; unless stated otherwise all slices must have the same length and
// dst may alias any input.
type Field[E any] interface {
	// Name is a short lower-case identifier: "m61" or "m127".
	Name() string
	// Modulus returns a fresh copy of p.
	Modulus() *big.Int
	// BitLen is the bit length of p (61 or 127).
	BitLen() int
	// ElementSize is the size in bytes of one encoded element (8 or 16).
	ElementSize() int

	Zero() E
	One() E
	// FromUint64 returns x mod p.
	FromUint64(x uint64) E
	// FromInt64 returns x mod p (negative x maps to p − |x|).
	FromInt64(x int64) E
	// FromBig returns x mod p for any x (negative allowed).
	FromBig(x *big.Int) E
	// Uint64 returns e as an integer in [0, p); it fails when that does not fit in a uint64.
	Uint64(e E) (uint64, error)
	// Int64 returns the centred representative of e, in (−p/2, p/2); it fails when that does not fit in an int64.
	Int64(e E) (int64, error)
	// Big returns e as an integer in [0, p).
	Big(e E) *big.Int
	// Bit returns bit i (0 = least significant) of the canonical representative of e.
	Bit(e E, i int) uint

	Add(a, b E) E
	Sub(a, b E) E
	Neg(a E) E
	Mul(a, b E) E
	// Inv returns 1/a; it returns ErrZeroInverse when a is zero.
	Inv(a E) (E, error)
	// Exp returns a^e for e ≥ 0.
	Exp(a E, e *big.Int) E
	// Sqrt returns the canonical square root a^((p+1)/4) and true when a is a
	// square (zero included), or (zero, false) when it is not.
	Sqrt(a E) (E, bool)
	Equal(a, b E) bool
	IsZero(a E) bool

	// VecAdd sets dst[i] = a[i] + b[i].
	VecAdd(dst, a, b []E)
	// VecSub sets dst[i] = a[i] − b[i].
	VecSub(dst, a, b []E)
	// VecMul sets dst[i] = a[i] · b[i].
	VecMul(dst, a, b []E)
	// VecScale sets dst[i] = c · a[i].
	VecScale(dst []E, c E, a []E)
	// VecAddScaled sets dst[i] += c · a[i] (len(a) ≥ len(dst)).
	VecAddScaled(dst []E, c E, a []E)
	// VecAddConst sets dst[i] = a[i] + c.
	VecAddConst(dst, a []E, c E)
	// Dot returns Σ a[i]·b[i].
	Dot(a, b []E) E
	// BatchInv sets dst[i] = 1/a[i] with one inversion (Montgomery's trick);
	// it returns ErrZeroInverse, leaving dst unspecified, when some a[i] is zero.
	BatchInv(dst, a []E) error
	// MatMul sets dst[r] = Σ_c m[r·cols + c] · src[c] for every row r, where
	// m is a row-major rows×cols matrix (rows = len(dst), cols = len(src)) and
	// dst[r], src[c] are vectors of one common length. Unlike the other
	// vector methods, no dst[r] may share memory with any src[c]. It panics
	// when the dimensions do not match. It is the kernel of Lagrange
	// interpolation, compressed dealing and randomness extraction.
	MatMul(dst [][]E, m []E, src [][]E)

	// Random samples one uniform element from r by rejection.
	Random(r io.Reader) (E, error)
	// RandomVec fills dst with uniform elements from r by rejection.
	RandomVec(r io.Reader, dst []E) error
	// AppendEncode appends the canonical little-endian encoding of v
	// (ElementSize bytes per element) to dst.
	AppendEncode(dst []byte, v []E) []byte
	// Decode decodes len(dst) elements from src. It fails when len(src) is not
	// exactly len(dst)·ElementSize or when an encoded value is ≥ p.
	Decode(dst []E, src []byte) error
}

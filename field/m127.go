package field

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

const mask63 = 1<<63 - 1

// M127 is an element of GF(2^127 − 1), stored as two little-endian 64-bit
// limbs. A value produced by this package is always canonical, in
// [0, 2^127 − 1); the zero value is the field's zero. Use [F127.FromBig] or
// [F127.Decode] to turn untrusted integers into elements: the methods below
// assume canonical operands.
type M127 struct {
	lo, hi uint64
}

// NewM127 returns hi·2^64 + lo reduced mod 2^127 − 1.
func NewM127(hi, lo uint64) M127 {
	return reduce127(lo, hi)
}

// reduce127 returns (hi·2^64 + lo) mod p for any 128-bit input.
func reduce127(lo, hi uint64) M127 {
	// x = top·2^127 + rest ≡ top + rest, with top ∈ {0, 1}.
	top := hi >> 63
	hi &= mask63
	var c uint64
	lo, c = bits.Add64(lo, top, 0)
	hi += c // ≤ 2^63, so the sum is ≤ 2^127 = p + 1
	return cond127(lo, hi)
}

// cond127 subtracts p once from x = hi·2^64 + lo when x ≥ p; x must be ≤ 2p.
func cond127(lo, hi uint64) M127 {
	// x ≥ p ⇔ x + 1 ≥ 2^127; x − p = x + 1 − 2^127.
	l1, c := bits.Add64(lo, 1, 0)
	h1 := hi + c
	if h1>>63 != 0 {
		return M127{l1, h1 & mask63}
	}
	return M127{lo, hi}
}

// Lo returns the low 64-bit limb of a.
func (a M127) Lo() uint64 { return a.lo }

// Hi returns the high 64-bit limb of a (< 2^63).
func (a M127) Hi() uint64 { return a.hi }

// Add returns a + b.
func (a M127) Add(b M127) M127 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi := a.hi + b.hi + c // < 2^64, sum < 2p
	return cond127(lo, hi)
}

// Sub returns a − b.
func (a M127) Sub(b M127) M127 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	hi, br := bits.Sub64(a.hi, b.hi, br)
	if br != 0 {
		// Add p = 2^127 − 1 modulo 2^128.
		var c uint64
		lo, c = bits.Sub64(lo, 1, 0)
		hi = hi - c + 1<<63
	}
	return M127{lo, hi}
}

// Neg returns −a.
func (a M127) Neg() M127 {
	if a.lo == 0 && a.hi == 0 {
		return a
	}
	return M127{^a.lo, mask63 ^ a.hi} // p − a, since p is all ones
}

// Mul returns a · b.
func (a M127) Mul(b M127) M127 {
	return reduce127(mulWide127(a, b))
}

// mulWide127 returns lo, hi with hi·2^64 + lo ≡ a·b (mod p), not necessarily
// reduced.
func mulWide127(a, b M127) (lo, hi uint64) {
	h00, l00 := bits.Mul64(a.lo, b.lo)
	h01, l01 := bits.Mul64(a.lo, b.hi)
	h10, l10 := bits.Mul64(a.hi, b.lo)
	h11, l11 := bits.Mul64(a.hi, b.hi)
	// 256-bit product r3:r2:r1:r0 (< 2^254).
	r0 := l00
	r1, c := bits.Add64(h00, l01, 0)
	r2, c := bits.Add64(h01, l11, c)
	r3 := h11 + c
	r1, c = bits.Add64(r1, l10, 0)
	r2, c = bits.Add64(r2, h10, c)
	r3 += c
	// x = H·2^127 + L ≡ H + L with L = x mod 2^127 and H = x >> 127 < 2^127.
	hl := r1>>63 | r2<<1
	hh := r2>>63 | r3<<1
	lo, c = bits.Add64(r0, hl, 0)
	hi = (r1 & mask63) + hh + c // < 2^128
	return lo, hi
}

// Square returns a².
func (a M127) Square() M127 { return a.Mul(a) }

func (a M127) sqn(n int) M127 {
	for range n {
		a = a.Mul(a)
	}
	return a
}

// Inv returns 1/a, or [ErrZeroInverse] when a is zero. It computes
// a^(p−2) = a^(4·(2^125−1) + 1) with a fixed addition chain.
func (a M127) Inv() (M127, error) {
	if a.IsZero() {
		return M127{}, ErrZeroInverse
	}
	x2 := a.sqn(1).Mul(a)          // 2^2 − 1
	x3 := x2.sqn(1).Mul(a)         // 2^3 − 1
	x6 := x3.sqn(3).Mul(x3)        // 2^6 − 1
	x12 := x6.sqn(6).Mul(x6)       // 2^12 − 1
	x24 := x12.sqn(12).Mul(x12)    // 2^24 − 1
	x48 := x24.sqn(24).Mul(x24)    // 2^48 − 1
	x96 := x48.sqn(48).Mul(x48)    // 2^96 − 1
	x120 := x96.sqn(24).Mul(x24)   // 2^120 − 1
	x123 := x120.sqn(3).Mul(x3)    // 2^123 − 1
	x125 := x123.sqn(2).Mul(x2)    // 2^125 − 1
	return x125.sqn(2).Mul(a), nil // 2^127 − 3
}

// Exp returns a^e. It panics when e is negative.
func (a M127) Exp(e *big.Int) M127 {
	if e.Sign() < 0 {
		panic("field: negative exponent")
	}
	r := M127{lo: 1}
	words := e.Bits()
	for i := len(words) - 1; i >= 0; i-- {
		w := uint64(words[i])
		for j := bits.UintSize - 1; j >= 0; j-- {
			r = r.Mul(r)
			if w>>uint(j)&1 == 1 {
				r = r.Mul(a)
			}
		}
	}
	return r
}

// Sqrt returns the square root a^((p+1)/4) = a^(2^125) and true when a is a
// square (zero included), or (0, false) when it is not.
func (a M127) Sqrt() (M127, bool) {
	r := a.sqn(125)
	if r.Mul(r) != a {
		return M127{}, false
	}
	return r, true
}

// Equal reports whether a == b.
func (a M127) Equal(b M127) bool { return a == b }

// IsZero reports whether a == 0.
func (a M127) IsZero() bool { return a.lo|a.hi == 0 }

// Big returns a as an integer in [0, 2^127 − 1).
func (a M127) Big() *big.Int {
	x := new(big.Int).SetUint64(a.hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(a.lo))
}

// Bit returns bit i of a (0 for i outside [0, 128)).
func (a M127) Bit(i int) uint {
	switch {
	case i < 0 || i >= 128:
		return 0
	case i < 64:
		return uint(a.lo>>uint(i)) & 1
	default:
		return uint(a.hi>>uint(i-64)) & 1
	}
}

// String formats a in decimal.
func (a M127) String() string { return a.Big().String() }

// Bytes returns the 16-byte little-endian encoding of a.
func (a M127) Bytes() [16]byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], a.lo)
	binary.LittleEndian.PutUint64(b[8:], a.hi)
	return b
}

package field

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"strconv"
)

// P61 is the Mersenne prime 2^61 − 1, the modulus of [M61].
const P61 = 1<<61 - 1

// M61 is an element of GF(2^61 − 1). A value produced by this package is
// always canonical, in [0, P61); the zero value is the field's zero. Use
// [F61.FromUint64] or [F61.Decode] to turn untrusted integers into elements:
// the methods below assume canonical operands.
type M61 uint64

// reduce61 returns x mod p for any x < 2^64.
func reduce61(x uint64) M61 {
	x = (x & P61) + (x >> 61) // ≤ p + 7
	if x >= P61 {
		x -= P61
	}
	return M61(x)
}

// Add returns a + b.
func (a M61) Add(b M61) M61 {
	s := uint64(a) + uint64(b)
	if s >= P61 {
		s -= P61
	}
	return M61(s)
}

// Sub returns a − b.
func (a M61) Sub(b M61) M61 {
	s := uint64(a) - uint64(b)
	if uint64(a) < uint64(b) {
		s += P61
	}
	return M61(s)
}

// Neg returns −a.
func (a M61) Neg() M61 {
	if a == 0 {
		return 0
	}
	return P61 - a
}

// Mul returns a · b.
func (a M61) Mul(b M61) M61 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// a·b = hi·2^64 + lo = (a·b >> 61)·2^61 + (lo & p) ≡ (a·b >> 61) + (lo & p).
	s := (hi<<3 | lo>>61) + (lo & P61) // < 2p since a·b < 2^122
	if s >= P61 {
		s -= P61
	}
	return M61(s)
}

// Square returns a².
func (a M61) Square() M61 { return a.Mul(a) }

// sqn returns a^(2^n).
func (a M61) sqn(n int) M61 {
	for range n {
		a = a.Mul(a)
	}
	return a
}

// pow59 returns a^(2^59 − 1) and a^(2^2 − 1), the building blocks of the
// fixed exponent of Inv. The addition chain costs 58 squarings and 9
// multiplications.
func (a M61) pow59() (x59, x2 M61) {
	x2 = a.sqn(1).Mul(a)        // 2^2 − 1
	x3 := x2.sqn(1).Mul(a)      // 2^3 − 1
	x6 := x3.sqn(3).Mul(x3)     // 2^6 − 1
	x12 := x6.sqn(6).Mul(x6)    // 2^12 − 1
	x24 := x12.sqn(12).Mul(x12) // 2^24 − 1
	x48 := x24.sqn(24).Mul(x24) // 2^48 − 1
	x54 := x48.sqn(6).Mul(x6)   // 2^54 − 1
	x57 := x54.sqn(3).Mul(x3)   // 2^57 − 1
	x59 = x57.sqn(2).Mul(x2)    // 2^59 − 1
	return x59, x2
}

// Inv returns 1/a, or [ErrZeroInverse] when a is zero. It computes
// a^(p−2) = a^(4·(2^59−1) + 1) with a fixed addition chain, in time
// independent of a.
func (a M61) Inv() (M61, error) {
	if a == 0 {
		return 0, ErrZeroInverse
	}
	x59, _ := a.pow59()
	return x59.sqn(2).Mul(a), nil
}

// Exp returns a^e. It panics when e is negative.
func (a M61) Exp(e *big.Int) M61 {
	if e.Sign() < 0 {
		panic("field: negative exponent")
	}
	r := M61(1)
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

// Sqrt returns the square root a^((p+1)/4) = a^(2^59) and true when a is a
// square (zero included), or (0, false) when it is not. Since p ≡ 3 (mod 4),
// −1 is not a square and exactly one of r, −r is returned for every square.
func (a M61) Sqrt() (M61, bool) {
	r := a.sqn(59)
	if r.Mul(r) != a {
		return 0, false
	}
	return r, true
}

// Equal reports whether a == b.
func (a M61) Equal(b M61) bool { return a == b }

// IsZero reports whether a == 0.
func (a M61) IsZero() bool { return a == 0 }

// Uint64 returns a as an integer in [0, P61).
func (a M61) Uint64() uint64 { return uint64(a) }

// Int64 returns the centred representative of a, in (−p/2, p/2).
func (a M61) Int64() int64 {
	if a > P61/2 {
		return int64(a) - P61
	}
	return int64(a)
}

// Big returns a as an integer in [0, P61).
func (a M61) Big() *big.Int { return new(big.Int).SetUint64(uint64(a)) }

// Bit returns bit i of a (0 for i outside [0, 64)).
func (a M61) Bit(i int) uint {
	if i < 0 || i >= 64 {
		return 0
	}
	return uint(a>>uint(i)) & 1
}

// String formats a in decimal.
func (a M61) String() string { return strconv.FormatUint(uint64(a), 10) }

// Bytes returns the 8-byte little-endian encoding of a.
func (a M61) Bytes() [8]byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(a))
	return b
}

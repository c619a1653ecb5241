package field

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"slices"
	"sync"
)

// F61 is the field GF(2^61 − 1) with elements [M61]. It is the default field
// of Cohort. The zero value is ready to use.
type F61 struct{}

var _ Field[M61] = F61{}

var bigP61 = new(big.Int).SetUint64(P61)

// Name returns "m61".
func (F61) Name() string { return "m61" }

// Modulus returns a fresh copy of 2^61 − 1.
func (F61) Modulus() *big.Int { return new(big.Int).Set(bigP61) }

// BitLen returns 61.
func (F61) BitLen() int { return 61 }

// ElementSize returns 8.
func (F61) ElementSize() int { return 8 }

// Zero returns 0.
func (F61) Zero() M61 { return 0 }

// One returns 1.
func (F61) One() M61 { return 1 }

// FromUint64 returns x mod p.
func (F61) FromUint64(x uint64) M61 { return reduce61(x) }

// FromInt64 returns x mod p.
func (F61) FromInt64(x int64) M61 {
	if x < 0 {
		// |x| ≤ 2^63 fits in a uint64 even for math.MinInt64.
		return reduce61(uint64(-x)).Neg()
	}
	return reduce61(uint64(x))
}

// FromBig returns x mod p.
func (F61) FromBig(x *big.Int) M61 {
	if x.Sign() >= 0 && x.BitLen() <= 64 {
		return reduce61(x.Uint64())
	}
	return M61(new(big.Int).Mod(x, bigP61).Uint64())
}

// Uint64 returns e; it never fails.
func (F61) Uint64(e M61) (uint64, error) { return uint64(e), nil }

// Int64 returns the centred representative of e; it never fails.
func (F61) Int64(e M61) (int64, error) { return e.Int64(), nil }

// Big returns e as a big integer.
func (F61) Big(e M61) *big.Int { return e.Big() }

// Bit returns bit i of e.
func (F61) Bit(e M61, i int) uint { return e.Bit(i) }

// Add returns a + b.
func (F61) Add(a, b M61) M61 { return a.Add(b) }

// Sub returns a − b.
func (F61) Sub(a, b M61) M61 { return a.Sub(b) }

// Neg returns −a.
func (F61) Neg(a M61) M61 { return a.Neg() }

// Mul returns a · b.
func (F61) Mul(a, b M61) M61 { return a.Mul(b) }

// Inv returns 1/a or [ErrZeroInverse].
func (F61) Inv(a M61) (M61, error) { return a.Inv() }

// Exp returns a^e; it panics when e < 0.
func (F61) Exp(a M61, e *big.Int) M61 { return a.Exp(e) }

// Sqrt returns a^((p+1)/4) and whether a is a square.
func (F61) Sqrt(a M61) (M61, bool) { return a.Sqrt() }

// Equal reports whether a == b.
func (F61) Equal(a, b M61) bool { return a == b }

// IsZero reports whether a == 0.
func (F61) IsZero(a M61) bool { return a == 0 }

// VecAdd sets dst[i] = a[i] + b[i].
func (F61) VecAdd(dst, a, b []M61) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Add(b[i])
	}
}

// VecSub sets dst[i] = a[i] − b[i].
func (F61) VecSub(dst, a, b []M61) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Sub(b[i])
	}
}

// VecMul sets dst[i] = a[i] · b[i].
func (F61) VecMul(dst, a, b []M61) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Mul(b[i])
	}
}

// VecScale sets dst[i] = c · a[i].
func (F61) VecScale(dst []M61, c M61, a []M61) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = c.Mul(a[i])
	}
}

// VecAddScaled sets dst[i] += c · a[i].
func (F61) VecAddScaled(dst []M61, c M61, a []M61) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = dst[i].Add(c.Mul(a[i]))
	}
}

// VecAddConst sets dst[i] = a[i] + c.
func (F61) VecAddConst(dst, a []M61, c M61) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Add(c)
	}
}

// reduce128 returns (hi·2^64 + lo) mod p for any 128-bit value.
func reduce128(hi, lo uint64) M61 {
	// 2^64 ≡ 8, so hi·2^64 ≡ 8·hi ≡ ((hi<<3) & p) + (hi >> 58).
	s := (lo & P61) + (lo >> 61) + ((hi << 3) & P61) + (hi >> 58) // < 2^63
	return reduce61(s)
}

// lazyTerms is the number of products (each < 2^122) that a 128-bit
// accumulator absorbs without overflow.
const lazyTerms = 64

// dot61 returns Σ a[i]·b[i] (len(b) ≥ len(a)), accumulating the 122-bit
// products in 128 bits and reducing once per lazyTerms products.
func dot61(a, b []M61) M61 {
	b = b[:len(a)]
	var total M61
	for len(a) > 0 {
		n := min(len(a), lazyTerms)
		x, y := a[:n], b[:n]
		var lo, hi, c uint64
		for i := range x {
			h, l := bits.Mul64(uint64(x[i]), uint64(y[i]))
			lo, c = bits.Add64(lo, l, 0)
			hi += h + c
		}
		total = total.Add(reduce128(hi, lo))
		a, b = a[n:], b[n:]
	}
	return total
}

// Dot returns Σ a[i]·b[i] with one modular reduction per 64 terms.
func (F61) Dot(a, b []M61) M61 { return dot61(a, b) }

// BatchInv sets dst[i] = 1/a[i] with one inversion and 3(len(a)−1)
// multiplications. dst may alias a.
func (F61) BatchInv(dst, a []M61) error {
	a = a[:len(dst)]
	if len(a) == 0 {
		return nil
	}
	prefix := make([]M61, len(a))
	acc := M61(1)
	for i, v := range a {
		if v == 0 {
			return fmt.Errorf("field: batch inversion: element %d: %w", i, ErrZeroInverse)
		}
		prefix[i] = acc
		acc = acc.Mul(v)
	}
	inv, _ := acc.Inv() // acc ≠ 0: a product of nonzero elements
	for i := len(a) - 1; i >= 0; i-- {
		v := a[i]
		dst[i] = inv.Mul(prefix[i])
		inv = inv.Mul(v)
	}
	return nil
}

// matMulBlock bounds the scratch space of MatMul: a block of src columns of
// at most this many elements (256 KiB) is transposed at a time, so that it
// stays in the L2 cache while every matrix row is multiplied with it.
const matMulBlock = 1 << 15

var scratch61 = sync.Pool{New: func() any { return new([]M61) }}

// MatMul sets dst[r] = Σ_c m[r·cols + c]·src[c] (rows = len(dst),
// cols = len(src), m row-major). All dst[r] and src[c] must have the same
// length L, and no dst[r] may share memory with a src[c]; MatMul panics when
// the dimensions do not match.
//
// Each output element is a dot product of a matrix row with a column of the
// src vectors, computed with lazy reduction (one modular reduction per 64
// multiply-adds). The src columns are transposed a block at a time into
// pooled scratch space so that the inner loop reads both operands
// sequentially; for L = 1 this is a plain matrix–vector product.
func (F61) MatMul(dst [][]M61, m []M61, src [][]M61) {
	cols := len(src)
	vlen, ok := checkMatMul(dst, m, src)
	if !ok {
		return
	}
	kb := max(1, min(vlen, matMulBlock/cols))
	bp := scratch61.Get().(*[]M61)
	if cap(*bp) < kb*cols {
		*bp = make([]M61, kb*cols)
	}
	buf := (*bp)[:kb*cols]
	for k0 := 0; k0 < vlen; k0 += kb {
		kn := min(kb, vlen-k0)
		// buf[j·cols + c] = src[c][k0+j]
		for c, s := range src {
			for j, v := range s[k0 : k0+kn] {
				buf[j*cols+c] = v
			}
		}
		for r, d := range dst {
			row := m[r*cols : (r+1)*cols]
			d = d[k0 : k0+kn]
			for j := range d {
				d[j] = dot61(row, buf[j*cols:(j+1)*cols])
			}
		}
	}
	scratch61.Put(bp)
}

// Random samples a uniform element: it reads 8 bytes, keeps the low 61 bits
// and retries when they equal p.
func (f F61) Random(r io.Reader) (M61, error) {
	var v [1]M61
	if err := f.RandomVec(r, v[:]); err != nil {
		return 0, err
	}
	return v[0], nil
}

// RandomVec fills dst with uniform elements. It consumes r as a sequence of
// 8-byte little-endian words, masks each to 61 bits and skips the words equal
// to p (probability 2^−61 each), so the output depends only on the stream
// and not on how r splits its reads. A [*PRG] is read directly into dst.
func (F61) RandomVec(r io.Reader, dst []M61) error {
	if g, ok := r.(*PRG); ok && nativeLittleEndian {
		g.fill61(dst)
		return nil
	}
	buf := make([]byte, 8*min(len(dst), 512))
	for i := 0; i < len(dst); {
		n := min(len(dst)-i, len(buf)/8)
		b := buf[:8*n]
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("field: sampling m61 elements: %w", err)
		}
		for j := range n {
			if v := binary.LittleEndian.Uint64(b[8*j:]) & P61; v != P61 {
				dst[i] = M61(v)
				i++
			}
		}
	}
	return nil
}

// AppendEncode appends the 8-byte little-endian encoding of each element.
func (F61) AppendEncode(dst []byte, v []M61) []byte {
	dst = slices.Grow(dst, 8*len(v))
	for _, e := range v {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(e))
	}
	return dst
}

// Decode decodes len(dst) elements from exactly 8·len(dst) bytes. It rejects
// encodings of values ≥ p with [ErrNotCanonical] and wrong lengths with
// [ErrLength]; dst is unspecified after an error.
func (F61) Decode(dst []M61, src []byte) error {
	if len(src) != 8*len(dst) {
		return fmt.Errorf("%w: %d bytes for %d m61 elements, want %d", ErrLength, len(src), len(dst), 8*len(dst))
	}
	for i := range dst {
		v := binary.LittleEndian.Uint64(src[8*i:])
		if v >= P61 {
			return fmt.Errorf("%w: m61 element %d is %#x ≥ p", ErrNotCanonical, i, v)
		}
		dst[i] = M61(v)
	}
	return nil
}

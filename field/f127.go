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

// F127 is the field GF(2^127 − 1) with elements [M127], used for 32- and
// 64-bit integers. The zero value is ready to use.
type F127 struct{}

var _ Field[M127] = F127{}

var bigP127 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))

// Name returns "m127".
func (F127) Name() string { return "m127" }

// Modulus returns a fresh copy of 2^127 − 1.
func (F127) Modulus() *big.Int { return new(big.Int).Set(bigP127) }

// BitLen returns 127.
func (F127) BitLen() int { return 127 }

// ElementSize returns 16.
func (F127) ElementSize() int { return 16 }

// Zero returns 0.
func (F127) Zero() M127 { return M127{} }

// One returns 1.
func (F127) One() M127 { return M127{lo: 1} }

// FromUint64 returns x (always < p).
func (F127) FromUint64(x uint64) M127 { return M127{lo: x} }

// FromInt64 returns x mod p.
func (F127) FromInt64(x int64) M127 {
	if x < 0 {
		return M127{lo: uint64(-x)}.Neg()
	}
	return M127{lo: uint64(x)}
}

// FromBig returns x mod p.
func (F127) FromBig(x *big.Int) M127 {
	if x.Sign() < 0 || x.BitLen() > 128 {
		x = new(big.Int).Mod(x, bigP127)
	}
	var b [16]byte
	x.FillBytes(b[:]) // big-endian
	return reduce127(binary.BigEndian.Uint64(b[8:]), binary.BigEndian.Uint64(b[:8]))
}

// Uint64 returns e when e < 2^64 and an error wrapping [ErrRange] otherwise.
func (F127) Uint64(e M127) (uint64, error) {
	if e.hi != 0 {
		return 0, fmt.Errorf("%w: m127 element %v does not fit in a uint64", ErrRange, e)
	}
	return e.lo, nil
}

// Int64 returns the centred representative of e when it fits in an int64 and
// an error wrapping [ErrRange] otherwise.
func (F127) Int64(e M127) (int64, error) {
	if e.hi >= 1<<62 { // e > (p−1)/2: the representative is −(p − e)
		n := e.Neg()
		if n.hi == 0 && n.lo <= 1<<63 {
			return int64(-n.lo), nil // −2^63 wraps to itself
		}
	} else if e.hi == 0 && e.lo < 1<<63 {
		return int64(e.lo), nil
	}
	return 0, fmt.Errorf("%w: m127 element %v does not fit in an int64", ErrRange, e)
}

// Big returns e as a big integer.
func (F127) Big(e M127) *big.Int { return e.Big() }

// Bit returns bit i of e.
func (F127) Bit(e M127, i int) uint { return e.Bit(i) }

// Add returns a + b.
func (F127) Add(a, b M127) M127 { return a.Add(b) }

// Sub returns a − b.
func (F127) Sub(a, b M127) M127 { return a.Sub(b) }

// Neg returns −a.
func (F127) Neg(a M127) M127 { return a.Neg() }

// Mul returns a · b.
func (F127) Mul(a, b M127) M127 { return a.Mul(b) }

// Inv returns 1/a or [ErrZeroInverse].
func (F127) Inv(a M127) (M127, error) { return a.Inv() }

// Exp returns a^e; it panics when e < 0.
func (F127) Exp(a M127, e *big.Int) M127 { return a.Exp(e) }

// Sqrt returns a^((p+1)/4) and whether a is a square.
func (F127) Sqrt(a M127) (M127, bool) { return a.Sqrt() }

// Equal reports whether a == b.
func (F127) Equal(a, b M127) bool { return a == b }

// IsZero reports whether a == 0.
func (F127) IsZero(a M127) bool { return a.IsZero() }

// VecAdd sets dst[i] = a[i] + b[i].
func (F127) VecAdd(dst, a, b []M127) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Add(b[i])
	}
}

// VecSub sets dst[i] = a[i] − b[i].
func (F127) VecSub(dst, a, b []M127) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Sub(b[i])
	}
}

// VecMul sets dst[i] = a[i] · b[i].
func (F127) VecMul(dst, a, b []M127) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Mul(b[i])
	}
}

// VecScale sets dst[i] = c · a[i].
func (F127) VecScale(dst []M127, c M127, a []M127) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = c.Mul(a[i])
	}
}

// VecAddScaled sets dst[i] += c · a[i].
func (F127) VecAddScaled(dst []M127, c M127, a []M127) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = dst[i].Add(c.Mul(a[i]))
	}
}

// VecAddConst sets dst[i] = a[i] + c.
func (F127) VecAddConst(dst, a []M127, c M127) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = a[i].Add(c)
	}
}

// dot127 returns Σ a[i]·b[i] (len(b) ≥ len(a)): the partially reduced
// products (< 2^128) are summed in 192 bits and reduced once.
func dot127(a, b []M127) M127 {
	b = b[:len(a)]
	var lo, hi, top, c uint64
	for i := range a {
		pl, ph := mulWide127(a[i], b[i])
		lo, c = bits.Add64(lo, pl, 0)
		hi, c = bits.Add64(hi, ph, c)
		top += c
	}
	// top·2^128 ≡ 2·top (mod p).
	return reduce127(lo, hi).Add(reduce127(top<<1, top>>63))
}

// Dot returns Σ a[i]·b[i] with a single modular reduction.
func (F127) Dot(a, b []M127) M127 { return dot127(a, b) }

// BatchInv sets dst[i] = 1/a[i] with one inversion and 3(len(a)−1)
// multiplications. dst may alias a.
func (F127) BatchInv(dst, a []M127) error {
	a = a[:len(dst)]
	if len(a) == 0 {
		return nil
	}
	prefix := make([]M127, len(a))
	acc := M127{lo: 1}
	for i, v := range a {
		if v.IsZero() {
			return fmt.Errorf("field: batch inversion: element %d: %w", i, ErrZeroInverse)
		}
		prefix[i] = acc
		acc = acc.Mul(v)
	}
	inv, _ := acc.Inv()
	for i := len(a) - 1; i >= 0; i-- {
		v := a[i]
		dst[i] = inv.Mul(prefix[i])
		inv = inv.Mul(v)
	}
	return nil
}

var scratch127 = sync.Pool{New: func() any { return new([]M127) }}

// MatMul sets dst[r] = Σ_c m[r·cols + c]·src[c]; see [F61.MatMul] for the
// contract (equal lengths, no dst[r] sharing memory with a src[c]).
func (F127) MatMul(dst [][]M127, m []M127, src [][]M127) {
	rows, cols := len(dst), len(src)
	vlen, ok := checkMatMul(dst, m, src)
	if !ok {
		return
	}
	kb := max(1, min(vlen, matMulBlock/2/cols))
	bp := scratch127.Get().(*[]M127)
	if cap(*bp) < kb*cols {
		*bp = make([]M127, kb*cols)
	}
	buf := (*bp)[:kb*cols]
	for k0 := 0; k0 < vlen; k0 += kb {
		kn := min(kb, vlen-k0)
		for c, s := range src {
			for j, v := range s[k0 : k0+kn] {
				buf[j*cols+c] = v
			}
		}
		for r := range rows {
			row := m[r*cols : (r+1)*cols]
			d := dst[r][k0 : k0+kn]
			for j := range d {
				d[j] = dot127(row, buf[j*cols:(j+1)*cols])
			}
		}
	}
	scratch127.Put(bp)
}

// checkMatMul validates the dimensions of a MatMul call, panicking on a
// mismatch. It returns the common vector length, and false when there is
// nothing left to compute (it then has already zeroed dst if needed).
func checkMatMul[E any](dst [][]E, m []E, src [][]E) (int, bool) {
	rows, cols := len(dst), len(src)
	if len(m) != rows*cols {
		panic(fmt.Sprintf("field: MatMul: matrix has %d elements, want %d×%d", len(m), rows, cols))
	}
	if rows == 0 {
		return 0, false
	}
	vlen := len(dst[0])
	for r := range dst {
		if len(dst[r]) != vlen {
			panic(fmt.Sprintf("field: MatMul: dst[%d] has length %d, want %d", r, len(dst[r]), vlen))
		}
	}
	for c := range src {
		if len(src[c]) != vlen {
			panic(fmt.Sprintf("field: MatMul: src[%d] has length %d, want %d", c, len(src[c]), vlen))
		}
	}
	if cols == 0 {
		var zero E
		for _, d := range dst {
			for i := range d {
				d[i] = zero
			}
		}
		return 0, false
	}
	return vlen, vlen > 0
}

// Random samples a uniform element: it reads 16 bytes, keeps the low 127
// bits and retries when they equal p.
func (f F127) Random(r io.Reader) (M127, error) {
	var v [1]M127
	if err := f.RandomVec(r, v[:]); err != nil {
		return M127{}, err
	}
	return v[0], nil
}

// RandomVec fills dst with uniform elements. It consumes r as a sequence of
// 16-byte little-endian words, masks each to 127 bits and skips the words
// equal to p, so the output depends only on the stream. A [*PRG] is read
// directly into dst.
func (F127) RandomVec(r io.Reader, dst []M127) error {
	if g, ok := r.(*PRG); ok && nativeLittleEndian {
		g.fill127(dst)
		return nil
	}
	buf := make([]byte, 16*min(len(dst), 256))
	for i := 0; i < len(dst); {
		n := min(len(dst)-i, len(buf)/16)
		b := buf[:16*n]
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("field: sampling m127 elements: %w", err)
		}
		for j := range n {
			lo := binary.LittleEndian.Uint64(b[16*j:])
			hi := binary.LittleEndian.Uint64(b[16*j+8:]) & mask63
			if lo != ^uint64(0) || hi != mask63 {
				dst[i] = M127{lo, hi}
				i++
			}
		}
	}
	return nil
}

// AppendEncode appends the 16-byte little-endian encoding of each element.
func (F127) AppendEncode(dst []byte, v []M127) []byte {
	dst = slices.Grow(dst, 16*len(v))
	for _, e := range v {
		dst = binary.LittleEndian.AppendUint64(dst, e.lo)
		dst = binary.LittleEndian.AppendUint64(dst, e.hi)
	}
	return dst
}

// Decode decodes len(dst) elements from exactly 16·len(dst) bytes. It rejects
// encodings of values ≥ p with [ErrNotCanonical] and wrong lengths with
// [ErrLength]; dst is unspecified after an error.
func (F127) Decode(dst []M127, src []byte) error {
	if len(src) != 16*len(dst) {
		return fmt.Errorf("%w: %d bytes for %d m127 elements, want %d", ErrLength, len(src), len(dst), 16*len(dst))
	}
	for i := range dst {
		lo := binary.LittleEndian.Uint64(src[16*i:])
		hi := binary.LittleEndian.Uint64(src[16*i+8:])
		if hi > mask63 || hi == mask63 && lo == ^uint64(0) {
			return fmt.Errorf("%w: m127 element %d is ≥ p", ErrNotCanonical, i)
		}
		dst[i] = M127{lo, hi}
	}
	return nil
}

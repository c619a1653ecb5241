package field_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/field"
)

// forBoth runs a generic test over both fields.
func forBoth(t *testing.T, t61 func(*testing.T, *harness[field.M61]), t127 func(*testing.T, *harness[field.M127])) {
	t.Helper()
	t.Run("m61", func(t *testing.T) { t61(t, newHarness[field.M61](field.F61{})) })
	t.Run("m127", func(t *testing.T) { t127(t, newHarness[field.M127](field.F127{})) })
}

// harness holds a field, its modulus and generators for its elements.
type harness[E comparable] struct {
	f     field.Field[E]
	p     *big.Int
	edges []E
}

func newHarness[E comparable](f field.Field[E]) *harness[E] {
	p := f.Modulus()
	h := &harness[E]{f: f, p: p}
	half := new(big.Int).Rsh(p, 1)
	for _, v := range []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3),
		new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(p, big.NewInt(2)),
		half, new(big.Int).Add(half, big.NewInt(1)),
		new(big.Int).SetUint64(1 << 63), new(big.Int).SetUint64(1<<64 - 1),
		new(big.Int).Lsh(big.NewInt(1), 60), new(big.Int).Lsh(big.NewInt(1), 126),
	} {
		h.edges = append(h.edges, f.FromBig(v))
	}
	return h
}

// elem generates elements: edge values, small values and uniform values.
func (h *harness[E]) elem() *rapid.Generator[E] {
	return rapid.OneOf(
		rapid.SampledFrom(h.edges),
		rapid.Map(rapid.Uint64Range(0, 100), h.f.FromUint64),
		rapid.Custom(func(t *rapid.T) E {
			b := rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "bytes")
			return h.f.FromBig(new(big.Int).SetBytes(b))
		}),
	)
}

func (h *harness[E]) nonzero() *rapid.Generator[E] {
	return h.elem().Filter(func(e E) bool { return !h.f.IsZero(e) })
}

func (h *harness[E]) vec(minLen, maxLen int) *rapid.Generator[[]E] {
	return rapid.SliceOfN(h.elem(), minLen, maxLen)
}

func (h *harness[E]) big(e E) *big.Int { return h.f.Big(e) }

func (h *harness[E]) mod(x *big.Int) *big.Int { return x.Mod(x, h.p) }

func TestAxioms(t *testing.T) {
	forBoth(t, testAxioms, testAxioms)
}

func testAxioms[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	rapid.Check(t, func(t *rapid.T) {
		a, b, c := h.elem().Draw(t, "a"), h.elem().Draw(t, "b"), h.elem().Draw(t, "c")
		require.Equal(t, f.Add(a, b), f.Add(b, a))
		require.Equal(t, f.Mul(a, b), f.Mul(b, a))
		require.Equal(t, f.Add(f.Add(a, b), c), f.Add(a, f.Add(b, c)))
		require.Equal(t, f.Mul(f.Mul(a, b), c), f.Mul(a, f.Mul(b, c)))
		require.Equal(t, f.Mul(a, f.Add(b, c)), f.Add(f.Mul(a, b), f.Mul(a, c)))
		require.Equal(t, a, f.Add(a, f.Zero()))
		require.Equal(t, a, f.Mul(a, f.One()))
		require.True(t, f.IsZero(f.Mul(a, f.Zero())))
		require.True(t, f.IsZero(f.Add(a, f.Neg(a))))
		require.Equal(t, f.Sub(a, b), f.Add(a, f.Neg(b)))
		require.Equal(t, a, f.Add(f.Sub(a, b), b))
		require.True(t, f.Equal(a, a))
		require.Equal(t, a == b, f.Equal(a, b))
		if !f.IsZero(a) {
			inv, err := f.Inv(a)
			require.NoError(t, err)
			require.Equal(t, f.One(), f.Mul(a, inv))
		}
	})
	_, err := f.Inv(f.Zero())
	require.ErrorIs(t, err, field.ErrZeroInverse)
}

func TestAgainstBig(t *testing.T) {
	forBoth(t, testAgainstBig, testAgainstBig)
}

func testAgainstBig[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	require.Equal(t, 0, h.p.Cmp(f.Modulus()))
	require.Equal(t, h.p.BitLen(), f.BitLen())
	require.Equal(t, (f.BitLen()+7)/8, f.ElementSize())
	rapid.Check(t, func(t *rapid.T) {
		a, b := h.elem().Draw(t, "a"), h.elem().Draw(t, "b")
		A, B := h.big(a), h.big(b)
		require.True(t, A.Sign() >= 0 && A.Cmp(h.p) < 0, "canonical")
		requireBig(t, h.mod(new(big.Int).Add(A, B)), h.big(f.Add(a, b)))
		requireBig(t, h.mod(new(big.Int).Sub(A, B)), h.big(f.Sub(a, b)))
		requireBig(t, h.mod(new(big.Int).Mul(A, B)), h.big(f.Mul(a, b)))
		requireBig(t, h.mod(new(big.Int).Neg(A)), h.big(f.Neg(a)))
		if A.Sign() != 0 {
			inv, err := f.Inv(a)
			require.NoError(t, err)
			requireBig(t, new(big.Int).ModInverse(A, h.p), h.big(inv))
		}
		e := new(big.Int).SetBytes(rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "e"))
		requireBig(t, new(big.Int).Exp(A, e, h.p), h.big(f.Exp(a, e)))
		for i := -1; i <= 129; i++ {
			want := uint(0)
			if i >= 0 {
				want = A.Bit(i)
			}
			require.Equal(t, want, f.Bit(a, i), "bit %d", i)
		}

		x := rapid.Uint64().Draw(t, "x")
		requireBig(t, h.mod(new(big.Int).SetUint64(x)), h.big(f.FromUint64(x)))
		y := rapid.Int64().Draw(t, "y")
		requireBig(t, h.mod(big.NewInt(y)), h.big(f.FromInt64(y)))
		z := new(big.Int).SetBytes(rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "z"))
		if rapid.Bool().Draw(t, "neg") {
			z.Neg(z)
		}
		requireBig(t, h.mod(new(big.Int).Set(z)), h.big(f.FromBig(z)))

		u, err := f.Uint64(a)
		if A.IsUint64() {
			require.NoError(t, err)
			require.Equal(t, A.Uint64(), u)
		} else {
			require.ErrorIs(t, err, field.ErrRange)
		}
		centred := new(big.Int).Set(A)
		if A.Cmp(new(big.Int).Rsh(h.p, 1)) > 0 {
			centred.Sub(A, h.p)
		}
		i, err := f.Int64(a)
		if centred.IsInt64() {
			require.NoError(t, err)
			require.Equal(t, centred.Int64(), i)
		} else {
			require.ErrorIs(t, err, field.ErrRange)
		}
	})
	// Reduction edge cases.
	for _, x := range []uint64{0, 1, 1<<61 - 2, 1<<61 - 1, 1 << 61, 1<<62 - 1, 1 << 63, 1<<64 - 1} {
		requireBig(t, h.mod(new(big.Int).SetUint64(x)), h.big(f.FromUint64(x)), "FromUint64(%#x)", x)
	}
	for _, x := range []int64{-1 << 63, -1, 0, 1<<63 - 1, -(1<<61 - 1)} {
		requireBig(t, h.mod(big.NewInt(x)), h.big(f.FromInt64(x)), "FromInt64(%d)", x)
	}
	pm1 := f.FromBig(new(big.Int).Sub(h.p, big.NewInt(1)))
	require.Equal(t, f.One(), f.Mul(pm1, pm1)) // (p−1)² ≡ 1, the largest product
	i, err := f.Int64(pm1)
	require.NoError(t, err)
	require.Equal(t, int64(-1), i)
	require.Equal(t, f.One(), f.Exp(f.FromUint64(3), new(big.Int).Sub(h.p, big.NewInt(1))))
	require.Equal(t, f.One(), f.Exp(f.Zero(), new(big.Int)))
	require.Panics(t, func() { f.Exp(f.One(), big.NewInt(-1)) })
}

func TestSqrt(t *testing.T) {
	forBoth(t, testSqrt, testSqrt)
}

func testSqrt[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	r, ok := f.Sqrt(f.Zero())
	require.True(t, ok)
	require.True(t, f.IsZero(r))
	_, ok = f.Sqrt(f.Neg(f.One()))
	require.False(t, ok, "−1 is not a square when p ≡ 3 mod 4")
	rapid.Check(t, func(t *rapid.T) {
		a := h.nonzero().Draw(t, "a")
		sq := f.Mul(a, a)
		r, ok := f.Sqrt(sq)
		require.True(t, ok)
		require.Equal(t, sq, f.Mul(r, r))
		require.True(t, r == a || r == f.Neg(a))
		// −a² is a non-square.
		r, ok = f.Sqrt(f.Neg(sq))
		require.False(t, ok)
		require.True(t, f.IsZero(r))
		// Euler's criterion agrees.
		euler := f.Exp(a, new(big.Int).Rsh(h.p, 1))
		_, ok = f.Sqrt(a)
		require.Equal(t, euler == f.One(), ok)
	})
}

func TestBatchInv(t *testing.T) {
	forBoth(t, testBatchInv, testBatchInv)
}

func testBatchInv[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.SliceOfN(h.nonzero(), 0, 50).Draw(t, "a")
		dst := make([]E, len(a))
		require.NoError(t, f.BatchInv(dst, a))
		for i := range a {
			inv, err := f.Inv(a[i])
			require.NoError(t, err)
			require.Equal(t, inv, dst[i])
		}
		// In place.
		c := make([]E, len(a))
		copy(c, a)
		require.NoError(t, f.BatchInv(c, c))
		require.Equal(t, dst, c)
		if len(a) > 0 {
			a[rapid.IntRange(0, len(a)-1).Draw(t, "zero")] = f.Zero()
			require.ErrorIs(t, f.BatchInv(dst, a), field.ErrZeroInverse)
		}
	})
}

func TestVectorOps(t *testing.T) {
	forBoth(t, testVectorOps, testVectorOps)
}

func testVectorOps[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "n")
		a, b := h.vec(n, n).Draw(t, "a"), h.vec(n, n).Draw(t, "b")
		c := h.elem().Draw(t, "c")
		check := func(name string, op func(dst []E), want func(i int) E) {
			dst := make([]E, n)
			op(dst)
			for i := range n {
				require.Equal(t, want(i), dst[i], "%s[%d]", name, i)
			}
		}
		check("VecAdd", func(d []E) { f.VecAdd(d, a, b) }, func(i int) E { return f.Add(a[i], b[i]) })
		check("VecSub", func(d []E) { f.VecSub(d, a, b) }, func(i int) E { return f.Sub(a[i], b[i]) })
		check("VecMul", func(d []E) { f.VecMul(d, a, b) }, func(i int) E { return f.Mul(a[i], b[i]) })
		check("VecScale", func(d []E) { f.VecScale(d, c, a) }, func(i int) E { return f.Mul(c, a[i]) })
		check("VecAddConst", func(d []E) { f.VecAddConst(d, a, c) }, func(i int) E { return f.Add(a[i], c) })
		check("VecAddScaled", func(d []E) { copy(d, b); f.VecAddScaled(d, c, a) },
			func(i int) E { return f.Add(b[i], f.Mul(c, a[i])) })
		// Aliasing dst with an input.
		check("VecMul alias", func(d []E) { copy(d, a); f.VecMul(d, d, b) }, func(i int) E { return f.Mul(a[i], b[i]) })
		check("VecSub alias", func(d []E) { copy(d, b); f.VecSub(d, a, d) }, func(i int) E { return f.Sub(a[i], b[i]) })

		want := f.Zero()
		for i := range n {
			want = f.Add(want, f.Mul(a[i], b[i]))
		}
		require.Equal(t, want, f.Dot(a, b))
	})
}

// naiveMatMul is the reference for MatMul.
func naiveMatMul[E any](f field.Field[E], m []E, src [][]E, rows, vlen int) [][]E {
	out := make([][]E, rows)
	for r := range out {
		out[r] = make([]E, vlen)
		for k := range vlen {
			acc := f.Zero()
			for c := range src {
				acc = f.Add(acc, f.Mul(m[r*len(src)+c], src[c][k]))
			}
			out[r][k] = acc
		}
	}
	return out
}

func TestDotMatMul(t *testing.T) {
	forBoth(t, testDotMatMul, testDotMatMul)
}

func testDotMatMul[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	pm1 := f.Neg(f.One())
	fill := func(n int, v E) []E {
		s := make([]E, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	// Long dot products of p−1 cross every lazy-reduction boundary.
	for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 1000, 4099} {
		got := f.Dot(fill(n, pm1), fill(n, pm1))
		require.Equal(t, f.FromUint64(uint64(n)), got, "Dot of %d×(p−1)²", n)
	}
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.IntRange(0, 12).Draw(t, "rows")
		cols := rapid.OneOf(rapid.IntRange(0, 5), rapid.IntRange(60, 140)).Draw(t, "cols")
		vlen := rapid.IntRange(0, 9).Draw(t, "vlen")
		allMax := rapid.Bool().Draw(t, "allMax")
		var m []E
		src := make([][]E, cols)
		if allMax {
			m = fill(rows*cols, pm1)
			for c := range src {
				src[c] = fill(vlen, pm1)
			}
		} else {
			m = h.vec(rows*cols, rows*cols).Draw(t, "m")
			for c := range src {
				src[c] = h.vec(vlen, vlen).Draw(t, "src")
			}
		}
		dst := make([][]E, rows)
		for r := range dst {
			dst[r] = fill(vlen, f.One()) // overwritten
		}
		f.MatMul(dst, m, src)
		require.Equal(t, naiveMatMul(f, m, src, rows, vlen), dst)
	})
	// A long vector and a matrix wide enough to force several column blocks.
	for _, dims := range [][3]int{{3, 1000, 1}, {2, 600, 70}, {1, 40000, 2}} {
		rows, cols, vlen := dims[0], dims[1], dims[2]
		rnd := field.NewPRG([32]byte{9}, []byte("matmul"))
		m := make([]E, rows*cols)
		require.NoError(t, f.RandomVec(rnd, m))
		src := make([][]E, cols)
		for c := range src {
			src[c] = make([]E, vlen)
			require.NoError(t, f.RandomVec(rnd, src[c]))
		}
		dst := make([][]E, rows)
		for r := range dst {
			dst[r] = make([]E, vlen)
		}
		f.MatMul(dst, m, src)
		require.Equal(t, naiveMatMul(f, m, src, rows, vlen), dst, "%v", dims)
	}
	require.Panics(t, func() { f.MatMul(make([][]E, 2), make([]E, 3), make([][]E, 2)) })
	require.Panics(t, func() { f.MatMul([][]E{make([]E, 2)}, make([]E, 1), [][]E{make([]E, 3)}) })
}

func TestEncoding(t *testing.T) {
	forBoth(t, testEncoding, testEncoding)
}

func testEncoding[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	size := f.ElementSize()
	rapid.Check(t, func(t *rapid.T) {
		v := h.vec(0, 20).Draw(t, "v")
		prefix := rapid.SliceOfN(rapid.Byte(), 0, 5).Draw(t, "prefix")
		enc := f.AppendEncode(append([]byte(nil), prefix...), v)
		require.Len(t, enc, len(prefix)+size*len(v))
		require.True(t, bytes.Equal(prefix, enc[:len(prefix)]))
		got := make([]E, len(v))
		require.NoError(t, f.Decode(got, enc[len(prefix):]))
		require.Equal(t, v, got)
		for i, e := range v {
			b := h.big(e).FillBytes(make([]byte, size))
			slicesReverse(b)
			require.Equal(t, b, enc[len(prefix)+i*size:len(prefix)+(i+1)*size], "little-endian")
		}
		// Wrong lengths.
		bad := rapid.IntRange(0, size*(len(v)+2)).Filter(func(n int) bool { return n != size*len(v) }).Draw(t, "bad")
		err := f.Decode(got, make([]byte, bad))
		require.ErrorIs(t, err, field.ErrLength)
		require.Regexp(t, "^field: ", err.Error())
	})
	// Values ≥ p are rejected: p itself, p+1, and the all-ones word.
	for _, v := range []*big.Int{h.p, new(big.Int).Add(h.p, big.NewInt(1)), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 8*uint(size)), big.NewInt(1))} {
		b := v.FillBytes(make([]byte, size))
		slicesReverse(b)
		enc := append(f.AppendEncode(nil, []E{f.One()}), b...)
		err := f.Decode(make([]E, 2), enc)
		require.ErrorIs(t, err, field.ErrNotCanonical, "%v", v)
		require.Regexp(t, "^field: .*element 1", err.Error())
	}
	// p − 1 is accepted.
	b := new(big.Int).Sub(h.p, big.NewInt(1)).FillBytes(make([]byte, size))
	slicesReverse(b)
	got := make([]E, 1)
	require.NoError(t, f.Decode(got, b))
	require.Equal(t, f.Neg(f.One()), got[0])
}

func slicesReverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// onlyReader hides the concrete type of a reader (and so the PRG fast path)
// and returns at most max bytes per Read.
type onlyReader struct {
	r   io.Reader
	max int
}

func (o onlyReader) Read(p []byte) (int, error) {
	if len(p) > o.max {
		p = p[:o.max]
	}
	return o.r.Read(p)
}

func TestRandom(t *testing.T) {
	forBoth(t, testRandom, testRandom)
}

func testRandom[E comparable](t *testing.T, h *harness[E]) {
	f := h.f
	size := f.ElementSize()
	key := [32]byte{1, 2, 3}

	// Canonical outputs, and the PRG fast path equals the generic path.
	fast := make([]E, 3000)
	require.NoError(t, f.RandomVec(field.NewPRG(key, []byte("a")), fast))
	slow := make([]E, 3000)
	require.NoError(t, f.RandomVec(onlyReader{field.NewPRG(key, []byte("a")), 7}, slow))
	require.Equal(t, fast, slow)
	seen := map[E]bool{}
	for _, e := range fast {
		require.True(t, h.big(e).Cmp(h.p) < 0)
		seen[e] = true
	}
	require.Greater(t, len(seen), 2990)

	// Random consumes the same stream as RandomVec.
	g := field.NewPRG(key, []byte("a"))
	for i := range 10 {
		e, err := f.Random(g)
		require.NoError(t, err)
		require.Equal(t, fast[i], e)
	}

	// Words equal to p are skipped; others are masked to the bit length.
	word := func(v *big.Int) []byte {
		b := v.FillBytes(make([]byte, size))
		slicesReverse(b)
		return b
	}
	allOnes := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 8*uint(size)), big.NewInt(1))
	var stream []byte
	stream = append(stream, word(h.p)...)
	stream = append(stream, word(big.NewInt(5))...)
	stream = append(stream, word(allOnes)...) // masks to p: rejected
	stream = append(stream, word(new(big.Int).Add(h.p, big.NewInt(8)))...)
	got := make([]E, 2)
	require.NoError(t, f.RandomVec(bytes.NewReader(stream), got))
	require.Equal(t, []E{f.FromUint64(5), f.FromUint64(7)}, got)

	// Short streams fail.
	err := f.RandomVec(bytes.NewReader(stream[:size]), got)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, err = f.Random(bytes.NewReader(nil))
	require.True(t, errors.Is(err, io.EOF))
}

func TestPRG(t *testing.T) {
	key := [32]byte{7}
	read := func(g io.Reader, n int) []byte {
		b := make([]byte, n)
		_, err := io.ReadFull(g, b)
		require.NoError(t, err)
		return b
	}
	a := read(field.NewPRG(key, []byte("sid"), field.DomainUint64(3)), 4096)
	require.Equal(t, a, read(field.NewPRG(key, []byte("sid"), field.DomainUint64(3)), 4096))
	require.NotEqual(t, a, read(field.NewPRG(key, []byte("sid"), field.DomainUint64(4)), 4096))
	require.NotEqual(t, a, read(field.NewPRG(key, []byte("si"), []byte("d"), field.DomainUint64(3)), 4096))
	require.NotEqual(t, a, read(field.NewPRG([32]byte{8}, []byte("sid"), field.DomainUint64(3)), 4096))
	require.NotEqual(t, read(field.NewPRG(key), 64), read(field.NewPRG(key, nil), 64))
	// Reads of any size form one stream.
	g := field.NewPRG(key, []byte("sid"), field.DomainUint64(3))
	var got []byte
	for _, n := range []int{1, 15, 16, 17, 1000, 3047} {
		got = append(got, read(g, n)...)
	}
	require.Equal(t, a, got)
	require.Equal(t, binary.LittleEndian.AppendUint64(nil, 3), field.DomainUint64(3))
}

func TestPRGKeyStreams(t *testing.T) {
	key := [32]byte{7}
	read := func(g io.Reader) []byte {
		b := make([]byte, 256)
		_, err := io.ReadFull(g, b)
		require.NoError(t, err)
		return b
	}
	k := field.NewPRGKey(key, []byte("sid"))
	require.Equal(t, read(field.NewPRG(key, []byte("sid"))), read(k.Stream(0)), "NewPRG is stream 0")
	seen := make(map[string]uint64)
	for _, i := range []uint64{0, 1, 2, 1 << 32, 1 << 48, 1<<63 + 5, ^uint64(0)} {
		a := read(k.Stream(i))
		require.Equal(t, a, read(k.Stream(i)), "stream %d is deterministic", i)
		prev, dup := seen[string(a)]
		require.False(t, dup, "streams %d and %d coincide", prev, i)
		seen[string(a)] = i
	}
	require.NotEqual(t, read(k.Stream(1)), read(field.NewPRGKey(key, []byte("sie")).Stream(1)))
	require.Panics(t, func() { field.PRGKey{}.Stream(0) })
}

func requireBig(t require.TestingT, want, got *big.Int, msgAndArgs ...any) {
	require.Equal(t, want.String(), got.String(), msgAndArgs...)
}

func TestM127Limbs(t *testing.T) {
	f := field.F127{}
	p := f.Modulus()
	rapid.Check(t, func(t *rapid.T) {
		hi, lo := rapid.Uint64().Draw(t, "hi"), rapid.Uint64().Draw(t, "lo")
		x := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		x.Or(x, new(big.Int).SetUint64(lo))
		e := field.NewM127(hi, lo)
		requireBig(t, x.Mod(x, p), f.Big(e))
		y := new(big.Int).Lsh(new(big.Int).SetUint64(e.Hi()), 64)
		requireBig(t, y.Or(y, new(big.Int).SetUint64(e.Lo())), f.Big(e))
	})
}

func TestPRGIsAESCTR(t *testing.T) {
	// The stream is AES-256-CTR under SHA-256(label ‖ key ‖ len(d) ‖ d) with
	// the counter block index ‖ 0, however the reads are split (short reads
	// encrypt blocks one by one, long ones run CTR mode).
	key := [32]byte{9, 8, 7}
	h := sha256.New()
	h.Write([]byte("cohort/field.PRG/v1"))
	h.Write(key[:])
	h.Write(binary.LittleEndian.AppendUint64(nil, 3))
	h.Write([]byte("sid"))
	block, err := aes.NewCipher(h.Sum(nil))
	require.NoError(t, err)
	rapid.Check(t, func(rt *rapid.T) {
		index := rapid.Uint64().Draw(rt, "index")
		sizes := rapid.SliceOfN(rapid.IntRange(0, 600), 1, 20).Draw(rt, "reads")
		total := 0
		for _, n := range sizes {
			total += n
		}
		iv := make([]byte, aes.BlockSize)
		binary.BigEndian.PutUint64(iv, index)
		want := make([]byte, total)
		cipher.NewCTR(block, iv).XORKeyStream(want, want)
		g := field.NewPRGKey(key, []byte("sid")).Stream(index)
		got := []byte{}
		for _, n := range sizes {
			b := make([]byte, n)
			g.Read(b)
			got = append(got, b...)
		}
		require.Equal(t, want, got)
	})
}

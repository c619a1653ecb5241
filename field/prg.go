package field

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"unsafe"
)

// KeySize is the size in bytes of a [PRG] key.
const KeySize = 32

// prgLabel separates PRG keys from any other use of the same seed.
const prgLabel = "cohort/field.PRG/v1"

// PRG is a deterministic pseudorandom generator: the keystream of AES-256 in
// counter mode. Its key is derived once, by [NewPRGKey], as
//
//	SHA-256(label ‖ key ‖ len(d₁) ‖ d₁ ‖ … ‖ len(dₖ) ‖ dₖ)
//
// for the domain parts d₁…dₖ (each length is a 64-bit little-endian integer,
// so distinct part lists give unrelated keys), and one derived key yields
// many independent streams, numbered by a 64-bit index that fills the first
// half of the counter block ([PRGKey.Stream]). Two parties holding the same
// key, domain and index read the same stream. Upper layers derive one key per
// (seed, session, purpose) and number their streams by (dealer, operation),
// so that no stream is ever used twice and opening a stream costs no hashing.
// This is the only PRG construction of Cohort.
//
// A PRG is an [io.Reader] whose Read never fails; pass it to
// [F61.RandomVec] or [F127.RandomVec], which read it directly into the
// destination slice. A PRG is not safe for concurrent use. Its security is
// computational (AES as a pseudorandom function); it is not a replacement for
// crypto/rand when drawing the seeds themselves.
type PRG struct {
	stream cipher.Stream
}

// PRGKey is a derived PRG key: the AES-256 key schedule of one (key, domain).
// It is immutable and safe for concurrent use.
type PRGKey struct {
	block cipher.Block
}

// NewPRGKey derives the key for key and the given domain parts.
func NewPRGKey(key [KeySize]byte, domain ...[]byte) PRGKey {
	h := sha256.New()
	h.Write([]byte(prgLabel))
	h.Write(key[:])
	var l [8]byte
	for _, d := range domain {
		binary.LittleEndian.PutUint64(l[:], uint64(len(d)))
		h.Write(l[:])
		h.Write(d)
	}
	var k [32]byte
	block, err := aes.NewCipher(h.Sum(k[:0]))
	if err != nil {
		panic("field: " + err.Error()) // unreachable: the key has 32 bytes
	}
	return PRGKey{block: block}
}

// Stream returns stream number index of the key: AES-CTR with the counter
// block index ‖ 0. A stream holds 2^68 bytes, more than any caller reads.
// It panics on the zero PRGKey.
func (k PRGKey) Stream(index uint64) *PRG {
	if k.block == nil {
		panic("field: Stream of a zero PRGKey")
	}
	var iv [aes.BlockSize]byte
	binary.BigEndian.PutUint64(iv[:8], index)
	return &PRG{stream: cipher.NewCTR(k.block, iv[:])}
}

// NewPRG returns stream 0 of [NewPRGKey](key, domain...).
func NewPRG(key [KeySize]byte, domain ...[]byte) *PRG {
	return NewPRGKey(key, domain...).Stream(0)
}

// DomainUint64 returns the 8-byte little-endian encoding of x, a convenience
// for building [NewPRG] domain parts from integers.
func DomainUint64(x uint64) []byte {
	return binary.LittleEndian.AppendUint64(nil, x)
}

// Read fills p with the next len(p) bytes of the stream. It always returns
// len(p), nil.
func (g *PRG) Read(p []byte) (int, error) {
	clear(p)
	g.stream.XORKeyStream(p, p)
	return len(p), nil
}

var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// fill61 is F61.RandomVec for a PRG on a little-endian machine: the stream is
// written straight into dst and the rare rejected words are squeezed out, so
// the result equals that of the generic path.
func (g *PRG) fill61(dst []M61) {
	for len(dst) > 0 {
		g.Read(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 8*len(dst)))
		w := 0
		for _, v := range dst {
			if v &= P61; v != P61 {
				dst[w] = v
				w++
			}
		}
		dst = dst[w:]
	}
}

// fill127 is the analogue of fill61 for F127.
func (g *PRG) fill127(dst []M127) {
	for len(dst) > 0 {
		g.Read(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 16*len(dst)))
		w := 0
		for _, v := range dst {
			v.hi &= mask63
			if v.lo != ^uint64(0) || v.hi != mask63 {
				dst[w] = v
				w++
			}
		}
		dst = dst[w:]
	}
}

// smallFill is the largest output, in bytes, that [PRGKey.FillM61] computes
// block by block instead of through a CTR stream (which allocates).
const smallFill = 512

// FillM61 fills dst with uniform elements of M61 read from stream index of
// the key, exactly as F61.RandomVec(k.Stream(index), dst) would, without
// allocating for short outputs.
func (k PRGKey) FillM61(index uint64, dst []M61) {
	if len(dst) == 0 {
		return
	}
	if 8*len(dst) > smallFill || !nativeLittleEndian {
		k.Stream(index).fill61(dst)
		return
	}
	var ctr, out [aes.BlockSize]byte
	binary.BigEndian.PutUint64(ctr[:8], index)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), 8*len(dst))
	for i := uint64(0); len(buf) > 0; i++ {
		binary.BigEndian.PutUint64(ctr[8:], i)
		k.block.Encrypt(out[:], ctr[:])
		buf = buf[copy(buf, out[:]):]
	}
	for i := range dst {
		if dst[i] &= P61; dst[i] == P61 {
			// A rejected word (probability 2^−61): take the slow path,
			// which reads on from the same stream.
			k.Stream(index).fill61(dst)
			return
		}
	}
}

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
	block cipher.Block
	ctr   [aes.BlockSize]byte // the next counter block: index ‖ block number
	buf   [aes.BlockSize]byte // keystream of the current block
	off   int                 // bytes of buf already read
}

// bulkBlocks is the size, in blocks, from which a Read runs AES-CTR over
// whole blocks instead of encrypting them one by one: opening a stream is
// worth it only for long reads, and most reads of the protocols are a few
// field elements.
const bulkBlocks = 8

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
	g := &PRG{block: k.block, off: aes.BlockSize}
	binary.BigEndian.PutUint64(g.ctr[:8], index)
	return g
}

// Reset makes g stream number index of k, as [PRGKey.Stream] does, without
// allocating: a caller that reads many short streams reuses one PRG.
func (g *PRG) Reset(k PRGKey, index uint64) {
	if k.block == nil {
		panic("field: Reset to a zero PRGKey")
	}
	*g = PRG{block: k.block, off: aes.BlockSize}
	binary.BigEndian.PutUint64(g.ctr[:8], index)
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
// len(p), nil. The bytes are those of AES-CTR, however the reads are split.
func (g *PRG) Read(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if g.off < aes.BlockSize {
			c := copy(p, g.buf[g.off:])
			g.off += c
			p = p[c:]
			continue
		}
		if blocks := len(p) / aes.BlockSize; blocks >= bulkBlocks {
			// Whole blocks straight from AES-CTR at the current counter.
			whole := p[:blocks*aes.BlockSize]
			clear(whole)
			cipher.NewCTR(g.block, g.ctr[:]).XORKeyStream(whole, whole)
			g.advance(uint64(blocks))
			p = p[len(whole):]
			continue
		}
		g.block.Encrypt(g.buf[:], g.ctr[:])
		g.advance(1)
		g.off = 0
	}
	return n, nil
}

// advance moves the counter on by c blocks (a stream never reaches 2^64
// blocks, so the block number does not wrap into the index).
func (g *PRG) advance(c uint64) {
	binary.BigEndian.PutUint64(g.ctr[8:], binary.BigEndian.Uint64(g.ctr[8:])+c)
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

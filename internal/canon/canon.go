// Package canon hashes public parameters in a canonical encoding, so that
// parties can compare configurations by digest.
package canon

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Hash is a SHA-256 over a sequence of integers (8 bytes, big-endian) and
// length-prefixed strings, started with a domain string.
type Hash struct{ h hash.Hash }

// New starts a hash in domain, which separates it from other uses of
// SHA-256; bump its version when the encoding changes.
func New(domain string) *Hash {
	h := &Hash{h: sha256.New()}
	h.String(domain)
	return h
}

// Int adds v.
func (h *Hash) Int(v int64) {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(v))
	h.h.Write(buf[:])
}

// String adds s, prefixed with its length.
func (h *Hash) String(s string) {
	h.Int(int64(len(s)))
	h.h.Write([]byte(s))
}

// Bool adds b as 0 or 1.
func (h *Hash) Bool(b bool) {
	if b {
		h.Int(1)
	} else {
		h.Int(0)
	}
}

// Bytes adds b as it is (for fixed-size values such as digests).
func (h *Hash) Bytes(b []byte) { h.h.Write(b) }

// Sum returns the digest.
func (h *Hash) Sum() [32]byte {
	var sum [32]byte
	h.h.Sum(sum[:0])
	return sum
}

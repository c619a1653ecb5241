// Package frame is the wire format of Cohort's TCP transport: a stream of
// frames, each a 5-byte header (4-byte big-endian payload length, 1-byte
// type) followed by the payload.
//
// Read never trusts the length field: a frame larger than the caller's limit
// is refused before anything is allocated, and the payload buffer grows with
// the bytes that actually arrive, so a header that announces a large frame
// and then stops costs little memory.
package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// HeaderSize is the size of a frame header in bytes.
const HeaderSize = 5

// Frame types.
const (
	Data  byte = 0 // a message for the application
	Ping  byte = 1 // a heartbeat; no payload
	Hello byte = 2 // the handshake message, first on every connection

	maxType = 3
)

// MaxLimit is the largest frame size the format allows (the length is a
// 32-bit field, kept below 2^31 so it fits an int on every platform).
const MaxLimit = 1<<31 - 1

// chunk is how much Read allocates before the data arrives.
const chunk = 1 << 20

// ErrTruncated is returned when the stream ends inside a frame.
var ErrTruncated = errors.New("truncated frame")

// TooLargeError reports a frame whose announced size exceeds the limit.
type TooLargeError struct {
	Size  uint32
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("frame of %d bytes exceeds limit of %d bytes", e.Size, e.Limit)
}

// AppendHeader appends the header of a frame of type typ with an n-byte
// payload.
func AppendHeader(dst []byte, typ byte, n int) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	return append(dst, typ)
}

// Append appends a whole frame.
func Append(dst []byte, typ byte, payload []byte) []byte {
	return append(AppendHeader(dst, typ, len(payload)), payload...)
}

// Read reads one frame from r. Its payload is at most limit bytes (limit ≤
// [MaxLimit]). At a clean end of the stream, before any byte of a header,
// Read returns [io.EOF]; a stream that ends inside a frame gives an error
// wrapping [ErrTruncated]; other read errors are returned as they are. The
// payload of an empty frame is empty but not nil.
func Read(r io.Reader, limit int) (typ byte, payload []byte, err error) {
	var h [HeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%w: header", ErrTruncated)
		}
		return 0, nil, err
	}
	size := binary.BigEndian.Uint32(h[:4])
	typ = h[4]
	if typ >= maxType {
		return 0, nil, fmt.Errorf("unknown frame type %d", typ)
	}
	if uint64(size) > uint64(limit) {
		return 0, nil, &TooLargeError{Size: size, Limit: limit}
	}
	n := int(size)
	payload = make([]byte, min(n, chunk))
	for got := 0; ; {
		m, err := io.ReadFull(r, payload[got:])
		got += m
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = fmt.Errorf("%w: %d of %d bytes", ErrTruncated, got, n)
			}
			return 0, nil, err
		}
		if got == n {
			return typ, payload, nil
		}
		// Grow with what has arrived: at most twice the bytes read so far.
		next := make([]byte, min(n, 2*len(payload)))
		copy(next, payload)
		payload = next
	}
}

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

// TruncatedError reports a stream that ended inside a frame; it matches
// [ErrTruncated].
type TruncatedError struct {
	Got, Want int  // bytes of the header or payload read, and expected
	Header    bool // the stream ended inside the header
}

func (e *TruncatedError) Error() string {
	if e.Header {
		return fmt.Sprintf("truncated frame: %d of %d header bytes", e.Got, e.Want)
	}
	return fmt.Sprintf("truncated frame: %d of %d bytes", e.Got, e.Want)
}

// Unwrap returns [ErrTruncated].
func (e *TruncatedError) Unwrap() error { return ErrTruncated }

// UnknownTypeError reports a frame type this format does not define.
type UnknownTypeError struct{ Type byte }

func (e *UnknownTypeError) Error() string { return fmt.Sprintf("unknown frame type %d", e.Type) }

// ReadHeader reads one frame header and returns the frame's type and
// payload size; it does not check the size against any limit. At a clean
// end of the stream, before any byte of a header, it returns [io.EOF]; a
// stream that ends inside the header gives a [*TruncatedError]; an unknown
// type gives an [*UnknownTypeError]; other read errors are returned as
// they are.
func ReadHeader(r io.Reader) (typ byte, size int, err error) {
	var h [HeaderSize]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = &TruncatedError{Got: n, Want: HeaderSize, Header: true}
		}
		return 0, 0, err
	}
	typ = h[4]
	if typ >= maxType {
		return 0, 0, &UnknownTypeError{Type: typ}
	}
	return typ, int(binary.BigEndian.Uint32(h[:4])), nil
}

// ReadPayload reads a payload of size bytes (size ≤ [MaxLimit]). The
// buffer grows with the bytes that actually arrive. A stream that ends
// first gives a [*TruncatedError]. The payload of an empty frame is empty
// but not nil.
func ReadPayload(r io.Reader, size int) ([]byte, error) {
	payload := make([]byte, min(size, chunk))
	for got := 0; ; {
		m, err := io.ReadFull(r, payload[got:])
		got += m
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = &TruncatedError{Got: got, Want: size}
			}
			return nil, err
		}
		if got == size {
			return payload, nil
		}
		// Grow with what has arrived: at most twice the bytes read so far.
		next := make([]byte, min(size, 2*len(payload)))
		copy(next, payload)
		payload = next
	}
}

// Read reads one frame from r, whose payload may be at most limit bytes
// (limit ≤ [MaxLimit]): a larger one gives a [*TooLargeError] before
// anything is allocated. Errors are those of [ReadHeader] and
// [ReadPayload].
func Read(r io.Reader, limit int) (typ byte, payload []byte, err error) {
	typ, size, err := ReadHeader(r)
	if err != nil {
		return 0, nil, err
	}
	if uint64(size) > uint64(limit) {
		return 0, nil, &TooLargeError{Size: uint32(size), Limit: limit}
	}
	if payload, err = ReadPayload(r, size); err != nil {
		return 0, nil, err
	}
	return typ, payload, nil
}

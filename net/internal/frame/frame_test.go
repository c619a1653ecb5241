package frame

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	msgs := [][]byte{{}, []byte("a"), bytes.Repeat([]byte{7}, 3*chunk+5)}
	for _, m := range msgs {
		buf.Write(Append(nil, Data, m))
	}
	buf.Write(Append(nil, Ping, nil))
	for _, m := range msgs {
		typ, p, err := Read(&buf, 4*chunk)
		require.NoError(t, err)
		require.Equal(t, Data, typ)
		require.NotNil(t, p)
		require.Equal(t, m, p)
	}
	typ, p, err := Read(&buf, 0)
	require.NoError(t, err)
	require.Equal(t, Ping, typ)
	require.Empty(t, p)
	_, _, err = Read(&buf, 10)
	require.Equal(t, io.EOF, err)
}

func TestErrors(t *testing.T) {
	_, _, err := Read(bytes.NewReader(Append(nil, Data, make([]byte, 11))), 10)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	require.EqualError(t, err, "frame of 11 bytes exceeds limit of 10 bytes")

	full := Append(nil, Data, []byte("hello"))
	for i := 1; i < len(full); i++ {
		_, _, err := Read(bytes.NewReader(full[:i]), 10)
		require.ErrorIs(t, err, ErrTruncated, "prefix %d", i)
	}

	_, _, err = Read(bytes.NewReader([]byte{0, 0, 0, 0, 9}), 10)
	require.ErrorContains(t, err, "unknown frame type 9")
}

// A header announcing a large frame followed by little data must not make
// Read allocate the announced size.
func TestTruncatedLargeFrameAllocatesLittle(t *testing.T) {
	in := append(AppendHeader(nil, Data, 1<<30), make([]byte, 100)...)
	allocated := allocatedBy(func() {
		_, _, err := Read(bytes.NewReader(in), 1<<30)
		require.ErrorIs(t, err, ErrTruncated)
	})
	require.Less(t, allocated, uint64(2*chunk))
}

func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// FuzzReadFrame feeds arbitrary streams to Read: it must return frames that
// re-encode to a prefix of the input, or an error, never panic, and never
// allocate much more than the bytes it was given (and never beyond the limit).
func FuzzReadFrame(f *testing.F) {
	f.Add(Append(nil, Data, []byte("hello")), uint16(100))
	f.Add(Append(Append(nil, Ping, nil), Data, []byte{1, 2, 3}), uint16(3))
	f.Add(AppendHeader(nil, Data, 80000000), uint16(1000))
	f.Add(append(AppendHeader(nil, Data, 1<<31-1), 1, 2, 3), uint16(65535))
	f.Add([]byte{0, 0, 0, 1}, uint16(10))
	f.Add([]byte{0, 0, 0, 0, 200}, uint16(10))
	f.Fuzz(func(t *testing.T, in []byte, limit16 uint16) {
		limit := int(limit16)
		if limit16 == 65535 {
			limit = MaxLimit // also try huge announced sizes against the largest limit
		}
		r := bytes.NewReader(in)
		var out []byte
		allocated := allocatedBy(func() {
			for {
				typ, p, err := Read(r, limit)
				if err != nil {
					if errors.Is(err, io.EOF) && len(out) != len(in) {
						t.Fatalf("io.EOF after %d of %d bytes", len(out), len(in))
					}
					return
				}
				if len(p) > limit {
					t.Fatalf("payload of %d bytes over limit %d", len(p), limit)
				}
				out = Append(out, typ, p)
			}
		})
		if !bytes.HasPrefix(in, out) {
			t.Fatalf("frames read do not re-encode to a prefix of the input")
		}
		// Read allocates at most max(chunk, 2 × payload bytes present) per
		// frame; out costs about 2 × len(in). Allow generous slack for the
		// test's own allocations.
		if bound := uint64(4*len(in) + 2*chunk + 1<<16); allocated > bound {
			t.Fatalf("allocated %d bytes for %d bytes of input", allocated, len(in))
		}
	})
}

func TestTruncatedMessages(t *testing.T) {
	_, _, err := Read(bytes.NewReader([]byte{0, 0}), 10)
	require.EqualError(t, err, "truncated frame: 2 of 5 header bytes")
	_, _, err = Read(bytes.NewReader(append(AppendHeader(nil, Data, 100), 1, 2, 3)), 100)
	require.EqualError(t, err, "truncated frame: 3 of 100 bytes")
	var te *TruncatedError
	require.ErrorAs(t, err, &te)
	require.Equal(t, TruncatedError{Got: 3, Want: 100}, *te)
}

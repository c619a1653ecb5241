package ops

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// An exchange is one communication round: every party queues the elements
// it sends to each peer and declares how many it expects from each; run
// sends one frame per peer with something to say, receives one frame from
// every peer it expects elements from, and checks each frame's step and
// length. Both sides of a pair derive the counts from public information,
// so a frame of any other size is a protocol violation.
type exchange[E any] struct {
	s    *Session[E]
	name string
	out  [][]byte // out[j]: frame for party j: a header, then the elements queued
	want []int    // want[j]: elements expected from party j
	in   [][]E    // in[j]: elements received from party j, consumed by take
}

// newExchange starts a round. The session's buffers are reused: only one
// exchange is in progress at a time.
func (s *Session[E]) newExchange(name string) *exchange[E] {
	if s.xout == nil {
		s.xout = make([][]byte, s.n+1)
		s.xwant = make([]int, s.n+1)
		s.xin = make([][]E, s.n+1)
	}
	clear(s.xout)
	clear(s.xwant)
	clear(s.xin)
	return &exchange[E]{s: s, name: name, out: s.xout, want: s.xwant, in: s.xin}
}

// put queues v for party to.
func (x *exchange[E]) put(to int, v ...E) {
	if len(v) == 0 {
		return
	}
	if x.out[to] == nil {
		x.out[to] = make([]byte, headerSize, headerSize+len(v)*x.s.f.ElementSize())
	}
	x.out[to] = x.s.f.AppendEncode(x.out[to], v)
}

// expect declares count more elements to come from party from.
func (x *exchange[E]) expect(from, count int) { x.want[from] += count }

// take returns the next count elements received from party from.
func (x *exchange[E]) take(from, count int) []E {
	v := x.in[from][:count:count]
	x.in[from] = x.in[from][count:]
	return v
}

// run performs the round.
func (x *exchange[E]) run(ctx context.Context) error {
	s := x.s
	if s.err != nil {
		return s.err
	}
	if s.step == abortStep-1 {
		return s.fail(errors.New("ops: too many rounds in one session"))
	}
	s.step++
	step := s.step
	size := s.f.ElementSize()
	for j := 1; j <= s.n; j++ {
		msg := x.out[j]
		if msg == nil {
			continue
		}
		binary.LittleEndian.PutUint32(msg, step)
		if err := s.tr.Send(ctx, j, msg); err != nil {
			return s.fail(x.transportErr(j, err))
		}
		x.out[j] = nil
	}
	for j := 1; j <= s.n; j++ {
		if j == s.id || x.want[j] == 0 {
			continue
		}
		msg, err := s.tr.Recv(ctx, j)
		if err != nil {
			return s.fail(x.transportErr(j, err))
		}
		if len(msg) < headerSize {
			return s.fail(x.errorf(j, "%w: frame of %d bytes", ErrProtocol, len(msg)))
		}
		switch got := binary.LittleEndian.Uint32(msg); {
		case got == abortStep:
			return s.fail(x.errorf(j, "%w", ErrPeerAborted))
		case got != step:
			return s.fail(x.errorf(j, "%w: frame of step %d during step %d", ErrDesync, got, step))
		}
		body := msg[headerSize:]
		if len(body) != x.want[j]*size {
			return s.fail(x.errorf(j, "%w: %d bytes, want %d elements of %d bytes", ErrProtocol, len(body), x.want[j], size))
		}
		v := make([]E, x.want[j])
		if err := s.f.Decode(v, body); err != nil {
			return s.fail(x.errorf(j, "%w: %w", ErrProtocol, err))
		}
		x.in[j] = v
	}
	s.tr.AddRound()
	return nil
}

func (x *exchange[E]) errorf(party int, format string, args ...any) error {
	return peerErr(party, fmt.Sprintf("%s (step %d)", x.name, x.s.step), fmt.Errorf(format, args...))
}

func (x *exchange[E]) transportErr(party int, err error) error {
	return transportErr(party, fmt.Sprintf("%s (step %d)", x.name, x.s.step), err)
}

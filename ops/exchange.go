package ops

import (
	"context"
	"fmt"
	"time"
)

// An exchange is one communication round: every party queues the elements
// it sends to each peer and declares how many it expects from each; run
// sends one frame per peer with something to say, receives one frame from
// every peer it expects elements from, and checks each frame's step and
// length. Both sides of a pair derive the counts from public information,
// so a frame of any other size is a protocol violation.
//
// Compute parties are addressed by their compute number (put, expect,
// take), input parties by their transport id (putIO, expectIO, takeIO).
// Frames between compute parties carry the session's step counter; frames
// between a compute party and an input party carry a second counter that
// advances only in the exchanges that involve input parties, so that an
// input party, which sits out the computation, stays in step.
type exchange[E any] struct {
	s    *Session[E]
	name string
	io   bool     // some peer is an input party
	out  [][]byte // out[id]: frame for transport id: a header, then the elements queued
	want []int    // want[id]: elements expected from transport id
	in   [][]E    // in[id]: elements received from transport id, consumed by take
}

// newExchange starts a round. The session's buffers are reused: only one
// exchange is in progress at a time.
func (s *Session[E]) newExchange(name string) *exchange[E] {
	if s.xout == nil {
		s.xout = make([][]byte, len(s.cnum))
		s.xwant = make([]int, len(s.cnum))
		s.xin = make([][]E, len(s.cnum))
	}
	clear(s.xout)
	clear(s.xwant)
	clear(s.xin)
	return &exchange[E]{s: s, name: name, out: s.xout, want: s.xwant, in: s.xin}
}

// put queues v for compute party to.
func (x *exchange[E]) put(to int, v ...E) { x.putIO(x.s.cids[to-1], v...) }

// expect declares count more elements to come from compute party from.
func (x *exchange[E]) expect(from, count int) { x.expectIO(x.s.cids[from-1], count) }

// take returns the next count elements received from compute party from.
func (x *exchange[E]) take(from, count int) []E { return x.takeIO(x.s.cids[from-1], count) }

// putIO queues v for transport id to.
func (x *exchange[E]) putIO(to int, v ...E) {
	if len(v) == 0 {
		return
	}
	x.io = x.io || x.s.cnum[to] == 0 || x.s.me == 0
	if x.out[to] == nil {
		x.out[to] = make([]byte, headerSize, headerSize+len(v)*x.s.f.ElementSize())
	}
	x.out[to] = x.s.f.AppendEncode(x.out[to], v)
}

// expectIO declares count more elements to come from transport id from.
func (x *exchange[E]) expectIO(from, count int) {
	if count == 0 {
		return
	}
	x.io = x.io || x.s.cnum[from] == 0 || x.s.me == 0
	x.want[from] += count
}

// takeIO returns the next count elements received from transport id from.
func (x *exchange[E]) takeIO(from, count int) []E {
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
	if s.me != 0 {
		s.step = nextStep(s.step)
	}
	if x.io {
		s.ioStep = nextStep(s.ioStep)
	}
	stepOf := func(id int) byte {
		if s.me == 0 || s.cnum[id] == 0 {
			return tag(s.ioStep)
		}
		return tag(s.step)
	}
	size := s.f.ElementSize()
	for j, msg := range x.out {
		if msg == nil {
			continue
		}
		msg[0] = stepOf(j)
		if err := s.tr.Send(ctx, j, msg); err != nil {
			if abort := s.pendingAbort(ctx, j); abort != nil {
				// The peer stopped on an error of its own and said so
				// before closing: that is the cause, not the closing.
				return s.fail(abort)
			}
			return s.fail(x.transportErr(ctx, j, false, err))
		}
		x.out[j] = nil
	}
	for j, want := range x.want {
		if want == 0 {
			continue
		}
		msg, err := s.tr.Recv(ctx, j)
		if err != nil {
			if msg, ok := x.lateAbort(ctx, j); ok {
				return s.fail(s.aborted(context.Background(), j, msg[headerSize:]))
			}
			return s.fail(x.transportErr(ctx, j, true, err))
		}
		if len(msg) < headerSize {
			return s.fail(x.errorf(j, "%w: frame of %d bytes", ErrProtocol, len(msg)))
		}
		step := stepOf(j)
		switch got := msg[0]; {
		case got == abortTag:
			return s.fail(s.aborted(ctx, j, msg[headerSize:]))
		case got != step:
			return s.fail(x.errorf(j, "%w: frame tagged %d during step %d (tag %d)", ErrDesync, got, s.step, step))
		}
		body := msg[headerSize:]
		if len(body) != want*size {
			return s.fail(x.errorf(j, "%w: %d bytes, want %d elements of %d bytes", ErrProtocol, len(body), want, size))
		}
		v := make([]E, want)
		if err := s.f.Decode(v, body); err != nil {
			return s.fail(x.errorf(j, "%w: %w", ErrProtocol, err))
		}
		x.in[j] = v
	}
	if s.me != 0 {
		s.tr.AddRound()
	}
	return nil
}

// deadlineGrace is how long a party whose deadline passed while it waited
// for a peer waits for that peer's own report before blaming it.
const deadlineGrace = 500 * time.Millisecond

// lateAbort is called when this party's deadline passed while it waited
// for party j. Parties stop at about the same time, each at its own
// deadline, and j may itself have been waiting for a third party (the one
// that went silent): j then reports that party to everyone a moment later.
// lateAbort waits briefly for j's report, so that this party relays it
// instead of blaming j.
func (x *exchange[E]) lateAbort(ctx context.Context, j int) ([]byte, bool) {
	if ctx.Err() != context.DeadlineExceeded {
		return nil, false
	}
	gctx, cancel := context.WithTimeout(context.Background(), deadlineGrace)
	defer cancel()
	msg, err := x.s.tr.Recv(gctx, j)
	if err != nil || len(msg) < headerSize || msg[0] != abortTag {
		return nil, false
	}
	return msg, true
}

func (x *exchange[E]) where() string {
	return fmt.Sprintf("%s (step %d)", x.name, x.s.step)
}

func (x *exchange[E]) errorf(party int, format string, args ...any) error {
	return peerErr(party, x.where(), fmt.Errorf(format, args...))
}

// transportErr names the step of a transport failure. When this party's
// own context ended, the failure is not the peer's doing and the error
// matches the context's error: a cancellation names no peer, and a
// deadline that passed while this party waited for a peer's message names
// the peer it waited for.
func (x *exchange[E]) transportErr(ctx context.Context, party int, recv bool, err error) error {
	switch cerr := ctx.Err(); {
	case cerr == context.DeadlineExceeded && recv:
		return peerErr(party, x.where(), fmt.Errorf("no message from this party before the deadline: %w", cerr))
	case cerr != nil:
		return fmt.Errorf("ops: %s: stopped: %w", x.where(), cerr)
	}
	return transportErr(party, x.where(), err)
}

// pendingAbortWait bounds how long a party looks for the abort frame of a
// peer it could not send to.
const pendingAbortWait = 250 * time.Millisecond

// pendingAbort looks, after a send to peer j failed, for an abort frame j
// sent before it closed: a party that stops tells the others why and then
// closes, and a peer that sends before reading would otherwise blame the
// closing. It returns the abort's error, or nil.
func (s *Session[E]) pendingAbort(ctx context.Context, j int) error {
	if ctx.Err() != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, pendingAbortWait)
	defer cancel()
	for range 4 {
		msg, err := s.tr.Recv(ctx, j)
		if err != nil {
			return nil
		}
		if len(msg) >= headerSize && msg[0] == abortTag {
			return s.aborted(context.Background(), j, msg[headerSize:])
		}
	}
	return nil
}

// nextStep advances a step counter.
func nextStep(step uint32) uint32 { return step + 1 }

// tag is the step tag of a frame: the step modulo 255, which is never the
// abort marker.
func tag(step uint32) byte { return byte(step % abortTag) }

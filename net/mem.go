package net

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/cohortmpc/cohort/net/internal/msgq"
)

// MemTransport is one party's end of an in-memory mesh made by [NewMesh].
//
// Send never blocks and never copies: the slice itself is queued and handed
// to the receiver. Each ordered pair of parties has an unbounded FIFO queue,
// allocated on first use (about 100 bytes, plus a ring buffer only while more
// than one message is waiting); no goroutines are involved.
//
// When party j closes its transport, Recv(from=j) at the other parties first
// returns the messages j had sent before, then a [*PeerError] wrapping
// [ErrPeerClosed]; Sends to j fail the same way. Party j's own calls return
// [ErrClosed], and messages queued for j are released.
type MemTransport struct {
	id     int
	mesh   []*MemTransport // index 1..n
	closed atomic.Bool
	in     []atomic.Pointer[msgq.Queue] // in[j]: messages from party j
	gone   *PeerError                   // what the others see once this party closed
}

var _ Transport = (*MemTransport)(nil)

// NewMesh returns n connected in-memory transports; element i is party i+1.
// n must be at least 1.
func NewMesh(n int) ([]Transport, error) {
	if n < 1 {
		return nil, fmt.Errorf("net: mesh of %d parties", n)
	}
	mesh := make([]*MemTransport, n+1)
	ts := make([]Transport, n)
	for i := 1; i <= n; i++ {
		mesh[i] = &MemTransport{
			id:   i,
			mesh: mesh,
			in:   make([]atomic.Pointer[msgq.Queue], n+1),
			gone: &PeerError{Party: i, Op: "recv", Err: ErrPeerClosed},
		}
		ts[i-1] = mesh[i]
	}
	return ts, nil
}

// ID returns this party's id.
func (m *MemTransport) ID() int { return m.id }

// N returns the number of parties.
func (m *MemTransport) N() int { return len(m.mesh) - 1 }

// queue returns the queue of messages from party from, creating it.
func (m *MemTransport) queue(from int) *msgq.Queue {
	p := &m.in[from]
	if q := p.Load(); q != nil {
		return q
	}
	q := new(msgq.Queue)
	if !p.CompareAndSwap(nil, q) {
		return p.Load()
	}
	// A Close that ran before the CompareAndSwap did not see this queue.
	// Both flags are set before Close looks for queues, so checking them
	// now catches it.
	if m.closed.Load() {
		q.Close(ErrClosed, false)
	}
	if s := m.mesh[from]; s.closed.Load() {
		q.Close(s.gone, true)
	}
	return q
}

func (m *MemTransport) peer(to int) bool {
	return to >= 1 && to < len(m.mesh) && to != m.id
}

// Send queues msg for party to. It never blocks. The receiver gets msg
// itself, not a copy.
func (m *MemTransport) Send(ctx context.Context, to int, msg []byte) error {
	if m.closed.Load() {
		return ErrClosed
	}
	if !m.peer(to) {
		return &PeerError{Party: to, Op: "send", Err: ErrInvalidParty}
	}
	if err := ctx.Err(); err != nil {
		return &PeerError{Party: to, Op: "send", Err: err}
	}
	if !m.mesh[to].queue(m.id).Push(msg) {
		if m.closed.Load() {
			return ErrClosed
		}
		return &PeerError{Party: to, Op: "send", Err: ErrPeerClosed}
	}
	return nil
}

// Recv returns the next message from party from, waiting for it if needed.
func (m *MemTransport) Recv(ctx context.Context, from int) ([]byte, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	if !m.peer(from) {
		return nil, &PeerError{Party: from, Op: "recv", Err: ErrInvalidParty}
	}
	msg, err := m.queue(from).Pop(ctx)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && err == cerr {
			return nil, &PeerError{Party: from, Op: "recv", Err: err}
		}
		return nil, err
	}
	return msg, nil
}

// Close closes this party's transport. Blocked and later calls on it return
// [ErrClosed]; the other parties can still receive what it sent before.
// Close is idempotent and always returns nil.
func (m *MemTransport) Close() error {
	if !m.closed.CompareAndSwap(false, true) {
		return nil
	}
	for j := 1; j < len(m.mesh); j++ {
		if j == m.id {
			continue
		}
		if q := m.in[j].Load(); q != nil {
			q.Close(ErrClosed, false)
		}
		if q := m.mesh[j].in[m.id].Load(); q != nil {
			q.Close(m.gone, true)
		}
	}
	return nil
}

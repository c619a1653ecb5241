package net

import (
	"context"
	"sync/atomic"
)

// Metered wraps a [Transport] and counts the traffic that passes through it.
// Bytes are message payload bytes as the caller sees them, not including
// framing, TLS or TCP overhead. Only successful Sends and Recvs count. All
// methods are safe for concurrent use.
type Metered struct {
	t         Transport
	bytesSent atomic.Int64
	bytesRecv atomic.Int64
	msgsSent  atomic.Int64
	msgsRecv  atomic.Int64
	rounds    atomic.Int64
}

var _ Transport = (*Metered)(nil)

// NewMetered returns a Metered transport that forwards to t.
func NewMetered(t Transport) *Metered { return &Metered{t: t} }

// Unwrap returns the wrapped transport.
func (m *Metered) Unwrap() Transport { return m.t }

// ID returns the wrapped transport's ID.
func (m *Metered) ID() int { return m.t.ID() }

// N returns the wrapped transport's N.
func (m *Metered) N() int { return m.t.N() }

// Send forwards to the wrapped transport and counts msg if it succeeds.
func (m *Metered) Send(ctx context.Context, to int, msg []byte) error {
	n := int64(len(msg)) // msg belongs to the transport once Send is called
	if err := m.t.Send(ctx, to, msg); err != nil {
		return err
	}
	m.bytesSent.Add(n)
	m.msgsSent.Add(1)
	return nil
}

// Recv forwards to the wrapped transport and counts the message it returns.
func (m *Metered) Recv(ctx context.Context, from int) ([]byte, error) {
	msg, err := m.t.Recv(ctx, from)
	if err != nil {
		return nil, err
	}
	m.bytesRecv.Add(int64(len(msg)))
	m.msgsRecv.Add(1)
	return msg, nil
}

// Close closes the wrapped transport.
func (m *Metered) Close() error { return m.t.Close() }

// AddRound counts one communication round. Protocol code calls it once per
// round of messages.
func (m *Metered) AddRound() { m.rounds.Add(1) }

// Stats returns the counters. Each field is read atomically; the fields
// together are a consistent snapshot only while no call is in progress.
func (m *Metered) Stats() Stats {
	return Stats{
		BytesSent: m.bytesSent.Load(),
		BytesRecv: m.bytesRecv.Load(),
		MsgsSent:  m.msgsSent.Load(),
		MsgsRecv:  m.msgsRecv.Load(),
		Rounds:    m.rounds.Load(),
	}
}

package tcp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	stdnet "net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/frame"
	"github.com/cohortmpc/cohort/net/internal/msgq"
)

// Transport is one party's end of a TCP mesh, made by [Connect]. It
// implements [cnet.Transport]; it does not count traffic (wrap it in
// [cnet.Metered] for that).
//
// Each connection has a reader goroutine that moves frames into an
// unbounded queue, so a Send never waits for the peer's Recv. A Send writes
// its frame to the connection before it returns (ctx is checked before
// writing: a frame is never abandoned halfway); concurrent Sends to one peer
// are serialised.
//
// When a peer closes its transport, Recv from it returns the messages it had
// sent before, then a [*cnet.PeerError] wrapping [cnet.ErrPeerClosed]. When a
// connection fails (reset, oversize or malformed frame, nothing received for
// Config.Timeout), Recv returns what arrived before, then a *PeerError with
// the cause.
type Transport struct {
	id, n    int
	timeout  time.Duration
	maxFrame int
	log      logger

	peers  []atomic.Pointer[peerConn] // index 1..n
	closed atomic.Bool
	once   sync.Once
	done   chan struct{} // closed by Close
	wg     sync.WaitGroup
}

var _ cnet.Transport = (*Transport)(nil)

// peerConn is the connection to one peer.
type peerConn struct {
	t    *Transport
	id   int
	conn *tls.Conn
	raw  stdnet.Conn
	q    msgq.Queue

	wmu       sync.Mutex // serialises writes
	wbuf      []byte
	wdeadline time.Time    // last write deadline set; under wmu
	lastWrite atomic.Int64 // unix nanoseconds of the last frame written

	sendErr atomic.Pointer[cnet.PeerError] // set once the connection failed
}

func newTransport(s *settings) *Transport {
	return &Transport{
		id:       s.ID,
		n:        s.n,
		timeout:  s.Timeout,
		maxFrame: s.MaxFrame,
		log:      logger{s.Logger},
		peers:    make([]atomic.Pointer[peerConn], s.n+1),
		done:     make(chan struct{}),
	}
}

// ID returns this party's id.
func (t *Transport) ID() int { return t.id }

// N returns the number of parties.
func (t *Transport) N() int { return t.n }

func (t *Transport) peer(op string, j int) (*peerConn, error) {
	if t.closed.Load() {
		return nil, cnet.ErrClosed
	}
	if j < 1 || j > t.n || j == t.id {
		return nil, &cnet.PeerError{Party: j, Op: op, Err: cnet.ErrInvalidParty}
	}
	return t.peers[j].Load(), nil
}

// Send writes msg to party to as one frame.
func (t *Transport) Send(ctx context.Context, to int, msg []byte) error {
	p, err := t.peer("send", to)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return &cnet.PeerError{Party: to, Op: "send", Err: err}
	}
	if len(msg) > t.maxFrame {
		return &cnet.PeerError{Party: to, Op: "send", Err: &frame.TooLargeError{Size: uint32(min(len(msg), frame.MaxLimit)), Limit: t.maxFrame}}
	}
	if e := p.sendErr.Load(); e != nil {
		return e
	}
	p.wmu.Lock()
	err = p.writeFrame(frame.Data, msg)
	p.wmu.Unlock()
	if err != nil {
		if t.closed.Load() {
			return cnet.ErrClosed
		}
		return p.fail("send", err)
	}
	return nil
}

// Recv returns the next message from party from.
func (t *Transport) Recv(ctx context.Context, from int) ([]byte, error) {
	p, err := t.peer("recv", from)
	if err != nil {
		return nil, err
	}
	msg, err := p.q.Pop(ctx)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && err == cerr {
			return nil, &cnet.PeerError{Party: from, Op: "recv", Err: err}
		}
		return nil, err
	}
	return msg, nil
}

// Close closes all connections and waits for the transport's goroutines to
// exit. It tells each peer that this party is leaving (TLS close_notify and
// TCP FIN after the frames already sent), then waits up to a second (at most
// Config.Timeout) for the peers to close their side, so that they can read
// everything sent before Close. Blocked and later calls return
// [cnet.ErrClosed]. Close is idempotent and returns nil.
func (t *Transport) Close() error {
	t.once.Do(func() {
		t.closed.Store(true)
		close(t.done)
		var conns []*peerConn
		for j := range t.peers {
			if p := t.peers[j].Load(); p != nil {
				p.q.Close(cnet.ErrClosed, false)
				p.shutdown()
				conns = append(conns, p)
			}
		}
		linger := time.AfterFunc(min(t.timeout, time.Second), func() {
			for _, p := range conns {
				p.raw.Close()
			}
		})
		t.wg.Wait()
		linger.Stop()
		for _, p := range conns {
			p.raw.Close()
		}
	})
	t.wg.Wait()
	return nil
}

// shutdown ends the sending direction after any write in progress.
func (p *peerConn) shutdown() {
	// Let a write in progress finish, unless it is stuck on a peer that does
	// not read.
	unstick := time.AfterFunc(100*time.Millisecond, func() { p.raw.SetWriteDeadline(time.Now()) })
	p.wmu.Lock()
	unstick.Stop()
	defer p.wmu.Unlock()
	p.raw.SetWriteDeadline(time.Now().Add(min(p.t.timeout, time.Second)))
	p.conn.CloseWrite()
	if c, ok := p.raw.(interface{ CloseWrite() error }); ok {
		c.CloseWrite()
	}
}

// writeFrame writes one frame; p.wmu is held.
func (p *peerConn) writeFrame(typ byte, payload []byte) error {
	const small = 64 << 10 // up to this, header and payload go in one Write
	const chunk = 256 << 10
	p.refreshWriteDeadline(false)
	if len(payload) <= small {
		p.wbuf = frame.Append(p.wbuf[:0], typ, payload)
		if _, err := p.conn.Write(p.wbuf); err != nil {
			return err
		}
	} else {
		p.wbuf = frame.AppendHeader(p.wbuf[:0], typ, len(payload))
		if _, err := p.conn.Write(p.wbuf); err != nil {
			return err
		}
		// Each chunk gets a full Timeout: a large message on a slow but
		// live link is not a dead peer.
		for off := 0; off < len(payload); off += chunk {
			p.refreshWriteDeadline(true)
			if _, err := p.conn.Write(payload[off:min(off+chunk, len(payload))]); err != nil {
				return err
			}
		}
	}
	p.lastWrite.Store(time.Now().UnixNano())
	return nil
}

// refreshWriteDeadline moves the write deadline to now + Timeout, unless it
// was set less than Timeout/8 ago (setting it costs a timer update).
func (p *peerConn) refreshWriteDeadline(force bool) {
	now := time.Now()
	if force || now.Add(p.t.timeout*7/8).After(p.wdeadline) {
		p.wdeadline = now.Add(p.t.timeout)
		p.raw.SetWriteDeadline(p.wdeadline)
	}
}

// deadlineReader reads from the connection with a read deadline of
// Timeout from (about) now, so that a silent peer is detected.
type deadlineReader struct {
	p    *peerConn
	last time.Time
}

func (d *deadlineReader) Read(b []byte) (int, error) {
	timeout := d.p.t.timeout
	if now := time.Now(); now.Sub(d.last) > timeout/8 {
		d.p.raw.SetReadDeadline(now.Add(timeout))
		d.last = now
	}
	return d.p.conn.Read(b)
}

// readLoop moves frames from the connection into the queue until the
// connection ends.
func (p *peerConn) readLoop() {
	defer p.t.wg.Done()
	r := &deadlineReader{p: p}
	for {
		typ, payload, err := frame.Read(r, p.t.maxFrame)
		if err != nil {
			p.fail("recv", err)
			return
		}
		switch typ {
		case frame.Data:
			p.q.Push(payload)
		case frame.Ping:
		default:
			p.fail("recv", fmt.Errorf("unexpected frame type %d", typ))
			return
		}
	}
}

// fail records that the connection is broken, closes it and returns the
// error for op. Recv still returns the messages received before.
func (p *peerConn) fail(op string, err error) error {
	t := p.t
	if t.closed.Load() {
		p.raw.Close()
		return cnet.ErrClosed
	}
	var cause error
	var tooLarge *frame.TooLargeError
	switch {
	case errors.Is(err, io.EOF):
		cause = cnet.ErrPeerClosed
	case errors.Is(err, os.ErrDeadlineExceeded) && op == "recv":
		cause = fmt.Errorf("tcp: nothing received for %v: %w", t.timeout, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		cause = fmt.Errorf("tcp: write blocked for %v: %w", t.timeout, err)
	case errors.As(err, &tooLarge), errors.Is(err, frame.ErrTruncated):
		cause = fmt.Errorf("tcp: %w", err)
	default:
		cause = fmt.Errorf("tcp: %w", err)
	}
	sendErr := &cnet.PeerError{Party: p.id, Op: "send", Err: cause}
	if p.sendErr.CompareAndSwap(nil, sendErr) {
		if cause == cnet.ErrPeerClosed {
			t.log.info("peer closed the connection", p.id)
		} else {
			t.log.warn("connection failed", p.id, cause)
		}
	}
	p.q.Close(&cnet.PeerError{Party: p.id, Op: "recv", Err: cause}, true)
	p.raw.Close()
	return &cnet.PeerError{Party: p.id, Op: op, Err: cause}
}

// heartbeat writes a ping on every connection that has been idle for
// Timeout/4, so that the peer's read deadline does not expire.
func (t *Transport) heartbeat() {
	defer t.wg.Done()
	every := max(t.timeout/4, time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			return
		case now := <-tick.C:
			for j := range t.peers {
				p := t.peers[j].Load()
				if p == nil || p.sendErr.Load() != nil || now.UnixNano()-p.lastWrite.Load() < int64(every) {
					continue
				}
				if !p.wmu.TryLock() {
					continue // a write is in progress
				}
				err := p.writeFrame(frame.Ping, nil)
				p.wmu.Unlock()
				if err != nil {
					p.fail("send", err)
				}
			}
		}
	}
}

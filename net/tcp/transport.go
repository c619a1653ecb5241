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
	"syscall"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/frame"
	"github.com/cohortmpc/cohort/net/internal/msgq"
)

// Transport is one party's end of a TCP mesh, made by [Connect]. It
// implements [cnet.Transport]; it does not count traffic (wrap it in
// [cnet.Metered] for that).
//
// Each connection has a reader goroutine that moves frames into a queue,
// so a Send never waits for the peer's Recv. The queue holds at most
// Config.MaxQueued bytes per peer: a peer that gets further ahead of this
// party's Recv breaks the protocol and is disconnected. A Send writes its
// frame to the connection before it returns; concurrent Sends to one peer
// are serialised. When ctx ends while a Send waits for the connection or
// writes, Send returns ctx's error; a frame abandoned halfway leaves the
// stream unusable, so the connection to that peer is then closed.
//
// When a peer closes its transport, Recv from it returns the messages it had
// sent before, then a [*cnet.PeerError] wrapping [cnet.ErrPeerClosed]. When a
// connection fails, Recv returns what arrived before, then a *PeerError
// whose cause tells what was observed: [cnet.ErrPeerClosed] (also in the
// middle of a frame), [cnet.ErrPeerReset], [cnet.ErrPeerSilent] (nothing
// for Config.Timeout, a frame not complete within its deadline, or a peer
// that does not read) or [cnet.ErrBadFrame].
type Transport struct {
	id, n     int
	timeout   time.Duration
	maxFrame  int
	maxQueued int
	log       logger

	peers  []atomic.Pointer[peerConn] // index 1..n
	closed atomic.Bool
	once   sync.Once
	done   chan struct{} // closed by Close
	wg     sync.WaitGroup
}

var _ cnet.Transport = (*Transport)(nil)

// MinRate is the slowest transfer rate, in bytes per second, at which a
// frame still counts as alive: a frame of s bytes must be read or written
// completely within Config.Timeout + s/MinRate. (A peer that drips a frame
// byte by byte is as dead as a silent one.)
const MinRate = 32 << 10

// frameTime is how long a frame of size bytes may take.
func (t *Transport) frameTime(size int) time.Duration {
	return t.timeout + time.Duration(size)*time.Second/MinRate
}

// peerConn is the connection to one peer.
type peerConn struct {
	t    *Transport
	id   int
	conn *tls.Conn
	raw  stdnet.Conn
	q    msgq.Queue

	wlock     chan struct{} // holds a token while a frame is written
	wbuf      []byte        // under wlock
	lastWrite atomic.Int64  // unix nanoseconds of the last frame written

	// poke guards interrupting a write when its context ends: an
	// interruption meant for one write must not reach the next.
	poke struct {
		sync.Mutex
		gen    uint64
		active bool
	}

	delivered  atomic.Int64  // data frames queued
	readerDone chan struct{} // closed when readLoop returns
	replaced   atomic.Bool   // closed because the peer connected again

	sendErr atomic.Pointer[cnet.PeerError] // set once the connection failed
}

func newPeerConn(t *Transport, id int, conn *tls.Conn, raw stdnet.Conn) *peerConn {
	p := &peerConn{t: t, id: id, conn: conn, raw: raw, wlock: make(chan struct{}, 1), readerDone: make(chan struct{})}
	p.lastWrite.Store(time.Now().UnixNano())
	return p
}

func newTransport(s *settings) *Transport {
	return &Transport{
		id:        s.ID,
		n:         s.n,
		timeout:   s.Timeout,
		maxFrame:  s.MaxFrame,
		maxQueued: s.MaxQueued,
		log:       logger{s.Logger},
		peers:     make([]atomic.Pointer[peerConn], s.n+1),
		done:      make(chan struct{}),
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
	select {
	case p.wlock <- struct{}{}:
	case <-ctx.Done():
		return &cnet.PeerError{Party: to, Op: "send", Err: ctx.Err()}
	}
	err = p.writeFrame(ctx, frame.Data, msg)
	<-p.wlock
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
	p.wlock <- struct{}{}
	unstick.Stop()
	defer func() { <-p.wlock }()
	p.raw.SetWriteDeadline(time.Now().Add(min(p.t.timeout, time.Second)))
	p.conn.CloseWrite()
	if c, ok := p.raw.(interface{ CloseWrite() error }); ok {
		c.CloseWrite()
	}
}

// abandonedError is a frame this party stopped writing halfway because its
// context ended; the connection cannot be used after it.
type abandonedError struct{ err error }

func (e *abandonedError) Error() string {
	return "tcp: stopped sending in the middle of a frame: " + e.err.Error()
}
func (e *abandonedError) Unwrap() error { return e.err }

// writeFrame writes one frame, within the frame deadline (Config.Timeout
// plus the size at MinRate) and until ctx ends; p.wlock is held.
func (p *peerConn) writeFrame(ctx context.Context, typ byte, payload []byte) error {
	const small = 64 << 10 // up to this, header and payload go in one Write
	const chunk = 256 << 10
	p.raw.SetWriteDeadline(time.Now().Add(p.t.frameTime(len(payload))))
	if ctx.Done() != nil {
		p.poke.Lock()
		p.poke.gen++
		gen := p.poke.gen
		p.poke.active = true
		p.poke.Unlock()
		stop := context.AfterFunc(ctx, func() {
			p.poke.Lock()
			if p.poke.active && p.poke.gen == gen {
				p.raw.SetWriteDeadline(time.Unix(1, 0))
			}
			p.poke.Unlock()
		})
		defer func() {
			stop()
			p.poke.Lock()
			p.poke.active = false
			p.poke.Unlock()
		}()
	}
	err := p.write(ctx, typ, payload, small, chunk)
	if err != nil && ctx.Err() != nil {
		return &abandonedError{ctx.Err()}
	}
	if err == nil {
		p.lastWrite.Store(time.Now().UnixNano())
	}
	return err
}

func (p *peerConn) write(ctx context.Context, typ byte, payload []byte, small, chunk int) error {
	if len(payload) <= small {
		p.wbuf = frame.Append(p.wbuf[:0], typ, payload)
		_, err := p.conn.Write(p.wbuf)
		return err
	}
	p.wbuf = frame.AppendHeader(p.wbuf[:0], typ, len(payload))
	if _, err := p.conn.Write(p.wbuf); err != nil {
		return err
	}
	for off := 0; off < len(payload); off += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := p.conn.Write(payload[off:min(off+chunk, len(payload))]); err != nil {
			return err
		}
	}
	return nil
}

// readLoop moves frames from the connection into the queue until the
// connection ends.
func (p *peerConn) readLoop() {
	defer p.t.wg.Done()
	defer close(p.readerDone)
	t := p.t
	for {
		// Something arrives at least every Timeout/4 from a live peer:
		// a frame or a heartbeat.
		p.raw.SetReadDeadline(time.Now().Add(t.timeout))
		typ, size, err := frame.ReadHeader(p.conn)
		if err != nil {
			p.fail("recv", readError(err, t.timeout, 0))
			return
		}
		switch {
		case typ == frame.Ping && size == 0:
			continue
		case typ == frame.Ping:
			p.fail("recv", badFrame(fmt.Sprintf("ping with a payload of %d bytes (pings are empty)", size)))
			return
		case typ != frame.Data:
			p.fail("recv", badFrame(fmt.Sprintf("unexpected frame type %d", typ)))
			return
		case size > t.maxFrame:
			p.fail("recv", badFrame((&frame.TooLargeError{Size: uint32(size), Limit: t.maxFrame}).Error()))
			return
		}
		if queued := p.q.Bytes(); queued+size > t.maxQueued {
			p.fail("recv", badFrame(fmt.Sprintf("a frame of %d bytes would make %d bytes unreceived, more than the %d held for a peer",
				size, queued+size, t.maxQueued)))
			return
		}
		allowed := t.frameTime(size)
		p.raw.SetReadDeadline(time.Now().Add(allowed))
		payload, err := frame.ReadPayload(p.conn, size)
		if err != nil {
			p.fail("recv", readError(err, t.timeout, allowed))
			return
		}
		p.delivered.Add(1)
		p.q.Push(payload)
	}
}

// fault is what this party observed a peer do. It matches its kind
// ([cnet.ErrPeerClosed], [cnet.ErrPeerReset], [cnet.ErrPeerSilent],
// [cnet.ErrBadFrame]) and the error it was detected by.
type fault struct {
	kind error
	msg  string
	err  error // may be nil
}

func (f *fault) Error() string { return "tcp: " + f.msg }

func (f *fault) Unwrap() []error {
	if f.err == nil {
		return []error{f.kind}
	}
	return []error{f.kind, f.err}
}

func badFrame(msg string) error {
	return &fault{kind: cnet.ErrBadFrame, msg: "sent a bad frame: " + msg}
}

// readError classifies an error of reading a frame header (allowed == 0)
// or a payload that was allowed that long.
func readError(err error, timeout, allowed time.Duration) error {
	var trunc *frame.TruncatedError
	var unknown *frame.UnknownTypeError
	switch {
	case errors.As(err, &unknown):
		return badFrame(unknown.Error())
	case errors.As(err, &trunc) && trunc.Header:
		return &fault{kind: cnet.ErrPeerClosed, msg: fmt.Sprintf("closed the connection in the middle of a frame (%d of %d header bytes)", trunc.Got, trunc.Want), err: err}
	case errors.As(err, &trunc):
		return &fault{kind: cnet.ErrPeerClosed, msg: fmt.Sprintf("closed the connection in the middle of a frame (%d of %d bytes)", trunc.Got, trunc.Want), err: err}
	case errors.Is(err, os.ErrDeadlineExceeded) && allowed == 0:
		return &fault{kind: cnet.ErrPeerSilent, msg: fmt.Sprintf("went silent: nothing received for %v", timeout), err: err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &fault{kind: cnet.ErrPeerSilent, msg: fmt.Sprintf("went silent: a frame was not complete after %v", allowed.Round(time.Millisecond)), err: err}
	}
	return err
}

// cause turns an error of the connection into the cause a PeerError
// reports.
func (p *peerConn) cause(op string, err error) error {
	var f *fault
	var abandoned *abandonedError
	switch {
	case errors.As(err, &f), errors.As(err, &abandoned):
		return err
	case errors.Is(err, io.EOF):
		return &fault{kind: cnet.ErrPeerClosed, msg: "closed the connection", err: err}
	case errors.Is(err, syscall.ECONNRESET):
		return &fault{kind: cnet.ErrPeerReset, msg: "connection reset", err: err}
	case errors.Is(err, syscall.EPIPE):
		return &fault{kind: cnet.ErrPeerReset, msg: "connection reset (broken pipe)", err: err}
	case errors.Is(err, os.ErrDeadlineExceeded) && op == "send":
		return &fault{kind: cnet.ErrPeerSilent, msg: "went silent: did not read what this party sent for " + p.t.timeout.String(), err: err}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return readError(err, p.t.timeout, 0)
	}
	return fmt.Errorf("tcp: %w", err)
}

// fail records that the connection is broken, closes it and returns the
// error for op. Recv still returns the messages received before.
func (p *peerConn) fail(op string, err error) error {
	t := p.t
	if t.closed.Load() || p.replaced.Load() {
		p.raw.Close()
		return cnet.ErrClosed
	}
	cause := p.cause(op, err)
	sendErr := &cnet.PeerError{Party: p.id, Op: "send", Err: cause}
	if p.sendErr.CompareAndSwap(nil, sendErr) {
		if errors.Is(cause, cnet.ErrPeerClosed) && errors.Is(cause, io.EOF) {
			t.log.debug("peer closed the connection", p.id, nil)
		} else {
			t.log.warn("connection failed", p.id, cause)
		}
	} else {
		// Report the first failure, not the effects of closing.
		cause = p.sendErr.Load().Err
	}
	p.q.Close(&cnet.PeerError{Party: p.id, Op: "recv", Err: cause}, true)
	p.raw.Close()
	return &cnet.PeerError{Party: p.id, Op: op, Err: cause}
}

// heartbeat writes a ping on every connection that has been idle for
// Timeout/4, so that the peer's read deadline does not expire. Each ping is
// written by a goroutine of its own: a peer that stops reading holds up
// the pings to it, not those to the others.
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
				select {
				case p.wlock <- struct{}{}:
				default:
					continue // a write is in progress
				}
				t.wg.Add(1)
				go func() {
					defer t.wg.Done()
					err := p.writeFrame(context.Background(), frame.Ping, nil)
					<-p.wlock
					if err != nil {
						p.fail("send", err)
					}
				}()
			}
		}
	}
}

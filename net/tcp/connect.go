package tcp

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	stdnet "net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/frame"
)

// Errors a handshake can fail with; they arrive wrapped in a
// [*cnet.PeerError] that names the party.
var (
	// ErrSessionMismatch: the peer's SessionHash differs from ours.
	ErrSessionMismatch = errors.New("tcp: different session configuration")
	// ErrIdentity: the peer's key, claimed id or party count does not match
	// the configuration.
	ErrIdentity = errors.New("tcp: identity does not match the configuration")
)

// protocolVersion is the version of the framing and hello below.
const protocolVersion = 1

// hello is the first frame on every connection, after TLS: magic "CHRT",
// version (2 bytes), party id (4), n (4), session hash (32).
const helloSize = 4 + 2 + 4 + 4 + 32

var helloMagic = [4]byte{'C', 'H', 'R', 'T'}

func appendHello(dst []byte, s *settings) []byte {
	dst = append(dst, helloMagic[:]...)
	dst = binary.BigEndian.AppendUint16(dst, protocolVersion)
	dst = binary.BigEndian.AppendUint32(dst, uint32(s.ID))
	dst = binary.BigEndian.AppendUint32(dst, uint32(s.n))
	return append(dst, s.SessionHash[:]...)
}

// Connect connects this party to all the others: it dials the parties with
// higher ids (retrying with backoff, since parties start in any order) and
// accepts the parties with lower ids, each over TLS 1.3 with mutual
// authentication against the pinned keys, then exchanges a hello (protocol
// version, party id, n, SessionHash). It returns once all n−1 connections
// are up; after Config.DialTimeout, or when ctx ends, it fails naming the
// parties still missing. Misconfiguration detected in a handshake (a key
// that does not match the pin, a different SessionHash, a peer claiming
// another id) fails at once.
func Connect(ctx context.Context, cfg Config) (*Transport, error) {
	s, err := cfg.check()
	if err != nil {
		if cfg.Listener != nil {
			cfg.Listener.Close()
		}
		return nil, err
	}
	t := newTransport(s)
	c := &connector{s: s, t: t, results: make(chan result), maxPending: maxPending(s)}
	c.serverTLS = &tls.Config{
		MinVersion:       tls.VersionTLS13,
		MaxVersion:       tls.VersionTLS13,
		Certificates:     []tls.Certificate{s.Certificate},
		ClientAuth:       tls.RequireAnyClientCert,
		VerifyConnection: c.verifyClient,
		// Every connection is a full handshake with the pinned keys: no
		// resumption from tickets that outlive the session.
		SessionTicketsDisabled: true,
	}
	t.wg.Add(1)
	go t.heartbeat()

	parent := ctx
	ctx, cancel := context.WithTimeoutCause(ctx, s.DialTimeout, errDialTimeout)
	defer cancel()
	c.parent = parent
	ln := s.Listener
	if ln == nil && s.ID > 1 {
		var lc stdnet.ListenConfig
		if ln, err = lc.Listen(ctx, "tcp", s.peers[s.ID].Addr); err != nil {
			t.Close()
			return nil, fmt.Errorf("tcp: party %d: %w", s.ID, err)
		}
	}
	var workers sync.WaitGroup
	if ln != nil {
		workers.Go(func() { c.acceptLoop(ctx, ln, &workers) })
	}
	if s.ID < s.n {
		c.retry = newRetryClock()
		workers.Go(func() { c.retry.run(ctx, maxBackoff(s.n)) })
	}
	for j := s.ID + 1; j <= s.n; j++ {
		workers.Go(func() { c.dialLoop(ctx, j) })
	}

	err = c.collect(ctx)
	cancel()
	if ln != nil {
		ln.Close()
	}
	workers.Wait()
	if err != nil {
		t.Close()
		return nil, err
	}
	t.log.info("connected to all parties", s.ID, "n", s.n)
	return t, nil
}

// errDialTimeout is the cause of the context that bounds Connect by
// Config.DialTimeout.
var errDialTimeout = errors.New("tcp: dial timeout")

// maxPending bounds the accepted connections still in their handshake: the
// parties that dial this one, all at once, and as many strays. Beyond it
// the oldest is dropped, so connections that never complete a handshake
// cannot keep a party out.
func maxPending(s *settings) int { return s.ID - 1 + 64 }

type connector struct {
	s          *settings
	t          *Transport
	parent     context.Context // the caller's context
	serverTLS  *tls.Config
	results    chan result
	maxPending int
	retry      *retryClock // when the dials that failed try again

	pmu     sync.Mutex
	pending []*pendingConn // accepted connections in their handshake, oldest first
}

// pendingConn is an accepted connection in its handshake.
type pendingConn struct {
	raw     stdnet.Conn
	dropped atomic.Bool
}

// admit registers an accepted connection, dropping the oldest pending one
// beyond maxPending.
func (c *connector) admit(raw stdnet.Conn) *pendingConn {
	pc := &pendingConn{raw: raw}
	c.pmu.Lock()
	c.pending = append(c.pending, pc)
	var drop *pendingConn
	if len(c.pending) > c.maxPending {
		drop = c.pending[0]
		c.pending = c.pending[1:]
	}
	c.pmu.Unlock()
	if drop != nil {
		drop.dropped.Store(true)
		drop.raw.Close()
	}
	return pc
}

// dropOldest drops the oldest pending connection (to free a descriptor).
func (c *connector) dropOldest() {
	c.pmu.Lock()
	var drop *pendingConn
	if len(c.pending) > 0 {
		drop = c.pending[0]
		c.pending = c.pending[1:]
	}
	c.pmu.Unlock()
	if drop != nil {
		drop.dropped.Store(true)
		drop.raw.Close()
	}
}

// release unregisters a connection whose handshake ended.
func (c *connector) release(pc *pendingConn) {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	for i, q := range c.pending {
		if q == pc {
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			return
		}
	}
}

// result is the outcome of one handshake attempt. id is 0 when the peer is
// unknown (a connection refused before it identified itself).
type result struct {
	id    int
	p     *peerConn
	err   error
	fatal bool
}

func (c *connector) report(ctx context.Context, r result) {
	select {
	case c.results <- r:
	case <-ctx.Done():
		if r.p != nil {
			r.p.raw.Close()
		}
	}
}

// waitEvery is how often Connect reports the parties it still waits for.
func waitEvery(dialTimeout time.Duration) time.Duration {
	return min(max(dialTimeout/5, 250*time.Millisecond), 10*time.Second)
}

// collect installs connections as they come until all are there.
func (c *connector) collect(ctx context.Context) error {
	t := c.t
	lastErr := make(map[int]error)
	heard := make(map[int]bool)  // parties whose hello we saw or that refused us
	squat := make(map[int]error) // an unknown key met at the party's address
	missing := c.s.n - 1
	start := time.Now()
	tick := time.NewTicker(waitEvery(c.s.DialTimeout))
	defer tick.Stop()
	for missing > 0 {
		select {
		case r := <-c.results:
			switch {
			case r.fatal:
				heard[r.id] = true
				c.linger(ctx, heard)
				return r.err
			case r.err != nil:
				lastErr[r.id] = r.err
				var sq *squatterError
				if errors.As(r.err, &sq) && squat[r.id] == nil {
					squat[r.id] = r.err
					t.log.warn("something other than the party answers at its address; retrying until the connect timeout", r.id, r.err)
				} else {
					t.log.debug("connection attempt failed", r.id, r.err)
				}
			default:
				heard[r.id] = true
				replaced, err := c.install(r.p)
				if err != nil {
					c.linger(ctx, heard)
					return err
				}
				if !replaced {
					missing--
				}
			}
		case now := <-tick.C:
			c.reportWaiting(lastErr, now.Sub(start))
		case <-ctx.Done():
			return c.missingError(lastErr, squat)
		}
	}
	return nil
}

// reportWaiting logs the parties still missing and why, as far as known.
func (c *connector) reportWaiting(lastErr map[int]error, elapsed time.Duration) {
	var ids []string
	var attrs []any
	for j := 1; j <= c.s.n; j++ {
		if j == c.s.ID || c.t.peers[j].Load() != nil {
			continue
		}
		ids = append(ids, strconv.Itoa(j))
		attrs = append(attrs, strconv.Itoa(j), waitReason(j < c.s.ID, lastErr[j]))
	}
	if len(ids) == 0 {
		return
	}
	word := "party"
	if len(ids) > 1 {
		word = "parties"
	}
	// Which party this is, the logger says (the party program's carries
	// self=id).
	attrs = append(attrs, "waited", elapsed.Round(time.Second), "left", (c.s.DialTimeout - elapsed).Round(time.Second))
	c.t.log.l.Info(fmt.Sprintf("tcp: still waiting for %s %s", word, strings.Join(ids, ", ")), attrs...)
}

// waitReason says in a few words why a party is not connected yet.
func waitReason(dialsUs bool, err error) string {
	var sq *squatterError
	switch {
	case dialsUs && err == nil:
		return "has not connected to this party"
	case err == nil:
		return "no answer yet"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &sq):
		return sq.Error()
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no answer"
	}
	var dns *stdnet.DNSError
	if errors.As(err, &dns) {
		return "cannot resolve " + dns.Name
	}
	return err.Error()
}

// install makes p the connection to its party and starts its reader. It
// reports whether it replaced an earlier connection; a replaced connection
// on which the party had already delivered messages is an error, since
// they could not be told apart from what follows.
func (c *connector) install(p *peerConn) (replaced bool, err error) {
	t := c.t
	old := t.peers[p.id].Swap(p)
	if old != nil {
		// The peer gave up on the earlier connection and dialed again.
		old.replaced.Store(true)
		old.raw.Close()
		<-old.readerDone
		if k := old.delivered.Load(); k > 0 {
			p.raw.Close()
			t.peers[p.id].Store(old) // closed with the transport
			return true, &cnet.PeerError{Party: p.id, Op: "connect", Err: fmt.Errorf("tcp: connected again after delivering %d message(s) on its first connection; they would be lost", k)}
		}
	}
	t.log.debug("connected", p.id, nil)
	t.wg.Add(1)
	go p.readLoop()
	return old != nil, nil
}

// linger keeps handshaking for a moment after a fatal error, until every
// party has been heard from or a second has passed: a configuration error is
// usually shared, and the parties whose connections are already on the way
// then learn it from our hello rather than by timing out.
func (c *connector) linger(ctx context.Context, heard map[int]bool) {
	timer := time.NewTimer(time.Second)
	defer timer.Stop()
	for len(heard) < c.s.n-1 {
		select {
		case r := <-c.results:
			if r.fatal {
				heard[r.id] = true
			} else if r.err == nil {
				heard[r.id] = true
				c.install(r.p) // closed with the transport
			}
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

var (
	errNotDialed = errors.New("tcp: did not connect to this party")
	errNoAnswer  = errors.New("tcp: no answer")
)

// connectError lists the parties Connect could not reach.
type connectError struct {
	msg  string
	errs []error
}

func (e *connectError) Error() string   { return e.msg }
func (e *connectError) Unwrap() []error { return e.errs }

func (c *connector) missingError(lastErr, squat map[int]error) error {
	var ids []string
	var errs []error
	var b strings.Builder
	for j := 1; j <= c.s.n; j++ {
		if j == c.s.ID || c.t.peers[j].Load() != nil {
			continue
		}
		ids = append(ids, fmt.Sprint(j))
		switch err, ok := lastErr[j]; {
		case ok:
			// Every error reported with a party id is a PeerError.
			errs = append(errs, err)
			fmt.Fprintf(&b, "; %v", err)
			if sq := squat[j]; sq != nil && sq != err {
				errs = append(errs, sq)
				fmt.Fprintf(&b, " (earlier: %v)", sq)
			}
		case c.parent.Err() != nil:
			errs = append(errs, &cnet.PeerError{Party: j, Op: "connect", Err: c.parent.Err()})
		case j < c.s.ID:
			errs = append(errs, &cnet.PeerError{Party: j, Op: "connect", Err: errNotDialed})
		default:
			errs = append(errs, &cnet.PeerError{Party: j, Op: "connect", Err: errNoAnswer})
		}
	}
	if anon, ok := lastErr[0]; ok {
		errs = append(errs, anon)
		fmt.Fprintf(&b, "; last refused connection: %v", anon)
	}
	word := "party"
	if len(ids) > 1 {
		word = "parties"
	}
	why := "timed out after " + c.s.DialTimeout.String()
	switch err := c.parent.Err(); {
	case errors.Is(err, context.Canceled):
		why = "cancelled"
	case err != nil:
		why = err.Error()
	}
	if err := c.parent.Err(); err != nil {
		// The caller ended Connect: that, not a party, is the cause.
		errs = append([]error{err}, errs...)
	}
	return &connectError{
		msg:  fmt.Sprintf("tcp: party %d: not connected to %s %s (%s)%s", c.s.ID, word, strings.Join(ids, ", "), why, b.String()),
		errs: errs,
	}
}

func (c *connector) acceptLoop(ctx context.Context, ln stdnet.Listener, workers *sync.WaitGroup) {
	for {
		raw, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, stdnet.ErrClosed) {
				return
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				c.dropOldest() // out of descriptors: free one
			}
			c.report(ctx, result{err: fmt.Errorf("tcp: accept: %w", err)})
			select {
			case <-ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		pc := c.admit(raw)
		workers.Go(func() {
			r := c.handshake(ctx, raw, 0)
			c.release(pc)
			if r.err != nil {
				raw.Close()
				if pc.dropped.Load() {
					r.err = fmt.Errorf("tcp: connection from %v dropped: %d other connections were in their handshake", raw.RemoteAddr(), c.maxPending)
				}
			}
			c.report(ctx, r)
		})
	}
}

// maxBackoff bounds the wait between two dials of a party that is not up
// yet. It is short, since a party that comes up waits about that long for
// those who dial it, and long enough that a party waiting for all the
// others dials at most about 200 times a second up to n = 200, and each
// party at most once a second beyond.
func maxBackoff(n int) time.Duration {
	return min(max(time.Duration(n)*5*time.Millisecond, 100*time.Millisecond), time.Second)
}

// retryClock tells the dials that failed when to try again: all at the same
// ticks, 10 ms apart at first, then twice as far apart each time up to a
// bound, with jitter. A party waiting for many others then wakes a few
// times a second to dial them together, not once for each (on a shared
// machine, each wake of a process costs more than the dial).
type retryClock struct {
	mu   sync.Mutex
	tick chan struct{} // closed at the next tick
}

func newRetryClock() *retryClock { return &retryClock{tick: make(chan struct{})} }

// next returns a channel closed at the next tick.
func (r *retryClock) next() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tick
}

// run ticks until ctx ends.
func (r *retryClock) run(ctx context.Context, most time.Duration) {
	backoff := 10 * time.Millisecond
	timer := time.NewTimer(backoff)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r.mu.Lock()
		close(r.tick)
		r.tick = make(chan struct{})
		r.mu.Unlock()
		backoff = min(2*backoff, most)
		timer.Reset(backoff/2 + mathrand.N(backoff/2+1))
	}
}

func (c *connector) dialLoop(ctx context.Context, j int) {
	var d stdnet.Dialer
	for {
		raw, err := d.DialContext(ctx, "tcp", c.s.peers[j].Addr)
		var p *peerConn
		fatal := false
		if err == nil {
			r := c.handshake(ctx, raw, j)
			p, err, fatal = r.p, r.err, r.fatal
			if err != nil {
				raw.Close()
			}
		} else {
			err = &cnet.PeerError{Party: j, Op: "connect", Err: fmt.Errorf("tcp: %w", err)}
		}
		// A dial cut short by the end of ctx is not the party's doing (its
		// deadline may fire just before ctx notices).
		if d, ok := ctx.Deadline(); ctx.Err() != nil || (err != nil && ok && !time.Now().Before(d)) {
			if p != nil {
				p.raw.Close()
			}
			return
		}
		c.report(ctx, result{id: j, p: p, err: err, fatal: fatal})
		if err == nil || fatal {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-c.retry.next():
		}
	}
}

// handshake runs TLS and the hello exchange on raw. dialed is the party we
// dialed, or 0 if we accepted the connection. It returns the peer's id when
// known.
func (c *connector) handshake(ctx context.Context, raw stdnet.Conn, dialed int) result {
	s := c.s
	deadline := time.Now().Add(s.HandshakeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var conn *tls.Conn
	if dialed > 0 {
		conn = tls.Client(raw, &tls.Config{
			MinVersion:         tls.VersionTLS13,
			MaxVersion:         tls.VersionTLS13,
			Certificates:       []tls.Certificate{s.Certificate},
			InsecureSkipVerify: true, // the key is checked against the pin instead
			VerifyConnection:   func(cs tls.ConnectionState) error { return c.verifyServer(dialed, cs) },
		})
	} else {
		conn = tls.Server(raw, c.serverTLS)
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		return c.handshakeError(dialed, raw, err)
	}
	id := dialed
	if id == 0 {
		// verifyClient accepted the key, so it is pinned.
		id = s.byPin[Fingerprint(conn.ConnectionState().PeerCertificates[0])]
	}

	if _, err := conn.Write(frame.Append(nil, frame.Hello, appendHello(nil, s))); err != nil {
		return c.handshakeError(id, raw, err)
	}
	typ, h, err := frame.Read(conn, helloSize)
	if err == nil && (typ != frame.Hello || len(h) != helloSize || [4]byte(h[:4]) != helloMagic) {
		err = errors.New("malformed hello")
	}
	if err != nil {
		return c.handshakeError(id, raw, err)
	}
	peerErr := func(err error) error { return &cnet.PeerError{Party: id, Op: "connect", Err: err} }
	if v := binary.BigEndian.Uint16(h[4:]); v != protocolVersion {
		return result{id: id, err: peerErr(fmt.Errorf("tcp: protocol version %d, want %d", v, protocolVersion)), fatal: true}
	}
	if claimed := binary.BigEndian.Uint32(h[6:]); claimed != uint32(id) {
		return result{id: id, err: peerErr(&refusedError{fmt.Sprintf("tcp: has the key of party %d but claims to be party %d", id, claimed)}), fatal: true}
	}
	if pn := binary.BigEndian.Uint32(h[10:]); pn != uint32(s.n) {
		return result{id: id, err: peerErr(&refusedError{fmt.Sprintf("tcp: configured for %d parties, want %d", pn, s.n)}), fatal: true}
	}
	if [32]byte(h[14:]) != s.SessionHash {
		return result{id: id, err: peerErr(ErrSessionMismatch), fatal: true}
	}
	if !stop() {
		return result{id: id, err: &cnet.PeerError{Party: id, Op: "connect", Err: ctx.Err()}}
	}
	raw.SetDeadline(time.Time{})
	return result{id: id, p: newPeerConn(c.t, id, conn, raw)}
}

// handshakeError classifies a failed handshake. Refusals (ours or the
// peer's) are configuration errors and fatal for the dialer; anything else
// may be a party that is not up yet, and the dialer retries.
func (c *connector) handshakeError(id int, raw stdnet.Conn, err error) result {
	var opErr *stdnet.OpError
	remote := errors.As(err, &opErr) && opErr.Op == "remote error"
	var refused *refusedError
	local := errors.As(err, &refused)
	var sq *squatterError
	if errors.As(err, &sq) {
		// Not the party: maybe a program that took its port while it is
		// not running. Retry; the party may come.
		return result{id: id, err: &cnet.PeerError{Party: id, Op: "connect", Err: sq}}
	}
	if id == 0 {
		// An accepted connection that did not identify itself: remember it
		// for the error message, but a stray connection must not stop us.
		return result{err: fmt.Errorf("tcp: connection from %v refused: %w", raw.RemoteAddr(), err)}
	}
	switch {
	case local:
		return result{id: id, err: &cnet.PeerError{Party: id, Op: "connect", Err: refused}, fatal: true}
	case remote:
		return result{id: id, err: &cnet.PeerError{Party: id, Op: "connect", Err: &refusedError{fmt.Sprintf("tcp: refused our certificate: %v", err)}}, fatal: true}
	}
	return result{id: id, err: &cnet.PeerError{Party: id, Op: "connect", Err: fmt.Errorf("tcp: %w", err)}}
}

// refusedError is an identity check that failed; it matches ErrIdentity.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }
func (e *refusedError) Unwrap() error { return ErrIdentity }

// verifyServer checks that the party we dialed presented its pinned key.
func (c *connector) verifyServer(dialed int, cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &refusedError{"tcp: no certificate presented"}
	}
	fp := Fingerprint(cs.PeerCertificates[0])
	if fp == c.s.peers[dialed].Fingerprint {
		return nil
	}
	if k, ok := c.s.byPin[fp]; ok {
		return &refusedError{fmt.Sprintf("tcp: %s presented the key of party %d", c.s.peers[dialed].Addr, k)}
	}
	return &squatterError{addr: c.s.peers[dialed].Addr, pin: fp}
}

// squatterError is an unknown key at a party's address; it matches
// ErrIdentity.
type squatterError struct{ addr, pin string }

func (e *squatterError) Error() string {
	return fmt.Sprintf("tcp: %s presented an unknown key %s", e.addr, e.pin)
}
func (e *squatterError) Unwrap() error { return ErrIdentity }

// verifyClient checks that a connecting party presented a pinned key of a
// party with a lower id (lower ids dial higher ones).
func (c *connector) verifyClient(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &refusedError{"tcp: no certificate presented"}
	}
	fp := Fingerprint(cs.PeerCertificates[0])
	k, ok := c.s.byPin[fp]
	switch {
	case !ok:
		return &refusedError{fmt.Sprintf("tcp: unknown key %s", fp)}
	case k == c.s.ID:
		return &refusedError{"tcp: peer presented this party's own key"}
	case k > c.s.ID:
		return &refusedError{fmt.Sprintf("tcp: party %d dialed party %d, but lower ids dial higher ones", k, c.s.ID)}
	}
	return nil
}

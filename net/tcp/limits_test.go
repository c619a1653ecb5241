package tcp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	stdnet "net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/leaktest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/frame"
)

// pair connects party 2 (a real transport, configured by edit) with a fake
// party 1 that has no reader or heartbeat, so the test controls every byte
// party 2 receives.
func pair(t *testing.T, timeout time.Duration, edit func(*Config)) (*Transport, *peerConn) {
	t.Helper()
	cfgs, err := configs(t, 2, timeout)
	require.NoError(t, err)
	if edit != nil {
		edit(&cfgs[1])
	}
	c := make(chan *peerConn, 1)
	go func() { c <- fakeParty1(t, cfgs) }()
	tr := connectTo2(t, cfgs)
	fake := <-c
	t.Cleanup(func() {
		fake.raw.Close()
		tr.Close()
	})
	return tr, fake
}

// writeRaw writes a frame header and size payload bytes to the fake's
// connection from a small buffer, so that a flood costs the sender nothing.
func writeRaw(conn io.Writer, typ byte, size int) error {
	if _, err := conn.Write(frame.AppendHeader(nil, typ, size)); err != nil {
		return err
	}
	buf := make([]byte, min(size, 64<<10))
	for left := size; left > 0; {
		m, err := conn.Write(buf[:min(left, len(buf))])
		if err != nil {
			return err
		}
		left -= m
	}
	return nil
}

func recvCtx(t *testing.T, tr *Transport, from int, d time.Duration) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return tr.Recv(ctx, from)
}

// A peer that sends and sends while this party does not receive: the
// queue never holds more than MaxQueued bytes, and the peer is failed,
// named, as soon as it would exceed it.
func TestFloodBounded(t *testing.T) {
	t.Cleanup(leaktest.Check(t)) // after the pair is closed
	const maxFrame, maxQueued = 64 << 10, 1 << 20
	tr, fake := pair(t, 5*time.Second, func(c *Config) { c.MaxFrame, c.MaxQueued = maxFrame, maxQueued })
	p := tr.peers[1].Load()
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak.Store(max(peak.Load(), int64(p.q.Bytes())))
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var werr error
	for i := 0; i < 4*maxQueued/maxFrame && werr == nil; i++ {
		werr = writeRaw(fake.conn, frame.Data, maxFrame)
	}
	// The victim fails the connection once the queue is full; the flooder
	// may not notice before its last write.
	var err error
	for range 4 * maxQueued / maxFrame {
		if _, err = recvCtx(t, tr, 1, 5*time.Second); err != nil {
			break
		}
	}
	close(stop)
	<-sampled
	requirePeerError(t, err, 1, "tcp: party 1: recv: sent a bad frame: ")
	require.ErrorIs(t, err, cnet.ErrBadFrame)
	require.ErrorContains(t, err, "unreceived")
	require.LessOrEqual(t, peak.Load(), int64(maxQueued), "queued bytes exceeded MaxQueued")
	require.Less(t, time.Since(start), 5*time.Second)
	t.Logf("flooder failed after %v; peak queue %d bytes (cap %d)", time.Since(start).Round(time.Millisecond), peak.Load(), maxQueued)
}

// TestFloodRSS floods a party with the largest frames it accepts from one
// authenticated peer, for up to 16 s, with the default limits, and reports
// the process's resident memory. It needs COHORT_FLOOD_TEST=1 (it allocates
// and moves gigabytes when the limits do not hold).
func TestFloodRSS(t *testing.T) {
	if os.Getenv("COHORT_FLOOD_TEST") == "" {
		t.Skip("set COHORT_FLOOD_TEST=1 to run the memory flood")
	}
	const timeout = 10 * time.Second
	tr, fake := pair(t, timeout, nil)
	size := tr.maxFrame
	base := rss(t)
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		for {
			peak.Store(max(peak.Load(), rss(t)))
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	var failedAfter time.Duration
	recvErr := make(chan error, 1)
	go func() {
		// The application is busy elsewhere: it only looks at party 1
		// after 16 s, or when the transport has failed it.
		for {
			p := tr.peers[1].Load()
			if p.sendErr.Load() != nil || time.Since(start) > 16*time.Second {
				_, err := recvCtx(t, tr, 1, time.Millisecond)
				for err == nil {
					_, err = recvCtx(t, tr, 1, time.Millisecond)
				}
				recvErr <- err
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	frames := 0
	for time.Since(start) < 16*time.Second {
		if err := writeRaw(fake.conn, frame.Data, size); err != nil {
			break
		}
		frames++
	}
	err := <-recvErr
	failedAfter = time.Since(start)
	close(done)
	t.Logf("frame size %d MiB, %d frames written, RSS %d MiB before, peak %d MiB (+%d MiB); Recv failed after %v: %v",
		size>>20, frames, base>>20, peak.Load()>>20, (peak.Load()-base)>>20, failedAfter.Round(time.Millisecond), err)
	require.Less(t, peak.Load(), int64(256<<20), "peak RSS")
	require.ErrorIs(t, err, cnet.ErrBadFrame)
	require.Less(t, failedAfter, timeout)
}

// rss returns the process's resident set size in bytes.
func rss(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// Pings carry no payload.
func TestPingMustBeEmpty(t *testing.T) {
	t.Cleanup(leaktest.Check(t)) // after the pair is closed
	tr, fake := pair(t, 5*time.Second, nil)
	require.NoError(t, writeRaw(fake.conn, frame.Ping, 1000))
	_, err := recvCtx(t, tr, 1, 3*time.Second)
	requirePeerError(t, err, 1, "tcp: party 1: recv: sent a bad frame: ping with a payload of 1000 bytes")
	require.ErrorIs(t, err, cnet.ErrBadFrame)
}

// A peer that drips a message byte by byte, each byte well within the
// liveness timeout, fails once the message is overdue.
func TestDrippingPeer(t *testing.T) {
	t.Cleanup(leaktest.Check(t)) // after the pair is closed
	const timeout = 300 * time.Millisecond
	tr, fake := pair(t, timeout, nil)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		fake.conn.Write(frame.AppendHeader(nil, frame.Data, 100))
		for range 100 {
			select {
			case <-stop:
				return
			case <-time.After(timeout / 3):
			}
			if _, err := fake.conn.Write([]byte{1}); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	_, err := recvCtx(t, tr, 1, 10*time.Second)
	requirePeerError(t, err, 1, "tcp: party 1: recv: went silent: ")
	require.ErrorIs(t, err, cnet.ErrPeerSilent)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 3*time.Second)
}

// A Send to a peer that does not read returns when its context ends, even
// in the middle of a frame.
func TestSendHonoursContext(t *testing.T) {
	t.Cleanup(leaktest.Check(t)) // after the pairs are closed
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := pair(t, 10*time.Second, func(c *Config) { c.MaxFrame = 64 << 20 })
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			var err error
			for err == nil && time.Since(start) < 20*time.Second {
				// The fake never reads: the first Sends fill the socket
				// buffers, a later one blocks.
				err = tr.Send(ctx, 1, make([]byte, 32<<20))
			}
			requirePeerError(t, err, 1, "party 1: send: ")
			require.ErrorIs(t, err, tc.want)
			require.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

// limitListener fails Accept, as a process at its descriptor limit does,
// while limit accepted connections are open.
type limitListener struct {
	stdnet.Listener
	limit   int
	open    atomic.Int64
	maxOpen atomic.Int64
}

func (l *limitListener) Accept() (stdnet.Conn, error) {
	if l.open.Load() >= int64(l.limit) {
		time.Sleep(time.Millisecond)
		return nil, &stdnet.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n := l.open.Add(1)
	for m := l.maxOpen.Load(); n > m && !l.maxOpen.CompareAndSwap(m, n); m = l.maxOpen.Load() {
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	stdnet.Conn
	l    *limitListener
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// 1000 connections that never start a handshake do not keep a real party
// out, even when the accepting party can hold only 256 descriptors.
func TestSilentConnections(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, 30*time.Second)
	require.NoError(t, err)
	ll := &limitListener{Listener: cfgs[1].Listener, limit: 256}
	cfgs[1].Listener = ll
	addr := ll.Addr().String()
	var silent []stdnet.Conn
	defer func() {
		for _, c := range silent {
			c.Close()
		}
	}()
	for range 1000 {
		c, err := stdnet.Dial("tcp", addr)
		require.NoError(t, err)
		silent = append(silent, c)
	}
	for i := range cfgs {
		cfgs[i].DialTimeout = 8 * time.Second
	}
	start := time.Now()
	ts, errs := connectAll(cfgs)
	defer closeSome(ts)
	require.NoError(t, errors.Join(errs...))
	t.Logf("connected after %v with 1000 silent connections; at most %d accepted connections open at once",
		time.Since(start).Round(time.Millisecond), ll.maxOpen.Load())
	require.Less(t, time.Since(start), 8*time.Second)
	require.Less(t, ll.maxOpen.Load(), int64(256))
}

// squatter answers TLS at addr with a key nobody pinned.
func squatter(t *testing.T, ln stdnet.Listener) (stop func()) {
	certPEM, keyPEM, err := GenerateIdentity()
	require.NoError(t, err)
	cert, err := LoadIdentity(certPEM, keyPEM)
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})
				c.SetDeadline(time.Now().Add(2 * time.Second))
				tc.Handshake()
				io.Copy(io.Discard, tc)
			})
		}
	})
	return func() {
		ln.Close()
		wg.Wait()
	}
}

// Something with an unknown key answers at party 2's address: party 1
// keeps trying until party 2 itself is there.
func TestPortSquatter(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, 5*time.Second)
	require.NoError(t, err)
	addr := cfgs[1].Listener.Addr().String()
	stopSquatter := squatter(t, cfgs[1].Listener)
	var logs bytes.Buffer
	var logMu sync.Mutex
	cfgs[0].Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))
	type res struct {
		tr  *Transport
		err error
	}
	c := make(chan res, 1)
	go func() {
		tr, err := Connect(context.Background(), cfgs[0])
		c <- res{tr, err}
	}()
	time.Sleep(300 * time.Millisecond)
	stopSquatter()
	cfgs[1].Listener, err = stdnet.Listen("tcp", addr)
	require.NoError(t, err)
	tr2, err := Connect(context.Background(), cfgs[1])
	require.NoError(t, err)
	defer tr2.Close()
	r := <-c
	require.NoError(t, r.err)
	defer r.tr.Close()
	logMu.Lock()
	require.Contains(t, logs.String(), addr+" presented an unknown key")
	logMu.Unlock()

	// A squatter that stays: the dialer fails at the dial timeout, naming
	// the address and what answered there.
	cfgs, err = configs(t, 2, 5*time.Second)
	require.NoError(t, err)
	addr = cfgs[1].Listener.Addr().String()
	defer squatter(t, cfgs[1].Listener)()
	cfgs[0].DialTimeout = time.Second
	start := time.Now()
	_, err = Connect(context.Background(), cfgs[0])
	requirePeerError(t, err, 2, "tcp: party 2: connect: "+addr+" presented an unknown key sha256:")
	require.ErrorIs(t, err, ErrIdentity)
	require.ErrorContains(t, err, "not connected to party 2 (timed out after 1s)")
	require.GreaterOrEqual(t, time.Since(start), time.Second)
}

func closeSome(ts []*Transport) {
	for _, tr := range ts {
		if tr != nil {
			tr.Close()
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// A party that connects a second time after delivering data on its first
// connection: what it delivered cannot be reconciled, so Connect fails.
func TestSecondConnectionAfterData(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, 5*time.Second)
	require.NoError(t, err)
	cfgs[0].Listener.Close()
	cfgs[1].DialTimeout = 3 * time.Second
	cfgs[2].DialTimeout = time.Second
	type res struct {
		tr  *Transport
		err error
	}
	c := make(chan res, 1)
	go func() {
		tr, err := Connect(context.Background(), cfgs[1])
		c <- res{tr, err}
	}()
	first := fakeDial(t, cfgs, 2)
	defer first.raw.Close()
	_, err = first.conn.Write(frame.Append(nil, frame.Data, []byte("first")))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	second := fakeDial(t, cfgs, 2)
	defer second.raw.Close()
	// Party 3 arrives, so that Connect could complete.
	tr3, err3 := Connect(context.Background(), cfgs[2])
	if tr3 != nil {
		defer tr3.Close()
	}
	r := <-c
	if r.tr != nil {
		got, err := recvCtx(t, r.tr, 1, time.Second)
		r.tr.Close()
		t.Fatalf("Connect succeeded; Recv from party 1 gives %q, %v", got, err)
	}
	requirePeerError(t, r.err, 1, "tcp: party 1: connect: connected again after delivering 1 message")
	_ = err3
}

// fakeDial connects to party 2 as party 1 (whose configuration is
// cfgs[0]) and returns the connection without a reader or heartbeat.
func fakeDial(t *testing.T, cfgs []Config, to int) *peerConn {
	t.Helper()
	s, err := cfgs[0].check()
	require.NoError(t, err)
	c := &connector{s: s, t: newTransport(s)}
	raw, err := stdnet.Dial("tcp", cfgs[to-1].Peers[to-1].Addr)
	require.NoError(t, err)
	r := c.handshake(context.Background(), raw, to)
	require.NoError(t, r.err)
	return r.p
}

// recordingCache records whether a server offered a session ticket.
type recordingCache struct {
	tls.ClientSessionCache
	puts atomic.Int64
}

func (c *recordingCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.puts.Add(1)
	}
	c.ClientSessionCache.Put(key, cs)
}

// The accepting side issues no TLS session tickets: every connection is a
// full handshake with the pinned keys.
func TestNoSessionTickets(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, 5*time.Second)
	require.NoError(t, err)
	cfgs[0].Listener.Close()
	done := make(chan error, 1)
	go func() {
		tr, err := Connect(context.Background(), cfgs[1])
		if tr != nil {
			tr.Close()
		}
		done <- err
	}()
	cache := &recordingCache{ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	raw, err := stdnet.Dial("tcp", cfgs[1].Peers[1].Addr)
	require.NoError(t, err)
	defer raw.Close()
	conn := tls.Client(raw, &tls.Config{
		MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cfgs[0].Certificate},
		InsecureSkipVerify: true, ClientSessionCache: cache, ServerName: "party2",
	})
	require.NoError(t, conn.Handshake())
	s, err := cfgs[0].check()
	require.NoError(t, err)
	_, err = conn.Write(frame.Append(nil, frame.Hello, appendHello(nil, s)))
	require.NoError(t, err)
	// Tickets arrive after the handshake; reading the hello processes them.
	_, _, err = frame.Read(bufio.NewReader(conn), helloSize)
	require.NoError(t, err)
	require.Zero(t, cache.puts.Load(), "the server issued a session ticket")
	conn.Close()
	require.NoError(t, <-done)
}

// While parties are missing, Connect says so at the default log level,
// with the reason for each.
func TestWaitingIsLogged(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	cfgs[2].Listener.Close()
	var logs bytes.Buffer
	var mu sync.Mutex
	cfgs[1].Logger = slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	cfgs[1].DialTimeout = 1500 * time.Millisecond
	cfgs[0].Listener.Close()
	_, err = Connect(context.Background(), cfgs[1])
	require.Error(t, err)
	mu.Lock()
	defer mu.Unlock()
	out := logs.String()
	require.Contains(t, out, `msg="tcp: still waiting for parties 1, 3"`, out)
	require.Contains(t, out, `3="connection refused"`, out)
	require.Contains(t, out, `1="has not connected to this party"`, out)
	require.NotContains(t, out, "self=", "the logger names this party, not the message")
}

// Ending the caller's context during Connect is reported as such, and
// matches context.Canceled or context.DeadlineExceeded.
func TestConnectContext(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	cfgs[2].Listener.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = Connect(ctx, cfgs[0])
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "tcp: party 1: not connected to parties 2, 3 (context deadline exceeded)")
	require.NotContains(t, err.Error(), "timed out after")
	fmt.Fprint(io.Discard, err)
}

// A party waiting for all the others retries each soon (at most a second
// apart) without dialling more than about 200 times a second in all, up
// to n = 200.
func TestMaxBackoff(t *testing.T) {
	for n := 2; n <= 1000; n++ {
		b := maxBackoff(n)
		require.GreaterOrEqual(t, b, 100*time.Millisecond, "n = %d", n)
		require.LessOrEqual(t, b, time.Second, "n = %d", n)
		if n <= 200 {
			rate := float64(n-1) / b.Seconds()
			require.LessOrEqual(t, rate, 200.0, "n = %d: %.0f dials a second", n, rate)
		}
	}
	require.Equal(t, 250*time.Millisecond, maxBackoff(50))
}

// The dials waiting to try again are woken together, at every tick, and
// the clock stops with its context.
func TestRetryClock(t *testing.T) {
	r := newRetryClock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.run(ctx, 20*time.Millisecond)
	}()
	for range 10 {
		a, b := r.next(), r.next()
		require.Equal(t, a, b, "waiters before a tick share it")
		<-a
		require.NotEqual(t, a, r.next(), "after a tick, the next one")
	}
	cancel()
	<-done
	select {
	case <-r.next():
		t.Fatal("a tick after the clock stopped")
	case <-time.After(50 * time.Millisecond):
	}
}

package tcp

import (
	"context"
	"errors"
	stdnet "net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/leaktest"
	cnet "github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/frame"
	"github.com/cohortmpc/cohort/net/internal/nettest"
)

func TestConformance(t *testing.T) {
	nettest.Run(t, func(n int) ([]cnet.Transport, error) { return newMesh(n, 10*time.Second) },
		nettest.Options{MaxN: 6, LargeSize: DefaultMaxFrame / 2})
}

func requirePeerError(t *testing.T, err error, party int, contains string) {
	t.Helper()
	require.Error(t, err)
	var pe *cnet.PeerError
	require.ErrorAs(t, err, &pe, "%v", err)
	require.Equal(t, party, pe.Party, "%v", err)
	require.Contains(t, err.Error(), contains)
}

// Party 1 presents a key that party 2 has not pinned.
func TestUnpinnedClientKey(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, time.Second)
	require.NoError(t, err)
	stranger := identities()[9]
	cfgs[0].Certificate = stranger.cert
	cfgs[0].Peers = []Peer{{ID: 1, Fingerprint: stranger.pin}, cfgs[1].Peers[1]}
	cfgs[1].DialTimeout = time.Second
	start := time.Now()
	ts, errs := connectAll(cfgs)
	require.Nil(t, ts[0])
	require.Nil(t, ts[1])
	require.ErrorIs(t, errs[0], ErrIdentity)
	requirePeerError(t, errs[0], 2, "tcp: party 2: connect: refused our certificate")
	// Party 2 cannot tell who the stranger is, so it waits for party 1
	// until DialTimeout, then reports the refused connection.
	require.ErrorContains(t, errs[1], "tcp: party 2: not connected to party 1 (timed out after 1s)")
	require.ErrorContains(t, errs[1], "unknown key "+stranger.pin)
	require.Less(t, time.Since(start), 5*time.Second)
}

// Party 2 (the accepting side) presents a key party 1 has not pinned.
func TestUnpinnedServerKey(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, time.Second)
	require.NoError(t, err)
	stranger := identities()[9]
	cfgs[1].Certificate = stranger.cert
	cfgs[1].Peers = []Peer{cfgs[0].Peers[0], {ID: 2, Fingerprint: stranger.pin}}
	cfgs[0].DialTimeout = time.Second
	cfgs[1].DialTimeout = time.Second
	ts, errs := connectAll(cfgs)
	require.Nil(t, ts[0])
	require.Nil(t, ts[1])
	// Party 1 cannot tell a misconfigured party 2 from another program at
	// its address: it keeps trying, then names what it found there.
	require.ErrorIs(t, errs[0], ErrIdentity)
	requirePeerError(t, errs[0], 2, "presented an unknown key "+stranger.pin)
	require.ErrorContains(t, errs[1], "tcp: party 2: not connected to party 1")
	require.ErrorContains(t, errs[1], "bad certificate")
}

// A party holding party 1's key claims to be party 2.
func TestKeyOfAnotherParty(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	ids := identities()
	impostor := &cfgs[1]
	impostor.Certificate = ids[0].cert
	impostor.Peers = []Peer{
		{ID: 1, Addr: cfgs[0].Peers[0].Addr, Fingerprint: ids[9].pin},
		{ID: 2, Addr: cfgs[0].Peers[1].Addr, Fingerprint: ids[0].pin},
		cfgs[0].Peers[2],
	}
	impostor.DialTimeout = time.Second
	ts, errs := connectAll(cfgs)
	for _, tr := range ts {
		if tr != nil {
			tr.Close()
		}
	}
	// Party 1 dialed party 2's address and found party 1's own key there.
	requirePeerError(t, errs[0], 2, "presented the key of party 1")
	// Party 3 was dialed by the key of party 1 claiming id 2.
	require.ErrorIs(t, errs[2], ErrIdentity)
	requirePeerError(t, errs[2], 1, "tcp: party 1: connect: has the key of party 1 but claims to be party 2")
	require.Error(t, errs[1])
}

func TestSessionMismatch(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	cfgs[2].SessionHash = [32]byte{9}
	start := time.Now()
	_, errs := connectAll(cfgs)
	require.Less(t, time.Since(start), 5*time.Second, "fails fast, well before DialTimeout")
	for i, want := range []int{3, 3} {
		require.ErrorIs(t, errs[i], ErrSessionMismatch)
		requirePeerError(t, errs[i], want, "tcp: party 3: connect: different session configuration")
	}
	require.ErrorIs(t, errs[2], ErrSessionMismatch)
}

func TestUnreachablePeer(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	cfgs[2].Listener.Close() // nobody listens at party 3's address
	cfgs = cfgs[:2]
	for i := range cfgs {
		cfgs[i].DialTimeout = 700 * time.Millisecond
	}
	start := time.Now()
	ts, errs := connectAll(cfgs)
	elapsed := time.Since(start)
	for i, err := range errs {
		require.Nil(t, ts[i])
		require.ErrorContains(t, err, "not connected to party 3 (timed out after 700ms)")
		var pe *cnet.PeerError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, 3, pe.Party)
	}
	require.ErrorContains(t, errs[0], "connection refused")
	require.Less(t, elapsed, 3*time.Second)
	require.GreaterOrEqual(t, elapsed, 700*time.Millisecond)
}

func TestConnectCancelled(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, time.Second)
	require.NoError(t, err)
	cfgs[1].Listener.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = Connect(ctx, cfgs[0])
	require.ErrorContains(t, err, "tcp: party 1: not connected to party 2 (cancelled)")
	require.ErrorIs(t, err, context.Canceled)
}

// Parties start at different times: dialing retries until the peer listens.
func TestLateStart(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 3, time.Second)
	require.NoError(t, err)
	addr := cfgs[2].Listener.Addr().String()
	cfgs[2].Listener.Close()
	ts := make([]*Transport, 3)
	errs := make([]error, 3)
	done := make(chan struct{})
	for i := range 2 {
		go func() {
			ts[i], errs[i] = Connect(context.Background(), cfgs[i])
			done <- struct{}{}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	cfgs[2].Listener, err = stdnet.Listen("tcp", addr)
	require.NoError(t, err)
	ts[2], errs[2] = Connect(context.Background(), cfgs[2])
	<-done
	<-done
	require.NoError(t, errors.Join(errs...))
	ctx := context.Background()
	require.NoError(t, ts[0].Send(ctx, 3, []byte("hi")))
	got, err := ts[2].Recv(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, "hi", string(got))
	closeAll(ts)
}

// Closing a party's connections abruptly (no TLS close) makes the others'
// Recv from it fail promptly; so does a party that goes silent.
func TestAbruptClose(t *testing.T) {
	defer leaktest.Check(t)()
	ts, err := newMesh(3, time.Second)
	require.NoError(t, err)
	defer closeAll(ts)
	errc := make(chan error, 2)
	for _, tr := range ts[:2] {
		go func() {
			_, err := tr.Recv(context.Background(), 3)
			errc <- err
		}()
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	peers := ts[2].(*Transport).peers
	for j := range peers {
		if p := peers[j].Load(); p != nil {
			p.raw.(*stdnet.TCPConn).SetLinger(0) // reset, not FIN
			p.raw.Close()
		}
	}
	for range 2 {
		err := <-errc
		requirePeerError(t, err, 3, "tcp: party 3: recv: connection reset")
		require.ErrorIs(t, err, cnet.ErrPeerReset)
	}
	require.Less(t, time.Since(start), time.Second)
	requirePeerError(t, ts[0].Send(context.Background(), 3, []byte{1}), 3, "party 3: send")
}

// fakeParty1 connects to party 2 as party 1 (n = 2) and returns its TLS
// connection without starting any reader or heartbeat.
func fakeParty1(t *testing.T, cfgs []Config) *peerConn {
	s, err := cfgs[0].check()
	require.NoError(t, err)
	c := &connector{s: s, t: newTransport(s)}
	raw, err := stdnet.Dial("tcp", cfgs[1].Listener.Addr().String())
	require.NoError(t, err)
	r := c.handshake(context.Background(), raw, 2)
	require.NoError(t, r.err)
	return r.p
}

func connectTo2(t *testing.T, cfgs []Config) *Transport {
	cfgs[0].Listener.Close()
	type res struct {
		tr  *Transport
		err error
	}
	c := make(chan res, 1)
	go func() {
		tr, err := Connect(context.Background(), cfgs[1])
		c <- res{tr, err}
	}()
	t.Cleanup(func() {})
	r := <-c
	require.NoError(t, r.err)
	return r.tr
}

func TestSilentPeer(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, time.Second)
	require.NoError(t, err)
	c := make(chan *peerConn, 1)
	go func() { c <- fakeParty1(t, cfgs) }()
	tr := connectTo2(t, cfgs)
	defer tr.Close()
	fake := <-c
	defer fake.raw.Close()
	// The fake sends one message and then nothing, not even heartbeats.
	_, err = fake.conn.Write(frame.Append(nil, frame.Data, []byte("last words")))
	require.NoError(t, err)
	start := time.Now()
	got, err := tr.Recv(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, "last words", string(got))
	_, err = tr.Recv(context.Background(), 1)
	requirePeerError(t, err, 1, "tcp: party 1: recv: went silent: nothing received for 1s")
	require.ErrorIs(t, err, cnet.ErrPeerSilent)
	require.ErrorIs(t, err, errDeadline)
	require.NotErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 1500*time.Millisecond)
}

func TestBadFrames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bytes []byte
		want  string
		cause error
	}{
		{"oversize", frame.AppendHeader(nil, frame.Data, 80000000), "tcp: party 1: recv: sent a bad frame: frame of 80000000 bytes exceeds limit of 4194304 bytes", cnet.ErrBadFrame},
		{"truncated", append(frame.AppendHeader(nil, frame.Data, 100), make([]byte, 10)...), "tcp: party 1: recv: closed the connection in the middle of a frame (10 of 100 bytes)", cnet.ErrPeerClosed},
		{"truncated header", []byte{0, 0}, "tcp: party 1: recv: closed the connection in the middle of a frame (2 of 5 header bytes)", cnet.ErrPeerClosed},
		{"unknown type", []byte{0, 0, 0, 0, 99}, "tcp: party 1: recv: sent a bad frame: unknown frame type 99", cnet.ErrBadFrame},
		{"second hello", frame.Append(nil, frame.Hello, nil), "tcp: party 1: recv: sent a bad frame: unexpected frame type 2", cnet.ErrBadFrame},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer leaktest.Check(t)()
			cfgs, err := configs(t, 2, time.Second)
			require.NoError(t, err)
			c := make(chan *peerConn, 1)
			go func() { c <- fakeParty1(t, cfgs) }()
			tr := connectTo2(t, cfgs)
			defer tr.Close()
			fake := <-c
			defer fake.raw.Close()
			_, err = fake.conn.Write(append(frame.Append(nil, frame.Data, []byte("ok")), tc.bytes...))
			require.NoError(t, err)
			if strings.HasPrefix(tc.name, "truncated") {
				fake.conn.Close()
			}
			got, err := recvCtx(t, tr, 1, 5*time.Second)
			require.NoError(t, err)
			require.Equal(t, "ok", string(got))
			_, err = recvCtx(t, tr, 1, 5*time.Second)
			requirePeerError(t, err, 1, tc.want)
			require.ErrorIs(t, err, tc.cause)
			requirePeerError(t, tr.Send(context.Background(), 1, []byte{1}), 1, "party 1: send")
		})
	}
}

func TestSendTooLarge(t *testing.T) {
	defer leaktest.Check(t)()
	cfgs, err := configs(t, 2, time.Second)
	require.NoError(t, err)
	for i := range cfgs {
		cfgs[i].MaxFrame = 1000
	}
	ts, errs := connectAll(cfgs)
	require.NoError(t, errors.Join(errs...))
	defer closeAll(ts)
	err = ts[0].Send(context.Background(), 2, make([]byte, 1001))
	requirePeerError(t, err, 2, "exceeds limit of 1000 bytes")
	require.NoError(t, ts[0].Send(context.Background(), 2, make([]byte, 1000)))
	got, err := ts[1].Recv(context.Background(), 1)
	require.NoError(t, err)
	require.Len(t, got, 1000)
}

// Idle connections stay up: heartbeats keep the read deadlines from
// expiring.
func TestIdleLinksStayUp(t *testing.T) {
	defer leaktest.Check(t)()
	ts, err := newMesh(2, 200*time.Millisecond)
	require.NoError(t, err)
	defer closeAll(ts)
	time.Sleep(time.Second)
	require.NoError(t, ts[0].Send(context.Background(), 2, []byte("still here")))
	got, err := ts[1].Recv(context.Background(), 1)
	require.NoError(t, err)
	require.Equal(t, "still here", string(got))
}

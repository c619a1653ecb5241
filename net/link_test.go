package net_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/net"
	"github.com/cohortmpc/cohort/net/internal/nettest"
)

// linkedMesh is an in-memory mesh with link l on every party.
func linkedMesh(n int, l net.Link) ([]net.Transport, error) {
	ts, err := net.NewMesh(n)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		ts[i] = net.WithLink(ts[i], l)
	}
	return ts, nil
}

func TestLinkConformance(t *testing.T) {
	// The wrapper keeps every property of a transport: order, boundaries,
	// exactly once, errors, Close.
	nettest.Run(t, func(n int) ([]net.Transport, error) {
		return linkedMesh(n, net.Link{Delay: time.Millisecond, Bandwidth: 1e9})
	}, nettest.Options{MaxN: 6, LargeSize: 1 << 20})
}

func TestLinkDelay(t *testing.T) {
	defer leaktest.Check(t)()
	const delay = 40 * time.Millisecond
	ts, err := linkedMesh(3, net.Link{Delay: delay})
	require.NoError(t, err)
	defer closeAll(ts)
	ctx := context.Background()
	start := time.Now()
	require.NoError(t, ts[0].Send(ctx, 2, []byte("ping")))
	require.Less(t, time.Since(start), delay/2, "Send does not wait")
	got, err := ts[1].Recv(ctx, 1)
	require.NoError(t, err)
	elapsed := time.Since(start)
	require.Equal(t, "ping", string(got))
	require.GreaterOrEqual(t, elapsed, delay)
	require.Less(t, elapsed, delay+30*time.Millisecond)
	// A round trip takes two delays.
	start = time.Now()
	require.NoError(t, ts[1].Send(ctx, 1, []byte("pong")))
	_, err = ts[0].Recv(ctx, 2)
	require.NoError(t, err)
	require.NoError(t, ts[0].Send(ctx, 2, []byte("again")))
	_, err = ts[1].Recv(ctx, 1)
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 2*delay)
}

func TestLinkBandwidth(t *testing.T) {
	// 20 messages of 50 KB through a 10 MB/s uplink, to two peers: the
	// last one arrives after 100 ms plus the delay, whatever its
	// destination, and the order to each peer is kept.
	defer leaktest.Check(t)()
	const (
		size  = 50_000
		count = 20
		bw    = 10e6
		delay = 5 * time.Millisecond
	)
	ts, err := linkedMesh(3, net.Link{Delay: delay, Bandwidth: bw})
	require.NoError(t, err)
	defer closeAll(ts)
	ctx := context.Background()
	start := time.Now()
	for k := range count {
		msg := bytes.Repeat([]byte{byte(k)}, size)
		require.NoError(t, ts[0].Send(ctx, 2+k%2, msg))
	}
	var last time.Duration
	for k := range count {
		got, err := ts[1+k%2].Recv(ctx, 1)
		require.NoError(t, err)
		require.Len(t, got, size)
		require.Equal(t, byte(k), got[0], "message %d out of order", k)
		last = time.Since(start)
	}
	want := time.Duration(float64(count*size)/bw*float64(time.Second)) + delay
	require.GreaterOrEqual(t, last, want)
	require.Less(t, last, want+100*time.Millisecond)
}

func TestLinkCloseDeliversWhatIsOnItsWay(t *testing.T) {
	defer leaktest.Check(t)()
	ts, err := linkedMesh(3, net.Link{Delay: time.Hour})
	require.NoError(t, err)
	defer closeAll(ts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for k := range 3 {
		require.NoError(t, ts[2].Send(ctx, 1, []byte{byte(k)}))
	}
	// Party 1 waits for party 2, whose messages would take an hour; closing
	// party 1 unblocks it.
	errc := make(chan error, 1)
	go func() {
		_, err := ts[0].Recv(ctx, 2)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	require.NoError(t, ts[2].Close()) // party 3's messages go out at once
	for k := range 3 {
		got, err := ts[0].Recv(ctx, 3)
		require.NoError(t, err)
		require.Equal(t, []byte{byte(k)}, got)
	}
	require.NoError(t, ts[0].Close())
	require.ErrorIs(t, <-errc, net.ErrClosed)
	require.Less(t, time.Since(start), time.Second)
	require.ErrorIs(t, ts[0].Send(ctx, 2, []byte{1}), net.ErrClosed)
}

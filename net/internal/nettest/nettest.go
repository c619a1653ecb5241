// Package nettest is a conformance suite for implementations of
// [net.Transport]. Each transport's tests call [Run] with a function that
// builds a connected set of parties.
package nettest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/cohortmpc/cohort/internal/leaktest"
	"github.com/cohortmpc/cohort/net"
)

// Factory returns n connected transports; element i is party i+1.
type Factory func(n int) ([]net.Transport, error)

// Options tune the suite to the transport's cost.
type Options struct {
	MaxN      int // largest n in the randomised test (at least 2; rapid's -rapid.checks sets how many)
	LargeSize int // size of the large messages (default 4 MiB)
}

// Run runs the suite.
func Run(t *testing.T, newMesh Factory, opt Options) {
	if opt.MaxN < 2 {
		opt.MaxN = 2
	}
	if opt.LargeSize == 0 {
		opt.LargeSize = 4 << 20
	}
	s := &suite{newMesh: newMesh, opt: opt}
	t.Run("Identity", s.identity)
	t.Run("OrderAndBoundaries", s.orderAndBoundaries)
	t.Run("EmptyMessages", s.emptyMessages)
	t.Run("LargeBothWays", s.largeBothWays)
	t.Run("InvalidParty", s.invalidParty)
	t.Run("CancelRecv", s.cancelRecv)
	t.Run("CloseUnblocksOwnRecv", s.closeUnblocksOwnRecv)
	t.Run("PeerCloseDrainsThenFails", s.peerCloseDrainsThenFails)
	t.Run("PeerCloseUnblocksRecv", s.peerCloseUnblocksRecv)
	t.Run("RandomSchedules", s.randomSchedules)
}

type suite struct {
	newMesh Factory
	opt     Options
}

func (s *suite) mesh(t *testing.T, n int) []net.Transport {
	t.Helper()
	ts, err := s.newMesh(n)
	require.NoError(t, err)
	require.Len(t, ts, n)
	t.Cleanup(func() { closeAll(ts) })
	return ts
}

func closeAll(ts []net.Transport) {
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Go(func() { tr.Close() })
	}
	wg.Wait()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (s *suite) identity(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	for i, tr := range ts {
		require.Equal(t, i+1, tr.ID())
		require.Equal(t, 3, tr.N())
	}
	closeAll(ts)
}

func msg(from, to, k, size int) []byte {
	m := make([]byte, size)
	for i := range m {
		m[i] = byte(from*31 + to*7 + k + i)
	}
	return m
}

// Every party sends messages of many sizes to every other before receiving;
// each message must arrive once, in order, with its own length.
func (s *suite) orderAndBoundaries(t *testing.T) {
	defer leaktest.Check(t)()
	const n = 4
	sizes := []int{1, 0, 8, 3, 1000, 0, 70000, 2, 16384, 16385, 5}
	ts := s.mesh(t, n)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Go(func() {
			for k, size := range sizes {
				for j := 1; j <= n; j++ {
					if j != tr.ID() {
						require.NoError(t, tr.Send(ctx, j, msg(tr.ID(), j, k, size)))
					}
				}
			}
			for j := 1; j <= n; j++ {
				if j == tr.ID() {
					continue
				}
				for k, size := range sizes {
					got, err := tr.Recv(ctx, j)
					require.NoError(t, err)
					require.Equal(t, msg(j, tr.ID(), k, size), got, "message %d from %d", k, j)
				}
			}
		})
	}
	wg.Wait()
	closeAll(ts)
}

func (s *suite) emptyMessages(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 2)
	ctx := ctxT(t)
	require.NoError(t, ts[0].Send(ctx, 2, nil))
	require.NoError(t, ts[0].Send(ctx, 2, []byte{}))
	require.NoError(t, ts[0].Send(ctx, 2, []byte{42}))
	for _, want := range [][]byte{{}, {}, {42}} {
		got, err := ts[1].Recv(ctx, 1)
		require.NoError(t, err)
		require.Len(t, got, len(want))
		require.True(t, bytes.Equal(want, got))
	}
	closeAll(ts)
}

// Both parties send several large messages before either receives: Send must
// not wait for the peer's Recv.
func (s *suite) largeBothWays(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 2)
	ctx := ctxT(t)
	const count = 3
	var wg sync.WaitGroup
	for _, tr := range ts {
		peer := 3 - tr.ID()
		wg.Go(func() {
			for k := range count {
				require.NoError(t, tr.Send(ctx, peer, msg(tr.ID(), peer, k, s.opt.LargeSize+k)))
			}
			for k := range count {
				got, err := tr.Recv(ctx, peer)
				require.NoError(t, err)
				require.True(t, bytes.Equal(msg(peer, tr.ID(), k, s.opt.LargeSize+k), got))
			}
		})
	}
	wg.Wait()
	closeAll(ts)
}

func requirePeerError(t *testing.T, err error, party int, cause error) {
	t.Helper()
	var pe *net.PeerError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, party, pe.Party)
	require.ErrorIs(t, err, cause)
	require.Contains(t, err.Error(), fmt.Sprintf("party %d", party))
}

func (s *suite) invalidParty(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	ctx := ctxT(t)
	tr := ts[1]
	for _, j := range []int{-1, 0, 2, 4, 100} {
		requirePeerError(t, tr.Send(ctx, j, []byte{1}), j, net.ErrInvalidParty)
		_, err := tr.Recv(ctx, j)
		requirePeerError(t, err, j, net.ErrInvalidParty)
	}
	closeAll(ts)
}

func (s *suite) cancelRecv(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	ctx, cancel := context.WithCancel(ctxT(t))
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := ts[0].Recv(ctx, 3)
	requirePeerError(t, err, 3, context.Canceled)
	require.Less(t, time.Since(start), 5*time.Second)

	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer dcancel()
	_, err = ts[2].Recv(dctx, 2)
	requirePeerError(t, err, 2, context.DeadlineExceeded)

	// The transport still works after a cancelled Recv.
	require.NoError(t, ts[2].Send(ctxT(t), 1, []byte("late")))
	got, err := ts[0].Recv(ctxT(t), 3)
	require.NoError(t, err)
	require.Equal(t, "late", string(got))
	closeAll(ts)
}

func (s *suite) closeUnblocksOwnRecv(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	ctx := ctxT(t)
	errc := make(chan error, 2)
	for _, from := range []int{2, 3} {
		go func() {
			_, err := ts[0].Recv(ctx, from)
			errc <- err
		}()
	}
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, ts[0].Close())
	for range 2 {
		select {
		case err := <-errc:
			require.ErrorIs(t, err, net.ErrClosed)
		case <-time.After(5 * time.Second):
			t.Fatal("Recv still blocked 5 s after Close")
		}
	}
	require.ErrorIs(t, ts[0].Send(ctx, 2, []byte{1}), net.ErrClosed)
	_, err := ts[0].Recv(ctx, 2)
	require.ErrorIs(t, err, net.ErrClosed)
	require.NoError(t, ts[0].Close(), "Close is idempotent")
	closeAll(ts)
}

func (s *suite) peerCloseDrainsThenFails(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	ctx := ctxT(t)
	for k := range 3 {
		require.NoError(t, ts[2].Send(ctx, 1, msg(3, 1, k, 10)))
	}
	require.NoError(t, ts[2].Close())
	for k := range 3 {
		got, err := ts[0].Recv(ctx, 3)
		require.NoError(t, err)
		require.Equal(t, msg(3, 1, k, 10), got)
	}
	_, err := ts[0].Recv(ctx, 3)
	requirePeerError(t, err, 3, net.ErrPeerClosed)
	_, err = ts[1].Recv(ctx, 3)
	requirePeerError(t, err, 3, net.ErrPeerClosed)
	// Sending to a closed peer fails sooner or later (TCP may accept a few
	// messages before it notices).
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := ts[0].Send(ctx, 3, []byte{1})
		if err != nil {
			requirePeerError(t, err, 3, err)
			break
		}
		require.True(t, time.Now().Before(deadline), "Send to closed peer keeps succeeding")
		time.Sleep(10 * time.Millisecond)
	}
	// The others still talk.
	require.NoError(t, ts[0].Send(ctx, 2, []byte("x")))
	got, err := ts[1].Recv(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, "x", string(got))
	closeAll(ts)
}

func (s *suite) peerCloseUnblocksRecv(t *testing.T) {
	defer leaktest.Check(t)()
	ts := s.mesh(t, 3)
	ctx := ctxT(t)
	errc := make(chan error, 2)
	for _, tr := range ts[:2] {
		go func() {
			_, err := tr.Recv(ctx, 3)
			errc <- err
		}()
	}
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, ts[2].Close())
	for range 2 {
		select {
		case err := <-errc:
			requirePeerError(t, err, 3, net.ErrPeerClosed)
		case <-time.After(5 * time.Second):
			t.Fatal("Recv still blocked 5 s after the peer closed")
		}
	}
	closeAll(ts)
}

// Random schedules: random n, random message counts and sizes per ordered
// pair; every party sends from one goroutine per peer and receives from one
// goroutine per peer, all at once.
func (s *suite) randomSchedules(t *testing.T) {
	defer leaktest.Check(t)()
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(2, s.opt.MaxN).Draw(rt, "n")
		sizes := make(map[[2]int][]int)
		for i := 1; i <= n; i++ {
			for j := 1; j <= n; j++ {
				if i != j {
					sizes[[2]int{i, j}] = rapid.SliceOfN(rapid.IntRange(0, 3000), 0, 12).
						Draw(rt, fmt.Sprintf("sizes %d→%d", i, j))
				}
			}
		}
		ts, err := s.newMesh(n)
		if err != nil {
			rt.Fatalf("mesh: %v", err)
		}
		defer closeAll(ts)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 2*n*n)
		for _, tr := range ts {
			i := tr.ID()
			for j := 1; j <= n; j++ {
				if j == i {
					continue
				}
				wg.Go(func() {
					for k, size := range sizes[[2]int{i, j}] {
						if err := tr.Send(ctx, j, msg(i, j, k, size)); err != nil {
							errs <- err
							return
						}
					}
				})
				wg.Go(func() {
					for k, size := range sizes[[2]int{j, i}] {
						got, err := tr.Recv(ctx, j)
						if err != nil {
							errs <- err
							return
						}
						if !bytes.Equal(got, msg(j, i, k, size)) {
							errs <- fmt.Errorf("party %d: message %d from %d: wrong content (len %d, want %d)", i, k, j, len(got), size)
							return
						}
					}
				})
			}
		}
		wg.Wait()
		close(errs)
		if err := errors.Join(collect(errs)...); err != nil {
			rt.Fatal(err)
		}
	})
}

func collect(c <-chan error) []error {
	var out []error
	for err := range c {
		out = append(out, err)
	}
	return out
}
